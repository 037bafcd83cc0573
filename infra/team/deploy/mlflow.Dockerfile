# MLflow tracking server for the team stack: MLflow 3.17.2 with the PostgreSQL driver and boto3
# for the S3 artifact store (the official ghcr.io/mlflow/mlflow image carries neither).
# Build: docker build -f mlflow.Dockerfile -t rexsweep-mlflow:3.17.2 .   (compose does this)
FROM python:3.12.11-slim-bookworm
RUN pip install --no-cache-dir --disable-pip-version-check \
      mlflow==3.17.2 psycopg2-binary==2.9.13 boto3==1.44.8 \
 && useradd --uid 1000 --create-home mlflow
USER mlflow
WORKDIR /home/mlflow
EXPOSE 5000
CMD ["mlflow", "server", "--help"]
