/**
 * The contract between a trained model and evaluation (recsys/evaluate). A view is a trained
 * model bound to the item-feature matrix it is evaluated on (clean Y, or an attacked Y_adv).
 * Evaluation knows nothing of CER or EFM beyond this interface.
 */
import type { ModelName } from './specs.ts';
import type { TestLists } from '../data/dataset.ts';

/** One recommended (user, item) pair to explain: item is in u's top-K. */
export interface RecommendedPair {
  user: number;
  item: number;
  /** Score of the (K+1)-th item of u's list: the counterfactual target (paper-brief §3.3). */
  marginScore: number;
}

export interface Explanation {
  user: number;
  item: number;
  /** False when the optimiser could not push the item below the margin (CER's no_exp). */
  explained: boolean;
  /** Feature ids, ascending, unique. Empty when not explained. */
  features: number[];
  /** CER: ‖Δ*‖ + γ|E|; EFM: 0. */
  complexity: number;
}

export interface CounterfactualRequest {
  user: number;
  /** Candidate items of u's list, in list order. */
  items: Int32Array;
  /** The explanation E. */
  features: number[];
}

/** necessity: E's columns set to 0 for every candidate (PN); sufficiency: only E kept (PS). */
export type CounterfactualMode = 'necessity' | 'sufficiency';

export interface EvaluationView {
  /** Scores [T × width] of every candidate of every test list. */
  scoreLists(test: TestLists): Promise<Float32Array>;
  /** Explanations for each pair, same order. */
  explain(pairs: RecommendedPair[]): Promise<Explanation[]>;
  /** For each request, scores of its candidates after the counterfactual edit. */
  counterfactualScores(requests: CounterfactualRequest[], mode: CounterfactualMode): Promise<Float32Array[]>;
  dispose(): void;
}

/** A serialisable model state (checkpoints, artifacts): named float32 tensors. */
export interface ModelState {
  kind: ModelName;
  /** Completed epochs (CER) or iterations (EFM). */
  epoch: number;
  tensors: Record<string, { shape: number[]; data: Float32Array }>;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  loss: number;
}

export interface TrainHooks {
  /** Called after each epoch/iteration; may be async (heartbeats, checkpoints). */
  onEpoch?: (p: TrainProgress, state: () => ModelState) => void | Promise<void>;
  /**
   * Called every few mini-batches inside an epoch: an epoch on a large dataset takes longer than
   * a heartbeat timeout, and a worker must show it is alive meanwhile. Must not change the numbers.
   */
  onBatch?: (p: { epoch: number; batch: number; batches: number }) => void;
}

export interface TrainResult {
  state: ModelState;
  /** Loss after each epoch, index = epoch - 1. */
  losses: number[];
}
