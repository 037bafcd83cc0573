/**
 * White-box attacks on a trained EFM (paper-brief §4, A2). EFM never reads Y at inference, so:
 *
 * 'poison' (default): Y_adv by the attack's rule (recsys/attacks/: FGSM ΔY = ε·sign(∇_Y L_EFM(X, Y | Θ*)),
 *   the random control ε·r, PGD-k), Y_adv = clip(Y + ΔY, 0, N); then refit on Y_adv for config.epochs iterations,
 *   with the same defense (λ, ε_D) the model was trained with. choices.efmPoisonStart:
 *   'scratch' (default) refits from the cell's seed, so ε = 0 gives Θ* bit for bit;
 *   'warm' continues Θ*'s factors, Adam moments and step count, so ε = 0 is exactly "train
 *   config.epochs more iterations on the clean Y" (the clean-refit control).
 * 'factors': the attack's rule on the learned item factors U2, U2_adv = max(0, U2 + ΔU2),
 *   using ∇_U2 L_EFM(X, Y | Θ*); no refit; ε is in factor units (no upper clip).
 *
 * Returns the attacked state: evaluate it with createEfmView.
 */
import type { PreparedDataset } from '../../data/dataset.ts';
import type { Rng } from '../../random.ts';
import type { PerturbOptions } from '../../robust/perturb.ts';
import { ATTACKS, type AttackName } from '../../attacks/index.ts';
import type { ModelState } from '../explainable-model.ts';
import { efmDims } from './params.ts';
import { efmGradFactorAtAsync, efmGradYAtAsync } from './probe.ts';
import type { EfmRunConfig } from './settings.ts';
import { fromModelState, toModelState } from './state.ts';
import { trainEfm } from './train.ts';

/** Y_adv of the poisoning attack, [n × p] row-major: the attack's rule (recsys/attacks/) with ∇_Y L_EFM at Θ* as its oracle. */
export function poisonedY(
  state: ModelState,
  data: PreparedDataset,
  config: EfmRunConfig,
  epsilon: number,
  kind: AttackName,
  rng: Rng,
): Promise<Float32Array> {
  return ATTACKS[kind].perturb(data.Y, {
    opts: perturbOptions(data, config, epsilon),
    rng,
    settings: config.attackSettings,
    gradientAt: (y) => efmGradYAtAsync(state, data, config, y),
  });
}

function perturbOptions(data: PreparedDataset, config: EfmRunConfig, epsilon: number): PerturbOptions {
  return { epsilon, maxRange: data.manifest.maxRange, nonZeroOnly: config.choices.perturbNonZeroOnly };
}

export async function efmAttack(
  state: ModelState,
  data: PreparedDataset,
  config: EfmRunConfig,
  epsilon: number,
  kind: AttackName,
  rng: Rng,
): Promise<ModelState> {
  if (!(epsilon >= 0)) throw new RangeError(`attack ε must be ≥ 0, got ${epsilon}`);
  if (config.choices.efmAttack === 'factors') return attackFactors(state, data, config, epsilon, kind, rng);
  const yAdv = await poisonedY(state, data, config, epsilon, kind, rng);
  if (config.choices.efmPoisonStart === 'scratch') {
    const { state: refit } = await trainEfm(data, config, undefined, undefined, yAdv);
    return refit;
  }
  const { state: attacked } = await trainEfm(data, { ...config, epochs: state.epoch + config.epochs }, undefined, state, yAdv);
  return attacked;
}

/** The attack's rule on U2, with ∇_U2 L_EFM at the state with U2 replaced as its oracle. */
async function attackFactors(
  state: ModelState,
  data: PreparedDataset,
  config: EfmRunConfig,
  epsilon: number,
  kind: AttackName,
  rng: Rng,
): Promise<ModelState> {
  const d = efmDims(data, config.efm);
  const snapshot = fromModelState(state, d);
  const withU2 = (u2: Float32Array) => toModelState({ ...snapshot, factors: { ...snapshot.factors, U2: u2 } }, d);
  snapshot.factors.U2 = await ATTACKS[kind].perturb(snapshot.factors.U2, {
    opts: { epsilon, maxRange: Infinity, nonZeroOnly: false },
    rng,
    settings: config.attackSettings,
    gradientAt: (u2) => efmGradFactorAtAsync(withU2(u2), data, config, 'U2'),
  });
  return toModelState(snapshot, d);
}
