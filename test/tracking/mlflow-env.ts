/**
 * Integration tests run against the real MLflow server whose address the test global setup
 * (test/setup/servers.ts) puts in MLFLOW_TRACKING_URI. Without it they FAIL, never skip.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach } from 'vitest';
import { MlflowClient } from '../../tracking/client.ts';
import type { RetryPolicy } from '../../tracking/retry.ts';

export function requireTrackingUri(): string {
  const uri = process.env.MLFLOW_TRACKING_URI;
  if (!uri) {
    throw new Error(
      'MLFLOW_TRACKING_URI is not set: integration tests need a real MLflow server ' +
        '(started by test/setup/servers.ts, or by hand: mlflow server --backend-store-uri sqlite:///… --artifacts-destination … --port 15001)',
    );
  }
  return uri;
}

/**
 * Call at the top of an integration file: every test then FAILS with the message above when
 * MLFLOW_TRACKING_URI is unset (a throwing beforeAll would only mark them skipped), and
 * `setup` runs once when it is set.
 */
export function requireServerForEachTest(setup: () => Promise<void> | void): void {
  beforeAll(async () => {
    if (process.env.MLFLOW_TRACKING_URI) await setup();
  });
  beforeEach(() => {
    requireTrackingUri();
  });
}

export function testClient(retry: Partial<RetryPolicy> = { deadlineMs: 30_000 }): MlflowClient {
  return new MlflowClient({ trackingUri: requireTrackingUri(), retry });
}

/** A name no other test run uses, so tests share one server safely. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
}
