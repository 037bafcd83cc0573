/**
 * Histories recorded by earlier code replay with today's workflow bundle: a sweep that was
 * running when the workers were upgraded goes on, step for step (workflow patches, never a
 * silent change of commands). Each folder of test/fixtures/histories is a 2-cell no-op sweep
 * recorded on a real Temporal dev server by the code named in the folder:
 *   step-by-step           before ONE_COMPUTE_ACTIVITY: one activity per step (59 events a cell)
 *   one-compute-activity   the cell as one compute activity between local record activities
 * Replay needs no server: the worker replays the events against the bundle.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWorkflowBundle } from '../../worker/worker.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
let bundle: WorkflowBundle;

beforeAll(async () => {
  bundle = await buildWorkflowBundle();
}, 120_000);

/** A history as `historyToJSON` wrote it (runReplayHistory takes that JSON as it is). */
interface HistoryJson {
  events?: Array<{ activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }>;
}
const load = async (folder: string, name: 'sweep' | 'cell'): Promise<HistoryJson> => JSON.parse(await readFile(join(FIXTURES, folder, `${name}.json`), 'utf8'));
const activityTypes = (history: HistoryJson) => [...new Set((history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean))].sort();

describe('recorded histories replay with the current workflow code', async () => {
  const folders = (await readdir(FIXTURES)).sort();

  it('has both shapes of cell recorded', () => {
    expect(folders).toEqual(['one-compute-activity', 'step-by-step']);
  });

  for (const folder of folders) {
    it(`${folder}: the sweep and a cell replay without nondeterminism`, async () => {
      const ids = JSON.parse(await readFile(join(FIXTURES, folder, 'ids.json'), 'utf8')) as { sweep: string; cell: string };
      await Worker.runReplayHistory({ workflowBundle: bundle }, await load(folder, 'sweep'), ids.sweep);
      await Worker.runReplayHistory({ workflowBundle: bundle }, await load(folder, 'cell'), ids.cell);
    }, 60_000);
  }

  it('the fixtures are the two shapes they claim to be', async () => {
    expect(activityTypes(await load('step-by-step', 'cell'))).toEqual(['beginCell', 'evaluateCell', 'finishCell', 'prepareData', 'trainCell']);
    const one = await load('one-compute-activity', 'cell');
    expect(activityTypes(one)).toEqual(['runCell']);
    expect(one.events?.length).toBeLessThanOrEqual(16);
  });
});
