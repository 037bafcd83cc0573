import { describe, expect, it } from 'vitest';
import {
  MLFLOW_LIMITS,
  planLogBatch,
  requestBytes,
  truncateWithMarker,
  type LogBatchRequest,
  type MetricInput,
} from '../../tracking/batch.ts';
import { InvalidKeyError, InvalidValueError } from '../../tracking/errors.ts';

const RUN = '0123456789abcdef0123456789abcdef';
const TS = 1_700_000_000_000;

function metrics(n: number, key = (i: number) => `m${i % 7}`): MetricInput[] {
  return Array.from({ length: n }, (_, i) => ({ key: key(i), value: i / 3, step: i }));
}
function kv(n: number, prefix: string, value = (i: number) => `v${i}`): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, value(i)]));
}

function checkLimits(reqs: LogBatchRequest[]): void {
  for (const r of reqs) {
    expect(r.metrics.length).toBeLessThanOrEqual(1000);
    expect(r.params.length).toBeLessThanOrEqual(100);
    expect(r.tags.length).toBeLessThanOrEqual(100);
    expect(r.metrics.length + r.params.length + r.tags.length).toBeLessThanOrEqual(1000);
    expect(requestBytes(r)).toBeLessThanOrEqual(1_000_000);
    expect(new Set(r.params.map((p) => p.key)).size).toBe(r.params.length);
    expect(JSON.stringify(r)).not.toMatch(/null/);
    for (const m of r.metrics) expect(Number.isFinite(m.value)).toBe(true);
  }
}

function flat(reqs: LogBatchRequest[], k: 'metrics'): LogBatchRequest['metrics'];
function flat(reqs: LogBatchRequest[], k: 'params' | 'tags'): LogBatchRequest['params'];
function flat(reqs: LogBatchRequest[], k: 'metrics' | 'params' | 'tags'): unknown[] {
  return reqs.flatMap((r) => r[k] as unknown[]);
}

describe('planLogBatch limits', () => {
  it('fits a small batch in one request, with defaults filled', () => {
    const plan = planLogBatch(RUN, { metrics: [{ key: 'a', value: 1 }], params: { p: '1' }, tags: { t: 'x' } }, { timestamp: TS });
    expect(plan.requests).toEqual([
      { run_id: RUN, metrics: [{ key: 'a', value: 1, timestamp: TS, step: 0 }], params: [{ key: 'p', value: '1' }], tags: [{ key: 't', value: 'x' }] },
    ]);
  });

  it('splits 2500 metrics at 1000 per request, order kept', () => {
    const input = metrics(2500);
    const plan = planLogBatch(RUN, { metrics: input }, { timestamp: TS });
    expect(plan.requests.map((r) => r.metrics.length)).toEqual([1000, 1000, 500]);
    expect(flat(plan.requests, 'metrics').map((m) => m.step)).toEqual(input.map((m) => m.step));
    checkLimits(plan.requests);
  });

  it('splits 250 params at 100 and 250 tags at 100', () => {
    const plan = planLogBatch(RUN, { params: kv(250, 'p'), tags: kv(250, 't') }, { timestamp: TS });
    expect(plan.requests.map((r) => [r.params.length, r.tags.length])).toEqual([
      [100, 100],
      [100, 100],
      [50, 50],
    ]);
    expect(flat(plan.requests, 'params').map((p) => p.key)).toEqual(Object.keys(kv(250, 'p')));
    checkLimits(plan.requests);
  });

  it('keeps every request at ≤ 1000 entities in total (900 + 50 + 51 does not fit one request)', () => {
    const ok = planLogBatch(RUN, { metrics: metrics(900), params: kv(50, 'p'), tags: kv(50, 't') }, { timestamp: TS });
    expect(ok.requests).toHaveLength(1);
    const over = planLogBatch(RUN, { metrics: metrics(900), params: kv(50, 'p'), tags: kv(51, 't') }, { timestamp: TS });
    expect(over.requests).toHaveLength(2);
    expect(over.requests[0].metrics.length + over.requests[0].params.length + over.requests[0].tags.length).toBe(1000);
    checkLimits(over.requests);
  });

  it('mixes kinds to use few requests: 2500 metrics + 250 params + 250 tags → 3 requests', () => {
    const plan = planLogBatch(RUN, { metrics: metrics(2500), params: kv(250, 'p'), tags: kv(250, 't') }, { timestamp: TS });
    expect(plan.requests).toHaveLength(3);
    expect(flat(plan.requests, 'metrics')).toHaveLength(2500);
    expect(flat(plan.requests, 'params')).toHaveLength(250);
    expect(flat(plan.requests, 'tags')).toHaveLength(250);
    checkLimits(plan.requests);
  });

  it('splits on the serialised body size (< 1 MB) before any count limit', () => {
    // 100 tags of 8000 chars + 100 params of 6000 chars ≈ 1.4 MB: counts fit, bytes do not.
    const plan = planLogBatch(RUN, { params: kv(100, 'p', () => 'y'.repeat(6000)), tags: kv(100, 't', () => 'x'.repeat(8000)) }, { timestamp: TS });
    expect(plan.requests.length).toBe(2);
    checkLimits(plan.requests);
    expect(flat(plan.requests, 'tags')).toHaveLength(100);
    expect(flat(plan.requests, 'params')).toHaveLength(100);
  });

  it('measures bytes as UTF-8 of the JSON body, exactly at the limit', () => {
    // Multi-byte values: 'λ' is 2 bytes in UTF-8 but 1 JS char.
    const tags = kv(100, 't', () => 'λ'.repeat(7000));
    const plan = planLogBatch(RUN, { tags }, { timestamp: TS });
    checkLimits(plan.requests);
    expect(plan.requests.length).toBe(2);
    // A tight custom limit: every request is at most the limit, and the first one is full.
    const limit = 5000;
    const tight = planLogBatch(RUN, { metrics: metrics(400) }, { timestamp: TS, limits: { maxBodyBytes: limit } });
    for (const r of tight.requests) expect(requestBytes(r)).toBeLessThanOrEqual(limit);
    const next = JSON.stringify(tight.requests[1].metrics[0]);
    expect(requestBytes(tight.requests[0]) + next.length + 1).toBeGreaterThan(limit);
  });

  it('refuses an entity that cannot fit any request', () => {
    expect(() => planLogBatch(RUN, { tags: { t: 'x'.repeat(500) } }, { limits: { maxBodyBytes: 200 } })).toThrow(/does not fit/);
  });
});

describe('planLogBatch values', () => {
  it('skips NaN and ±Infinity and records them in a tag by default', () => {
    const plan = planLogBatch(
      RUN,
      {
        metrics: [
          { key: 'train.loss', value: 1, step: 1 },
          { key: 'train.loss', value: NaN, step: 2 },
          { key: 'train.loss', value: Infinity, step: 3 },
          { key: 'other', value: -Infinity, step: 0 },
        ],
      },
      { timestamp: TS },
    );
    const sent = flat(plan.requests, 'metrics');
    expect(sent.map((m) => m.step)).toEqual([1]);
    expect(plan.skipped).toEqual([
      { key: 'train.loss', step: 2, value: 'NaN' },
      { key: 'train.loss', step: 3, value: 'Infinity' },
      { key: 'other', step: 0, value: '-Infinity' },
    ]);
    expect(flat(plan.requests, 'tags')).toEqual([
      { key: 'rexsweep.nonfinite.train.loss', value: 'NaN@2,Infinity@3' },
      { key: 'rexsweep.nonfinite.other', value: '-Infinity@0' },
    ]);
    checkLimits(plan.requests);
  });

  it("'skip' drops silently, 'error' throws naming the key", () => {
    const input = { metrics: [{ key: 'bad', value: NaN, step: 4 }] };
    const skip = planLogBatch(RUN, input, { timestamp: TS, nonFinite: 'skip' });
    expect(skip.requests).toEqual([]);
    expect(skip.skipped).toHaveLength(1);
    expect(() => planLogBatch(RUN, input, { nonFinite: 'error' })).toThrow(InvalidValueError);
    expect(() => planLogBatch(RUN, input, { nonFinite: 'error' })).toThrow(/"bad".*step 4/);
  });

  it('refuses non-integer steps and non-number values', () => {
    expect(() => planLogBatch(RUN, { metrics: [{ key: 'a', value: 1, step: 0.5 }] })).toThrow(/step must be an integer/);
    expect(() => planLogBatch(RUN, { metrics: [{ key: 'a', value: '1' as unknown as number }] })).toThrow(/must be a number/);
  });

  it('dedupes identical params, refuses conflicting ones', () => {
    const plan = planLogBatch(RUN, { params: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'a', value: '1' }] }, { timestamp: TS });
    expect(flat(plan.requests, 'params')).toEqual([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
    expect(plan.duplicateParams).toBe(1);
    expect(() => planLogBatch(RUN, { params: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] })).toThrow(/"a".*write-once/);
  });

  it('keeps the last value of a repeated tag', () => {
    const plan = planLogBatch(RUN, { tags: [{ key: 't', value: '1' }, { key: 'u', value: 'x' }, { key: 't', value: '2' }] }, { timestamp: TS });
    expect(flat(plan.requests, 'tags')).toEqual([{ key: 't', value: '2' }, { key: 'u', value: 'x' }]);
  });

  it('truncates over-long param (6000) and tag (8000) values with a marker, or refuses them', () => {
    const long = 'a'.repeat(7000);
    const plan = planLogBatch(RUN, { params: { p: long }, tags: { t: 'b'.repeat(9000), short: 'ok' } }, { timestamp: TS });
    const p = flat(plan.requests, 'params')[0].value;
    const t = flat(plan.requests, 'tags')[0].value;
    expect(p.length).toBe(6000);
    expect(t.length).toBe(8000);
    expect(p).toMatch(/…\[truncated 7000 chars sha256:[0-9a-f]{12}\]$/);
    expect(plan.truncated).toEqual([
      { kind: 'param', key: 'p', originalLength: 7000 },
      { kind: 'tag', key: 't', originalLength: 9000 },
    ]);
    expect(() => planLogBatch(RUN, { params: { p: long } }, { overlong: 'error' })).toThrow(/"p".*7000 characters/);
  });

  it('truncation is deterministic, distinct for distinct values, and counts code points', () => {
    const a = 'x'.repeat(6500) + 'A';
    const b = 'x'.repeat(6500) + 'B';
    expect(truncateWithMarker(a, 6000)).toBe(truncateWithMarker(a, 6000));
    expect(truncateWithMarker(a, 6000)).not.toBe(truncateWithMarker(b, 6000));
    const emoji = '😀'.repeat(7000); // 14000 UTF-16 units, 7000 code points
    const cut = truncateWithMarker(emoji, 6000);
    expect(Array.from(cut).length).toBe(6000);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no broken surrogate pair
    expect(truncateWithMarker('😀'.repeat(6000), 6000)).toBe('😀'.repeat(6000));
  });
});

describe('planLogBatch keys', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /non-empty/],
    ['a:b', /ASCII letters/],
    ['λ', /ASCII letters/],
    ['a"b', /ASCII letters/],
    ['x'.repeat(251), /251 characters/],
    ['a//b', /normalised/],
    ['a/', /normalised/],
    ['/a', /normalised/],
    ['./a', /normalised/],
    ['a/../b', /normalised/],
    ['..', /normalised/],
    ['..a', /normalised/],
    ['.', /normalised/],
  ];
  for (const [key, why] of bad) {
    it(`refuses ${JSON.stringify(key.length > 20 ? key.slice(0, 10) + '…' : key)} for metrics, params and tags, naming it`, () => {
      for (const input of [{ metrics: [{ key, value: 1 }] }, { params: { [key]: 'v' } }, { tags: [{ key, value: 'v' }] }]) {
        let err: unknown;
        try {
          planLogBatch(RUN, input);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(InvalidKeyError);
        expect((err as InvalidKeyError).key).toBe(key);
        expect((err as Error).message).toMatch(why);
      }
    });
  }

  it('accepts the portable character set and 250-character keys', () => {
    const keys = ['eval.fgsm.ndcg5', 'a/b/c', 'with space', 'dash-ed_under', 'x'.repeat(250), 'a.', 'a..b', '.a'];
    const plan = planLogBatch(RUN, { metrics: keys.map((key) => ({ key, value: 1 })) }, { timestamp: TS });
    expect(flat(plan.requests, 'metrics').map((m) => m.key)).toEqual(keys);
  });

  it('exposes MLflow 3 limits', () => {
    expect(MLFLOW_LIMITS).toMatchObject({ maxMetrics: 1000, maxParams: 100, maxTags: 100, maxEntities: 1000, maxBodyBytes: 1_000_000, maxKeyLength: 250, maxParamValueLength: 6000, maxTagValueLength: 8000 });
  });
});
