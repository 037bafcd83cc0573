/**
 * Training checkpoints in a run's artifacts: `checkpoints/epoch-<n>.rxm`. The latest one is the
 * restart point of a cell whose last attempt left no heartbeat (worker lost before its first
 * heartbeat reached the server, or a failed cell rerun by a new workflow run).
 */
import type { ModelState } from '../recsys/models/explainable-model.ts';
import type { ArtifactStore } from './compute-work.ts';
import { decodeModelState } from './model-codec.ts';

export const CHECKPOINT_DIR = 'checkpoints';

export const checkpointArtifact = (epoch: number) => `${CHECKPOINT_DIR}/epoch-${epoch}.rxm`;

/** The epoch of a checkpoint path, or undefined for anything else in the folder. */
export function checkpointEpoch(path: string): number | undefined {
  const m = /^checkpoints\/epoch-(\d{1,9})\.rxm$/.exec(path);
  return m ? Number(m[1]) : undefined;
}

export interface FoundCheckpoint {
  path: string;
  epoch: number;
  state: ModelState;
}

/**
 * The highest-epoch checkpoint of the run that decodes, with its state; undefined when there is
 * none. A file that does not decode (an upload cut short) is skipped for the next lower epoch,
 * since resuming from an earlier epoch reaches the same weights (training is deterministic).
 * Checkpoints of an earlier scratch restart may sit beside newer ones: same cell, same seed,
 * same epoch means the same weights, so mixing them is harmless.
 */
export async function latestCheckpoint(store: ArtifactStore, runId: string, log: (m: string) => void = () => {}): Promise<FoundCheckpoint | undefined> {
  if (!store.list) {
    log(`run ${runId}: this artifact store cannot list, so only a heartbeat's checkpoint is resumed from`);
    return undefined;
  }
  const found = (await store.list(runId, CHECKPOINT_DIR))
    .map((path) => ({ path, epoch: checkpointEpoch(path) }))
    .filter((c): c is { path: string; epoch: number } => c.epoch !== undefined)
    .sort((a, b) => b.epoch - a.epoch);
  for (const c of found) {
    // A failed download (MLflow away) is thrown: the attempt retries rather than train from scratch.
    const bytes = await store.download(runId, c.path);
    let state: ModelState;
    try {
      state = decodeModelState(bytes);
    } catch (err) {
      log(`checkpoint ${c.path} of run ${runId} unreadable (${(err as Error).message}); trying an earlier one`);
      continue;
    }
    if (state.epoch !== c.epoch) {
      log(`checkpoint ${c.path} of run ${runId} holds epoch ${state.epoch}; skipped`);
      continue;
    }
    return { ...c, state };
  }
  return undefined;
}
