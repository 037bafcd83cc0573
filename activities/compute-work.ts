/**
 * What the GPU-queue activities do: prepare data, train (with checkpoints), evaluate. Runs in the
 * worker process (isolation 'inline') or in a child process per attempt ('process',
 * activities/compute-child.ts); either way it talks to its attempt only through `AttemptIo`, so
 * the same code resumes, heartbeats and fails the same way in both.
 */
import type { BackendReport } from '../recsys/backend.ts';
import type { EvaluationRow } from '../recsys/cell/result.ts';
import { resolveCellConfig, type ResolvedCellConfig } from '../recsys/config.ts';
import type { PreparedDataset } from '../recsys/data/dataset.ts';
import { InputError } from '../recsys/errors.ts';
import type { Explanation } from '../recsys/models/explainable-model.ts';
import type { PublishedDataset } from '../tracking/dataset-publication.ts';
import type { CellRef, CellRun, EvaluateInput, PreparedRef, RunCellInput, TrainedRef } from './contracts.ts';
import { runCellWith } from './cell-run.ts';
import { checkpointArtifact, latestCheckpoint } from './checkpoints.ts';
import { datasetForCell } from './published-dataset.ts';
import { decodeModelState, encodeModelState } from './model-codec.ts';
import { noopRow, noopTrained } from './noop-cells.ts';
import { datasetSummary } from '../recsys/cell/dataset-summary.ts';
import { sizeOfManifest } from '../sweep/dataset-size.ts';
import { oversizedCell, type MemoryLimit } from '../sweep/memory-limit.ts';
import { formatBytes } from '../sweep/memory-model.ts';

/** Where a run's files live; backed by MLflow's artifact store in production and tests. */
export interface ArtifactStore {
  upload(runId: string, path: string, body: Buffer): Promise<void>;
  download(runId: string, path: string): Promise<Buffer>;
  /**
   * Run-relative paths of the files directly under `dir` (empty when there is none). Without it
   * only a checkpoint named by the previous attempt's heartbeat is resumed from
   * (activities/mlflow-artifacts.ts has it).
   */
  list?(runId: string, dir: string): Promise<string[]>;
  /**
   * The FINISHED publications of a dataset name key in an experiment (tracking/dataset-publication.ts).
   * Without it, file-sourced datasets are prepared from local sources only (activities/published-dataset.ts).
   */
  findDatasets?(experimentId: string, key: string): Promise<PublishedDataset[]>;
  /** Download straight to a local file (large dataset files); without it, `download` and a write. */
  downloadToFile?(runId: string, path: string, localPath: string): Promise<void>;
}

/** Settings of the work itself; plain data, so that they can be sent to a child process. */
export interface WorkSettings {
  /** Overrides the cell's datasetCache, so all cells on a worker share one cache. */
  datasetCache?: string;
  /** Backend requested for this worker ('auto' unless forced). */
  backend?: ResolvedCellConfig['backend'];
  /**
   * At most one training checkpoint per this many seconds (default 60; 0 = every epoch). A
   * checkpoint goes to the run's artifacts and its path rides on the heartbeat, so a retried
   * attempt on any worker resumes from it.
   */
  checkpointSeconds?: number;
  /** The compute worker's name, returned with a trained model (TrainedRef.worker). */
  workerName?: string;
  /**
   * The most memory one cell may take on this worker (sweep/memory-limit.ts). A cell whose
   * estimate exceeds it, now that the dataset's real size is known, fails at once with the field
   * to change instead of exhausting the host's memory minutes later.
   */
  memoryLimit?: MemoryLimit;
}

/** One activity attempt as the work sees it. */
export interface AttemptIo {
  heartbeat(details: unknown): void;
  /** The last heartbeat details of the previous attempt, if any. */
  previous(): unknown;
  log(message: string): void;
  /** Unique to this attempt (see activities/attempt.ts): the result's artifacts go under it. */
  attemptId: string;
}

/** Heartbeats inside a training epoch come at most this often. */
const BATCH_HEARTBEAT_MS = 10_000;

/** What a training heartbeat carries; the last one is handed to the next attempt. */
export interface TrainHeartbeat {
  phase: 'train';
  epoch: number;
  epochs: number;
  loss: number;
  /** Artifact path of the latest checkpoint, if any. */
  checkpoint?: string;
  checkpointEpoch?: number;
  /** Progress inside epoch `epoch + 1`, on heartbeats sent between epochs' ends. */
  batch?: number;
  batches?: number;
}

/** trainCell's heartbeats before its first epoch (plus the carried checkpoint, if any). */
export interface SetupHeartbeat {
  phase: 'setup';
  step: 'backend' | 'ready';
  checkpoint?: string;
  checkpointEpoch?: number;
}

export interface ComputeWork {
  prepareData(ref: CellRef, io: AttemptIo): Promise<PreparedRef>;
  trainCell(ref: CellRef, runId: string, io: AttemptIo): Promise<TrainedRef>;
  evaluateCell(input: EvaluateInput, io: AttemptIo): Promise<EvaluationRow>;
  runCell(input: RunCellInput, io: AttemptIo): Promise<CellRun>;
}

/**
 * The model and the explanations are written under the attempt's id and handed to the workflow
 * by path: the workflow passes on only the paths of the attempt it accepted, so a superseded
 * attempt still running somewhere cannot overwrite them (fencing by path). Checkpoints are not
 * fenced: they are intermediate, checked on read, and a retry resumes from the latest.
 */
const modelArtifact = (attemptId: string) => `model/${attemptId}/state.rxm`;
const explanationsArtifact = (attemptId: string, attack: string, epsilon: number) => `explanations/${attemptId}/${attack}-${epsilon}.json`;

/** The cell's config with the worker's overrides; cheap (no TF), used to spot no-op cells early. */
export function workConfig(ref: CellRef, s: WorkSettings): ResolvedCellConfig {
  const c = resolveCellConfig(ref.cell);
  return s.datasetCache ? { ...c, datasetCache: s.datasetCache } : c;
}

/**
 * TF.js and the models, loaded on first training or evaluation only: a child that prepares data
 * starts in about half the time without them (2 s of imports on this project's CI machine).
 */
const loadModels = async () => {
  const [backend, adapters, evaluate] = await Promise.all([
    import('../recsys/backend.ts'),
    import('../recsys/models/adapters.ts'),
    import('../recsys/cell/evaluate-once.ts'),
  ]);
  return { ...backend, ...adapters, ...evaluate };
};

export function createComputeWork(s: WorkSettings, artifacts: ArtifactStore): ComputeWork {
  // Per instance, not global: the backend is chosen once, datasets are reused across cells.
  let backend: Promise<BackendReport> | undefined;
  let models: ReturnType<typeof loadModels> | undefined;
  const datasets = new Map<string, Promise<PreparedDataset>>();

  const ensureBackend = async (c: ResolvedCellConfig) => {
    const m = await (models ??= loadModels());
    return (backend ??= m.selectBackend(m.requestedBackend(s.backend ?? c.backend)));
  };
  // Published (fetched from MLflow) or prepared from local sources: activities/published-dataset.ts.
  const dataFor = (c: ResolvedCellConfig, ref: CellRef, io: AttemptIo): Promise<PreparedDataset> => {
    const key = JSON.stringify([c.dataset, c.data, c.datasetCache, ref.tracking.experimentId]);
    let p = datasets.get(key);
    if (!p) {
      p = datasetForCell(c, ref.tracking.experimentId, artifacts, (m) => {
        io.log(m);
        io.heartbeat({ phase: 'prepare', message: m });
      });
      p.catch(() => datasets.delete(key));
      datasets.set(key, p);
    }
    return p;
  };

  /**
   * Where training starts: the checkpoint the previous attempt announced on its heartbeat; else,
   * unless the cell is restarted from scratch, the latest checkpoint in the run's artifacts (left
   * by an attempt whose heartbeat was lost, or by an earlier workflow run of this cell).
   */
  const startingPoint = async (ref: CellRef, runId: string, io: AttemptIo) => {
    // Any phase: setup heartbeats carry the checkpoint forward too.
    const previous = io.previous() as Partial<TrainHeartbeat> | undefined;
    if (typeof previous?.checkpoint === 'string') {
      const path = previous.checkpoint;
      return { path, epoch: previous.checkpointEpoch ?? 0, state: decodeModelState(await artifacts.download(runId, path)) };
    }
    if (ref.restart === 'scratch') return undefined;
    return latestCheckpoint(artifacts, runId, io.log);
  };

  const work: ComputeWork = {
    async prepareData(ref, io) {
      const c = workConfig(ref, s);
      if (c.noop) return { datasetId: 'noop', folder: '' };
      const data = await dataFor(c, ref, io);
      return { datasetId: data.manifest.id, folder: c.datasetCache };
    },

    async trainCell(ref, runId, io): Promise<TrainedRef> {
      const c = workConfig(ref, s);
      if (c.noop) return noopTrained(s.workerName);
      // Until the first epoch, heartbeats say where setup is and carry the checkpoint this
      // attempt resumes from, so an attempt that dies while loading the backend or preparing data
      // hands that checkpoint on instead of a heartbeat without one. Each is real progress, not a
      // timer: a child stuck in setup still stops heartbeating.
      const previous = io.previous() as Partial<TrainHeartbeat> | undefined;
      let carried: Pick<TrainHeartbeat, 'checkpoint' | 'checkpointEpoch'> =
        typeof previous?.checkpoint === 'string' ? { checkpoint: previous.checkpoint, checkpointEpoch: previous.checkpointEpoch ?? 0 } : {};
      const setup: AttemptIo = { ...io, heartbeat: (d) => io.heartbeat({ ...(d as object), ...carried }) };
      setup.heartbeat({ phase: 'setup', step: 'backend' } satisfies SetupHeartbeat);
      const report = await ensureBackend(c);
      const { MODEL_ADAPTERS } = await models!;
      const data = await dataFor(c, ref, setup);
      if (s.memoryLimit) refuseOversized(ref, data, s.memoryLimit, s.workerName);
      const t0 = Date.now();
      const start = await startingPoint(ref, runId, io);
      if (start) carried = { checkpoint: start.path, checkpointEpoch: start.epoch };
      setup.heartbeat({ phase: 'setup', step: 'ready' } satisfies SetupHeartbeat);
      let checkpoint = start ? { path: start.path, epoch: start.epoch } : undefined;
      if (start) io.log(`cell ${ref.cellKey}: resuming from ${start.path} (epoch ${start.state.epoch})`);
      const every = (s.checkpointSeconds ?? 60) * 1000;
      let lastSaved = Date.now();
      // Until the first epoch ends, in-epoch heartbeats carry the resumed checkpoint forward.
      let lastBeat: TrainHeartbeat = {
        phase: 'train',
        epoch: start?.state.epoch ?? 0,
        epochs: c.epochs,
        loss: Number.NaN,
        ...(checkpoint ? { checkpoint: checkpoint.path, checkpointEpoch: checkpoint.epoch } : {}),
      };
      let lastBeatAt = Date.now();
      const trained = await MODEL_ADAPTERS[c.model].train(
        data,
        c,
        {
          onEpoch: async (p, state) => {
            if (p.epoch < p.epochs && Date.now() - lastSaved >= every) {
              const path = checkpointArtifact(p.epoch);
              await artifacts.upload(runId, path, encodeModelState(state()));
              checkpoint = { path, epoch: p.epoch };
              lastSaved = Date.now();
            }
            const beat: TrainHeartbeat = { phase: 'train', epoch: p.epoch, epochs: p.epochs, loss: p.loss };
            if (checkpoint) Object.assign(beat, { checkpoint: checkpoint.path, checkpointEpoch: checkpoint.epoch });
            lastBeat = beat;
            lastBeatAt = Date.now();
            io.heartbeat(beat);
          },
          // An epoch on a large dataset outlasts a heartbeat timeout (a Kindle-size CER epoch
          // took 27 min on WASM): show progress inside it, at most every 10 s.
          onBatch: (b) => {
            if (Date.now() - lastBeatAt < BATCH_HEARTBEAT_MS) return;
            lastBeatAt = Date.now();
            io.heartbeat({ ...lastBeat, batch: b.batch, batches: b.batches });
          },
        },
        start?.state,
      );
      const seconds = (Date.now() - t0) / 1000;
      const model = modelArtifact(io.attemptId);
      await artifacts.upload(runId, model, encodeModelState(trained.state));
      return {
        modelArtifact: model,
        // Logged by finishCell, which only the workflow calls, with the accepted attempt's curve.
        losses: trained.losses,
        dataset: datasetSummary(data, c.datasetCache),
        epochs: trained.state.epoch,
        seconds,
        finalLoss: trained.losses[trained.losses.length - 1] ?? Number.NaN,
        backend: report.name,
        device: report.device,
        ...(s.workerName ? { worker: s.workerName } : {}),
      };
    },

    async evaluateCell(input, io): Promise<EvaluationRow> {
      const c = workConfig(input.ref, s);
      if (c.noop) return noopRow(input);
      await ensureBackend(c);
      const { MODEL_ADAPTERS, evaluateOnce } = await models!;
      const data = await dataFor(c, input.ref, io);
      const state = decodeModelState(await artifacts.download(input.runId, input.trained.modelArtifact));
      // A timer in the process that evaluates: it stops when that process hangs, so a hung
      // evaluation stops heartbeating and is caught by the heartbeat timeout.
      const beat = setInterval(() => io.heartbeat({ phase: 'evaluate', attack: input.attack, epsilon: input.epsilon }), 10_000);
      try {
        // The clean evaluation's explanations, from the artifact the workflow names (attacked ones only).
        const clean = async (): Promise<Explanation[]> => JSON.parse((await artifacts.download(input.runId, cleanExplanationsOf(input))).toString('utf8'));
        const { row, explanations } = await evaluateOnce(MODEL_ADAPTERS[c.model], state, data, c, input, clean);
        const written = explanationsArtifact(io.attemptId, input.attack, input.epsilon);
        await artifacts.upload(input.runId, written, Buffer.from(JSON.stringify(explanations)));
        return { ...row, explanationsArtifact: written };
      } finally {
        clearInterval(beat);
      }
    },

    runCell: (input, io) => runCellWith(work, input, io),
  };
  return work;
}

/** The clean evaluation's explanations an attacked one is compared with, as the workflow passed them. */
function cleanExplanationsOf(input: EvaluateInput): string {
  if (!input.cleanExplanations) {
    throw new InputError(
      { file: `<evaluateCell ${input.ref.cellKey}>`, field: 'cleanExplanations' },
      `the artifact path of the clean evaluation's explanations, for the ${input.attack} evaluation at ε_A = ${input.epsilon}`,
      'none',
    );
  }
  return input.cleanExplanations;
}

/**
 * The workers' half of the memory preflight (the CLI's is cli/preflight.ts): the same estimate,
 * with the prepared dataset's real size, against this worker's limit. An InputError is
 * non-retryable (workflows/activity-options.ts): every worker with this limit would refuse it.
 */
function refuseOversized(ref: CellRef, data: PreparedDataset, limit: MemoryLimit, workerName?: string): void {
  const est = oversizedCell(ref.cell, sizeOfManifest(data.manifest), limit);
  if (!est) return;
  throw new InputError(
    { file: `cell ${ref.cellKey}`, field: est.dominant.field },
    `a cell that fits in ${formatBytes(limit.bytes)} of memory on worker ${workerName ?? 'this worker'} (${limit.source})`,
    `an estimated ${formatBytes(est.bytes)}, ${formatBytes(est.dominant.bytes)} of it ${est.dominant.what}`,
  );
}
