/**
 * Following a sweep until it ends (`rexsweep run`), riding out Temporal outages: a restarted or
 * unreachable server must not end the command (issue 11), because the command also hosts the
 * sweep's workers. `handle.result()` and the progress query fail with a ServiceError once the
 * client's own gRPC retries give up (a few seconds); those failures are retried here with
 * backoff, without limit, and the progress line says so ("Temporal unreachable since HH:MM:SS,
 * reconnecting"). Ctrl-C ends the wait. Any other error (the workflow failed, was terminated,
 * or is not found) ends it as before.
 */
import { ServiceError, isGrpcServiceError } from '@temporalio/client';
import type { SweepProgress } from '../workflows/sweep.ts';
import type { startSweep } from './start-sweep.ts';
import { stoppedProgress } from './final-progress.ts';

type Handle = Awaited<ReturnType<typeof startSweep>>['handle'];

export interface FollowEvents {
  progress(p: SweepProgress): void;
  /** Temporal could not be reached since `since` (epoch ms); called on every failed attempt. */
  unreachable(since: number): void;
  /** Reached again after an outage that began at `since`. */
  reconnected(since: number): void;
}

// gRPC status codes (@grpc/grpc-js `status`, not a direct dependency).
const UNAVAILABLE = 14;
/** Codes that mean "not answered this time", not "your request is wrong": worth another try. */
const RETRYABLE = new Set<number>([UNAVAILABLE, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 2 /* UNKNOWN */, 1 /* CANCELLED */]);

/** The gRPC code in `err`'s cause chain; null for a client error without one, undefined for none. */
function grpcCode(err: unknown): number | null | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
    // The client wraps a transport failure that carries no gRPC status in a bare ServiceError.
    if (e instanceof ServiceError && !(e as { cause?: unknown }).cause) return null;
  }
  return undefined;
}

/** Whether `err` says the Temporal server cannot be reached (a lost or refused connection). */
export function isTemporalUnreachable(err: unknown): boolean {
  const code = grpcCode(err);
  return code === null || code === UNAVAILABLE;
}

/** Whether a failed call may succeed when repeated: unreachable, timed out, overloaded. */
export function isRetryableTemporalError(err: unknown): boolean {
  const code = grpcCode(err);
  return code === null || (code !== undefined && RETRYABLE.has(code));
}

/** Backoff between reconnection attempts: 1 s doubling to 15 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(15_000, 1000 * 2 ** Math.min(attempt, 4));
}

/**
 * Poll the progress query until the workflow ends (through its continue-as-new runs), then
 * return its final progress. A sweep that was cancelled or stopped on failures ends FAILED
 * with its progress as the failure's details.
 */
export async function followSweep(handle: Handle, on: FollowEvents, pollMs = 1000): Promise<SweepProgress> {
  const { progressQuery } = await import('../workflows/sweep.ts');
  let down: number | undefined;
  const failed = () => {
    down ??= Date.now();
    on.unreachable(down);
  };
  const reached = () => {
    if (down !== undefined) on.reconnected(down);
    down = undefined;
  };

  const result = (async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await handle.result();
        reached();
        return r;
      } catch (err) {
        const progress = stoppedProgress(err);
        if (progress) return progress;
        if (!isRetryableTemporalError(err)) throw err;
        if (isTemporalUnreachable(err)) failed();
        await sleep(reconnectDelayMs(attempt));
      }
    }
  })();
  let finished = false;
  result.finally(() => (finished = true)).catch(() => {});
  while (!finished) {
    try {
      const p = await handle.query(progressQuery);
      reached();
      on.progress(p);
    } catch (err) {
      // Anything else (a query timeout included) is not an outage: the workflow may not have
      // run its first task yet, or its worker is busy or away.
      if (isTemporalUnreachable(err)) failed();
    }
    await Promise.race([result.catch(() => {}), sleep(pollMs)]);
  }
  return result;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
