/**
 * A fault injector in front of the REAL MLflow server (not a fake of it): it forwards every
 * request to MLFLOW_TRACKING_URI, except when a rule says to answer an error status or to cut
 * the connection after the server has processed the request (a lost response).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Fault =
  | { kind: 'status'; status: number; errorCode: string; retryAfter?: string }
  /** Forward to MLflow, then destroy the client's socket instead of answering. */
  | { kind: 'drop-response' };

export interface ProxyRequestRecord {
  method: string;
  url: string;
  authorization?: string;
  /** Milliseconds until the upstream answer was fully sent back (benchmarks). */
  ms?: number;
}

export class FaultProxy {
  readonly requests: ProxyRequestRecord[] = [];
  /** Decide per request (0-based index); undefined forwards normally. */
  rule: (index: number, req: IncomingMessage) => Fault | undefined = () => undefined;
  private server?: Server;

  constructor(private readonly target: string) {}

  get url(): string {
    const addr = this.server?.address();
    if (!addr || typeof addr === 'string') throw new Error('proxy not listening');
    return `http://127.0.0.1:${addr.port}`;
  }

  async listen(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return this;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const index = this.requests.length;
    const record: ProxyRequestRecord = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization };
    this.requests.push(record);
    const t0 = performance.now();
    res.once('finish', () => (record.ms = performance.now() - t0));
    const fault = this.rule(index, req);
    const body = await readAll(req);
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      res.writeHead(fault.status, headers);
      res.end(JSON.stringify({ error_code: fault.errorCode, message: 'injected by FaultProxy' }));
      return;
    }
    const target = new URL(req.url ?? '/', this.target);
    const headers = { ...req.headers, host: target.host };
    const upstream = httpRequest(target, { method: req.method, headers }, (up) => {
      if (fault?.kind === 'drop-response') {
        up.resume();
        up.on('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
