/**
 * A typed MLflow REST client (API 2.0, MLflow 3 servers) over axios.
 *
 *   const client = new MlflowClient({ trackingUri: process.env.MLFLOW_TRACKING_URI!, auth: authFromEnv() });
 *
 * Every call retries 429, 5xx and connection failures with full-jitter exponential backoff,
 * bounded by attempts and a deadline (tracking/retry.ts; `retry` option). Errors are typed
 * (tracking/errors.ts). Idempotency: experiments get-or-create, run updates, tags, params and
 * artifacts are idempotent; log-batch is made idempotent by fixed timestamps (tracking/batch.ts);
 * run creation is made idempotent by a creation token (see `createRun`).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { artifactProxyPath } from './artifacts.ts';
import type { MlflowAuth } from './auth.ts';
import { planLogBatch, type BatchPlan, type LogBatchInput, type SplitOptions } from './batch.ts';
import { MlflowApiError, MlflowUnavailableError, TrackingConfigError } from './errors.ts';
import { MlflowTransport, type RetryEvent } from './http.ts';
import { validateKey } from './keys.ts';
import { resolveRetryPolicy, withRetry, type RetryPolicy } from './retry.ts';
import {
  BulkMetricHistoryResponse,
  CreateExperimentResponse,
  ExperimentsPageResponse,
  EmptyResponse,
  GetExperimentResponse,
  ListArtifactsResponse,
  MetricHistoryResponse,
  RunResponse,
  SearchRunsResponse,
  UpdateRunResponse,
  type Experiment,
  type FileInfo,
  type Metric,
  type Run,
  type RunInfo,
  type RunStatus,
  type ViewType,
} from './types.ts';

const API = '/api/2.0/mlflow';

/** Tag carrying the client-made token that lets a retried runs/create find its first try. */
export const CREATE_TOKEN_TAG = 'rexsweep.create_token';

export interface MlflowClientOptions {
  /** `http(s)://host:port[/prefix]` — callers pass MLFLOW_TRACKING_URI. */
  trackingUri: string;
  /** Credentials, explicitly (see `authFromEnv`). Never logged. */
  auth?: MlflowAuth;
  retry?: Partial<RetryPolicy>;
  onRetry?: (event: RetryEvent) => void;
}

export interface CreateRunRequest {
  experimentId: string;
  runName?: string;
  /** Unix ms; default now. */
  startTime?: number;
  tags?: Record<string, string>;
}

export interface SearchRunsRequest {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  /** Page size (server default 1000, guaranteed up to 50,000). */
  maxResults?: number;
  pageToken?: string;
  runViewType?: ViewType;
}

export interface SearchRunsPage {
  runs: Run[];
  nextPageToken?: string;
}

export interface GetOrCreateExperimentResult {
  experiment: Experiment;
  created: boolean;
  /** The experiment existed in the `deleted` stage and was restored. */
  restored: boolean;
}

export interface LogBatchReport extends Omit<BatchPlan, 'requests'> {
  requestsSent: number;
}

export type ArtifactData = Buffer | Uint8Array | string;
/** A run id (its artifact root is fetched) or a run/run info already in hand. */
export type RunRef = string | { artifactUri?: string; runId?: string } | { info: RunInfo };

export class MlflowClient {
  readonly transport: MlflowTransport;

  constructor(opts: MlflowClientOptions) {
    if (!opts || typeof opts.trackingUri !== 'string' || opts.trackingUri === '') {
      throw new TrackingConfigError('trackingUri', 'missing (set MLFLOW_TRACKING_URI)');
    }
    this.transport = new MlflowTransport(opts);
  }

  get trackingUri(): string {
    return this.transport.baseUrl;
  }

  // ------------------------------------------------------------------ experiments

  async getExperiment(experimentId: string): Promise<Experiment> {
    const r = await this.transport.json('GET', `${API}/experiments/get`, GetExperimentResponse, { query: { experiment_id: experimentId } });
    return r.experiment;
  }

  /** The experiment of that name (MLflow prefers an active one; a deleted one is returned too), or null. */
  async getExperimentByName(name: string): Promise<Experiment | null> {
    try {
      const r = await this.transport.json('GET', `${API}/experiments/get-by-name`, GetExperimentResponse, { query: { experiment_name: name } });
      return r.experiment;
    } catch (err) {
      if (err instanceof MlflowApiError && err.is('RESOURCE_DOES_NOT_EXIST')) return null;
      throw err;
    }
  }

  /** Create an experiment; returns its id. Throws MlflowApiError RESOURCE_ALREADY_EXISTS if the name is taken. */
  async createExperiment(name: string, opts: { artifactLocation?: string; tags?: Record<string, string> } = {}): Promise<string> {
    const body = {
      name,
      ...(opts.artifactLocation ? { artifact_location: opts.artifactLocation } : {}),
      ...(opts.tags ? { tags: Object.entries(opts.tags).map(([key, value]) => ({ key, value })) } : {}),
    };
    const r = await this.transport.json('POST', `${API}/experiments/create`, CreateExperimentResponse, { body: { kind: 'json', value: body } });
    return r.experiment_id;
  }

  /** Set (or overwrite) one experiment tag; idempotent. */
  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    validateKey('tag', key);
    const body = { experiment_id: experimentId, key, value };
    await this.transport.json('POST', `${API}/experiments/set-experiment-tag`, EmptyResponse, { body: { kind: 'json', value: body } });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.transport.json('POST', `${API}/experiments/delete`, EmptyResponse, { body: { kind: 'json', value: { experiment_id: experimentId } } });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.transport.json('POST', `${API}/experiments/restore`, EmptyResponse, { body: { kind: 'json', value: { experiment_id: experimentId } } });
  }

  /**
   * The active experiment of that name, created or restored if needed. Safe under concurrency:
   * a RESOURCE_ALREADY_EXISTS from a racing create falls back to get-by-name; a restore that
   * loses a race (MLflow answers RESOURCE_DOES_NOT_EXIST for an already active experiment) is
   * accepted once the experiment reads back active.
   */
  async getOrCreateExperiment(name: string, opts: { artifactLocation?: string; tags?: Record<string, string> } = {}): Promise<GetOrCreateExperimentResult> {
    for (let round = 0; round < 3; round++) {
      const existing = await this.getExperimentByName(name);
      if (existing) {
        if (existing.lifecycleStage === 'active') return { experiment: existing, created: false, restored: false };
        return { experiment: await this.restoreIfDeleted(existing), created: false, restored: true };
      }
      try {
        const id = await this.createExperiment(name, opts);
        return { experiment: await this.getExperiment(id), created: true, restored: false };
      } catch (err) {
        if (!(err instanceof MlflowApiError && err.is('RESOURCE_ALREADY_EXISTS'))) throw err;
        // Lost a race (or the name belongs to a deleted experiment): look it up again.
      }
    }
    throw new TrackingConfigError('experiment', `could not get or create experiment ${JSON.stringify(name)} after 3 rounds`);
  }

  private async restoreIfDeleted(exp: Experiment): Promise<Experiment> {
    try {
      await this.restoreExperiment(exp.experimentId);
    } catch (err) {
      if (!(err instanceof MlflowApiError && err.is('RESOURCE_DOES_NOT_EXIST'))) throw err;
    }
    const now = await this.getExperiment(exp.experimentId);
    if (now.lifecycleStage !== 'active') {
      throw new TrackingConfigError('experiment', `experiment ${exp.experimentId} is still ${now.lifecycleStage} after restore`);
    }
    return now;
  }

  // ------------------------------------------------------------------ runs

  /**
   * runs/create, made idempotent: the request carries a fresh `rexsweep.create_token` tag, and
   * before resending after an error that may have reached the server (timeout, reset, 5xx), the
   * client searches for a run with that token and returns it instead of creating a second one.
   */
  async createRun(req: CreateRunRequest, opts: { retry?: Partial<RetryPolicy> } = {}): Promise<Run> {
    const token = randomUUID();
    const tags = { ...(req.tags ?? {}), [CREATE_TOKEN_TAG]: token };
    for (const key of Object.keys(tags)) validateKey('tag', key);
    const body = {
      experiment_id: req.experimentId,
      ...(req.runName !== undefined ? { run_name: req.runName } : {}),
      start_time: req.startTime ?? Date.now(),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    };
    const policy = resolveRetryPolicy({ ...this.transport.retryPolicy, ...(opts.retry ?? {}) });
    const path = `${API}/runs/create`;
    const endpoint = this.transport.endpointLabel('POST', path);
    try {
      return await withRetry(
        policy,
        {
          classify: (err) => this.transport.classify(err),
          onRetry: (info) => this.transport.reportRetry(endpoint, info),
          exhausted: (i) => new MlflowUnavailableError(endpoint, i.attempts, i.elapsedMs, i.lastCause, i.reason),
        },
        async ({ previous, remainingMs }) => {
          const timeoutMs = Math.min(policy.requestTimeoutMs, remainingMs);
          if (previous?.maybeProcessed) {
            const found = await this.transport.once('POST', `${API}/runs/search`, SearchRunsResponse, {
              timeoutMs,
              body: {
                kind: 'json',
                value: { experiment_ids: [req.experimentId], filter: `tags.\`${CREATE_TOKEN_TAG}\` = '${token}'`, max_results: 1 },
              },
            });
            if (found.runs.length > 0) return found.runs[0];
          }
          const r = await this.transport.once('POST', path, RunResponse, { timeoutMs, body: { kind: 'json', value: body } });
          return r.run;
        },
      );
    } catch (err) {
      throw this.transport.finalError('POST', path, err);
    }
  }

  async getRun(runId: string): Promise<Run> {
    const r = await this.transport.json('GET', `${API}/runs/get`, RunResponse, { query: { run_id: runId } });
    return r.run;
  }

  async updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    const body = {
      run_id: runId,
      ...(update.status ? { status: update.status } : {}),
      ...(update.endTime !== undefined ? { end_time: update.endTime } : {}),
      ...(update.runName !== undefined ? { run_name: update.runName } : {}),
    };
    const r = await this.transport.json('POST', `${API}/runs/update`, UpdateRunResponse, { body: { kind: 'json', value: body } });
    return r.run_info;
  }

  /** Soft-delete a run (lifecycle_stage `deleted`; ACTIVE_ONLY searches stop seeing it). */
  async deleteRun(runId: string): Promise<void> {
    await this.transport.json('POST', `${API}/runs/delete`, EmptyResponse, { body: { kind: 'json', value: { run_id: runId } } });
  }

  /** One page of runs/search. */
  async searchRuns(req: SearchRunsRequest): Promise<SearchRunsPage> {
    const body = {
      experiment_ids: req.experimentIds,
      ...(req.filter ? { filter: req.filter } : {}),
      ...(req.orderBy ? { order_by: req.orderBy } : {}),
      ...(req.maxResults !== undefined ? { max_results: req.maxResults } : {}),
      ...(req.pageToken ? { page_token: req.pageToken } : {}),
      ...(req.runViewType ? { run_view_type: req.runViewType } : {}),
    };
    const r = await this.transport.json('POST', `${API}/runs/search`, SearchRunsResponse, { body: { kind: 'json', value: body } });
    return { runs: r.runs, nextPageToken: r.next_page_token || undefined };
  }

  /** Every run matching `req`, page after page (`maxResults` is the page size). */
  async *iterateRuns(req: Omit<SearchRunsRequest, 'pageToken'>): AsyncGenerator<Run, void, undefined> {
    let pageToken: string | undefined;
    do {
      const page = await this.searchRuns({ ...req, pageToken });
      yield* page.runs;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** Collect `iterateRuns` into an array. */
  async searchAllRuns(req: Omit<SearchRunsRequest, 'pageToken'>): Promise<Run[]> {
    const out: Run[] = [];
    for await (const run of this.iterateRuns(req)) out.push(run);
    return out;
  }

  /**
   * Log metrics, params and tags, split into as many runs/log-batch requests as MLflow's limits
   * need (tracking/batch.ts for the rules and the NaN / over-long value choices), sent in order.
   * Invalid input throws before anything is sent. If a later request fails, earlier ones are
   * written; calling again with the same input and `timestamp` is safe (see batch.ts).
   */
  async logBatch(runId: string, input: LogBatchInput, opts: SplitOptions = {}): Promise<LogBatchReport> {
    const plan = planLogBatch(runId, input, opts);
    for (const request of plan.requests) {
      await this.transport.json('POST', `${API}/runs/log-batch`, EmptyResponse, { body: { kind: 'json', value: request } });
    }
    return { requestsSent: plan.requests.length, skipped: plan.skipped, truncated: plan.truncated, duplicateParams: plan.duplicateParams };
  }

  /** Set one tag (value truncated with a marker past 8000 characters, like logBatch). */
  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.logBatch(runId, { tags: [{ key, value }] });
  }

  /** Delete a tag. `missingOk` (default true) accepts a tag that is already gone (a retried delete). */
  async deleteTag(runId: string, key: string, opts: { missingOk?: boolean } = {}): Promise<void> {
    validateKey('tag', key);
    try {
      await this.transport.json('POST', `${API}/runs/delete-tag`, EmptyResponse, { body: { kind: 'json', value: { run_id: runId, key } } });
    } catch (err) {
      if ((opts.missingOk ?? true) && err instanceof MlflowApiError && err.is('RESOURCE_DOES_NOT_EXIST') && /no tag/i.test(err.serverMessage)) return;
      throw err;
    }
  }

  /** Every recorded point of one metric, in server order. */
  async getMetricHistory(runId: string, metricKey: string): Promise<Metric[]> {
    const out: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.transport.json('GET', `${API}/metrics/get-history`, MetricHistoryResponse, {
        query: { run_id: runId, metric_key: metricKey, page_token: pageToken },
      });
      out.push(...r.metrics);
      pageToken = r.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  /**
   * One key's points for up to 100 runs in one request: `ajax-api/…/metrics/get-history-bulk`,
   * every logged point (a plain SELECT; the `…-bulk-interval` variant MLflow's charts use samples
   * with window functions and cost a quarter of the server's CPU in a no-op sweep). At most
   * `maxResults` points in all (the server's cap is 25,000): a caller that gets exactly that many
   * must assume more were cut. Not in the documented API: a server without it answers 404 or 405
   * (MlflowApiError), and callers read the public way (getMetricHistory) instead.
   */
  async getMetricHistoryBulk(runIds: readonly string[], metricKey: string, maxResults: number): Promise<Array<Metric & { runId: string }>> {
    const r = await this.transport.json('GET', '/ajax-api/2.0/mlflow/metrics/get-history-bulk', BulkMetricHistoryResponse, {
      query: { run_id: [...runIds], metric_key: metricKey, max_results: maxResults },
    });
    return r.metrics.map((m) => ({ runId: m.run_id, key: m.key, value: m.value, timestamp: m.timestamp, step: m.step ?? 0 }));
  }

  /** Every active experiment, id and name (all pages of experiments/search). */
  async listExperiments(): Promise<Array<{ experimentId: string; name: string }>> {
    const out: Array<{ experimentId: string; name: string }> = [];
    let pageToken: string | undefined;
    do {
      const page = await this.transport.json('POST', `${API}/experiments/search`, ExperimentsPageResponse, {
        body: { kind: 'json', value: { max_results: 1000, view_type: 'ACTIVE_ONLY', ...(pageToken ? { page_token: pageToken } : {}) } },
      });
      out.push(...page.experiments.map((e) => ({ experimentId: e.experiment_id, name: e.name })));
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  // ------------------------------------------------------------------ artifacts

  /** Upload bytes to `<run artifact root>/<artifactPath>` through the server's artifact proxy (overwrites). */
  async uploadArtifact(run: RunRef, artifactPath: string, data: ArtifactData, contentType?: string): Promise<void> {
    const path = artifactProxyPath(await this.artifactUri(run), this.transport.baseUrl, artifactPath);
    await this.transport.json('PUT', path, EmptyResponse, { body: { kind: 'bytes', value: data, contentType } });
  }

  /** Upload a local file, streamed (re-read on each retry). */
  async uploadArtifactFile(run: RunRef, artifactPath: string, localPath: string, contentType?: string): Promise<void> {
    const path = artifactProxyPath(await this.artifactUri(run), this.transport.baseUrl, artifactPath);
    const { size } = await stat(localPath);
    await this.transport.json('PUT', path, EmptyResponse, {
      body: { kind: 'stream', open: () => createReadStream(localPath), length: size, contentType },
    });
  }

  async downloadArtifact(run: RunRef, artifactPath: string): Promise<Buffer> {
    const path = artifactProxyPath(await this.artifactUri(run), this.transport.baseUrl, artifactPath);
    return this.transport.bytes('GET', path);
  }

  /** Download to `localPath` atomically (a temporary file renamed into place). */
  async downloadArtifactToFile(run: RunRef, artifactPath: string, localPath: string): Promise<void> {
    const path = artifactProxyPath(await this.artifactUri(run), this.transport.baseUrl, artifactPath);
    const tmp = `${localPath}.part-${process.pid}-${randomUUID().slice(0, 8)}`;
    // A failure mid-body is retried as a whole download.
    await withRetry(
      this.transport.retryPolicy,
      {
        classify: (err) => ({ retryable: isStreamFailure(err), cause: String((err as Error)?.message ?? err) }),
        onRetry: (info) => this.transport.reportRetry(this.transport.endpointLabel('GET', path), info),
        exhausted: (i) => new MlflowUnavailableError(this.transport.endpointLabel('GET', path), i.attempts, i.elapsedMs, i.lastCause, i.reason),
      },
      async () => {
        const body = await this.transport.stream('GET', path);
        try {
          await pipeline(body, createWriteStream(tmp));
        } catch (err) {
          await rm(tmp, { force: true });
          throw new StreamFailure(String((err as Error)?.message ?? err));
        }
      },
    );
    await rename(tmp, localPath);
  }

  /** Files and folders directly under `path` (relative to the run's artifact root; default the root). */
  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.transport.json('GET', `${API}/artifacts/list`, ListArtifactsResponse, {
        query: { run_id: runId, path, page_token: pageToken },
      });
      out.push(...r.files);
      pageToken = r.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  private async artifactUri(run: RunRef): Promise<string> {
    if (typeof run === 'string') {
      const got = await this.getRun(run);
      if (!got.info.artifactUri) throw new TrackingConfigError('run', `run ${run} has no artifact_uri`);
      return got.info.artifactUri;
    }
    if ('info' in run) {
      if (run.info.artifactUri) return run.info.artifactUri;
      return this.artifactUri(run.info.runId);
    }
    if (run.artifactUri) return run.artifactUri;
    if (run.runId) return this.artifactUri(run.runId);
    throw new TrackingConfigError('run', 'need a run id or an artifact URI');
  }

  /** Never print the transport's internals (it holds the credentials in a closure anyway). */
  toJSON(): { trackingUri: string } {
    return { trackingUri: this.trackingUri };
  }
}

class StreamFailure extends Error {}
const isStreamFailure = (err: unknown): boolean => err instanceof StreamFailure;
