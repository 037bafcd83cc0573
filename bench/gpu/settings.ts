/**
 * The GPU script's sizes: defaults for one H200 (the training and explainer cells of bench/run.sh:
 * F 24, batch 128, 300 timed steps × 3, explainer B 256 × 200 steps), and --small ones that let
 * the same code run on lavapipe (~1 s a training step on 2 cores) inside a test. Every size is a
 * flag; `budgetSeconds` caps the whole run (parts that no longer fit are skipped, and say so).
 */
import { dirname, join, resolve } from 'node:path';
import { type Flags, num, nonNegativeInt, parseFlags, positiveInt, UsageError } from '../tfjs/common.ts';

export interface Settings {
  small: boolean;
  budgetSeconds: number;
  features: number;
  variants: ('vanilla' | 'adversarial')[];
  trainSteps: number;
  trainWarmup: number;
  repeats: number;
  explainPairs: number;
  explainSteps: number;
  explainWarmup: number;
  packKs: number[];
  packSeconds: number;
  packWarmup: number;
  packBatch: number;
  /** Seconds a part may take at most (a pack level: start-up and warm-up, before its window). */
  partCapSeconds: number;
  agreeModels: ('cer' | 'efm')[];
  /** Python with PyTorch, or "none". */
  python: string;
  torchDevice: 'auto' | 'cuda' | 'cpu';
  reference: string;
  repo: string;
  out: string | null;
  /** Which parts to run (all by default): to redo one that a first call could not finish. */
  parts: ('agreement' | 'train' | 'explain' | 'pytorch' | 'pack')[];
}

const PARTS = ['agreement', 'train', 'explain', 'pytorch', 'pack'] as const;

const FULL = {
  budget: 420, variants: 'vanilla,adversarial', trainSteps: 300, trainWarmup: 30, repeats: 3,
  explainPairs: 256, explainSteps: 200, explainWarmup: 20,
  packKs: '1,2,4,8', packSeconds: 20, packWarmup: 30, packBatch: 128, partCap: 120, agree: 'cer,efm',
};
const SMALL = {
  budget: 200, variants: 'vanilla', trainSteps: 3, trainWarmup: 2, repeats: 1,
  explainPairs: 16, explainSteps: 3, explainWarmup: 1,
  packKs: '1,2', packSeconds: 4, packWarmup: 2, packBatch: 128, partCap: 150, agree: 'cer',
};

const KNOWN = [
  'budget-seconds', 'features', 'variants', 'train-steps', 'train-warmup', 'repeats', 'explain-pairs', 'explain-steps',
  'explain-warmup', 'pack-ks', 'pack-seconds', 'pack-warmup', 'pack-batch', 'part-cap-seconds', 'agree-models', 'python',
  'torch-device', 'reference', 'repo', 'out', 'parts',
];

const list = (flags: Flags, name: string, fallback: string) => String(flags[name] ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);

export function parseSettings(argv: string[], bundleFile: string): Settings {
  const flags = parseFlags(argv, KNOWN, ['small']);
  const small = Boolean(flags.small);
  const d = small ? SMALL : FULL;
  const variants = list(flags, 'variants', d.variants);
  if (variants.some((v) => v !== 'vanilla' && v !== 'adversarial')) throw new UsageError('--variants: vanilla and/or adversarial');
  const agreeModels = list(flags, 'agree-models', d.agree);
  if (agreeModels.some((m) => m !== 'cer' && m !== 'efm')) throw new UsageError('--agree-models: cer and/or efm');
  const packKs = list(flags, 'pack-ks', d.packKs).map(Number);
  if (!packKs.every(positiveInt)) throw new UsageError('--pack-ks: positive integers');
  const torchDevice = String(flags['torch-device'] ?? 'auto');
  if (!['auto', 'cuda', 'cpu'].includes(torchDevice)) throw new UsageError('--torch-device: auto, cuda or cpu');
  const parts = list(flags, 'parts', PARTS.join(','));
  if (parts.some((p) => !(PARTS as readonly string[]).includes(p))) throw new UsageError(`--parts: some of ${PARTS.join(', ')}`);
  const bundleDir = dirname(bundleFile);
  return {
    small,
    budgetSeconds: num(flags, 'budget-seconds', d.budget, (v) => v > 0),
    features: num(flags, 'features', 24, positiveInt),
    variants: variants as Settings['variants'],
    trainSteps: num(flags, 'train-steps', d.trainSteps, positiveInt),
    trainWarmup: num(flags, 'train-warmup', d.trainWarmup, nonNegativeInt),
    repeats: num(flags, 'repeats', d.repeats, positiveInt),
    explainPairs: num(flags, 'explain-pairs', d.explainPairs, positiveInt),
    explainSteps: num(flags, 'explain-steps', d.explainSteps, positiveInt),
    explainWarmup: num(flags, 'explain-warmup', d.explainWarmup, nonNegativeInt),
    packKs,
    packSeconds: num(flags, 'pack-seconds', d.packSeconds, (v) => v > 0),
    packWarmup: num(flags, 'pack-warmup', d.packWarmup, positiveInt),
    packBatch: num(flags, 'pack-batch', d.packBatch, positiveInt),
    partCapSeconds: num(flags, 'part-cap-seconds', d.partCap, (v) => v > 0),
    agreeModels: agreeModels as Settings['agreeModels'],
    python: String(flags.python ?? 'python3'),
    torchDevice: torchDevice as Settings['torchDevice'],
    // The bundle sits in bench/gpu/.bundle/, next to its reference; the repository three levels up.
    reference: String(flags.reference ?? join(bundleDir, 'reference.json')),
    repo: String(flags.repo ?? resolve(bundleDir, '../../..')),
    out: flags.out === undefined ? null : String(flags.out),
    parts: parts as Settings['parts'],
  };
}
