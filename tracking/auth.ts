/**
 * Credentials for the MLflow server. Read from the environment only by `authFromEnv`, and only
 * when a caller asks; the client takes them explicitly. The secret never appears in an error,
 * a log line or `JSON.stringify(client)`: it lives in a closure that only builds the header.
 */
import { TrackingConfigError } from './errors.ts';

export type MlflowAuth =
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string };

/**
 * `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD` → Basic; else `MLFLOW_TRACKING_TOKEN`
 * → Bearer; else undefined. Basic wins when both are set, as in MLflow's Python client
 * (`mlflow/utils/rest_utils.py`). A username without a password (or the reverse) is an error.
 */
export function authFromEnv(env: Record<string, string | undefined> = process.env): MlflowAuth | undefined {
  const username = nonEmpty(env.MLFLOW_TRACKING_USERNAME);
  const password = nonEmpty(env.MLFLOW_TRACKING_PASSWORD);
  const token = nonEmpty(env.MLFLOW_TRACKING_TOKEN);
  if ((username === undefined) !== (password === undefined)) {
    throw new TrackingConfigError(
      'auth',
      'MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD must be set together',
    );
  }
  if (username !== undefined && password !== undefined) return { kind: 'basic', username, password };
  if (token !== undefined) return { kind: 'bearer', token };
  return undefined;
}

/** A function that returns the Authorization header value; the secret stays in its closure. */
export type AuthHeader = () => string | undefined;

export function authHeader(auth: MlflowAuth | undefined): AuthHeader {
  if (auth === undefined) return () => undefined;
  if (auth.kind === 'bearer') {
    if (!auth.token) throw new TrackingConfigError('auth', 'empty bearer token');
    const value = `Bearer ${auth.token}`;
    return () => value;
  }
  if (!auth.username || auth.password === undefined) throw new TrackingConfigError('auth', 'basic auth needs a username and a password');
  const value = `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
  return () => value;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
