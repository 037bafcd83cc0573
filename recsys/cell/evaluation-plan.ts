/**
 * What a cell evaluates, in order, and where each evaluation's random draws come from: one
 * definition for `rexsweep cell` (run-cell.ts), the sweep's cell workflow (through sweep/expand.ts)
 * and the compute activity, so the two paths cannot drift apart. Pure: workflow code reaches it.
 */
import type { AttackName } from '../attacks/index.ts';

export interface PlannedEvaluation {
  attack: 'none' | AttackName;
  /** ε_A; 0 for the clean evaluation. */
  epsilon: number;
}

/** Clean first (the reference for stability), then every attack at every ε_A, ε_A-major. */
export function evaluationPlan(config: { epsilonsA: readonly number[]; attacks: readonly AttackName[] }): PlannedEvaluation[] {
  return [{ attack: 'none', epsilon: 0 }, ...config.epsilonsA.flatMap((epsilon) => config.attacks.map((attack) => ({ attack, epsilon })))];
}

/**
 * The name of an attacked evaluation's random stream (Rng.derive(seed, name)): its own per
 * (attack, ε_A), so adding an ε_A or an attack never changes another evaluation's draws.
 */
export function attackStream(attack: AttackName, epsilon: number): string {
  return `attack:${attack}:${epsilon}`;
}
