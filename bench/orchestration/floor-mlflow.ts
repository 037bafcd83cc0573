/**
 * floor.ts's MLflow phases, each on a study of its own (its runs are invisible to the other
 * phase's searches):
 *   minimal   what a cell must write, nothing more: the run with a cell run's tags, its params,
 *             its result as finishCell logs it, FINISHED (4 requests; no search before, since the
 *             workflow id already guarantees one cell workflow, and none after)
 *   rexsweep  what the record activities do (beginCell, finishCell), called here
 * Both build what they send with the project's own functions, so the runs have a real cell's shape.
 */
import type { CellRef } from '../../activities/contracts.ts';
import { NOOP_TRAINED, noopRow } from '../../activities/noop-cells.ts';
import { cellResultOf, cellResultTags, cellRunSpec, createRecordActivities } from '../../activities/record.ts';
import { sweepRunParams, sweepWorkflowId } from '../../client/start-sweep.ts';
import type { EvaluationRow } from '../../recsys/cell/result.ts';
import { cellEvaluations, expandSweep } from '../../sweep/expand.ts';
import { sweepId } from '../../sweep/fingerprint.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import { TAG, authFromEnv, cellRunParams, cellRunTags, closeRun, logCellResult, MlflowClient, type Tracker } from '../../tracking/index.ts';
import { measured, phase, pool, round, wallMsPerCell, type FloorRun, type PhaseReport } from './floor-measure.ts';

/** What the record activities are told (noop-sweep.ts's workers: git commit `bench`, backend `cpu`). */
const RECORD_DEPS = { gitCommit: 'bench', backend: 'cpu' };
const WARM_UP_CELLS = 3;

export async function mlflowPhases(run: FloorRun): Promise<PhaseReport[]> {
  const mlflow = new MlflowClient({ trackingUri: run.stack.mlflowUri, auth: authFromEnv() });
  const record = createRecordActivities({ mlflow, ...RECORD_DEPS });
  const rexsweepCell = async (ref: CellRef) => {
    const begun = await record.beginCell(ref);
    await record.finishCell(ref, begun.runId, NOOP_TRAINED, noopRows(ref));
  };
  // Unmeasured: every endpoint both phases use, once, on a study of its own.
  run.log('MLflow warm-up');
  for (const ref of (await beginSweep(run, mlflow, 'warmup')).slice(0, WARM_UP_CELLS)) await rexsweepCell(ref);
  run.requests.take();
  return [await mlflowPhase(run, mlflow, 'minimal', (ref) => minimalCell(mlflow, ref)), await mlflowPhase(run, mlflow, 'rexsweep', rexsweepCell)];
}

async function mlflowPhase(run: FloorRun, mlflow: Tracker, name: string, cell: (ref: CellRef) => Promise<void>): Promise<PhaseReport> {
  return phase(run, name, async () => {
    const refs = await beginSweep(run, mlflow, name);
    run.requests.take();
    const figures = await measured(run, () => pool(refs.length, run.concurrency, (k) => cell(refs[k])));
    const byEndpoint = run.requests.take();
    const sent = Object.values(byEndpoint).reduce((a, b) => a + b, 0);
    return {
      ...figures,
      wallMsPerCell: wallMsPerCell(run, figures.seconds),
      requestsPerCell: round(sent / run.cells, 2),
      requestsByEndpoint: Object.fromEntries(Object.entries(byEndpoint).map(([k, v]) => [k, round(v / run.cells, 2)])),
      // After the measurement: every cell's run is there and FINISHED, with a cell run's shape.
      ...(await runCheck(mlflow, refs[0].tracking.experimentId)),
    };
  });
}

/**
 * A no-op sweep of `cells` seeds, as noop-sweep.ts writes it (5 evaluations: clean, FGSM and
 * random at ε_A 0.5 and 1), under study `bench-floor-<phase>`; its experiment and parent run made
 * by the record activity `beginSweep`, as a sweep's start does. Returns each cell's CellRef as
 * the sweep workflow would pass it.
 */
async function beginSweep(run: FloorRun, mlflow: Tracker, phaseName: string): Promise<CellRef[]> {
  const seeds = Array.from({ length: run.cells }, (_, k) => k).join(', ');
  const sweep = parseSweepYaml(`
study: bench-floor-${phaseName}-${run.cells}
name: floor${run.cells}
datasets: [{ source: synthetic, name: noop }]
models: [cer]
lambdas: [0]
epsilonsD: [0.5]
epsilonsA: [0.5, 1]
attacks: [fgsm, random]
seeds: [${seeds}]
epochs: 1
concurrency: ${run.concurrency}
cell: { noop: true }
`);
  const id = sweepId(sweep);
  const sweepRef = { sweepId: id, study: sweep.study, workflowId: sweepWorkflowId(id) };
  const tracking = await createRecordActivities({ mlflow, ...RECORD_DEPS }).beginSweep(sweepRef, sweepRunParams(sweep));
  // workflows/sweep-cells.ts cellWorkflowId (not imported: it would load workflow code here).
  return expandSweep(sweep).map((c) => ({ sweep: sweepRef, tracking, cellKey: c.key, cell: c.config, workflowId: `${sweepRef.workflowId}/cell-${c.key}` }));
}

/** The rows a no-op compute worker returns for the cell (activities/noop-cells.ts). */
function noopRows(ref: CellRef): EvaluationRow[] {
  return cellEvaluations(ref.cell).map((step) => noopRow(step));
}

async function minimalCell(mlflow: Tracker, ref: CellRef): Promise<void> {
  const spec = cellRunSpec(ref, RECORD_DEPS);
  const created = await mlflow.createRun({ experimentId: spec.experimentId, runName: spec.runName, tags: cellRunTags(spec) });
  const runId = created.info.runId;
  await mlflow.logBatch(runId, { params: cellRunParams(spec) });
  const rows = noopRows(ref);
  await logCellResult(mlflow, runId, cellResultOf(ref, NOOP_TRAINED, rows), { tags: cellResultTags(NOOP_TRAINED, rows) });
  await closeRun(mlflow, runId, 'FINISHED');
}

/** Runs of the phase's experiment: how many are FINISHED, and one cell run's size. */
async function runCheck(mlflow: Tracker, experimentId: string): Promise<Record<string, unknown>> {
  const runs = await mlflow.searchAllRuns({ experimentIds: [experimentId], filter: `tags.\`${TAG.kind}\` = 'cell'`, maxResults: 1000 });
  const one = runs[0]?.data;
  return {
    runsFinished: runs.filter((r) => r.info.status === 'FINISHED').length,
    runShape: one ? { params: Object.keys(one.params).length, metrics: one.metrics.length, tags: Object.keys(one.tags).length } : null,
  };
}
