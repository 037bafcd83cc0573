/** `<sweep>` arguments: a sweep config file, or a sweep id as printed by `rexsweep run`. */
import { existsSync } from 'node:fs';
import { sweepId } from '../sweep/fingerprint.ts';
import { loadSweepFile } from '../sweep/load.ts';
import { sweepWorkflowId } from './start-sweep.ts';

export async function resolveSweep(arg: string): Promise<{ sweepId: string; workflowId: string }> {
  const id = existsSync(arg) ? sweepId(await loadSweepFile(arg)) : arg;
  return { sweepId: id, workflowId: sweepWorkflowId(id) };
}
