/**
 * MLflow's artifact proxy answers a missing file in two ways: 404 with a local artifact root, but
 * HTTP 500 INTERNAL_ERROR ("An error occurred (404) when calling the HeadObject operation: Not
 * Found") with an S3 root — a server error that a client would retry for its whole budget
 * (15 min) before failing. Both mean "no such artifact": this turns the second into the first,
 * for artifact paths only, so callers that expect a file to be absent see RESOURCE_DOES_NOT_EXIST.
 */
export interface ErrorAnswer {
  status: number;
  errorCode: string;
  message: string;
}

const ARTIFACT_PROXY = '/api/2.0/mlflow-artifacts/artifacts/';
/** What boto3 (S3), and the Azure and GCS clients, say for an absent object. */
const MISSING_OBJECT = /\(404\)[^\n]*Not Found|NoSuchKey|The specified key does not exist|BlobNotFound|No such object/i;

export function normaliseMissingArtifact(path: string, answer: ErrorAnswer): ErrorAnswer {
  if (answer.status !== 500 || !path.includes(ARTIFACT_PROXY) || !MISSING_OBJECT.test(answer.message)) return answer;
  return { status: 404, errorCode: 'RESOURCE_DOES_NOT_EXIST', message: answer.message };
}
