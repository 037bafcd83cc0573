/**
 * Health probes: a TCP connect, an HTTP GET, and a poll loop with a deadline. All bounded in time;
 * none throws for an unreachable server (they answer false).
 */
import { connect } from 'node:net';

export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked before each probe: a reason to give up at once (e.g. the process exited). */
  abort?: () => string | undefined;
}

export type WaitResult = { ok: true; ms: number } | { ok: false; ms: number; reason: string };

/** Polls `probe` until it answers true, the deadline passes or `abort` gives a reason. */
export async function waitUntil(probe: () => Promise<boolean>, options: WaitOptions): Promise<WaitResult> {
  const started = Date.now();
  const interval = options.intervalMs ?? 250;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) return { ok: false, ms: Date.now() - started, reason: aborted };
    if (await probe()) return { ok: true, ms: Date.now() - started };
    if (Date.now() - started >= options.timeoutMs) {
      return { ok: false, ms: Date.now() - started, reason: `not healthy after ${Math.round(options.timeoutMs / 1000)} s` };
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Splits `host:port` (Temporal's address form); IPv6 in brackets is accepted. */
export function parseHostPort(address: string): { host: string; port: number } | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1], port } : undefined;
}
