/**
 * May a running or finished sweep take this config? Only if it means the same thing for every
 * cell it already has: the same fixed settings (fingerprint.ts), the same evaluation axes (a
 * finished cell is not evaluated again, so new ε_A values would reach only new cells), the same
 * queues, and a grid that keeps every value it had. Pure: the workflow's update validator and
 * `rexsweep run` both call it.
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
  for (const axis of EVALUATION_AXES) {
    if (canonicalJson(current[axis]) !== canonicalJson(next[axis])) {
      problems.push({ field: axis, message: `${axis} changed: finished cells are not evaluated again, so a new value would reach only new cells` });
    }
  }
  if (canonicalJson(current.queues) !== canonicalJson(next.queues)) {
    problems.push({ field: 'queues', message: 'the task queues changed: cells in flight run on the old ones' });
  }
  for (const axis of GRID_AXES) {
    const had = current[axis].map((v: unknown) => canonicalJson(v));
    const has = new Set(next[axis].map((v: unknown) => canonicalJson(v)));
    const dropped = had.filter((v) => !has.has(v));
    if (dropped.length > 0) {
      problems.push({ field: axis, message: `${axis} lost ${dropped.join(', ')}: a sweep's grid can grow, not shrink (its finished cells stay)` });
    }
  }
  return problems;
}
