/**
 * The workers' half of the memory preflight (sweep/memory-limit.ts): once the dataset's real size
 * is known, a cell estimated above the worker's limit fails at once, non-retryably (InputError),
 * naming the cell, the field to change and the worker — before training allocates anything or
 * touches the artifact store. A cell under the limit trains as usual.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComputeActivities, type ArtifactStore } from '../../activities/compute.ts';
import type { CellRef, TrainedRef } from '../../activities/contracts.ts';
import { CellConfigSchema } from '../../recsys/config.ts';
import { NON_RETRYABLE } from '../../workflows/activity-options.ts';
import { estimateCellMemory } from '../../sweep/memory-model.ts';
import { memoryLimitFrom } from '../../sweep/memory-limit.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-mem-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cell = CellConfigSchema.parse({
  dataset: { source: 'synthetic', name: 'mem', synthetic: { users: 30, items: 200, features: 8, reviewsPerUser: 16 } },
  model: 'cer',
  lambda: 0,
  epsilonD: 0.5,
  epochs: 1,
  cer: { hidden: [4096, 8], learningRate: 0.05 },
});
const ref: CellRef = {
  sweep: { sweepId: 's', study: 'mem', workflowId: 'w' },
  tracking: { experimentId: '0', parentRunId: 'p' },
  cellKey: 'mem-cer',
  cell,
  workflowId: 'w/cell',
};

/** Records what is stored; the refused cell must store nothing. */
function memoryStore(): ArtifactStore & { paths: string[] } {
  const files = new Map<string, Buffer>();
  return {
    paths: [],
    async upload(runId, path, bytes) {
      this.paths.push(path);
      files.set(`${runId}/${path}`, Buffer.from(bytes));
    },
    async download(runId, path) {
      const b = files.get(`${runId}/${path}`);
      if (!b) throw Object.assign(new Error(`no artifact ${path}`), { status: 404 });
      return b;
    },
  };
}

describe('a compute worker refuses a cell that cannot fit its memory', () => {
  it('fails at once with an InputError naming the cell, the field and the worker, and stores nothing', async () => {
    const store = memoryStore();
    const compute = createComputeActivities({
      datasetCache: join(dir, 'datasets'),
      backend: 'wasm',
      workerName: 'w-small',
      memoryLimit: memoryLimitFrom('1M', 0),
      artifacts: store,
    });
    const err = await new MockActivityEnvironment().run(compute.trainCell, ref, 'run-1').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.name).toBe('InputError');
    expect(NON_RETRYABLE).toContain(err!.name);
    expect(err!.message).toMatch(/^cell mem-cer \(field cer\.hidden\): expected a cell that fits in 1\.0 MiB of memory on worker w-small \(REXSWEEP_MAX_CELL_MEMORY\), got an estimated [\d.]+ MiB/);
    expect(store.paths).toEqual([]);
  });

  it('trains a cell under the limit', async () => {
    const store = memoryStore();
    // The estimate with the real size is well under 1 GiB: 4096 × (16 + 8) weights, ×4 copies.
    const limit = memoryLimitFrom('1G', 0);
    expect(estimateCellMemory(cell, { users: 30, items: 200, features: 8, trainPairs: 1000, testUsers: 30, listWidth: 100, from: 'prepared' }).bytes).toBeLessThan(limit.bytes);
    const compute = createComputeActivities({ datasetCache: join(dir, 'datasets'), backend: 'wasm', workerName: 'w-big', memoryLimit: limit, artifacts: store });
    const trained = (await new MockActivityEnvironment().run(compute.trainCell, ref, 'run-2')) as TrainedRef;
    expect(trained.epochs).toBe(1);
    expect(store.paths).toContain(trained.modelArtifact);
  });

  it('reads REXSWEEP_MAX_CELL_MEMORY as the CLI does, and refuses a malformed one with its name', () => {
    expect(memoryLimitFrom('512M', 1).bytes).toBe(512 * 2 ** 20);
    expect(memoryLimitFrom(undefined, 123)).toMatchObject({ bytes: 123 });
    expect(() => memoryLimitFrom('lots', 1)).toThrow(/<environment> \(field REXSWEEP_MAX_CELL_MEMORY\): expected a size in bytes/);
  });
});
