/**
 * The pieces that keep `rexsweep run` alive through a Temporal outage, without servers: which
 * errors are an outage (client/follow.ts) and the workflow worker's restart
 * (client/supervised-workers.ts). The real restart is test/cli/run-temporal-restart.test.ts.
 */
import { ServiceError, WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { isRetryableTemporalError, isTemporalUnreachable, reconnectDelayMs } from '../../client/follow.ts';
import { superviseWorkers } from '../../client/supervised-workers.ts';
import type { RunningWorkers } from '../../worker/worker.ts';

const grpc = (code: number) => Object.assign(new Error(`grpc ${code}`), { code, details: 'x', metadata: {} });

describe('Temporal errors', () => {
  it('an unavailable server is an outage and retried; an answer is neither', () => {
    const unavailable = new ServiceError('Failed to get Workflow execution history', { cause: grpc(14) });
    expect(isTemporalUnreachable(unavailable)).toBe(true);
    expect(isRetryableTemporalError(unavailable)).toBe(true);
    const deadline = new ServiceError('Failed to query workflow', { cause: grpc(4) });
    expect(isTemporalUnreachable(deadline)).toBe(false);
    expect(isRetryableTemporalError(deadline)).toBe(true);
    const denied = new ServiceError('denied', { cause: grpc(7) });
    expect(isRetryableTemporalError(denied)).toBe(false);
    expect(isRetryableTemporalError(new WorkflowFailedError('failed', undefined, 'NONE' as never))).toBe(false);
    expect(isRetryableTemporalError(new Error('bug'))).toBe(false);
  });

  it('backs off from 1 s to 15 s', () => {
    expect([0, 1, 2, 3, 4, 10].map(reconnectDelayMs)).toEqual([1000, 2000, 4000, 8000, 15000, 15000]);
  });
});

describe('superviseWorkers', () => {
  it('starts a workflow worker again when it stops on its own, not after shutdown', async () => {
    const logs: string[] = [];
    let starts = 0;
    let fail!: (e: Error) => void;
    const start = async (): Promise<RunningWorkers> => {
      starts++;
      let resolveDone!: () => void;
      const done = new Promise<void>((resolve, reject) => {
        resolveDone = resolve;
        if (starts === 1) fail = reject;
      });
      return { done, shutdown: async () => resolveDone(), status: () => ({}) };
    };
    const sup = await superviseWorkers(start, (m) => logs.push(m));
    expect(starts).toBe(1);
    fail(new Error('Connection lost\nstack'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(starts).toBe(2);
    expect(logs).toEqual(['workflow worker stopped (Connection lost); restarting it in 1 s', 'workflow worker running again']);
    await sup.shutdown();
    await new Promise((r) => setTimeout(r, 1200));
    expect(starts).toBe(2);
  });
});
