/**
 * What an attack on the item-feature matrix is (paper-brief §4), apart from any model: a rule that
 * turns Y into Y_adv within an L∞ budget ε, clipped to [0, N], given the model's loss gradient at
 * any Y′ (an oracle the model supplies: CER at frozen weights, EFM at fixed factors) and a random
 * stream of its own. Each attack is one folder under recsys/attacks/ with one descriptor; the
 * registry (recsys/attacks/index.ts) lists them. Models, evaluation, the sweep, tracking keys and
 * reports read the registry and never branch on an attack's name.
 */
import type { PerturbOptions } from '../robust/perturb.ts';
import type { Rng } from '../random.ts';
import type { AttackSettings } from './settings.ts';

export interface AttackContext {
  /** ε, N and A3 (leave zero entries of Y untouched). */
  opts: PerturbOptions;
  /** ∇ of the model's attack loss with respect to the perturbed matrix, at `y`. */
  gradientAt(y: Float32Array): Promise<Float32Array>;
  /** This evaluation's own stream (seed, attack, ε_A): adding an ε_A never changes another's draws. */
  rng: Rng;
  settings: AttackSettings;
}

export interface AttackDescriptor {
  /** The name in configs, metric keys (`eval.<name>.…`) and reports. */
  name: string;
  /** For tables and figure titles, e.g. "FGSM", "random noise". */
  title: string;
  /** Gradient evaluations per attack (the cost model's unit): FGSM 1, random 0, PGD k. */
  gradientSteps(settings: AttackSettings): number;
  /** Y_adv from y (never modified). */
  perturb(y: Float32Array, ctx: AttackContext): Promise<Float32Array>;
}
