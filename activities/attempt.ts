/**
 * The current activity attempt, as the activities use it: heartbeat, the previous attempt's
 * last heartbeat, the cancellation signal and the heartbeat timeout. Outside an activity (unit
 * use) a detached stand-in whose heartbeats go nowhere.
 */
import { Context } from '@temporalio/activity';

export interface Attempt {
  heartbeat(details: unknown): void;
  previous: unknown;
  signal: AbortSignal;
  heartbeatTimeoutMs?: number;
}

export function currentAttempt(): Attempt {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return { heartbeat: () => {}, previous: undefined, signal: new AbortController().signal };
  }
  return {
    heartbeat: (d) => ctx.heartbeat(d),
    previous: ctx.info.heartbeatDetails,
    signal: ctx.cancellationSignal,
    heartbeatTimeoutMs: ctx.info.heartbeatTimeoutMs || undefined,
  };
}
