/**
 * Run artifacts through the tracking server's artifact proxy (`mlflow server` with
 * `--artifacts-destination`, or `--serve-artifacts`, the default since MLflow 2).
 *
 * How MLflow 3 maps a run's artifact root to the proxy (read in mlflow 3.17
 * `mlflow/store/artifact/mlflow_artifacts_repo.py` `resolve_uri` and
 * `mlflow/server/handlers.py` `_get_proxied_run_artifact_destination_path`):
 *   run.info.artifact_uri = `mlflow-artifacts:/<experiment_id>/<run_id>/artifacts`
 *   (or `mlflow-artifacts://<host:port>/<…>`, or `http(s)://…/api/2.0/mlflow-artifacts/artifacts/<…>`)
 *   → the URI's path without its leading `/` is the proxy path, so a file `<p>` of the run is
 *   `PUT|GET {tracking URI}/api/2.0/mlflow-artifacts/artifacts/<experiment_id>/<run_id>/artifacts/<p>`.
 * The experiment's artifact_location is `mlflow-artifacts:/<experiment_id>`; the run part is not
 * derivable from ids alone in general, so we always start from the run's artifact_uri.
 *
 * Listing uses `GET /api/2.0/mlflow/artifacts/list?run_id=&path=` (paths relative to the run's
 * artifact root, paged); the proxy's own listing returns bare file names.
 *
 * Not supported (ArtifactLocationError): artifact roots the server does not proxy (s3://, gs://,
 * local paths — a server started with `--no-serve-artifacts`), and `mlflow-artifacts://` URIs that
 * name a host other than the tracking server's (credentials are sent to the tracking host only).
 */
import { ArtifactLocationError } from './errors.ts';

export const ARTIFACT_PROXY_ROUTE = '/api/2.0/mlflow-artifacts/artifacts';

/** The proxy-relative path of a run artifact root, e.g. `1/abc…/artifacts`. */
export function proxyRootPath(artifactUri: string, trackingBaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(artifactUri);
  } catch {
    throw new ArtifactLocationError(artifactUri, 'not a URI; the server must serve artifacts (mlflow server --artifacts-destination …)');
  }
  const tracking = new URL(trackingBaseUrl);
  let path: string;
  if (url.protocol === 'mlflow-artifacts:') {
    if (url.host !== '' && url.host !== tracking.host) {
      throw new ArtifactLocationError(artifactUri, `artifact proxy on another host (${url.host}) than the tracking server (${tracking.host}) is not supported`);
    }
    path = url.pathname;
  } else if (url.protocol === 'http:' || url.protocol === 'https:') {
    const at = url.pathname.indexOf(ARTIFACT_PROXY_ROUTE + '/');
    if (at < 0) throw new ArtifactLocationError(artifactUri, `an http(s) artifact root must contain ${ARTIFACT_PROXY_ROUTE}/`);
    if (url.host !== tracking.host) throw new ArtifactLocationError(artifactUri, 'artifact proxy on another host than the tracking server is not supported');
    path = url.pathname.slice(at + ARTIFACT_PROXY_ROUTE.length);
  } else {
    throw new ArtifactLocationError(
      artifactUri,
      `scheme ${url.protocol} is not served by the tracking server's artifact proxy; start mlflow server with --artifacts-destination`,
    );
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new ArtifactLocationError(artifactUri, 'malformed percent-encoding in the artifact root');
  }
  if (UNSAFE_CHARS.test(decoded)) throw new ArtifactLocationError(artifactUri, 'backslash or control character in the artifact root');
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) throw new ArtifactLocationError(artifactUri, 'relative segments in the artifact root');
  return segments.join('/');
}

/** Backslash (a separator on Windows servers) and C0 control characters, NUL included. */
const UNSAFE_CHARS = /[\\\u0000-\u001f\u007f]/;

/**
 * Check a run-relative artifact path (`model/ckpt-3.bin`) and return its segments. Refuses
 * empty, absolute (`/x`, `C:x`), `.`/`..`, backslash, NUL and other control characters, so
 * nothing can escape the run's root. Segments are percent-encoded when sent, so `%2e%2e` stays
 * a literal name on the server.
 */
export function artifactPathSegments(artifactPath: string): string[] {
  if (typeof artifactPath !== 'string' || artifactPath === '') throw new ArtifactLocationError(String(artifactPath), 'empty artifact path');
  if (artifactPath.startsWith('/')) throw new ArtifactLocationError(artifactPath, 'artifact paths are relative to the run; no leading /');
  if (/^[A-Za-z]:/.test(artifactPath)) throw new ArtifactLocationError(artifactPath, 'artifact paths are relative to the run; no drive letter');
  if (UNSAFE_CHARS.test(artifactPath)) throw new ArtifactLocationError(artifactPath, 'backslash or control character (NUL, newline, …) in artifact path');
  const segments = artifactPath.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new ArtifactLocationError(artifactPath, 'empty, . or .. segment in artifact path');
  }
  return segments;
}

/** URL path (from the tracking base) of one artifact of a run, each segment percent-encoded. */
export function artifactProxyPath(artifactUri: string, trackingBaseUrl: string, artifactPath: string): string {
  const root = proxyRootPath(artifactUri, trackingBaseUrl).split('/').filter((s) => s !== '');
  const rel = artifactPathSegments(artifactPath);
  return ARTIFACT_PROXY_ROUTE + '/' + [...root, ...rel].map(encodeURIComponent).join('/');
}
