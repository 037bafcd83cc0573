/**
 * Timeouts and retry policies of every activity, in one place. Infrastructure loss retries
 * (with backoff); errors of these types fail the cell at once, because retrying cannot fix them
 * (DESIGN.md "Failures have kinds").
 */
import type { ActivityOptions } from '@temporalio/workflow';

export const NON_RETRYABLE = ['DivergenceError', 'InfeasibleError', 'ConfigError', 'InputError', 'DatasetIntegrityError', 'BackendError'];

/** MLflow bookkeeping: short calls, retried for minutes so an MLflow restart loses nothing. */
export function recordOptions(taskQueue: string): ActivityOptions {
  return {
    taskQueue,
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 30, nonRetryableErrorTypes: NON_RETRYABLE },
  };
}

/** Data preparation: idempotent (content-addressed cache), may take a while on real dumps. */
export function prepareOptions(taskQueue: string): ActivityOptions {
  return {
    taskQueue,
    startToCloseTimeout: '4 hours',
    heartbeatTimeout: '5 minutes',
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
  };
}

/** Training and evaluation on GPU workers: heartbeats detect a dead worker within minutes. */
export function computeOptions(taskQueue: string): ActivityOptions {
  return {
    taskQueue,
    startToCloseTimeout: '48 hours',
    heartbeatTimeout: '3 minutes',
    retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
  };
}
