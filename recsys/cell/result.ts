/**
 * The result of one cell, as `rexsweep cell --json` prints it and as tracking/ will log it.
 * One schema; the TypeScript types are derived from it.
 */
import { ATTACK_NAMES } from '../attacks/index.ts';
import { z } from 'zod';

/** 'none' is the clean evaluation; the rest are the registry's attacks (recsys/attacks/). */
export const AttackKindSchema = z.enum(['none', ...ATTACK_NAMES]);

export const EvaluationRowSchema = z.object({
  attack: AttackKindSchema,
  /** ε_A; 0 for the clean evaluation. */
  epsilon: z.number(),
  ndcg5: z.number(),
  /** Explained (user, item) pairs out of `pairs` recommended ones. */
  explained: z.number().int(),
  pairs: z.number().int(),
  meanExplanationSize: z.number(),
  meanComplexity: z.number(),
  userSidePairs: z.number().int(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  pn: z.number(),
  ps: z.number(),
  fns: z.number(),
  /** Mean Jaccard of clean vs this evaluation's explanations over pairs explained in both; null if none. */
  stability: z.number().nullable(),
  stabilityPairs: z.number().int(),
  seconds: z.number(),
  /** Artifact path of this evaluation's explanations in the cell's run, when written. */
  explanationsArtifact: z.string().optional(),
});

export const CellResultSchema = z.object({
  /** The resolved cell config: every constant and every ambiguity choice used. */
  cell: z.record(z.string(), z.unknown()),
  backend: z.string(),
  device: z.string(),
  dataset: z.object({
    id: z.string(),
    folder: z.string(),
    users: z.number().int(),
    items: z.number().int(),
    features: z.number().int(),
    trainPairs: z.number().int(),
    testUsers: z.number().int(),
  }),
  train: z.object({
    epochs: z.number().int(),
    seconds: z.number(),
    finalLoss: z.number(),
    losses: z.array(z.number()),
  }),
  evaluations: z.array(EvaluationRowSchema),
});

export type AttackKind = z.infer<typeof AttackKindSchema>;
export type EvaluationRow = z.infer<typeof EvaluationRowSchema>;
export type CellResult = z.infer<typeof CellResultSchema>;
