/**
 * A whole cell in one compute activity: prepare, train, then every evaluation of the plan. One
 * activity (and, isolated, one child process that loads TF.js once) instead of one per step:
 * a cell's history shrinks from ~59 events to ~15 (issue 14).
 *
 * Resumable at each step's boundary: every heartbeat carries what is done (`cell`: the trained
 * model once trained, the evaluations so far), so a retried attempt skips finished work;
 * training inside its stage still resumes from its checkpoint as trainCell does.
 *
 * A terminal failure (divergence, bad input: errors no retry can fix) after training is returned,
 * not thrown, so the workflow still records the training curve on the failed run.
 */
import { BackendError, ConfigError, DatasetIntegrityError, DivergenceError, InfeasibleError, InputError } from '../recsys/errors.ts';
import type { EvaluationRow } from '../recsys/cell/result.ts';
import type { CellRun, RunCellInput, TrainedRef } from './contracts.ts';
import type { AttemptIo, ComputeWork } from './compute-work.ts';
import { toWireError } from './child-protocol.ts';

/** What every heartbeat of runCell carries besides the step's own details. */
export interface CellRunProgress {
  trained?: TrainedRef;
  rows: EvaluationRow[];
}

/**
 * Errors that fail the cell on every attempt: their names are in workflows/activity-options.ts
 * NON_RETRYABLE (test/activities/cell-run.test.ts checks).
 */
export const TERMINAL_ERRORS = [InputError, InfeasibleError, DivergenceError, BackendError, DatasetIntegrityError, ConfigError] as const;

export async function runCellWith(work: Pick<ComputeWork, 'trainCell' | 'evaluateCell'>, input: RunCellInput, io: AttemptIo): Promise<CellRun> {
  const { ref, runId, plan } = input;
  const previous = io.previous() as ({ cell?: CellRunProgress } & Record<string, unknown>) | undefined;
  const progress: CellRunProgress = { rows: [...(previous?.cell?.rows ?? [])], ...(previous?.cell?.trained ? { trained: previous.cell.trained } : {}) };
  const stepIo: AttemptIo = { ...io, heartbeat: (d) => io.heartbeat({ ...(d as object), cell: progress }) };

  const trained = progress.trained ?? (await work.trainCell(ref, runId, stepIo));
  if (!progress.trained) {
    progress.trained = trained;
    stepIo.heartbeat({ phase: 'trained' });
  }
  const { losses: _curve, ...model } = trained;
  try {
    for (const step of plan.slice(progress.rows.length)) {
      // Sequential: the clean evaluation's explanations are the reference for stability.
      const cleanExplanations = progress.rows[0]?.explanationsArtifact;
      const row = await work.evaluateCell({ ref, runId, trained: model, ...step, ...(cleanExplanations ? { cleanExplanations } : {}) }, stepIo);
      progress.rows.push(row);
      stepIo.heartbeat({ phase: 'evaluated', attack: step.attack, epsilon: step.epsilon });
    }
  } catch (err) {
    if (!TERMINAL_ERRORS.some((E) => err instanceof E)) throw err;
    const { name, message } = toWireError(err);
    return { trained, rows: progress.rows, failure: { type: name, message } };
  }
  return { trained, rows: progress.rows };
}
