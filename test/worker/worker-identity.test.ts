/** A worker's name (--name, $REXSWEEP_WORKER_NAME, hostname) and its Temporal identity. */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../recsys/errors.ts';
import { resolveWorkerName, WORKER_NAME_ENV, workerIdentity } from '../../worker/worker-identity.ts';

describe('resolveWorkerName', () => {
  it('--name wins over the environment, which wins over the hostname', () => {
    expect(resolveWorkerName('gpu-host-1', { [WORKER_NAME_ENV]: 'from-env' })).toBe('gpu-host-1');
    expect(resolveWorkerName(undefined, { [WORKER_NAME_ENV]: ' from-env ' })).toBe('from-env');
    expect(resolveWorkerName(undefined, {})).toBe(hostname());
    expect(resolveWorkerName(undefined, { [WORKER_NAME_ENV]: '' })).toBe(hostname());
  });

  it('refuses an empty --name, control characters and over-long names', () => {
    expect(() => resolveWorkerName('  ', {})).toThrow(InputError);
    expect(() => resolveWorkerName('a\nb', {})).toThrow(/--name/);
    expect(() => resolveWorkerName(undefined, { [WORKER_NAME_ENV]: 'x'.repeat(201) })).toThrow(new RegExp(WORKER_NAME_ENV));
  });
});

describe('workerIdentity', () => {
  it('names the worker, its pid, and for compute its slots and backend', () => {
    expect(workerIdentity({ name: 'gpu-host-1', pid: 1234, role: 'gpu', slots: 4, backend: 'auto' })).toBe('gpu-host-1 · pid 1234 · gpu 4 slots · backend auto');
    expect(workerIdentity({ name: 'h', pid: 1, role: 'gpu', slots: 1, backend: 'wasm' })).toBe('h · pid 1 · gpu 1 slot · backend wasm');
    expect(workerIdentity({ name: 'cpu-1', pid: 7, role: 'workflow' })).toBe('cpu-1 · pid 7 · workflow');
  });
});
