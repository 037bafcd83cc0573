/**
 * The HTTP transport under the MLflow client: one axios instance, retries (tracking/retry.ts),
 * MLflow error bodies turned into typed errors, zod-checked JSON responses.
 *
 * Retried: HTTP 429 and 5xx except 501, and the network errors in RETRYABLE_NETWORK_CODES.
 * Everything else fails at once. No error thrown from here carries the axios error, its config
 * or its headers (the Authorization header lives there).
 */
import { normaliseMissingArtifact } from './missing-artifact.ts';
import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { authHeader, type AuthHeader, type MlflowAuth } from './auth.ts';
import { MlflowApiError, MlflowResponseError, MlflowUnavailableError, TrackingConfigError, clip } from './errors.ts';
import { resolveRetryPolicy, withRetry, type AttemptFailure, type RetryPolicy } from './retry.ts';

/** Node error codes that mean "try again": the server is down, restarting or slow. */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Codes after which the server certainly did not process the request (safe to resend anything). */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);

export interface RetryEvent {
  /** `METHOD /path` (no query string). */
  endpoint: string;
  /** The attempt about to be made (2 = first retry). */
  nextAttempt: number;
  delayMs: number;
  cause: string;
}

export interface TransportOptions {
  /** `http(s)://host[:port][/prefix]`, e.g. the value of MLFLOW_TRACKING_URI. */
  trackingUri: string;
  auth?: MlflowAuth;
  retry?: Partial<RetryPolicy>;
  /** Observe retries (for logs and tests). Receives no request data. */
  onRetry?: (event: RetryEvent) => void;
}

export type Query = Record<string, string | number | boolean | undefined | ReadonlyArray<string>>;

export type RequestBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'bytes'; value: Buffer | Uint8Array | string; contentType?: string }
  /** `open` is called once per attempt, so a retry re-reads the source. */
  | { kind: 'stream'; open: () => Readable; length?: number; contentType?: string };

export interface CallOptions {
  query?: Query;
  body?: RequestBody;
  /** Override the client's retry policy for this call (`{ maxAttempts: 1 }` disables retries). */
  retry?: Partial<RetryPolicy>;
}

/** Internal: one failed attempt, classified. Never escapes this module. */
class AttemptError extends Error {
  constructor(
    readonly failure: AttemptFailure & { maybeProcessed: boolean },
    readonly api?: { status: number; errorCode: string; message: string },
    readonly networkCode?: string,
  ) {
    super(failure.cause);
  }
}

export class MlflowTransport {
  /** Origin + path prefix, no trailing slash, e.g. `http://127.0.0.1:5000` or `https://h/mlflow`. */
  readonly baseUrl: string;
  readonly retryPolicy: RetryPolicy;
  readonly #auth: AuthHeader;
  readonly #axios: AxiosInstance;
  readonly #onRetry?: (event: RetryEvent) => void;

  constructor(opts: TransportOptions) {
    this.baseUrl = normaliseTrackingUri(opts.trackingUri);
    this.retryPolicy = resolveRetryPolicy(opts.retry);
    this.#auth = authHeader(opts.auth);
    this.#onRetry = opts.onRetry;
    this.#axios = axios.create({
      maxRedirects: 0,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
      transformResponse: [(data: unknown) => data],
    });
  }

  /** JSON request; the response is checked against `schema`. */
  async json<S extends z.ZodType>(method: Method, path: string, schema: S, opts: CallOptions = {}): Promise<z.output<S>> {
    const res = await this.request(method, path, 'text', opts);
    return this.parse(method, path, schema, res.data as string);
  }

  /** A binary response body (downloads), whole in memory. */
  async bytes(method: Method, path: string, opts: CallOptions = {}): Promise<Buffer> {
    const res = await this.request(method, path, 'arraybuffer', opts);
    return Buffer.from(res.data as ArrayBuffer);
  }

  /** A streamed response body (downloads). The caller must consume or destroy it. */
  async stream(method: Method, path: string, opts: CallOptions = {}): Promise<Readable> {
    const res = await this.request(method, path, 'stream', opts);
    return res.data as Readable;
  }

  /**
   * One attempt, no retry: for callers that run their own loop (idempotent run creation).
   * Throws what `classify` understands.
   */
  async once<S extends z.ZodType>(method: Method, path: string, schema: S, opts: CallOptions & { timeoutMs: number }): Promise<z.output<S>> {
    const res = await this.attempt(method, path, 'text', opts, opts.timeoutMs);
    return this.parse(method, path, schema, res.data as string);
  }

  /** Classify an error thrown by `once` (for callers' own retry loops). */
  classify(err: unknown): (AttemptFailure & { maybeProcessed: boolean }) {
    if (err instanceof AttemptError) return err.failure;
    return { retryable: false, cause: String(err), maybeProcessed: true };
  }

  /** Turn a final error of a caller's own loop into the public typed error. */
  finalError(method: Method, path: string, err: unknown): Error {
    if (err instanceof AttemptError) {
      const endpoint = `${method.toUpperCase()} ${path}`;
      if (err.api) return new MlflowApiError(endpoint, err.api.status, err.api.errorCode, err.api.message);
      return new MlflowUnavailableError(endpoint, 1, 0, err.failure.cause, 'not-retryable');
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  /** Forward a retry of a caller's own loop to the `onRetry` observer. */
  reportRetry(endpoint: string, info: { nextAttempt: number; delayMs: number; cause: string }): void {
    this.#onRetry?.({ endpoint, ...info });
  }

  endpointLabel(method: Method, path: string): string {
    return `${method.toUpperCase()} ${path}`;
  }

  private parse<S extends z.ZodType>(method: Method, path: string, schema: S, text: string): z.output<S> {
    let raw: unknown;
    try {
      raw = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new MlflowResponseError(this.endpointLabel(method, path), `not JSON: ${clip(text, 200)}`);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new MlflowResponseError(this.endpointLabel(method, path), parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    return parsed.data;
  }

  private async request(
    method: Method,
    path: string,
    responseType: 'text' | 'arraybuffer' | 'stream',
    opts: CallOptions,
  ): Promise<AxiosResponse> {
    const policy = opts.retry ? resolveRetryPolicy({ ...this.retryPolicy, ...opts.retry }) : this.retryPolicy;
    const endpoint = this.endpointLabel(method, path);
    try {
      return await withRetry(
        policy,
        {
          classify: (err) => (err instanceof AttemptError ? err.failure : { retryable: false, cause: String(err) }),
          onRetry: (info) => this.#onRetry?.({ endpoint, ...info }),
          exhausted: ({ attempts, elapsedMs, lastCause, reason }) =>
            new MlflowUnavailableError(endpoint, attempts, elapsedMs, lastCause, reason),
        },
        ({ remainingMs }) => this.attempt(method, path, responseType, opts, Math.min(policy.requestTimeoutMs, remainingMs)),
      );
    } catch (err) {
      if (err instanceof AttemptError) {
        // Not retryable: an MLflow error answer, or a network error outside the retry list.
        if (err.api) throw new MlflowApiError(endpoint, err.api.status, err.api.errorCode, err.api.message);
        throw new MlflowUnavailableError(endpoint, 1, 0, err.failure.cause, 'not-retryable');
      }
      throw err;
    }
  }

  private async attempt(
    method: Method,
    path: string,
    responseType: 'text' | 'arraybuffer' | 'stream',
    opts: CallOptions,
    timeoutMs: number,
  ): Promise<AxiosResponse> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const auth = this.#auth();
    if (auth !== undefined) headers.Authorization = auth;
    let data: unknown;
    const body = opts.body;
    if (body?.kind === 'json') {
      headers['Content-Type'] = 'application/json';
      data = JSON.stringify(body.value);
    } else if (body?.kind === 'bytes') {
      headers['Content-Type'] = body.contentType ?? 'application/octet-stream';
      data = body.value;
    } else if (body?.kind === 'stream') {
      headers['Content-Type'] = body.contentType ?? 'application/octet-stream';
      if (body.length !== undefined) headers['Content-Length'] = String(body.length);
      data = body.open();
    }
    let res: AxiosResponse;
    try {
      res = await this.#axios.request({
        method,
        url: this.baseUrl + path + queryString(opts.query),
        headers,
        data,
        responseType,
        timeout: Math.max(1, Math.round(timeoutMs)),
      });
    } catch (err) {
      if (body?.kind === 'stream' && data && typeof (data as Readable).destroy === 'function') (data as Readable).destroy();
      const code = networkCode(err);
      const retryable = code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
      throw new AttemptError(
        { retryable, cause: code ?? 'network error', maybeProcessed: code === undefined || !NOT_SENT_CODES.has(code) },
        undefined,
        code,
      );
    }
    if (res.status >= 200 && res.status < 300) return res;
    const text = await bodyText(res.data);
    const parsed = parseMlflowError(text, res.status);
    const { status, errorCode, message } = normaliseMissingArtifact(path, { status: res.status, ...parsed });
    const retryable = status === 429 || (status >= 500 && status !== 501);
    throw new AttemptError(
      {
        retryable,
        cause: `HTTP ${status} ${errorCode}: ${clip(message, 200)}`,
        retryAfterMs: retryAfterMs(res.headers['retry-after']),
        maybeProcessed: status >= 500,
      },
      { status, errorCode, message },
    );
  }
}

/** Validate a tracking URI and return it without a trailing slash. */
export function normaliseTrackingUri(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new TrackingConfigError('trackingUri', 'expected an http(s) URL such as http://127.0.0.1:5000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TrackingConfigError('trackingUri', `expected an http(s) URL, got scheme ${url.protocol}`);
  }
  if (url.username || url.password) {
    // Never echo the URI: it holds a secret.
    throw new TrackingConfigError('trackingUri', 'credentials in the URI are not accepted; pass auth (MLFLOW_TRACKING_USERNAME/PASSWORD or TOKEN) instead');
  }
  if (url.search || url.hash) throw new TrackingConfigError('trackingUri', 'expected no query string or fragment');
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [String(v)];
    for (const one of values) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(one)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function networkCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (e: unknown): string | undefined => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return undefined;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_BAD_RESPONSE' && code !== 'ERR_BAD_REQUEST' && code !== 'ERR_NETWORK') return code;
    // Node's happy-eyeballs connect raises an AggregateError whose members hold the codes.
    for (const inner of (e as { errors?: unknown[] }).errors ?? []) {
      const c = visit(inner);
      if (c) return c;
    }
    return visit((e as { cause?: unknown }).cause) ?? (typeof code === 'string' ? code : undefined);
  };
  return visit(err);
}

async function bodyText(data: unknown): Promise<string> {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data) || data instanceof ArrayBuffer) return Buffer.from(data as ArrayBuffer).toString('utf8');
  if (data && typeof (data as Readable).on === 'function') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of data as Readable) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      if (size < 65536) chunks.push(b);
      size += b.length;
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  return '';
}

function parseMlflowError(text: string, status: number): { errorCode: string; message: string } {
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown; detail?: unknown };
    if (typeof body.error_code === 'string') return { errorCode: body.error_code, message: String(body.message ?? '') };
    if (body.detail !== undefined) return { errorCode: `HTTP_${status}`, message: typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail) };
  } catch {
    // not JSON (a proxy's HTML page, plain text)
  }
  return { errorCode: `HTTP_${status}`, message: clip(text.replace(/\s+/g, ' ').trim(), 300) };
}

function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
