/**
 * GPU-queue activities: thin adapters that call recsys/ and store what they produce in the
 * run's artifacts, so any worker can pick up where another left off.
 */
import { Context } from '@temporalio/activity';
import { selectBackend, requestedBackend, type BackendReport } from '../recsys/backend.ts';
import { MODEL_ADAPTERS } from '../recsys/cell/model-adapter.ts';
import { RANK_K } from '../recsys/cell/run-cell.ts';
import type { EvaluationRow } from '../recsys/cell/result.ts';
import { resolveCellConfig, type ResolvedCellConfig } from '../recsys/config.ts';
import type { PreparedDataset } from '../recsys/data/dataset.ts';
import { prepareDataset } from '../recsys/data/prepare.ts';
import { evaluateView, explanationStability } from '../recsys/evaluate/evaluate.ts';
import type { Explanation } from '../recsys/models/explainable-model.ts';
import { Rng } from '../recsys/random.ts';
import type { ComputeActivities } from './types.ts';
import type { CellRef, EvaluateInput, TrainedRef } from './contracts.ts';
import { decodeModelState, encodeModelState } from './model-codec.ts';

/** Where a run's files live; backed by MLflow's artifact store in production and tests. */
export interface ArtifactStore {
  upload(runId: string, path: string, body: Buffer): Promise<void>;
  download(runId: string, path: string): Promise<Buffer>;
  logTrainingCurve(runId: string, losses: number[]): Promise<void>;
}

export interface ComputeDeps {
  artifacts: ArtifactStore;
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
  log?: (message: string) => void;
}

const MODEL_ARTIFACT = 'model/state.rxm';
const checkpointArtifact = (epoch: number) => `checkpoints/epoch-${epoch}.rxm`;

/** What a training heartbeat carries; the last one is handed to the next attempt. */
export interface TrainHeartbeat {
  phase: 'train';
  epoch: number;
  epochs: number;
  loss: number;
  /** Artifact path of the latest checkpoint, if any. */
  checkpoint?: string;
  checkpointEpoch?: number;
}
const explanationsArtifact = (attack: string, epsilon: number) => `explanations/${attack}-${epsilon}.json`;

export function createComputeActivities(deps: ComputeDeps): ComputeActivities {
  const log = deps.log ?? (() => {});
  // Per worker, not global: the backend is chosen once, datasets are reused across cells.
  let backend: Promise<BackendReport> | undefined;
  const datasets = new Map<string, Promise<PreparedDataset>>();

  const configOf = (ref: CellRef): ResolvedCellConfig => {
    const c = resolveCellConfig(ref.cell);
    return deps.datasetCache ? { ...c, datasetCache: deps.datasetCache } : c;
  };
  const ensureBackend = (c: ResolvedCellConfig) =>
    (backend ??= selectBackend(requestedBackend(deps.backend ?? c.backend)));
  const dataFor = (c: ResolvedCellConfig): Promise<PreparedDataset> => {
    const key = JSON.stringify([c.dataset, c.data, c.datasetCache]);
    let p = datasets.get(key);
    if (!p) {
      p = prepareDataset(c.dataset, c.data, c.datasetCache, (m) => {
        log(m);
        heartbeat({ phase: 'prepare', message: m });
      }).then((r) => r.dataset);
      p.catch(() => datasets.delete(key));
      datasets.set(key, p);
    }
    return p;
  };

  return {
    async prepareData(ref) {
      const c = configOf(ref);
      if (c.noop) return { datasetId: 'noop', folder: '' };
      const data = await dataFor(c);
      return { datasetId: data.manifest.id, folder: c.datasetCache };
    },

    async trainCell(ref, runId): Promise<TrainedRef> {
      const c = configOf(ref);
      if (c.noop) return NOOP_TRAINED;
      const report = await ensureBackend(c);
      const data = await dataFor(c);
      const t0 = Date.now();
      // Resume from the checkpoint the previous attempt announced, if any.
      const previous = lastHeartbeat<TrainHeartbeat>();
      let checkpoint = previous?.checkpoint ? { path: previous.checkpoint, epoch: previous.checkpointEpoch ?? 0 } : undefined;
      const start = checkpoint ? decodeModelState(await deps.artifacts.download(runId, checkpoint.path)) : undefined;
      if (start) log(`cell ${ref.cellKey}: resuming from ${checkpoint!.path} (epoch ${start.epoch})`);
      const every = (deps.checkpointSeconds ?? 60) * 1000;
      let lastSaved = Date.now();
      const trained = await MODEL_ADAPTERS[c.model].train(
        data,
        c,
        {
          onEpoch: async (p, state) => {
            if (p.epoch < p.epochs && Date.now() - lastSaved >= every) {
              const path = checkpointArtifact(p.epoch);
              await deps.artifacts.upload(runId, path, encodeModelState(state()));
              checkpoint = { path, epoch: p.epoch };
              lastSaved = Date.now();
            }
            const beat: TrainHeartbeat = { phase: 'train', epoch: p.epoch, epochs: p.epochs, loss: p.loss };
            if (checkpoint) Object.assign(beat, { checkpoint: checkpoint.path, checkpointEpoch: checkpoint.epoch });
            heartbeat(beat);
          },
        },
        start,
      );
      const seconds = (Date.now() - t0) / 1000;
      await deps.artifacts.upload(runId, MODEL_ARTIFACT, encodeModelState(trained.state));
      await deps.artifacts.logTrainingCurve(runId, trained.losses);
      const m = data.manifest;
      return {
        modelArtifact: MODEL_ARTIFACT,
        dataset: {
          id: m.id,
          folder: c.datasetCache,
          users: m.userCount,
          items: m.itemCount,
          features: m.featureCount,
          trainPairs: data.train.labels.length,
          testUsers: data.test.users.length,
        },
        epochs: trained.state.epoch,
        seconds,
        finalLoss: trained.losses[trained.losses.length - 1] ?? Number.NaN,
        backend: report.name,
        device: report.device,
      };
    },

    async evaluateCell(input: EvaluateInput): Promise<EvaluationRow> {
      const c = configOf(input.ref);
      if (c.noop) return noopRow(input);
      await ensureBackend(c);
      const data = await dataFor(c);
      const state = decodeModelState(await deps.artifacts.download(input.runId, input.trained.modelArtifact));
      const adapter = MODEL_ADAPTERS[c.model];
      const t0 = Date.now();
      const beat = setInterval(() => heartbeat({ phase: 'evaluate', attack: input.attack, epsilon: input.epsilon }), 10_000);
      try {
        const view =
          input.attack === 'none'
            ? adapter.cleanView(state, data, c)
            : await adapter.attackedView(state, data, c, input.epsilon, input.attack, Rng.derive(c.seed, `attack:${input.attack}:${input.epsilon}`));
        try {
          const { metrics, explanations } = await evaluateView(view, data, {
            k: RANK_K,
            explainUsers: c.explainer.testUsers,
            groundTruth: c.choices.groundTruth,
          });
          await deps.artifacts.upload(input.runId, explanationsArtifact(input.attack, input.epsilon), Buffer.from(JSON.stringify(explanations)));
          const clean: Explanation[] =
            input.attack === 'none'
              ? explanations
              : JSON.parse((await deps.artifacts.download(input.runId, explanationsArtifact('none', 0))).toString('utf8'));
          const { stability, pairs } = explanationStability(clean, explanations);
          return { attack: input.attack, epsilon: input.epsilon, ...metrics, stability, stabilityPairs: pairs, seconds: (Date.now() - t0) / 1000 };
        } finally {
          view.dispose();
        }
      } finally {
        clearInterval(beat);
      }
    },
  };
}

function heartbeat(details: unknown): void {
  // Outside an activity (unit use) there is no context to heartbeat to.
  try {
    Context.current().heartbeat(details);
  } catch {
    /* not in an activity */
  }
}

/** No-op cells (orchestration benchmark): no data, no model, no MLflow traffic from compute. */
const NOOP_TRAINED: TrainedRef = {
  modelArtifact: '',
  dataset: { id: 'noop', folder: '', users: 0, items: 0, features: 0, trainPairs: 0, testUsers: 0 },
  epochs: 0,
  seconds: 0,
  finalLoss: 0,
  backend: 'noop',
  device: 'none',
};

function noopRow(input: EvaluateInput): EvaluationRow {
  return {
    attack: input.attack,
    epsilon: input.epsilon,
    ndcg5: 0,
    explained: 0,
    pairs: 0,
    meanExplanationSize: 0,
    meanComplexity: 0,
    userSidePairs: 0,
    precision: 0,
    recall: 0,
    f1: 0,
    pn: 0,
    ps: 0,
    fns: 0,
    stability: null,
    stabilityPairs: 0,
    seconds: 0,
  };
}

function lastHeartbeat<T>(): T | undefined {
  try {
    return Context.current().info.heartbeatDetails as T | undefined;
  } catch {
    return undefined;
  }
}
