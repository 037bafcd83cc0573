/**
 * The run layout in MLflow:
 *
 *   experiment  one per study (the study name, verbatim), tag mlflow.experimentKind =
 *               custom_model_development (MLflow 3's model-training view)
 *   └─ parent run per sweep     tags rexsweep.kind=sweep, rexsweep.sweep_id
 *      └─ child run per cell    tags mlflow.parentRunId (UI nesting), rexsweep.kind=cell,
 *                               rexsweep.cell_key, rexsweep.sweep_id, rexsweep.workflow_id,
 *                               rexsweep.git_commit (+ mlflow.source.git.commit),
 *                               rexsweep.backend, rexsweep.device, rexsweep.worker;
 *                               params = the flattened cell config (tracking/params.ts)
 *                               + sweep.id, sweep.study (of the sweep that created the run);
 *                               run name `cer·yelp·λ0.5·ε0.5·s0` (tracking/names.ts);
 *                               metrics per tracking/result-metrics.ts.
 *
 * A cell's run is found by its cell key within the study's experiment, whichever sweep made it,
 * so re-running or extending a sweep finds finished cells.
 */
import type { CellResult } from '../recsys/cell/result.ts';
import { escapeControl } from '../recsys/printable.ts';
import type { Tracker } from './tracker.ts';
import { TrackingConfigError } from './errors.ts';
import { validateKey } from './keys.ts';
import { sweepRunName } from './names.ts';
import { flattenParams } from './params.ts';
import { cellResultMetrics, trainingCurveMetrics } from './result-metrics.ts';
import type { SplitOptions } from './batch.ts';
import type { Run, TerminalRunStatus } from './types.ts';

export const TAG = {
  parentRunId: 'mlflow.parentRunId',
  gitCommitMlflow: 'mlflow.source.git.commit',
  kind: 'rexsweep.kind',
  sweepId: 'rexsweep.sweep_id',
  cellKey: 'rexsweep.cell_key',
  workflowId: 'rexsweep.workflow_id',
  gitCommit: 'rexsweep.git_commit',
  backend: 'rexsweep.backend',
  device: 'rexsweep.device',
  closeReason: 'rexsweep.close_reason',
  /** Artifact path of the model the workflow accepted (fenced by attempt; see activities/compute-work.ts). */
  modelArtifact: 'rexsweep.model_artifact',
  /** Name of the compute worker whose training attempt the workflow accepted (`rexsweep worker --name`). */
  worker: 'rexsweep.worker',
  duplicateOf: 'rexsweep.duplicate_of',
  /** The evaluations the run holds (tracking/evaluations-held.ts). */
  evaluations: 'rexsweep.evaluations',
  /** Artifact path of the accepted clean evaluation's explanations: the reference of later attacked ones. */
  cleanExplanations: 'rexsweep.clean_explanations',
} as const;

/**
 * The tag that makes a cell run a member of another sweep than the one that first ran it: set
 * when a later sweep of the study reuses the FINISHED run by cell key, so that sweep's report and
 * aggregates include the cell (a run has one `rexsweep.sweep_id`, the first sweep's).
 */
export function sweepMemberTag(sweepId: string): string {
  return `rexsweep.member.${checkId('sweepId', sweepId)}`;
}

/** Ids used inside search filters: cell keys are hashes, sweep ids are slugs. */
const ID_PATTERN = /^[\w.:\-]{1,200}$/;

function checkId(field: string, value: string): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new TrackingConfigError(field, `expected 1-200 characters of [A-Za-z0-9_.:-], got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * MLflow 3 opens an experiment without this tag in its GenAI view (traces, tokens); with it, in
 * the model-training view (runs, metrics, charts) that a sweep's results need.
 */
export const EXPERIMENT_KIND_TAG = 'mlflow.experimentKind';
export const MODEL_TRAINING_KIND = 'custom_model_development';

/**
 * The study's experiment, created or restored as needed, marked as a model-training experiment:
 * at creation, or (an experiment made before rexsweep set the tag, or by hand) when a sweep
 * begins. An experiment whose kind is already set to anything else is left alone: someone chose
 * that view on purpose (e.g. a study that also logs traces), and overwriting it on every sweep
 * would fight them.
 */
export async function getOrCreateStudyExperiment(client: Tracker, study: string): Promise<string> {
  if (typeof study !== 'string' || study.trim() === '' || study.length > 500) {
    throw new TrackingConfigError('study', 'expected a non-empty name of at most 500 characters');
  }
  const { experiment } = await client.getOrCreateExperiment(study, { tags: { [EXPERIMENT_KIND_TAG]: MODEL_TRAINING_KIND } });
  if (experiment.tags[EXPERIMENT_KIND_TAG] === undefined) {
    await client.setExperimentTag(experiment.experimentId, EXPERIMENT_KIND_TAG, MODEL_TRAINING_KIND);
  }
  return experiment.experimentId;
}

// ------------------------------------------------------------------ lookup

export interface RunLookup {
  /** The chosen run: FINISHED first, then the newest (start_time, then run_id). */
  run: Run;
  /** The other runs carrying the same key — should be empty; report them. */
  duplicates: Run[];
}

/** FINISHED first, then newest first; ties broken by run id so every caller picks the same run. */
export function compareRunPreference(a: Run, b: Run): number {
  const fin = Number(a.info.status !== 'FINISHED') - Number(b.info.status !== 'FINISHED');
  if (fin !== 0) return fin;
  const t = (b.info.startTime ?? 0) - (a.info.startTime ?? 0);
  if (t !== 0) return t;
  return a.info.runId < b.info.runId ? -1 : a.info.runId > b.info.runId ? 1 : 0;
}

async function findByTags(client: Tracker, experimentId: string, tags: Record<string, string>): Promise<Run[]> {
  const filter = Object.entries(tags)
    .map(([k, v]) => `tags.\`${k}\` = '${v}'`)
    .join(' AND ');
  return client.searchAllRuns({ experimentIds: [experimentId], filter, maxResults: 1000 });
}

function choose(runs: Run[]): RunLookup | null {
  if (runs.length === 0) return null;
  const sorted = [...runs].sort(compareRunPreference);
  return { run: sorted[0], duplicates: sorted.slice(1) };
}

/** The run of a cell (by its `rexsweep.cell_key` tag), or null. Deleted runs are ignored. */
export async function findCellRun(client: Tracker, experimentId: string, cellKey: string): Promise<RunLookup | null> {
  return choose(await findByTags(client, experimentId, { [TAG.cellKey]: checkId('cellKey', cellKey) }));
}

/** The parent run of a sweep, or null. */
export async function findSweepRun(client: Tracker, experimentId: string, sweepId: string): Promise<RunLookup | null> {
  return choose(await findByTags(client, experimentId, { [TAG.kind]: 'sweep', [TAG.sweepId]: checkId('sweepId', sweepId) }));
}

// ------------------------------------------------------------------ get or create

export interface GotRun extends RunLookup {
  created: boolean;
}

export interface SweepRunSpec {
  experimentId: string;
  sweepId: string;
  runName?: string;
  /** Extra tags (e.g. the sweep file's hash). */
  tags?: Record<string, string>;
  /** Sweep-level params (e.g. the flattened sweep spec). */
  params?: Record<string, string>;
}

export async function getOrCreateSweepRun(client: Tracker, spec: SweepRunSpec): Promise<GotRun> {
  checkId('sweepId', spec.sweepId);
  const found = await findSweepRun(client, spec.experimentId, spec.sweepId);
  if (found) return { ...(await withParams(client, found, spec.params ?? {}, spec.sweepId)), created: false };
  const tags = { ...(spec.tags ?? {}), [TAG.kind]: 'sweep', [TAG.sweepId]: spec.sweepId };
  return createReconciled(client, spec.experimentId, spec.runName ?? sweepRunName(spec.sweepId), tags, spec.params ?? {}, () =>
    findSweepRun(client, spec.experimentId, spec.sweepId),
  );
}

export interface CellRunSpec {
  experimentId: string;
  /** The sweep's parent run (mlflow.parentRunId). */
  parentRunId: string;
  cellKey: string;
  sweepId: string;
  workflowId: string;
  gitCommit: string;
  /** TF.js backend requested or in use; logCellResult records the one actually used. */
  backend: string;
  device: string;
  runName: string;
  /** The resolved cell config, logged as flattened params. */
  config: Record<string, unknown>;
  /**
   * Params besides the config, e.g. the sweep's `sweep.id` and `sweep.study` (sweepParams), so
   * MLflow's run filters keep them. A param clashing with a config param is an error.
   */
  params?: Record<string, string>;
  /** Extra tags. */
  tags?: Record<string, string>;
}

/** The sweep-level params every cell run carries (MLflow filters: `params.\`sweep.id\` = '…'`). */
export function sweepParams(sweep: { sweepId: string; study: string }): Record<string, string> {
  return { 'sweep.id': sweep.sweepId, 'sweep.study': sweep.study };
}

/**
 * The cell's run: the existing one (any status; the caller skips FINISHED cells), or a new
 * RUNNING child of the sweep's run with the layout's tags and the config as params.
 *
 * Two creators racing for the same cell (a zombie attempt and its retry) both re-read after
 * creating; the earliest live run (start_time, then run id) wins and a creator whose run lost
 * closes it KILLED with `rexsweep.duplicate_of`, so exactly one live run remains.
 */
export async function getOrCreateCellRun(client: Tracker, spec: CellRunSpec): Promise<GotRun> {
  checkId('cellKey', spec.cellKey);
  checkId('sweepId', spec.sweepId);
  const params = cellRunParams(spec);
  const found = await findCellRun(client, spec.experimentId, spec.cellKey);
  if (found) return { ...(await withParams(client, found, params, spec.sweepId)), created: false };
  return createReconciled(client, spec.experimentId, spec.runName, cellRunTags(spec), params, () => findCellRun(client, spec.experimentId, spec.cellKey));
}

/** The tags a new cell run is created with: the layout's, then any extra ones. */
export function cellRunTags(spec: CellRunSpec): Record<string, string> {
  return {
    ...(spec.tags ?? {}),
    [TAG.parentRunId]: spec.parentRunId,
    [TAG.kind]: 'cell',
    [TAG.cellKey]: spec.cellKey,
    [TAG.sweepId]: spec.sweepId,
    [TAG.workflowId]: spec.workflowId,
    [TAG.gitCommit]: spec.gitCommit,
    [TAG.gitCommitMlflow]: spec.gitCommit,
    [TAG.backend]: spec.backend,
    [TAG.device]: spec.device,
  };
}

/** The config, flattened, and the extra params: what a cell run carries as params. */
export function cellRunParams(spec: CellRunSpec): Record<string, string> {
  const params = flattenParams(spec.config);
  for (const [key, value] of Object.entries(spec.params ?? {})) {
    if (key in params) throw new TrackingConfigError('params', `${key} is also a config param`);
    params[validateKey('param', key)] = value;
  }
  return params;
}

/**
 * A found run that is not FINISHED and has no params yet (its creator stopped between creating
 * it and logging them) gets them now: a run's params are all logged in one request, or none.
 * Only a run of the same sweep: its creator, if still alive, logs exactly these params (MLflow
 * accepts a param logged twice with one value), where another sweep's would differ in
 * `sweep.id` and MLflow would refuse the second write.
 */
async function withParams(client: Tracker, found: RunLookup, params: Record<string, string>, sweepId: string): Promise<RunLookup> {
  const run = found.run;
  if (run.info.status === 'FINISHED' || Object.keys(params).length === 0 || Object.keys(run.data.params).length > 0) return found;
  if (run.data.tags[TAG.sweepId] !== sweepId) return found;
  await client.logBatch(run.info.runId, { params });
  return { ...found, run: { ...run, data: { ...run.data, params: { ...params } } } };
}

/**
 * Create, then re-read every run with the key: the earliest live one wins. Params go to the
 * winner only, after the re-read, so that the re-read (a search that returns each run's params)
 * carries none and a losing run gets none.
 */
async function createReconciled(
  client: Tracker,
  experimentId: string,
  runName: string,
  tags: Record<string, string>,
  params: Record<string, string>,
  find: () => Promise<RunLookup | null>,
): Promise<GotRun> {
  const mine = await client.createRun({ experimentId, runName, tags });
  const after = await find();
  const all = after ? [after.run, ...after.duplicates] : [mine];
  const live = all.filter((r) => r.info.status !== 'FAILED' && r.info.status !== 'KILLED');
  const earliest = [...live].sort(
    (a, b) => (a.info.startTime ?? 0) - (b.info.startTime ?? 0) || (a.info.runId < b.info.runId ? -1 : a.info.runId > b.info.runId ? 1 : 0),
  )[0];
  if (earliest && earliest.info.runId !== mine.info.runId) {
    await client.setTag(mine.info.runId, TAG.duplicateOf, earliest.info.runId);
    await closeRun(client, mine.info.runId, 'KILLED', `duplicate of ${earliest.info.runId} (concurrent create)`);
    return { run: earliest, duplicates: all.filter((r) => r.info.runId !== earliest.info.runId), created: false };
  }
  const self = all.find((r) => r.info.runId === mine.info.runId) ?? mine;
  const duplicates = all.filter((r) => r.info.runId !== mine.info.runId);
  return { ...(await withParams(client, { run: self, duplicates }, params, tags[TAG.sweepId])), created: true };
}

// ------------------------------------------------------------------ logging and closing

export interface LogOptions extends Pick<SplitOptions, 'nonFinite'> {
  /**
   * Timestamp (Unix ms) for every point of this call. Pass the same value when retrying the same
   * logical write (e.g. from an activity's heartbeat details): MLflow's SQL store drops
   * identical (key, value, timestamp, step) points, so the retry adds nothing.
   */
  timestamp?: number;
}

/** `train.loss` with step = epoch; `losses[i]` is epoch `firstEpoch + i` (default 1). */
export async function logTrainingCurve(
  client: Tracker,
  runId: string,
  losses: ReadonlyArray<number>,
  opts: LogOptions & { firstEpoch?: number } = {},
): Promise<void> {
  const timestamp = opts.timestamp ?? Date.now();
  await client.logBatch(runId, { metrics: trainingCurveMetrics(losses, { firstEpoch: opts.firstEpoch, timestamp }) }, { timestamp, nonFinite: opts.nonFinite });
}

/**
 * A cell's result: metrics per tracking/result-metrics.ts, the backend and device actually used
 * as tags, the training curve, and any extra tags given.
 */
export async function logCellResult(
  client: Tracker,
  runId: string,
  result: CellResult,
  opts: LogOptions & { tags?: Record<string, string> } = {},
): Promise<void> {
  const timestamp = opts.timestamp ?? Date.now();
  const metrics = [...cellResultMetrics(result, { timestamp }), ...trainingCurveMetrics(result.train.losses, { timestamp })];
  await client.logBatch(
    runId,
    { metrics, tags: { ...opts.tags, [TAG.backend]: result.backend, [TAG.device]: result.device } },
    { timestamp, nonFinite: opts.nonFinite },
  );
}

/** End a run: status and end_time; a reason goes to the `rexsweep.close_reason` tag. Idempotent. */
export async function closeRun(
  client: Tracker,
  runId: string,
  status: TerminalRunStatus,
  reason?: string,
  opts: { endTime?: number } = {},
): Promise<void> {
  if (status !== 'FINISHED' && status !== 'FAILED' && status !== 'KILLED') {
    throw new TrackingConfigError('status', `expected FINISHED, FAILED or KILLED, got ${String(status)}`);
  }
  // Escaped: a reason is an error message, which may quote input (recsys/printable.ts).
  if (reason !== undefined && reason !== '') await client.setTag(runId, TAG.closeReason, escapeControl(reason));
  await client.updateRun(runId, { status, endTime: opts.endTime ?? Date.now() });
}
