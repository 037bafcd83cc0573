"""Create MLflow's artifact bucket in the S3 store if it is missing (idempotent).

Runs in the MLflow image (it has boto3); reads MLFLOW_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY and REXSWEEP_BUCKET.
"""
import os
import time

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError

bucket = os.environ.get("REXSWEEP_BUCKET", "mlflow")
s3 = boto3.client("s3", endpoint_url=os.environ["MLFLOW_S3_ENDPOINT_URL"])
for attempt in range(60):
    try:
        s3.head_bucket(Bucket=bucket)
        print(f"bucket {bucket} exists")
        break
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("404", "NoSuchBucket", "NotFound"):
            s3.create_bucket(Bucket=bucket)
            print(f"bucket {bucket} created")
            break
        raise
    except EndpointConnectionError:
        time.sleep(2)
else:
    raise SystemExit("S3 store not reachable")
