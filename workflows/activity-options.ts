/**
 * Timeouts and retry policies of every activity, in one place: defaults here, overridden per
 * sweep by its `retry` section (sweep/schema.ts). Infrastructure loss retries with backoff;
 * errors of the NON_RETRYABLE types fail the cell at once whatever the policy says, because
 * retrying cannot fix them (DESIGN.md "Failures have kinds").
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import type { RetryPolicies, RetrySettings } from '../sweep/schema.ts';

/**
 * Class names, since workflow code cannot import the classes (test/workflows/non-retryable.test.ts
 * checks each against its class). InvalidValueError: a metric, param or tag MLflow would refuse,
 * the same on every attempt.
 */
export const NON_RETRYABLE = ['DivergenceError', 'InfeasibleError', 'ConfigError', 'InputError', 'DatasetIntegrityError', 'BackendError', 'InvalidValueError'];

type ActivityClass = keyof RetryPolicies;

export const ACTIVITY_DEFAULTS: Record<ActivityClass, RetrySettings & { startToCloseTimeout: string }> = {
  // MLflow bookkeeping: short calls, retried for ~15 minutes so an MLflow restart loses nothing.
  record: { startToCloseTimeout: '2m', maximumAttempts: 35, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  // Data preparation: idempotent (content-addressed cache), may take a while on real dumps.
  prepare: { startToCloseTimeout: '4h', heartbeatTimeout: '5m', maximumAttempts: 5, initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' },
  // Training and evaluation on GPU workers: heartbeats detect a dead worker within minutes.
  compute: { startToCloseTimeout: '48h', heartbeatTimeout: '3m', maximumAttempts: 5, initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '10m' },
};

export function activityOptions(kind: ActivityClass, taskQueue: string, overrides: Partial<RetrySettings> = {}): ActivityOptions {
  const s = { ...ACTIVITY_DEFAULTS[kind], ...overrides };
  return {
    taskQueue,
    startToCloseTimeout: s.startToCloseTimeout,
    ...(s.heartbeatTimeout ? { heartbeatTimeout: s.heartbeatTimeout } : {}),
    retry: {
      initialInterval: s.initialInterval,
      backoffCoefficient: s.backoffCoefficient,
      maximumInterval: s.maximumInterval,
      maximumAttempts: s.maximumAttempts,
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  };
}

/**
 * A record activity run as a local activity, in the workflow worker that runs the cell (its
 * result is one marker event, not three events and a workflow task). The same retry policy:
 * past a minute of retries the SDK waits out the backoff on a durable timer.
 */
export function localActivityOptions(kind: 'record', overrides: Partial<RetrySettings> = {}): LocalActivityOptions {
  const { taskQueue: _queue, heartbeatTimeout: _heartbeat, ...options } = activityOptions(kind, '', overrides);
  return options;
}
