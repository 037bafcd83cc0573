import { describe, expect, it } from 'vitest';
import { CellConfigSchema } from '../../recsys/config.ts';
import type { CellResult, EvaluationRow } from '../../recsys/cell/result.ts';
import { artifactPathSegments, artifactProxyPath, proxyRootPath } from '../../tracking/artifacts.ts';
import { ArtifactLocationError, InvalidKeyError, InvalidValueError, TrackingConfigError } from '../../tracking/errors.ts';
import { keyProblem, pythonNormpath, sanitizeKey } from '../../tracking/keys.ts';
import { cellRunName, runNamePartsFromConfig } from '../../tracking/names.ts';
import { canonicalJson, flattenParams, formatNumber } from '../../tracking/params.ts';
import { cellResultMetrics, epsilonStep, trainingCurveMetrics } from '../../tracking/result-metrics.ts';
import { compareRunPreference } from '../../tracking/layout.ts';
import type { Run } from '../../tracking/types.ts';

describe('canonical params', () => {
  it('formats numbers one way', () => {
    expect([0.5, 1024, 5e-4, 1e-7, 1e21, -0, 0.1 + 0.2, 2].map(formatNumber)).toEqual([
      '0.5', '1024', '0.0005', '1e-7', '1e+21', '0', '0.30000000000000004', '2',
    ]);
    expect(() => formatNumber(NaN)).toThrow(TrackingConfigError);
    expect(() => formatNumber(Infinity)).toThrow(TrackingConfigError);
  });

  it('flattens a nested config to sorted dotted keys', () => {
    const params = flattenParams({
      model: 'cer',
      lambda: 0.5,
      cer: { hidden: [1024, 256], learningRate: 5e-4 },
      attacks: ['fgsm', 'random'],
      choices: { userMask: true, none: null },
      empty: {},
      skipped: undefined,
      list: [{ b: 1, a: -0 }],
    });
    expect(params).toEqual({
      attacks: '["fgsm","random"]',
      'cer.hidden': '[1024,256]',
      'cer.learningRate': '0.0005',
      'choices.none': 'null',
      'choices.userMask': 'true',
      empty: '{}',
      lambda: '0.5',
      list: '[{"a":0,"b":1}]',
      model: 'cer',
    });
    expect(Object.keys(params)).toEqual([...Object.keys(params)].sort());
  });

  it('is independent of key order and flattens a real cell config', () => {
    const a = flattenParams({ x: 1, y: { b: 2, a: 3 } });
    const b = flattenParams({ y: { a: 3, b: 2 }, x: 1 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const config = CellConfigSchema.parse({ dataset: { source: 'synthetic' }, model: 'cer', lambda: 0.5, epsilonD: 0.5 });
    const p = flattenParams(config as unknown as Record<string, unknown>);
    expect(p['cer.hidden']).toBe('[1024,256]');
    expect(p.lambda).toBe('0.5');
    expect(p['dataset.synthetic.users']).toBe('120');
    expect(p.epsilonsA).toBe('[0.25,0.5,0.75,1]');
    for (const k of Object.keys(p)) expect(keyProblem(k)).toBeUndefined();
  });

  it('refuses keys MLflow would reject, naming them', () => {
    expect(() => flattenParams({ 'bad:key': 1 })).toThrow(InvalidKeyError);
    expect(() => flattenParams({ 'bad:key': 1 })).toThrow(/"bad:key"/);
    expect(canonicalJson({ z: [1.5, 'a'], a: true })).toBe('{"a":true,"z":[1.5,"a"]}');
  });
});

describe('run names', () => {
  it('names defended and vanilla cells', () => {
    expect(cellRunName({ model: 'cer', dataset: 'yelp', lambda: 0.5, epsilonD: 0.5, seed: 0 })).toBe('cer·yelp·λ0.5·ε0.5·s0');
    expect(cellRunName({ model: 'cer', dataset: 'yelp', lambda: 0, epsilonD: 0.5, seed: 0 })).toBe('cer·yelp·vanilla·s0');
    expect(cellRunName(runNamePartsFromConfig({ model: 'efm', dataset: { name: 'synthetic' }, lambda: 0.25, epsilonD: 1, seed: 3 }))).toBe(
      'efm·synthetic·λ0.25·ε1·s3',
    );
  });
});

describe('keys', () => {
  it('mirrors Python posixpath.normpath', () => {
    const cases: Array<[string, string]> = [
      ['', '.'], ['a/', 'a'], ['a//b', 'a/b'], ['/a', '/a'], ['//a', '//a'], ['///a', '/a'], ['a/./b', 'a/b'],
      ['a/../b', 'b'], ['../a', '../a'], ['/../a', '/a'], ['a/b/..', 'a'], ['..a', '..a'],
    ];
    for (const [input, want] of cases) expect(pythonNormpath(input)).toBe(want);
  });

  it('sanitises any string into a valid, stable key', () => {
    for (const raw of ['a:b', 'λ=0.5', '/a//b/', '../x', '.', '', 'x'.repeat(300), 'y/'.repeat(200)]) {
      const k = sanitizeKey(raw);
      expect(keyProblem(k), `${raw} → ${k}`).toBeUndefined();
      expect(sanitizeKey(raw)).toBe(k);
    }
    expect(sanitizeKey('a:b')).toBe('a_b');
    expect(sanitizeKey('x'.repeat(300))).not.toBe(sanitizeKey('x'.repeat(301)));
  });
});

function row(attack: EvaluationRow['attack'], epsilon: number, ndcg5: number, stability: number | null = 0.5): EvaluationRow {
  return {
    attack, epsilon, ndcg5, explained: 8, pairs: 10, meanExplanationSize: 2, meanComplexity: 1.5, userSidePairs: 6,
    precision: 0.4, recall: 0.3, f1: 0.34, pn: 0.7, ps: 0.6, fns: 0.65, stability, stabilityPairs: 7, seconds: 1.25,
  };
}

function result(evaluations: EvaluationRow[], losses = [0.9, 0.7, 0.6]): CellResult {
  return {
    cell: { model: 'cer' },
    backend: 'wasm',
    device: 'cpu',
    dataset: { id: 'd1', folder: '/tmp/d1', users: 120, items: 150, features: 24, trainPairs: 2000, testUsers: 100 },
    train: { epochs: losses.length, seconds: 12.5, finalLoss: losses[losses.length - 1], losses },
    evaluations,
  };
}

describe('cell result metric keys', () => {
  it('uses eval.<attack>.<metric> with step = round(ε_A·100), clean at step 0 of every curve', () => {
    const m = cellResultMetrics(
      result([row('none', 0, 0.3, null), row('fgsm', 0.25, 0.2), row('fgsm', 0.5, 0.1), row('random', 0.25, 0.29), row('random', 0.5, 0.28)]),
    );
    const at = (key: string) => m.filter((x) => x.key === key).map((x) => [x.step, x.value]);
    expect(at('eval.clean.ndcg5')).toEqual([[0, 0.3]]);
    expect(at('eval.fgsm.ndcg5')).toEqual([[25, 0.2], [50, 0.1], [0, 0.3]]);
    expect(at('eval.random.ndcg5')).toEqual([[25, 0.29], [50, 0.28], [0, 0.3]]);
    expect(at('eval.fgsm.epsilon')).toEqual([[25, 0.25], [50, 0.5], [0, 0]]);
    expect(at('eval.clean.stability')).toEqual([]); // null is left out
    expect(at('eval.fgsm.explained_frac')).toContainEqual([25, 0.8]);
    expect(at('train.final_loss')).toEqual([[0, 0.6]]);
    expect(at('data.users')).toEqual([[0, 120]]);
    // The key set does not grow with the number of ε values.
    const keys = new Set(m.map((x) => x.key));
    const more = cellResultMetrics(result([row('none', 0, 0.3), ...[0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1].map((e) => row('fgsm', e, 0.1))]));
    for (const k of new Set(more.map((x) => x.key))) if (k.startsWith('eval.fgsm')) expect(keys.has(k)).toBe(true);
    for (const x of m) expect(keyProblem(x.key)).toBeUndefined();
  });

  it('refuses two ε_A values on the same step', () => {
    expect(() => cellResultMetrics(result([row('fgsm', 0.25, 0.2), row('fgsm', 0.254, 0.2)]))).toThrow(InvalidValueError);
    expect(epsilonStep(0.29)).toBe(29);
    expect(epsilonStep(1)).toBe(100);
  });

  it('training curve: step = epoch, 1-based by default', () => {
    expect(trainingCurveMetrics([0.5, 0.4], { timestamp: 5 })).toEqual([
      { key: 'train.loss', value: 0.5, step: 1, timestamp: 5 },
      { key: 'train.loss', value: 0.4, step: 2, timestamp: 5 },
    ]);
    expect(trainingCurveMetrics([0.5], { firstEpoch: 7 })[0].step).toBe(7);
  });
});

describe('artifact proxy paths (MLflow 3 mapping)', () => {
  const base = 'http://127.0.0.1:5000';
  it('maps mlflow-artifacts:/ run roots onto /api/2.0/mlflow-artifacts/artifacts', () => {
    expect(proxyRootPath('mlflow-artifacts:/1/abc/artifacts', base)).toBe('1/abc/artifacts');
    expect(proxyRootPath('mlflow-artifacts://127.0.0.1:5000/1/abc/artifacts', base)).toBe('1/abc/artifacts');
    expect(proxyRootPath('http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts', base)).toBe('1/abc/artifacts');
    expect(artifactProxyPath('mlflow-artifacts:/1/abc/artifacts', base, 'ckpt/model 1.bin')).toBe(
      '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/ckpt/model%201.bin',
    );
  });

  it('refuses roots the proxy does not serve, other hosts, and escaping paths', () => {
    expect(() => proxyRootPath('s3://bucket/1/abc/artifacts', base)).toThrow(ArtifactLocationError);
    expect(() => proxyRootPath('/var/mlruns/1/abc/artifacts', base)).toThrow(ArtifactLocationError);
    expect(() => proxyRootPath('mlflow-artifacts://other:5000/1/abc', base)).toThrow(/another host/);
    for (const bad of ['', '/abs', 'a/../b', 'a//b', './a', 'a\\b', 'a/']) expect(() => artifactPathSegments(bad)).toThrow(ArtifactLocationError);
  });
});

describe('run preference', () => {
  const mk = (id: string, status: Run['info']['status'], startTime: number): Run => ({
    info: { runId: id, experimentId: '1', status, startTime, lifecycleStage: 'active', runName: id, endTime: undefined, artifactUri: undefined },
    data: { metrics: [], params: {}, tags: {} },
  });
  it('prefers FINISHED, then newest, then run id', () => {
    const runs = [mk('a', 'RUNNING', 30), mk('b', 'FINISHED', 10), mk('c', 'FAILED', 40), mk('d', 'FINISHED', 20), mk('e', 'RUNNING', 30)];
    expect(runs.sort(compareRunPreference).map((r) => r.info.runId)).toEqual(['d', 'b', 'c', 'a', 'e']);
  });
});
