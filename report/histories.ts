/**
 * Metric histories of many runs. MLflow's public REST API reads one (run, key) history per
 * request: ~35 requests a cell, minutes for a thousand cells. The server also answers
 * `ajax-api/2.0/mlflow/metrics/get-history-bulk`: one key for up to 100 runs per request (fewer
 * where their ids would make the request line too long for gunicorn: BULK_QUERY_BYTES), every
 * point, at most 25,000 in all (a curve has one step per ε_A, so a chunk of 100 runs is far below
 * it; a chunk that reaches the cap is read again the public way). That endpoint is not in the
 * documented API, so a server without it (404, or an unreadable answer) is read the public way
 * instead, with the same result.
 */
import { MlflowApiError, MlflowResponseError, type Tracker, type Metric } from '../tracking/index.ts';

/** The server's limits (mlflow/server/handlers.py get_metric_history_bulk_handler). */
const BULK_RUNS = 100;
const BULK_RESULTS = 25_000;
/**
 * The request is a GET with every run id in its query string, and the request line must fit the
 * smallest limit an MLflow server may sit behind: gunicorn's 4,094 bytes (MLflow 2's server, and
 * MLflow 3's with --gunicorn-opts), where 100 run ids alone take ~4,000 and the server answers 400.
 * The query is kept to 3,000 bytes, path and method aside.
 */
export const BULK_QUERY_BYTES = 3000;


/** runId → key → history. */
export type Histories = Map<string, Map<string, Metric[]>>;

export interface HistoryOptions {
  concurrency?: number;
  /** Force the public per-run endpoint (tests compare both). */
  publicOnly?: boolean;
  /** Runs per bulk request (default and most: the server's 100). */
  bulkRuns?: number;
  /** Points per bulk request before a chunk counts as cut (default and most: the server's 25,000). */
  bulkResults?: number;
  /** Called after every request (an activity heartbeats with it). */
  onProgress?: (requestsDone: number, requests: number) => void;
}

/** `wanted` maps run id → the metric keys to read; every run id is in the answer. */
export async function readHistories(mlflow: Tracker, wanted: ReadonlyMap<string, ReadonlyArray<string>>, opts: HistoryOptions = {}): Promise<Histories> {
  if (!opts.publicOnly) {
    const limits = { runs: Math.min(BULK_RUNS, opts.bulkRuns ?? BULK_RUNS), results: Math.min(BULK_RESULTS, opts.bulkResults ?? BULK_RESULTS) };
    const bulk = await readBulk(mlflow, wanted, opts.concurrency ?? 4, limits, opts.onProgress);
    if (bulk) return bulk;
  }
  return readPublic(mlflow, wanted, opts.concurrency ?? 8, opts.onProgress);
}

function put(out: Histories, runId: string, key: string, points: Metric[]): void {
  let byKey = out.get(runId);
  if (!byKey) out.set(runId, (byKey = new Map()));
  byKey.set(key, [...(byKey.get(key) ?? []), ...points]);
}

type Progress = HistoryOptions['onProgress'];

async function readPublic(mlflow: Tracker, wanted: ReadonlyMap<string, ReadonlyArray<string>>, concurrency: number, onProgress: Progress): Promise<Histories> {
  const out: Histories = new Map();
  const jobs = [...wanted].flatMap(([runId, keys]) => keys.map((key) => ({ runId, key })));
  let done = 0;
  await mapLimit(jobs, concurrency, async ({ runId, key }) => {
    put(out, runId, key, await mlflow.getMetricHistory(runId, key));
    onProgress?.(++done, jobs.length);
  });
  for (const [runId] of wanted) if (!out.has(runId)) out.set(runId, new Map());
  return out;
}

/** null when the server has no bulk endpoint. */
async function readBulk(
  mlflow: Tracker,
  wanted: ReadonlyMap<string, ReadonlyArray<string>>,
  concurrency: number,
  limits: { runs: number; results: number },
  onProgress: Progress,
): Promise<Histories | null> {
  const runsOfKey = new Map<string, string[]>();
  for (const [runId, keys] of wanted) for (const key of keys) runsOfKey.set(key, [...(runsOfKey.get(key) ?? []), runId]);
  const jobs = [...runsOfKey].flatMap(([key, runIds]) => bulkChunks(runIds, key, limits.runs).map((ids) => ({ key, ids })));
  const out: Histories = new Map();
  for (const [runId] of wanted) out.set(runId, new Map());
  let done = 0;
  try {
    await mapLimit(jobs, concurrency, async ({ key, ids }) => {
      const points = await mlflow.getMetricHistoryBulk(ids, key, limits.results);
      if (points.length >= limits.results) {
        // Cut at the cap: this chunk, one run at a time.
        for (const runId of ids) put(out, runId, key, await mlflow.getMetricHistory(runId, key));
      } else {
        for (const { runId, ...m } of points) put(out, runId, key, [m]);
      }
      onProgress?.(++done, jobs.length);
    });
  } catch (err) {
    if ((err instanceof MlflowApiError && (err.status === 404 || err.status === 405)) || err instanceof MlflowResponseError) return null;
    throw err;
  }
  return out;
}

/** Run ids in chunks of at most `maxRuns` whose bulk query (ids, key, cap) fits `maxQueryBytes`. */
export function bulkChunks(runIds: ReadonlyArray<string>, key: string, maxRuns: number, maxQueryBytes = BULK_QUERY_BYTES): string[][] {
  const fixed = `metric_key=${encodeURIComponent(key)}&max_results=${BULK_RESULTS}`.length;
  const out: string[][] = [];
  let chunk: string[] = [];
  let bytes = fixed;
  for (const id of runIds) {
    const size = `run_id=${encodeURIComponent(id)}&`.length;
    if (chunk.length > 0 && (chunk.length >= maxRuns || bytes + size > maxQueryBytes)) {
      out.push(chunk);
      chunk = [];
      bytes = fixed;
    }
    chunk.push(id);
    bytes += size;
  }
  if (chunk.length > 0) out.push(chunk);
  return out;
}

/** Run `fn` over `items`, at most `limit` at once. */
export async function mapLimit<T, R>(items: ReadonlyArray<T>, limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
