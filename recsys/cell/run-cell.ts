/**
 * One cell end to end: prepare (or reuse) the dataset, train once, evaluate clean and under
 * every attack at every ε_A from that one trained state ("train once, attack many").
 */
import { performance } from 'node:perf_hooks';
import { selectBackend, requestedBackend, type BackendReport } from '../backend.ts';
import { resolveCellConfig, type CellConfig } from '../config.ts';
import { prepareDataset } from '../data/prepare.ts';
import type { Explanation, ModelState, TrainHooks } from '../models/explainable-model.ts';
import { MODEL_ADAPTERS } from '../models/adapters.ts';
import { datasetSummary } from './dataset-summary.ts';
import { evaluateOnce } from './evaluate-once.ts';
import { evaluationPlan } from './evaluation-plan.ts';
import type { CellResult, EvaluationRow } from './result.ts';

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

/** Top-K of the ranking metrics (recsys/cell/evaluate-once.ts). */
export { RANK_K } from './evaluate-once.ts';

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

  const plan = evaluationPlan(config);
  const evaluations: EvaluationRow[] = [];
  let clean: Explanation[] = [];
  for (const [index, step] of plan.entries()) {
    const label = step.attack === 'none' ? 'clean' : `${step.attack} ε_A=${step.epsilon}`;
    opts.onProgress?.({ phase: 'evaluate', done: index, total: plan.length, label });
    const { row, explanations } = await evaluateOnce(adapter, trained.state, data, config, step, async () => clean);
    if (step.attack === 'none') clean = explanations;
    evaluations.push(row);
    log(`${label}: NDCG@5 ${row.ndcg5.toFixed(4)}, explained ${row.explained}/${row.pairs}, F_NS ${row.fns.toFixed(4)}`);
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
}
