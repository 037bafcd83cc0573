/**
 * Split one logical log-batch into `runs/log-batch` requests that MLflow accepts. Pure.
 *
 * Limits (mlflow/utils/validation.py, MLflow 3): per request ≤ 1000 metrics, ≤ 100 params,
 * ≤ 100 tags, ≤ 1000 entities in total, serialised JSON body ≤ 1,000,000 bytes (measured here
 * on the exact UTF-8 body we send — MLflow 3.17 does not check this itself, proxies and other
 * servers do); keys per tracking/keys.ts; param value ≤ 6000 and tag value ≤ 8000 characters.
 *
 * Decisions (documented choices):
 *  - Non-finite metric values (NaN, ±Infinity) never go on the wire: JSON cannot carry them
 *    (`JSON.stringify(NaN)` is `null`). Default `nonFinite: 'skip-and-tag'` drops the point and
 *    sets the tag `rexsweep.nonfinite.<metric key>` = `NaN@3,Infinity@7` (value@step, in order);
 *    `'skip'` drops silently, `'error'` throws InvalidValueError.
 *  - Over-long param and tag values: default `overlong: 'truncate'` keeps the head and appends
 *    `…[truncated N chars sha256:<12 hex>]` so the result fits exactly and distinct values stay
 *    distinct (params are write-once: the same input always truncates to the same value).
 *    `'error'` throws InvalidValueError. (MLflow 3 itself truncates silently, without a marker.)
 *  - Invalid keys always throw InvalidKeyError naming the key (use sanitizeKey first if needed).
 *  - Params: exact duplicates (same key and value) are sent once; the same key with two values
 *    throws InvalidValueError (MLflow rejects the batch; params are write-once).
 *  - Tags: a key given twice keeps its last value (MLflow's rule within a request), sent once.
 *  - Order inside each kind is kept across the requests; requests must be sent in order.
 *  - Metric `timestamp` defaults to `opts.timestamp` (one value per plan). Identical
 *    (key, value, timestamp, step) points are de-duplicated by MLflow's SQL store, so resending
 *    the same plan after a partial failure does not duplicate points.
 */
import { createHash } from 'node:crypto';
import { InvalidValueError, TrackingError } from './errors.ts';
import { MAX_KEY_LENGTH, sanitizeKey, validateKey } from './keys.ts';

export interface BatchLimits {
  maxMetrics: number;
  maxParams: number;
  maxTags: number;
  maxEntities: number;
  /** Upper bound for the UTF-8 JSON body, in bytes (inclusive). */
  maxBodyBytes: number;
  maxKeyLength: number;
  maxParamValueLength: number;
  maxTagValueLength: number;
}

export const MLFLOW_LIMITS: Readonly<BatchLimits> = Object.freeze({
  maxMetrics: 1000,
  maxParams: 100,
  maxTags: 100,
  maxEntities: 1000,
  maxBodyBytes: 1_000_000,
  maxKeyLength: MAX_KEY_LENGTH,
  maxParamValueLength: 6000,
  maxTagValueLength: 8000,
});

export interface MetricInput {
  key: string;
  value: number;
  /** Integer; default 0. */
  step?: number;
  /** Unix ms; default the plan's timestamp. */
  timestamp?: number;
}

export type KeyValues = Record<string, string> | ReadonlyArray<{ key: string; value: string }>;

export interface LogBatchInput {
  metrics?: ReadonlyArray<MetricInput>;
  params?: KeyValues;
  tags?: KeyValues;
}

export interface WireMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
export interface WireKeyValue {
  key: string;
  value: string;
}
export interface LogBatchRequest {
  run_id: string;
  metrics: WireMetric[];
  params: WireKeyValue[];
  tags: WireKeyValue[];
}

export interface SkippedMetric {
  key: string;
  step: number;
  /** 'NaN', 'Infinity' or '-Infinity'. */
  value: string;
}

export interface TruncatedValue {
  kind: 'param' | 'tag';
  key: string;
  originalLength: number;
}

export interface BatchPlan {
  requests: LogBatchRequest[];
  /** Non-finite metric points left out. */
  skipped: SkippedMetric[];
  truncated: TruncatedValue[];
  /** Exact duplicate params dropped. */
  duplicateParams: number;
}

export interface SplitOptions {
  limits?: Partial<BatchLimits>;
  nonFinite?: 'skip-and-tag' | 'skip' | 'error';
  overlong?: 'truncate' | 'error';
  /** Timestamp (Unix ms) for metrics without one. Default: Date.now() once per plan. */
  timestamp?: number;
}

export const NONFINITE_TAG_PREFIX = 'rexsweep.nonfinite.';

/** Plan the requests for one logical batch. Throws before anything is sent. */
export function planLogBatch(runId: string, input: LogBatchInput, opts: SplitOptions = {}): BatchPlan {
  const limits: BatchLimits = { ...MLFLOW_LIMITS, ...(opts.limits ?? {}) };
  const nonFinite = opts.nonFinite ?? 'skip-and-tag';
  const overlong = opts.overlong ?? 'truncate';
  const defaultTs = opts.timestamp ?? Date.now();
  if (!Number.isSafeInteger(defaultTs) || defaultTs < 0) {
    throw new TrackingError(`log-batch timestamp must be a non-negative integer (ms), got ${defaultTs}`);
  }

  // ---- metrics ----
  const metrics: WireMetric[] = [];
  const skipped: SkippedMetric[] = [];
  for (const m of input.metrics ?? []) {
    validateKey('metric', m.key, limits.maxKeyLength);
    const step = m.step ?? 0;
    if (!Number.isSafeInteger(step)) throw new InvalidValueError('metric', m.key, `step must be an integer, got ${step}`);
    const timestamp = m.timestamp ?? defaultTs;
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw new InvalidValueError('metric', m.key, `timestamp must be a non-negative integer (ms), got ${timestamp}`);
    }
    if (typeof m.value !== 'number') throw new InvalidValueError('metric', m.key, `value must be a number, got ${typeof m.value}`);
    if (!Number.isFinite(m.value)) {
      if (nonFinite === 'error') throw new InvalidValueError('metric', m.key, `value ${m.value} at step ${step} is not finite`);
      skipped.push({ key: m.key, step, value: String(m.value) });
      continue;
    }
    metrics.push({ key: m.key, value: m.value, timestamp, step });
  }

  // ---- params: validate, dedupe, refuse conflicts ----
  const truncated: TruncatedValue[] = [];
  const paramValues = new Map<string, string>();
  let duplicateParams = 0;
  const params: WireKeyValue[] = [];
  for (const { key, value } of entries(input.params)) {
    validateKey('param', key, limits.maxKeyLength);
    const v = stringValue('param', key, value);
    const prior = paramValues.get(key);
    if (prior !== undefined) {
      if (prior !== v) throw new InvalidValueError('param', key, 'given twice with different values (params are write-once)');
      duplicateParams++;
      continue;
    }
    paramValues.set(key, v);
    params.push({ key, value: fitValue('param', key, v, limits.maxParamValueLength, overlong, truncated) });
  }

  // ---- tags: validate, last value wins ----
  const tagValues = new Map<string, string>();
  for (const { key, value } of entries(input.tags)) {
    validateKey('tag', key, limits.maxKeyLength);
    tagValues.set(key, stringValue('tag', key, value));
  }
  if (nonFinite === 'skip-and-tag' && skipped.length > 0) {
    const byKey = new Map<string, string[]>();
    for (const s of skipped) {
      const list = byKey.get(s.key) ?? [];
      list.push(`${s.value}@${s.step}`);
      byKey.set(s.key, list);
    }
    for (const [key, list] of byKey) tagValues.set(nonFiniteTagKey(key, limits.maxKeyLength), list.join(','));
  }
  const tags: WireKeyValue[] = [];
  for (const [key, v] of tagValues) tags.push({ key, value: fitValue('tag', key, v, limits.maxTagValueLength, overlong, truncated) });

  return { requests: pack(runId, metrics, params, tags, limits), skipped, truncated, duplicateParams };
}

/** The tag that records a metric's non-finite points. */
export function nonFiniteTagKey(metricKey: string, maxKeyLength = MAX_KEY_LENGTH): string {
  const key = NONFINITE_TAG_PREFIX + metricKey;
  return key.length <= maxKeyLength ? key : sanitizeKey(key, maxKeyLength);
}

/** Serialised size of a request in bytes, exactly as the client sends it. */
export function requestBytes(req: LogBatchRequest): number {
  return Buffer.byteLength(JSON.stringify(req), 'utf8');
}

/**
 * Keep `value` within `limit` characters. Characters are counted as Unicode code points, like
 * Python's `len` on the server. The marker carries the original length and a hash.
 */
export function truncateWithMarker(value: string, limit: number): string {
  const points = Array.from(value);
  if (points.length <= limit) return value;
  const hash = createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 12);
  const marker = `…[truncated ${points.length} chars sha256:${hash}]`;
  const keep = Math.max(0, limit - Array.from(marker).length);
  return points.slice(0, keep).join('') + marker;
}

function fitValue(
  kind: 'param' | 'tag',
  key: string,
  value: string,
  limit: number,
  overlong: 'truncate' | 'error',
  truncated: TruncatedValue[],
): string {
  const length = codePoints(value);
  if (length <= limit) return value;
  if (overlong === 'error') throw new InvalidValueError(kind, key, `value is ${length} characters long; at most ${limit} allowed`);
  truncated.push({ kind, key, originalLength: length });
  return truncateWithMarker(value, limit);
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function stringValue(kind: 'param' | 'tag', key: string, value: unknown): string {
  if (typeof value !== 'string') throw new InvalidValueError(kind, key, `value must be a string, got ${typeof value}`);
  return value;
}

function entries(kv: KeyValues | undefined): Array<{ key: string; value: string }> {
  if (kv === undefined) return [];
  if (Array.isArray(kv)) return kv as Array<{ key: string; value: string }>;
  return Object.entries(kv as Record<string, string>).map(([key, value]) => ({ key, value }));
}

const jsonBytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8');

/**
 * Greedy packing. Each request takes params first (≤ maxParams), then tags (≤ maxTags), then
 * fills up with metrics to maxEntities / maxMetrics; every addition is checked against the body
 * budget, computed exactly: base object + each entity's JSON + one comma per extra element.
 */
function pack(runId: string, metrics: WireMetric[], params: WireKeyValue[], tags: WireKeyValue[], limits: BatchLimits): LogBatchRequest[] {
  const requests: LogBatchRequest[] = [];
  const base = jsonBytes({ run_id: runId, metrics: [], params: [], tags: [] });
  let mi = 0;
  let pi = 0;
  let ti = 0;
  while (mi < metrics.length || pi < params.length || ti < tags.length) {
    const req: LogBatchRequest = { run_id: runId, metrics: [], params: [], tags: [] };
    let bytes = base;
    let entities = 0;
    const fits = (size: number, arrayLength: number): boolean =>
      entities < limits.maxEntities && bytes + size + (arrayLength > 0 ? 1 : 0) <= limits.maxBodyBytes;
    const add = (size: number, arrayLength: number): void => {
      bytes += size + (arrayLength > 0 ? 1 : 0);
      entities++;
    };
    while (pi < params.length && req.params.length < limits.maxParams) {
      const size = jsonBytes(params[pi]);
      if (!fits(size, req.params.length)) break;
      add(size, req.params.length);
      req.params.push(params[pi++]);
    }
    while (ti < tags.length && req.tags.length < limits.maxTags) {
      const size = jsonBytes(tags[ti]);
      if (!fits(size, req.tags.length)) break;
      add(size, req.tags.length);
      req.tags.push(tags[ti++]);
    }
    while (mi < metrics.length && req.metrics.length < limits.maxMetrics) {
      const size = jsonBytes(metrics[mi]);
      if (!fits(size, req.metrics.length)) break;
      add(size, req.metrics.length);
      req.metrics.push(metrics[mi++]);
    }
    if (entities === 0) {
      const next = pi < params.length ? params[pi] : ti < tags.length ? tags[ti] : metrics[mi];
      throw new TrackingError(
        `log-batch entity ${JSON.stringify(next.key)} does not fit in a request body of ${limits.maxBodyBytes} bytes`,
      );
    }
    requests.push(req);
  }
  return requests;
}
