/**
 * End to end on a small synthetic dataset through the real pipeline: trained CER and EFM rank
 * well above random, CER explanations beat random feature sets of the same size, and FGSM
 * hurts more than random noise at the same budget.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../recsys/backend.ts';
import { MODEL_ADAPTERS } from '../../recsys/models/adapters.ts';
import { RANK_K } from '../../recsys/cell/run-cell.ts';
import { CellConfigSchema, resolveCellConfig, type CellConfigInput, type ResolvedCellConfig } from '../../recsys/config.ts';
import type { PreparedDataset } from '../../recsys/data/dataset.ts';
import { prepareDataset } from '../../recsys/data/prepare.ts';
import { evaluateView, explanationMetrics, recommend, type EvaluationOptions } from '../../recsys/evaluate/evaluate.ts';
import type { Explanation, ModelState } from '../../recsys/models/explainable-model.ts';
import { Rng } from '../../recsys/random.ts';

const RANDOM_NDCG = 6 / 106;
let cache: string;
let data: PreparedDataset;

function config(over: Omit<CellConfigInput, 'dataset'>): ResolvedCellConfig {
  return resolveCellConfig(CellConfigSchema.parse({ ...over, dataset: { source: 'synthetic' }, datasetCache: cache }));
}

beforeAll(async () => {
  await selectBackend('wasm');
  cache = await mkdtemp(join(tmpdir(), 'rexsweep-e2e-'));
  const c = config({ model: 'cer' });
  data = (await prepareDataset(c.dataset, c.data, c.datasetCache)).dataset;
});
afterAll(() => rm(cache, { recursive: true, force: true }));

describe('CER on synthetic data', () => {
  // Reference architecture; a larger learning rate than the reference 5e-4 so that 15 epochs
  // suffice, and 300 explainer steps at lr 0.03 on the first 40 users to bound the run time.
  let c: ResolvedCellConfig;
  let state: ModelState;
  const opts = (cc: ResolvedCellConfig): EvaluationOptions => ({ k: RANK_K, explainUsers: cc.explainer.testUsers, groundTruth: 'all' });

  beforeAll(async () => {
    c = config({
      model: 'cer',
      epochs: 15,
      cer: { learningRate: 0.05 },
      explainer: { steps: 300, learningRate: 0.03, testUsers: 40 },
    });
    state = (await MODEL_ADAPTERS.cer.train(data, c, {})).state;
  });

  it('ranks well above the random ranker (6/106) and explains most recommendations', async () => {
    const view = MODEL_ADAPTERS.cer.cleanView(state, data, c);
    const { metrics } = await evaluateView(view, data, opts(c));
    view.dispose();
    expect(metrics.ndcg5).toBeGreaterThan(3 * RANDOM_NDCG);
    expect(metrics.explained).toBeGreaterThan(0.5 * metrics.pairs);
  });

  it('counterfactual explanations beat random feature sets of the same size on F_NS', async () => {
    const view = MODEL_ADAPTERS.cer.cleanView(state, data, c);
    const evaluation = await evaluateView(view, data, opts(c));
    const F = data.manifest.featureCount;
    const rng = new Rng(123);
    const all = Array.from({ length: F }, (_, f) => f);
    const randomSets: Explanation[] = evaluation.explanations.map((e) =>
      e.explained ? { ...e, features: rng.sample(all, e.features.length).sort((a, b) => a - b) } : e,
    );
    const baseline = await explanationMetrics(view, data, evaluation.recommendations, randomSets, opts(c));
    view.dispose();
    expect(evaluation.metrics.fns).toBeGreaterThan(baseline.fns + 0.05);
  });

  it('FGSM at ε = 1 lowers NDCG@5 more than random noise at the same ε', async () => {
    const ndcgUnder = async (attack: 'fgsm' | 'random') => {
      const view = await MODEL_ADAPTERS.cer.attackedView(state, data, c, 1, attack, new Rng(7));
      const scores = await view.scoreLists(data.test);
      view.dispose();
      return recommend(data.test, scores, { ...opts(c), explainUsers: 0 }).ndcg;
    };
    const clean = MODEL_ADAPTERS.cer.cleanView(state, data, c);
    const cleanNdcg = recommend(data.test, await clean.scoreLists(data.test), { ...opts(c), explainUsers: 0 }).ndcg;
    clean.dispose();
    const fgsm = await ndcgUnder('fgsm');
    const random = await ndcgUnder('random');
    expect(cleanNdcg - fgsm).toBeGreaterThan(cleanNdcg - random);
    expect(fgsm).toBeLessThan(cleanNdcg);
  });
});

describe('EFM on synthetic data', () => {
  it('ranks well above the random ranker and every recommendation gets an explanation of size m', async () => {
    const c = config({ model: 'efm', epochs: 100 });
    const { state } = await MODEL_ADAPTERS.efm.train(data, c, {});
    const view = MODEL_ADAPTERS.efm.cleanView(state, data, c);
    const { metrics } = await evaluateView(view, data, { k: RANK_K, explainUsers: -1, groundTruth: 'all' });
    view.dispose();
    expect(metrics.ndcg5).toBeGreaterThan(3 * RANDOM_NDCG);
    expect(metrics.explained).toBe(metrics.pairs);
    expect(metrics.meanExplanationSize).toBe(1);
  });
});
