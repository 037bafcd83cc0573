/**
 * CPU-queue activities that keep MLflow in step with the sweep: the study's experiment, the
 * sweep's parent run, one child run per cell found by its key before any is created, and every
 * run closed on every path.
 */
import type { CellResult, EvaluationRow } from '../recsys/cell/result.ts';
import { resolveCellConfig } from '../recsys/config.ts';
import {
  TAG,
  cellRunName,
  closeRun,
  evalMetricKey,
  getOrCreateCellRun,
  getOrCreateStudyExperiment,
  getOrCreateSweepRun,
  logCellResult,
  logTrainingCurve,
  runNamePartsFromConfig,
  sweepParams,
  sweepRunName,
  sweepMemberTag,
  cleanValuesOf,
  evaluationId,
  evaluationMetrics,
  evaluationsHeld,
  formatEvaluations,
  missingEvaluations,
  type CellRunSpec,
  type Tracker,
  type Run,
} from '../tracking/index.ts';
import { cellEvaluations } from '../sweep/expand.ts';
import type { CellConfig } from '../recsys/config.ts';
import type { CellRef, CellSummary, StoredModel, TrainedRef } from './contracts.ts';
import type { RecordActivities } from './types.ts';

export interface RecordDeps {
  mlflow: Tracker;
  /** The code version every run records. */
  gitCommit: string;
  /** Backend the GPU workers were asked for (the one used is tagged when the cell finishes). */
  backend: string;
}

export function createRecordActivities(deps: RecordDeps): RecordActivities {
  const { mlflow } = deps;
  return {
    async beginSweep(sweep, params) {
      const experimentId = await getOrCreateStudyExperiment(mlflow, sweep.study);
      const got = await getOrCreateSweepRun(mlflow, {
        experimentId,
        sweepId: sweep.sweepId,
        runName: sweepRunName(sweep.sweepId),
        tags: { [TAG.workflowId]: sweep.workflowId, [TAG.gitCommit]: deps.gitCommit },
        params,
      });
      // A sweep run again (extended, or after a crash) is running again.
      if (got.run.info.status !== 'RUNNING') await mlflow.updateRun(got.run.info.runId, { status: 'RUNNING' });
      return { experimentId, parentRunId: got.run.info.runId };
    },

    async beginCell(ref) {
      const got = await getOrCreateCellRun(mlflow, cellRunSpec(ref, deps));
      const run = got.run;
      if (run.info.status === 'FINISHED') {
        // Reused by a sweep other than the one that ran it: a member of this sweep too (reports).
        const member = sweepMemberTag(ref.sweep.sweepId);
        if (run.data.tags[TAG.sweepId] !== ref.sweep.sweepId && run.data.tags[member] !== '1') await mlflow.setTag(run.info.runId, member, '1');
        const stored = await storedModelOf(mlflow, run, ref.cell);
        return { runId: run.info.runId, finished: true, summary: summaryFromRun(ref.cellKey, run), ...(stored ? { stored } : {}) };
      }
      if (run.info.status !== 'RUNNING') await mlflow.updateRun(run.info.runId, { status: 'RUNNING' });
      return { runId: run.info.runId, finished: false };
    },

    async finishCell(ref, runId, trained, rows) {
      // Metrics, curve and the accepted model's path in one log-batch (more only past MLflow's
      // 1,000 metrics a request), then one update: ≤ 6 MLflow requests a cell in all.
      await logCellResult(mlflow, runId, cellResultOf(ref, trained, rows), { tags: cellResultTags(trained, rows) });
      await closeRun(mlflow, runId, 'FINISHED');
      return summaryFromRows(ref.cellKey, runId, rows);
    },

    async addEvaluations(ref, runId, rows) {
      const run = await mlflow.getRun(runId);
      const latest = new Map(run.data.metrics.map((m) => [m.key, m.value]));
      const held = await evaluationsHeld(mlflow, run, ref.cell.attacks);
      const metrics = evaluationMetrics(rows, {
        cleanValues: cleanValuesOf(latest),
        curvesStarted: new Set([...held].map((id) => id.split('@')[0])),
      });
      await mlflow.logBatch(runId, { metrics, tags: { [TAG.evaluations]: formatEvaluations([...held, ...rows.map(evaluationId)]) } });
      return summaryFromRun(ref.cellKey, await mlflow.getRun(runId));
    },

    async failCell(_ref, runId, reason, status, trained) {
      if (trained?.losses.length) await logTrainingCurve(mlflow, runId, trained.losses);
      await closeRun(mlflow, runId, status, reason.slice(0, 4000));
    },

    async finishSweep(_sweep, tracking, counts, close) {
      await mlflow.logBatch(tracking.parentRunId, {
        metrics: Object.entries(counts).map(([k, v]) => ({ key: `sweep.cells.${k}`, value: v, step: 0 })),
      });
      await closeRun(mlflow, tracking.parentRunId, close.status, close.reason);
    },
  };
}

/** The cell's run as beginCell asks for it: found by key, or created with these tags and params. */
export function cellRunSpec(ref: CellRef, deps: Pick<RecordDeps, 'gitCommit' | 'backend'>): CellRunSpec {
  const config = resolveCellConfig(ref.cell);
  return {
    experimentId: ref.tracking.experimentId,
    parentRunId: ref.tracking.parentRunId,
    cellKey: ref.cellKey,
    sweepId: ref.sweep.sweepId,
    workflowId: ref.workflowId,
    gitCommit: deps.gitCommit,
    backend: deps.backend,
    // The device a worker actually used is tagged when the cell finishes.
    device: 'pending',
    runName: cellRunName(runNamePartsFromConfig(config)),
    config: config as unknown as Record<string, unknown>,
    params: sweepParams(ref.sweep),
  };
}

/** What finishCell logs as the cell's result: its metrics and training curve. */
export function cellResultOf(ref: CellRef, trained: TrainedRef, rows: EvaluationRow[]): CellResult {
  return {
    cell: resolveCellConfig(ref.cell) as unknown as Record<string, unknown>,
    backend: trained.backend,
    device: trained.device,
    dataset: trained.dataset,
    train: { epochs: trained.epochs, seconds: trained.seconds, finalLoss: trained.finalLoss, losses: trained.losses },
    evaluations: rows,
  };
}

/** The tags finishCell adds: the accepted model, the worker, the clean explanations, the evaluations held. */
export function cellResultTags(trained: TrainedRef, rows: EvaluationRow[]): Record<string, string> {
  const cleanExplanations = rows.find((r) => r.attack === 'none')?.explanationsArtifact;
  return {
    ...(trained.modelArtifact ? { [TAG.modelArtifact]: trained.modelArtifact } : {}),
    ...(trained.worker ? { [TAG.worker]: trained.worker } : {}),
    ...(cleanExplanations ? { [TAG.cleanExplanations]: cleanExplanations } : {}),
    [TAG.evaluations]: formatEvaluations(rows.map(evaluationId)),
  };
}

export function summaryFromRows(cellKey: string, runId: string, rows: EvaluationRow[]): CellSummary {
  const clean = rows.find((r) => r.attack === 'none');
  const fgsm = rows.filter((r) => r.attack === 'fgsm').sort((a, b) => b.epsilon - a.epsilon)[0];
  return {
    cellKey,
    runId,
    clean: { ndcg5: clean?.ndcg5 ?? Number.NaN, fns: clean?.fns ?? Number.NaN, f1: clean?.f1 ?? Number.NaN },
    ...(fgsm ? { worstFgsm: { epsilon: fgsm.epsilon, ndcg5: fgsm.ndcg5, fns: fgsm.fns, f1: fgsm.f1, stability: fgsm.stability } } : {}),
  };
}

/** The same summary, read back from a finished run's latest metrics. */
function summaryFromRun(cellKey: string, run: Run): CellSummary {
  const latest = new Map((run.data?.metrics ?? []).map((m) => [m.key, m.value]));
  const get = (k: string) => latest.get(k) ?? Number.NaN;
  // A run's latest value of an eval.fgsm.* metric is at its highest step: the largest ε_A.
  const fgsmEpsilon = latest.get(evalMetricKey('fgsm', 'epsilon'));
  return {
    cellKey,
    runId: run.info.runId,
    clean: { ndcg5: get(evalMetricKey('clean', 'ndcg5')), fns: get(evalMetricKey('clean', 'fns')), f1: get(evalMetricKey('clean', 'f1')) },
    ...(fgsmEpsilon !== undefined && fgsmEpsilon > 0
      ? {
          worstFgsm: {
            epsilon: fgsmEpsilon,
            ndcg5: get(evalMetricKey('fgsm', 'ndcg5')),
            fns: get(evalMetricKey('fgsm', 'fns')),
            f1: get(evalMetricKey('fgsm', 'f1')),
            stability: latest.get(evalMetricKey('fgsm', 'stability')) ?? null,
          },
        }
      : {}),
  };
}

/**
 * The stored model of a finished run and the evaluations the cell asks for that the run lacks;
 * undefined when it lacks none (the run is reused as it is).
 */
async function storedModelOf(mlflow: Tracker, run: Run, cell: CellConfig): Promise<StoredModel | undefined> {
  const missing = missingEvaluations(cellEvaluations(cell), await evaluationsHeld(mlflow, run, cell.attacks));
  if (missing.length === 0) return undefined;
  const tags = run.data.tags;
  const modelArtifact = tags[TAG.modelArtifact];
  return {
    missing,
    trained: { modelArtifact: modelArtifact ?? '' },
    ...(tags[TAG.cleanExplanations] ? { cleanExplanations: tags[TAG.cleanExplanations] } : {}),
    ...(modelArtifact === undefined && !cell.noop ? { unavailable: `run ${run.info.runId} records no trained model (tag ${TAG.modelArtifact})` } : {}),
  };
}
