import { describe, expect, it } from 'vitest';
import { normaliseMissingArtifact } from '../../tracking/missing-artifact.ts';

const ARTIFACT = '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/report/aggregates.json';
// What MLflow 3.17.2 answered on the team stack (S3 artifact root) for a file that does not exist.
const S3_MISSING =
  'The following failures occurred while downloading one or more artifacts from s3://rexsweep-artifacts/mlartifacts:\n' +
  '##### File 1/abc/artifacts/report/aggregates.json #####\nAn error occurred (404) when calling the HeadObject operation: Not Found';

describe('a missing artifact behind an object store', () => {
  it('is a 404 RESOURCE_DOES_NOT_EXIST, not a server error to retry', () => {
    expect(normaliseMissingArtifact(ARTIFACT, { status: 500, errorCode: 'INTERNAL_ERROR', message: S3_MISSING })).toEqual({
      status: 404,
      errorCode: 'RESOURCE_DOES_NOT_EXIST',
      message: S3_MISSING,
    });
    expect(normaliseMissingArtifact(ARTIFACT, { status: 500, errorCode: 'INTERNAL_ERROR', message: 'An error occurred (NoSuchKey) when calling the GetObject operation' }).status).toBe(404);
  });

  it('leaves every other error alone: other 500s, other endpoints, other statuses', () => {
    const outage = { status: 500, errorCode: 'INTERNAL_ERROR', message: 'An error occurred (503) when calling the HeadObject operation: Service Unavailable' };
    expect(normaliseMissingArtifact(ARTIFACT, outage)).toEqual(outage);
    const db = { status: 500, errorCode: 'INTERNAL_ERROR', message: 'QueuePool limit of size 5 overflow 10 reached' };
    expect(normaliseMissingArtifact(ARTIFACT, db)).toEqual(db);
    const notArtifact = { status: 500, errorCode: 'INTERNAL_ERROR', message: S3_MISSING };
    expect(normaliseMissingArtifact('/api/2.0/mlflow/runs/get', notArtifact)).toEqual(notArtifact);
    const denied = { status: 403, errorCode: 'PERMISSION_DENIED', message: 'Not Found (404)' };
    expect(normaliseMissingArtifact(ARTIFACT, denied)).toEqual(denied);
  });
});
