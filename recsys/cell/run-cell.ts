/**
 * One cell end to end: prepare (or reuse) the dataset, train once, evaluate clean and under
 * every attack at every ε_A from that one trained state ("train once, attack many").
 */
import { performance } from 'node:perf_hooks';
import { selectBackend, requestedBackend, type BackendReport } from '../backend.ts';
import { resolveCellConfig, type CellConfig, type ResolvedCellConfig } from '../config.ts';
import type { PreparedDataset } from '../data/dataset.ts';
import { prepareDataset } from '../data/prepare.ts';
import { evaluateView, explanationStability, type EvaluationOptions } from '../evaluate/evaluate.ts';
import type { EvaluationView, Explanation, ModelState, TrainHooks } from '../models/explainable-model.ts';
import { Rng } from '../random.ts';
import { MODEL_ADAPTERS } from '../models/adapters.ts';
import type { AttackName } from '../attacks/index.ts';
import type { AttackKind, CellResult, EvaluationRow } from './result.ts';

export type CellProgress =
  | { phase: 'train'; done: number; total: number; loss?: number }
  | { phase: 'evaluate'; done: number; total: number; label: string };

export interface RunCellOptions {
  log?: (message: string) => void;
  onProgress?: (p: CellProgress) => void;
  /** Extra training hooks (checkpoints, heartbeats) chained after progress reporting. */
  trainHooks?: TrainHooks;
  /** Resume training from this state (a checkpoint). */
  startState?: ModelState;
  /** An already selected backend (workers select once per process). */
  backend?: BackendReport;
}

export const RANK_K = 5;

export async function runCell(input: CellConfig, opts: RunCellOptions = {}): Promise<CellResult> {
  const log = opts.log ?? (() => {});
  const config = resolveCellConfig(input);
  const backend = opts.backend ?? (await selectBackend(requestedBackend(config.backend)));
  log(`backend: ${backend.name} (${backend.device})`);

  const prepared = await prepareDataset(config.dataset, config.data, config.datasetCache, log);
  const data = prepared.dataset;
  const adapter = MODEL_ADAPTERS[config.model];

  const t0 = performance.now();
  const trained = await adapter.train(data, config, {
    onEpoch: async (p, state) => {
      opts.onProgress?.({ phase: 'train', done: p.epoch, total: p.epochs, loss: p.loss });
      await opts.trainHooks?.onEpoch?.(p, state);
    },
  }, opts.startState);
  const trainSeconds = (performance.now() - t0) / 1000;

  const evalOpts: EvaluationOptions = {
    k: RANK_K,
    explainUsers: config.explainer.testUsers,
    groundTruth: config.choices.groundTruth,
  };
  const plan: { attack: AttackKind; epsilon: number }[] = [
    { attack: 'none', epsilon: 0 },
    ...config.epsilonsA.flatMap((epsilon) => config.attacks.map((attack) => ({ attack, epsilon }))),
  ];

  const evaluations: EvaluationRow[] = [];
  let clean: Explanation[] = [];
  for (const [index, step] of plan.entries()) {
    const label = step.attack === 'none' ? 'clean' : `${step.attack} ε_A=${step.epsilon}`;
    opts.onProgress?.({ phase: 'evaluate', done: index, total: plan.length, label });
    const t = performance.now();
    const view = await viewFor(step.attack, step.epsilon, trained.state, data, config);
    try {
      const { metrics, explanations } = await evaluateView(view, data, evalOpts);
      if (step.attack === 'none') clean = explanations;
      const { stability, pairs } = explanationStability(clean, explanations);
      evaluations.push({ attack: step.attack, epsilon: step.epsilon, ...metrics, stability, stabilityPairs: pairs, seconds: (performance.now() - t) / 1000 });
      log(`${label}: NDCG@5 ${metrics.ndcg5.toFixed(4)}, explained ${metrics.explained}/${metrics.pairs}, F_NS ${metrics.fns.toFixed(4)}`);
    } finally {
      view.dispose();
    }
  }
  opts.onProgress?.({ phase: 'evaluate', done: plan.length, total: plan.length, label: 'done' });

  return {
    cell: config as unknown as Record<string, unknown>,
    backend: backend.name,
    device: backend.device,
    dataset: datasetSummary(data, prepared.folder),
    train: {
      epochs: trained.state.epoch,
      seconds: trainSeconds,
      finalLoss: trained.losses[trained.losses.length - 1] ?? Number.NaN,
      losses: trained.losses,
    },
    evaluations,
  };

  function viewFor(attack: AttackKind, epsilon: number, state: ModelState, d: PreparedDataset, c: ResolvedCellConfig): Promise<EvaluationView> {
    if (attack === 'none') return Promise.resolve(adapter.cleanView(state, d, c));
    // Each attack draws from its own stream, so adding an ε_A never changes another's noise.
    const rng = Rng.derive(c.seed, `attack:${attack}:${epsilon}`);
    return adapter.attackedView(state, d, c, epsilon, attack as AttackName, rng);
  }
}

function datasetSummary(data: PreparedDataset, folder: string): CellResult['dataset'] {
  const m = data.manifest;
  return {
    id: m.id,
    folder,
    users: m.userCount,
    items: m.itemCount,
    features: m.featureCount,
    trainPairs: data.train.labels.length,
    testUsers: data.test.users.length,
  };
}
