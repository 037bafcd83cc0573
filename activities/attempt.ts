/**
 * The current activity attempt, as the activities use it: heartbeat, the previous attempt's
 * last heartbeat, the cancellation signal, the heartbeat timeout and an id of this attempt.
 * Outside an activity (unit use) a detached stand-in whose heartbeats go nowhere.
 */
import { Context } from '@temporalio/activity';

export interface Attempt {
  heartbeat(details: unknown): void;
  previous: unknown;
  signal: AbortSignal;
  heartbeatTimeoutMs?: number;
  /**
   * Unique to this attempt of this workflow execution: the artifacts that make up a result are
   * written under it, so an attempt Temporal has given up on (a zombie) writes only where
   * nothing points, never over what the accepted attempt wrote.
   */
  attemptId: string;
}

export function currentAttempt(): Attempt {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return { heartbeat: () => {}, previous: undefined, signal: new AbortController().signal, attemptId: 'detached' };
  }
  return {
    heartbeat: (d) => ctx.heartbeat(d),
    previous: ctx.info.heartbeatDetails,
    signal: ctx.cancellationSignal,
    heartbeatTimeoutMs: ctx.info.heartbeatTimeoutMs || undefined,
    attemptId: `${(ctx.info.workflowExecution?.runId ?? ctx.info.activityId).slice(0, 8)}-a${ctx.info.attempt}`,
  };
}
