/**
 * White-box attacks on a trained EFM (paper-brief §4, A2). EFM never reads Y at inference, so:
 *
 * 'poison' (default): ΔY = ε·sign(∇_Y L_EFM(X, Y | Θ*)) (or ε·r, r uniform ±1, for the random
 *   control), Y_adv = clip(Y + ΔY, 0, N); then refit on Y_adv for config.epochs iterations,
 *   with the same defense (λ, ε_D) the model was trained with. choices.efmPoisonStart:
 *   'scratch' (default) refits from the cell's seed, so ε = 0 gives Θ* bit for bit;
 *   'warm' continues Θ*'s factors, Adam moments and step count, so ε = 0 is exactly "train
 *   config.epochs more iterations on the clean Y" (the clean-refit control).
 * 'factors': FGSM (or random signs) on the learned item factors U2, U2_adv = max(0, U2 + ΔU2),
 *   using ∇_U2 L_EFM(X, Y | Θ*); no refit; ε is in factor units (no upper clip).
 *
 * Returns the attacked state: evaluate it with createEfmView.
 */
import type { PreparedDataset } from '../../data/dataset.ts';
import type { Rng } from '../../random.ts';
import { fgsmStep, randomSignStep, type PerturbOptions } from '../../robust/perturb.ts';
import type { ModelState } from '../explainable-model.ts';
import { efmDims } from './params.ts';
import { efmGradFactorAtAsync, efmGradYAt, efmGradYAtAsync } from './probe.ts';
import type { EfmRunConfig } from './settings.ts';
import { fromModelState, toModelState } from './state.ts';
import { trainEfm } from './train.ts';

export type EfmAttackKind = 'fgsm' | 'random';

/** Y_adv of the poisoning attack, [n × p] row-major. */
export function poisonedY(
  state: ModelState,
  data: PreparedDataset,
  config: EfmRunConfig,
  epsilon: number,
  kind: EfmAttackKind,
  rng: Rng,
): Float32Array {
  const opts = perturbOptions(data, config, epsilon);
  return kind === 'fgsm' ? fgsmStep(data.Y, efmGradYAt(state, data, config), opts) : randomSignStep(data.Y, rng, opts);
}

function perturbOptions(data: PreparedDataset, config: EfmRunConfig, epsilon: number): PerturbOptions {
  return { epsilon, maxRange: data.manifest.maxRange, nonZeroOnly: config.choices.perturbNonZeroOnly };
}

export async function efmAttack(
  state: ModelState,
  data: PreparedDataset,
  config: EfmRunConfig,
  epsilon: number,
  kind: EfmAttackKind,
  rng: Rng,
): Promise<ModelState> {
  if (!(epsilon >= 0)) throw new RangeError(`attack ε must be ≥ 0, got ${epsilon}`);
  if (config.choices.efmAttack === 'factors') return attackFactors(state, data, config, epsilon, kind, rng);
  const yAdv =
    kind === 'fgsm'
      ? fgsmStep(data.Y, await efmGradYAtAsync(state, data, config), perturbOptions(data, config, epsilon))
      : poisonedY(state, data, config, epsilon, kind, rng);
  if (config.choices.efmPoisonStart === 'scratch') {
    const { state: refit } = await trainEfm(data, config, undefined, undefined, yAdv);
    return refit;
  }
  const { state: attacked } = await trainEfm(data, { ...config, epochs: state.epoch + config.epochs }, undefined, state, yAdv);
  return attacked;
}

async function attackFactors(
  state: ModelState,
  data: PreparedDataset,
  config: EfmRunConfig,
  epsilon: number,
  kind: EfmAttackKind,
  rng: Rng,
): Promise<ModelState> {
  const d = efmDims(data, config.efm);
  const snapshot = fromModelState(state, d);
  const opts: PerturbOptions = { epsilon, maxRange: Infinity, nonZeroOnly: false };
  const U2 = snapshot.factors.U2;
  snapshot.factors.U2 =
    kind === 'fgsm' ? fgsmStep(U2, await efmGradFactorAtAsync(state, data, config, 'U2'), opts) : randomSignStep(U2, rng, opts);
  return toModelState(snapshot, d);
}
