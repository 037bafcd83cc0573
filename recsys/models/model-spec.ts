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
  /**
   * The model's share of a cell's peak memory, for the preflight (sweep/memory-model.ts): an
   * order of magnitude on the low side, each term naming the cell-config field a user would
   * change. `size` is the dataset's (F = 1, no users or items when it is not yet prepared).
   */
  memoryTerms(c: ResolvedCellConfig, size: ModelDataSize): MemoryTerm[];
}

/** What a model's memory depends on besides its settings. */
export interface ModelDataSize {
  features: number;
  users: number;
  items: number;
  /** The field to blame for the dataset's size (`dataset.synthetic.users`, or `dataset`). */
  sizeField: string;
  /** The size is known (a prepared or synthetic dataset). */
  known: boolean;
}

export interface MemoryTerm {
  /** Cell-config field to blame, e.g. `cer.hidden`, `dataset.synthetic.users`. */
  field: string;
  what: string;
  bytes: number;
}

/** float32, in bytes. */
export const F32 = 4;
