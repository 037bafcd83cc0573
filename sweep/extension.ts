/**
 * May a running or finished sweep take this config? Only if it means the same thing for every
 * cell it already has: the same fixed settings (fingerprint.ts), the same queues, and a grid and
 * evaluation axes that keep every value they had. New ε_A values or attacks are evaluated on the
 * finished cells' stored models (workflows/cell.ts), never by training again. Pure: the
 * workflow's update validator and `rexsweep run` both call it.
 */
import { canonicalJson } from './canonical.ts';
import { EVALUATION_AXES, fixedSettingsFingerprint, GRID_AXES } from './fingerprint.ts';
import type { SweepConfig } from './schema.ts';

export interface ExtensionProblem {
  field: string;
  message: string;
}

/** Problems that forbid replacing `current` by `next`; empty when `next` only extends the grid. */
export function extensionProblems(current: SweepConfig, next: SweepConfig): ExtensionProblem[] {
  const problems: ExtensionProblem[] = [];
  if (fixedSettingsFingerprint(current) !== fixedSettingsFingerprint(next)) {
    problems.push({ field: 'epochs/cell', message: 'the fixed settings changed: every cell would mean something else (start a new sweep: change `name`, or drop `id`)' });
  }
  if (canonicalJson(current.queues) !== canonicalJson(next.queues)) {
    problems.push({ field: 'queues', message: 'the task queues changed: cells in flight run on the old ones' });
  }
  for (const axis of [...GRID_AXES, ...EVALUATION_AXES]) {
    const dropped = droppedValues(current[axis], next[axis]);
    if (dropped.length > 0) {
      const what = (GRID_AXES as readonly string[]).includes(axis) ? "a sweep's grid" : "a sweep's evaluations";
      problems.push({ field: axis, message: `${axis} lost ${dropped.join(', ')}: ${what} can grow, not shrink (its finished cells keep what they have)` });
    }
  }
  return problems;
}

/** The extension adds ε_A values or attacks: finished cells get evaluations on their stored models. */
export function evaluationsGrew(current: SweepConfig, next: SweepConfig): boolean {
  return EVALUATION_AXES.some((axis) => droppedValues(next[axis], current[axis]).length > 0);
}

/** Values of `had` that `has` lacks, as canonical JSON. */
function droppedValues(had: readonly unknown[], has: readonly unknown[]): string[] {
  const kept = new Set(has.map((v) => canonicalJson(v)));
  return had.map((v) => canonicalJson(v)).filter((v) => !kept.has(v));
}
