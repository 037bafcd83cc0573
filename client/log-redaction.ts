/**
 * What the Temporal SDK logs in a rexsweep process (its WARN lines: a failed activity, a
 * retried call): one line each, without task tokens (a token lets whoever holds it complete or
 * fail that activity) and without stack traces, only the first line of an error's message
 * (issue 11). Control characters are escaped like every other echoed text.
 */
import { escapeControl } from '../recsys/printable.ts';

export interface LogLine {
  level: string;
  message: string;
  meta?: Record<string, unknown>;
  timestampNanos?: bigint;
}

/** Keys never printed: task tokens under any spelling. */
const SECRET_KEY = /token/i;

export function formatLogLine(e: LogLine): string {
  const time = e.timestampNanos !== undefined ? new Date(Number(e.timestampNanos / 1_000_000n)).toISOString() : new Date().toISOString();
  const parts: string[] = [];
  for (const [k, v] of Object.entries(e.meta ?? {})) {
    if (SECRET_KEY.test(k) || v === undefined) continue;
    parts.push(`${k}=${describe(v)}`);
  }
  return escapeControl(`${time} [${e.level}] ${firstLine(e.message)}${parts.length ? ` (${parts.join(', ')})` : ''}`) + '\n';
}

function describe(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(firstLine(`${v.name}: ${v.message}`));
  if (typeof v === 'string') return JSON.stringify(firstLine(v));
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  try {
    const json = JSON.stringify(v, (k, x: unknown) => (SECRET_KEY.test(k) ? undefined : x instanceof Error ? firstLine(x.message) : x));
    return json === undefined ? String(v) : json.length > 200 ? `${json.slice(0, 200)}…` : json;
  } catch {
    return '<unprintable>';
  }
}

function firstLine(s: string): string {
  const line = s.split('\n')[0];
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * A log sink for one process: formatLogLine, and the native core's "gRPC call X retried N times"
 * said once per call per minute (an outage repeats it for every poller and every attempt, which
 * would bury the progress line's own "Temporal unreachable since …").
 */
export function createLogSink(write: (line: string) => void, now: () => number = Date.now): (e: LogLine) => void {
  const lastRetryLine = new Map<string, number>();
  return (e) => {
    const retried = /^gRPC call (\S+) retried \d+ times/.exec(e.message);
    if (retried) {
      const at = lastRetryLine.get(retried[1]);
      if (at !== undefined && now() - at < 60_000) return;
      lastRetryLine.set(retried[1], now());
    }
    write(formatLogLine(e));
  };
}
