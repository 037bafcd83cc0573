/**
 * A rough cost model for one cell, to size a sweep before running it. It counts the work a cell
 * does and divides by throughputs measured with the TF.js WASM backend (one thread per cell: tfjs
 * runs WASM single-threaded in Node) on this project's 2-core CPU machine. Native TensorFlow and
 * GPUs are faster by factors this model does not know; treat its seconds as an order of
 * magnitude for a WASM worker, not a promise.
 *
 * CER (per cell):
 *   train     epochs · trainPairs samples, at cerTrainSamplesPerSecond (vanilla, or adversarial
 *             when λ > 0: each sample then costs two forward/backward passes, ~2×)
 *   evaluate  1 + |ε_A|·|attacks| evaluations, each: the counterfactual explainer on
 *             pairs = min(testUsers, explainer.testUsers)·K (K = 5) for `steps` steps,
 *               steps · (ceil(pairs/chunkSize) · explainerSecondsPerStep + pairs/explainerPairStepsPerSecond)
 *             plus scoring every test list (forward only, ~1/3 of a training sample a candidate)
 *             plus, for FGSM, one gradient pass over the training pairs
 *   scale     every MLP pass is scaled by the MLP's parameter count (2F·h₁ + h₁·h₂ + …) over the
 *             count at which the throughputs were measured (F = 24, hidden [1024, 256])
 * EFM (per cell):
 *   train     epochs full-batch iterations at efmSecondsPer100Iterations, scaled by
 *             (users·items + (users+items)·features) over the same at the measured size, and by
 *             efmDefendedFactor when λ > 0
 *   evaluate  clean is free (top-m explanations); every attack evaluation with choices.efmAttack =
 *             'poison' refits the model (same epochs, same defense): one more training each;
 *             'factors' costs one gradient (about one iteration)
 * overlap (the baseline): no training; scoring and gradient passes of X_u·Y_i, at
 *             overlapMultiplyAddsPerSecond (plain JS arithmetic; a guess, not measured)
 * All: cellStartSeconds (process start, dataset read) per cell.
 */
import { ATTACKS } from '../recsys/attacks/index.ts';
import { resolveCellConfig, type CellConfig, type ResolvedCellConfig } from '../recsys/config.ts';
import type { ModelName } from '../recsys/models/specs.ts';
import type { DatasetSize } from './dataset-size.ts';

// One count of CER's parameters, the model's own (its spec's memory terms use it too).
export { cerParameterCount } from '../recsys/models/cer/spec.ts';
import { cerParameterCount } from '../recsys/models/cer/spec.ts';

export interface CostModel {
  backend: string;
  description: string;
  cerTrainSamplesPerSecond: { vanilla: number; adversarial: number };
  /** Parameter count at which the CER throughputs were measured. */
  cerReferenceParameters: number;
  explainerPairStepsPerSecond: number;
  explainerSecondsPerStep: number;
  efmSecondsPer100Iterations: number;
  /** users·items + (users+items)·features at which the EFM figure was measured. */
  efmReferenceWork: number;
  efmDefendedFactor: number;
  cellStartSeconds: number;
  /** The overlap baseline's plain-JS multiply-adds per second (a round guess, not measured). */
  overlapMultiplyAddsPerSecond: number;
  /** Top-K explained per user (recsys run-cell RANK_K). */
  rankK: number;
}

/**
 * Throughputs measured with WASM on the 2-core CPU machine. CER training and the explainer's
 * pair-steps: bench figures on the synthetic defaults (4,300 / 2,100 samples/s; ~11 pairs/s at
 * 1,000 steps on 4k-pair batches). The per-step cost of a small batch, the EFM figures and the
 * start-up: from `rexsweep cell` runs of every configs/demo.yaml cell, timed in CPU seconds
 * (the machine was shared): CER 42 s vanilla, 48–54 s defended (model: 40 s, 54 s); EFM 9–12 s
 * (model: 12 s, 14 s); 351 s for the 12 cells (model: 375 s).
 */
export const WASM_COST_MODEL: CostModel = {
  backend: 'wasm',
  description: 'TF.js WASM backend, one CPU thread per cell in flight, throughputs measured on a 2-core CPU machine',
  cerTrainSamplesPerSecond: { vanilla: 4300, adversarial: 2100 },
  cerReferenceParameters: cerParameterCount(24, [1024, 256]),
  explainerPairStepsPerSecond: 11_000,
  explainerSecondsPerStep: 0.006,
  efmSecondsPer100Iterations: 1.5,
  efmReferenceWork: 120 * 148 + (120 + 148) * 24,
  efmDefendedFactor: 1.3,
  cellStartSeconds: 4,
  overlapMultiplyAddsPerSecond: 2e8,
  rankK: 5,
};

export interface CellCostEstimate {
  /** CER: samples through the MLP (×2 when defended); EFM: full-batch iterations, refits included. */
  trainWork: number;
  /** CER explainer pair-steps over all evaluations (0 for EFM). */
  explainerPairSteps: number;
  evaluations: number;
  trainSeconds: number;
  evaluateSeconds: number;
  totalSeconds: number;
}

export function estimateCellCost(input: CellConfig, size: DatasetSize, m: CostModel = WASM_COST_MODEL): CellCostEstimate {
  const c = resolveCellConfig(input);
  const defended = c.lambda > 0;
  const attacks = c.epsilonsA.length * c.attacks.length;
  const evaluations = 1 + attacks;

  return COST_OF[c.model](c, size, m, defended, evaluations, attacks);
}

function cerCost(c: ResolvedCellConfig, size: DatasetSize, m: CostModel, defended: boolean, evaluations: number, _attacks: number): CellCostEstimate {
  const scale = cerParameterCount(size.features, c.cer.hidden) / m.cerReferenceParameters;
  const rate = defended ? m.cerTrainSamplesPerSecond.adversarial : m.cerTrainSamplesPerSecond.vanilla;
  const trainSeconds = (c.epochs * size.trainPairs * scale) / rate;

  const explainUsers = c.explainer.testUsers < 0 ? size.testUsers : Math.min(size.testUsers, c.explainer.testUsers);
  const pairs = explainUsers * m.rankK;
  const chunks = Math.ceil(pairs / c.explainer.chunkSize);
  const explainSeconds = c.explainer.steps * (chunks * m.explainerSecondsPerStep + (pairs * scale) / m.explainerPairStepsPerSecond);
  const scoreSeconds = (size.testUsers * size.listWidth * scale) / (3 * m.cerTrainSamplesPerSecond.vanilla);
  const gradientSeconds = (size.trainPairs * scale) / m.cerTrainSamplesPerSecond.vanilla;
  const evaluateSeconds = evaluations * (explainSeconds + scoreSeconds) + attackGradients(c) * gradientSeconds;
  return {
    trainWork: c.epochs * size.trainPairs * (defended ? 2 : 1),
    explainerPairSteps: evaluations * pairs * c.explainer.steps,
    evaluations,
    trainSeconds,
    evaluateSeconds,
    totalSeconds: m.cellStartSeconds + trainSeconds + evaluateSeconds,
  };
}

function efmCost(c: ResolvedCellConfig, size: DatasetSize, m: CostModel, defended: boolean, evaluations: number, attacks: number): CellCostEstimate {
  const work = size.users * size.items + (size.users + size.items) * size.features;
  const perIteration = (m.efmSecondsPer100Iterations / 100) * (work / m.efmReferenceWork) * (defended ? m.efmDefendedFactor : 1);
  const trainSeconds = c.epochs * perIteration;
  const refits = c.choices.efmAttack === 'poison' ? attacks : 0;
  const evaluateSeconds = refits * trainSeconds + (attacks - refits) * perIteration;
  return {
    trainWork: c.epochs * (1 + refits),
    explainerPairSteps: 0,
    evaluations,
    trainSeconds,
    evaluateSeconds,
    totalSeconds: m.cellStartSeconds + trainSeconds + evaluateSeconds,
  };
}

/** The overlap baseline: nothing to train; each evaluation scores the test lists once (X_u·Y_i) and each gradient attack step is one pass over the training pairs. */
function overlapCost(c: ResolvedCellConfig, size: DatasetSize, m: CostModel, _defended: boolean, evaluations: number, _attacks: number): CellCostEstimate {
  const passes = evaluations * size.testUsers * size.listWidth + attackGradients(c) * size.trainPairs;
  const evaluateSeconds = (passes * size.features) / m.overlapMultiplyAddsPerSecond;
  return { trainWork: 0, explainerPairSteps: 0, evaluations, trainSeconds: 0, evaluateSeconds, totalSeconds: m.cellStartSeconds + evaluateSeconds };
}

/** Loss gradients over the training pairs that a cell's attacks take: per ε_A, FGSM 1, PGD k, random 0. */
function attackGradients(c: ResolvedCellConfig): number {
  return c.epsilonsA.length * c.attacks.reduce((n, a) => n + ATTACKS[a].gradientSteps(c.attackSettings), 0);
}

const COST_OF: { readonly [K in ModelName]: typeof cerCost } = { cer: cerCost, efm: efmCost, overlap: overlapCost };
