/**
 * Retry with exponential backoff and full jitter (AWS architecture blog, "Exponential Backoff
 * And Jitter"): before attempt n+1 sleep a uniform random time in [0, min(maxDelayMs,
 * initialDelayMs · 2^(n-1))]. Bounded twice: by `maxAttempts` and by `deadlineMs` measured from
 * the first attempt. A server-sent Retry-After (429/503) raises the sleep to at least that value.
 *
 * Defaults ride out an MLflow outage of a few minutes: delay cap 15 s, 3 min deadline, and 40
 * attempts as a backstop (with full jitter 40 attempts take ~4.5 min on average, so the deadline
 * is what binds; 20 attempts would run out before a 60 s outage ends about 1% of the time).
 * The fault drills stop MLflow for a minute; raise `deadlineMs` (≤ 1 h) for longer outages.
 */
import { TrackingConfigError } from './errors.ts';

export interface RetryPolicy {
  /** Total attempts including the first (≥ 1). 1 disables retries. */
  maxAttempts: number;
  /** Backoff base in ms (the cap before jitter for the first retry). */
  initialDelayMs: number;
  /** Cap of the exponential term, in ms. */
  maxDelayMs: number;
  /** No attempt starts later than this many ms after the first one. */
  deadlineMs: number;
  /** Per-attempt HTTP timeout in ms (also capped by what is left of the deadline). */
  requestTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 40,
  initialDelayMs: 250,
  maxDelayMs: 15_000,
  deadlineMs: 180_000,
  requestTimeoutMs: 30_000,
});

/** Upper bound accepted for `deadlineMs` (1 hour): a typo such as 3e7 is an error, not a hang. */
export const MAX_DEADLINE_MS = 3_600_000;

export function resolveRetryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...(partial ?? {}) };
  const check = (field: keyof RetryPolicy, ok: boolean, what: string): void => {
    if (!ok) throw new TrackingConfigError(`retry.${field}`, `expected ${what}, got ${String(p[field])}`);
  };
  check('maxAttempts', Number.isInteger(p.maxAttempts) && p.maxAttempts >= 1, 'an integer ≥ 1');
  check('initialDelayMs', Number.isFinite(p.initialDelayMs) && p.initialDelayMs >= 0, 'a finite number ≥ 0');
  check('maxDelayMs', Number.isFinite(p.maxDelayMs) && p.maxDelayMs >= p.initialDelayMs, 'a finite number ≥ initialDelayMs');
  check('deadlineMs', Number.isFinite(p.deadlineMs) && p.deadlineMs > 0 && p.deadlineMs <= MAX_DEADLINE_MS, `a number in (0, ${MAX_DEADLINE_MS}]`);
  check('requestTimeoutMs', Number.isFinite(p.requestTimeoutMs) && p.requestTimeoutMs > 0, 'a number > 0');
  return p;
}

/** The cap before jitter for the retry that follows failed attempt `attempt` (1-based). */
export function backoffCapMs(policy: RetryPolicy, attempt: number): number {
  const exp = policy.initialDelayMs * Math.pow(2, Math.max(0, attempt - 1));
  return Math.min(policy.maxDelayMs, exp);
}

/** Full jitter: uniform in [0, cap]; `random` in [0, 1). */
export function fullJitterDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  return random() * backoffCapMs(policy, attempt);
}

/** What one failed attempt tells the retry loop. */
export interface AttemptFailure {
  retryable: boolean;
  /** Short description for the final error, e.g. "ECONNREFUSED" or "HTTP 503 TEMPORARILY_UNAVAILABLE". */
  cause: string;
  /** Server-requested minimum wait (Retry-After), ms. */
  retryAfterMs?: number;
  /** The failed request may have been processed by the server (timeout, reset, 5xx). */
  maybeProcessed?: boolean;
}

export interface RetryHooks {
  /** Classify an error thrown by an attempt. Non-retryable errors are rethrown as they are. */
  classify(err: unknown): AttemptFailure;
  /** Called before sleeping ahead of attempt `nextAttempt`. */
  onRetry?(info: { nextAttempt: number; delayMs: number; cause: string }): void;
  /** Called when retrying stops; must return the error to throw. */
  exhausted(info: { attempts: number; elapsedMs: number; lastCause: string; reason: 'attempts' | 'deadline' }): Error;
  sleep?(ms: number): Promise<void>;
  now?(): number;
  random?(): number;
}

export interface AttemptContext {
  /** 1-based attempt number. */
  attempt: number;
  /** ms left before the deadline (≥ 1). */
  remainingMs: number;
  /** The failure of the previous attempt, if any. */
  previous?: AttemptFailure;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Run `fn` until it succeeds, fails non-retryably, or the policy's attempts or deadline run out. */
export async function withRetry<T>(policy: RetryPolicy, hooks: RetryHooks, fn: (ctx: AttemptContext) => Promise<T>): Promise<T> {
  const now = hooks.now ?? (() => performance.now());
  const doSleep = hooks.sleep ?? sleep;
  const start = now();
  let previous: AttemptFailure | undefined;
  for (let attempt = 1; ; attempt++) {
    const remainingMs = Math.max(1, policy.deadlineMs - (now() - start));
    try {
      return await fn({ attempt, remainingMs, previous });
    } catch (err) {
      const failure = hooks.classify(err);
      if (!failure.retryable) throw err;
      previous = failure;
      const elapsedMs = now() - start;
      if (attempt >= policy.maxAttempts) {
        throw hooks.exhausted({ attempts: attempt, elapsedMs, lastCause: failure.cause, reason: 'attempts' });
      }
      let delayMs = fullJitterDelayMs(policy, attempt, hooks.random);
      if (failure.retryAfterMs !== undefined) delayMs = Math.max(delayMs, Math.min(failure.retryAfterMs, policy.maxDelayMs));
      if (elapsedMs + delayMs >= policy.deadlineMs) {
        throw hooks.exhausted({ attempts: attempt, elapsedMs, lastCause: failure.cause, reason: 'deadline' });
      }
      hooks.onRetry?.({ nextAttempt: attempt + 1, delayMs, cause: failure.cause });
      await doSleep(delayMs);
    }
  }
}
