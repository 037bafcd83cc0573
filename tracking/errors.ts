/**
 * Typed errors of the tracking layer. None of them carries the HTTP request, its headers or the
 * underlying axios error: credentials must never reach a log through an error object.
 */
import { RexsweepError } from '../recsys/errors.ts';

/** Base class: every error thrown by tracking/ is a TrackingError. */
export class TrackingError extends RexsweepError {}

/**
 * MLflow answered with an error status that is not retried (or stopped being retried): the
 * MLflow `error_code` (e.g. RESOURCE_ALREADY_EXISTS, INVALID_PARAMETER_VALUE) and message.
 */
export class MlflowApiError extends TrackingError {
  constructor(
    /** `METHOD path`, e.g. `POST /api/2.0/mlflow/runs/log-batch` (never the query string). */
    readonly endpoint: string,
    readonly status: number,
    readonly errorCode: string,
    readonly serverMessage: string,
  ) {
    super(`MLflow ${endpoint} failed: HTTP ${status} ${errorCode}: ${clip(serverMessage, 500)}`);
  }

  is(code: string): boolean {
    return this.errorCode === code;
  }
}

/**
 * The server could not be reached (or kept answering 429/5xx) within the retry budget, or the
 * request failed with a network error that is not retried.
 * `attempts` requests were made over `elapsedMs`; `lastCause` is e.g. `ECONNREFUSED` or `HTTP 503`.
 */
export class MlflowUnavailableError extends TrackingError {
  constructor(
    readonly endpoint: string,
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly lastCause: string,
    /** Why retrying stopped: attempt limit, deadline, or an error that is never retried (e.g. ENOTFOUND). */
    readonly reason: 'attempts' | 'deadline' | 'not-retryable',
  ) {
    super(
      `MLflow ${endpoint} unavailable after ${attempts} attempt(s) in ${Math.round(elapsedMs)} ms ` +
        `(${reason === 'attempts' ? 'attempt limit reached' : reason === 'deadline' ? 'deadline reached' : 'not retryable'}); last error: ${lastCause}`,
    );
  }
}

/** The server answered 2xx with a body that does not have the documented shape. */
export class MlflowResponseError extends TrackingError {
  constructor(readonly endpoint: string, readonly detail: string) {
    super(`MLflow ${endpoint} returned an unexpected body: ${clip(detail, 500)}`);
  }
}

/** A metric, param or tag key MLflow would reject (characters, length, path form). */
export class InvalidKeyError extends TrackingError {
  constructor(readonly kind: 'metric' | 'param' | 'tag', readonly key: string, readonly rule: string) {
    super(`invalid ${kind} key ${JSON.stringify(clip(key, 300))}: ${rule}`);
  }
}

/** A value that cannot be logged as asked (non-finite metric in 'error' mode, over-long value in 'error' mode, conflicting params). */
export class InvalidValueError extends TrackingError {
  constructor(readonly kind: 'metric' | 'param' | 'tag', readonly key: string, readonly rule: string) {
    super(`invalid ${kind} ${JSON.stringify(clip(key, 300))}: ${rule}`);
  }
}

/** An artifact URI the client cannot reach through the server's artifact proxy, or an unsafe artifact path. */
export class ArtifactLocationError extends TrackingError {
  constructor(readonly uri: string, readonly detail: string) {
    super(`artifact location ${JSON.stringify(uri)}: ${detail}`);
  }
}

/** Invalid client or layout input (bad tracking URI, bad cell key, bad retry policy, …). */
export class TrackingConfigError extends TrackingError {
  constructor(readonly field: string, readonly detail: string) {
    super(`tracking ${field}: ${detail}`);
  }
}

export function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n) + '…';
}
