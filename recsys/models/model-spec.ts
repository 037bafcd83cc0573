/**
 * What the sweep language, the cell key and the plan need to know of a model, without its
 * compute (no TF.js here: workflow code reaches this through sweep/). One per model folder
 * (recsys/models/<name>/spec.ts), listed in recsys/models/specs.ts.
 */
import type { ResolvedCellConfig } from '../config.ts';

export interface ModelSpec {
  name: string;
  /** For tables and figure titles. */
  title: string;
  /**
   * Trained, so λ, ε_D and epochs apply (the defence is a way of training it); false for a
   * baseline, which a sweep evaluates once per dataset and seed, at the vanilla point.
   */
  learned: boolean;
  /** The settings sections this model reads: what its cell key hashes besides the shared fields. */
  identity(c: ResolvedCellConfig): Record<string, unknown>;
}
