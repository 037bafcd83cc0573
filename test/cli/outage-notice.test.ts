/** How `run` tells of an outage (client/outage.ts) and spots a Temporal that is down (tcpAnswers). */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clockTime, OutageNotice } from '../../client/outage.ts';
import { tcpAnswers } from '../../client/sweep-health.ts';

describe('OutageNotice', () => {
  it('tells each transition once, keeps the earliest start, and measures the outage', () => {
    const lines: string[] = [];
    const n = new OutageNotice('Temporal', 'reconnecting', (l) => lines.push(l));
    const t0 = new Date(2026, 11, 2, 12, 1, 5).getTime();
    expect(n.text()).toBe('');
    n.up(t0); // nothing to end
    n.down(t0 + 3000); // the probe
    n.down(t0); // the follow loop, which saw it first
    n.down(t0 + 6000);
    expect(n.text()).toBe('Temporal unreachable since 12:01:05');
    n.up(t0 + 42_000);
    n.up(t0 + 50_000);
    expect(lines).toEqual(['Temporal unreachable since 12:01:08; reconnecting', 'Temporal reachable again (unreachable from 12:01:05 for 42 s)']);
    expect(n.text()).toBe('');
  });

  it('formats local clock times', () => {
    expect(clockTime(new Date(2026, 0, 1, 7, 8, 9).getTime())).toBe('07:08:09');
  });
});

describe('tcpAnswers', () => {
  it('is true for a listening port and false once it is closed', async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    expect(await tcpAnswers(`127.0.0.1:${port}`)).toBe(true);
    await new Promise((r) => server.close(r));
    expect(await tcpAnswers(`127.0.0.1:${port}`)).toBe(false);
  });

  it('assumes up for an address it cannot probe', async () => {
    expect(await tcpAnswers('temporal.example')).toBe(true);
  });
});
