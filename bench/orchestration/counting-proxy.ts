/**
 * The bench's MLflow request counter (infra/local/fault-proxy.ts, forwarding only) in a process
 * of its own, so that its CPU is charged to it and not to the workers it sits beside.
 *
 *   const proxy = await startCountingProxy(mlflowUri);   // proxy.url, proxy.pgid
 *   const records = await proxy.requests();              // every request so far
 *   await proxy.close();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FaultProxy, type ProxyRequestRecord } from '../../infra/local/fault-proxy.ts';

const BOOTSTRAP = fileURLToPath(new URL('../../activities/child-bootstrap.mjs', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

type FromProxy = { type: 'ready'; url: string } | { type: 'requests'; id: number; records: ProxyRequestRecord[] };
type ToProxy = { type: 'requests'; id: number };

export interface CountingProxy {
  url: string;
  /** Process group of the proxy (its own), for CPU accounting. */
  pgid: number;
  requests(): Promise<ProxyRequestRecord[]>;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const child: ChildProcess = fork(BOOTSTRAP, [SELF, target], { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`counting proxy exited (${code}) before listening`)));
    child.on('message', (m: FromProxy) => m.type === 'ready' && resolve(m.url));
  });
  let next = 0;
  return {
    url,
    pgid: child.pid!,
    requests: () =>
      new Promise((resolve) => {
        const id = next++;
        const onMessage = (m: FromProxy) => {
          if (m.type !== 'requests' || m.id !== id) return;
          child.off('message', onMessage);
          resolve(m.records);
        };
        child.on('message', onMessage);
        child.send({ type: 'requests', id } satisfies ToProxy);
      }),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

// As the child: forward to the target, answer `requests`, exit with the parent.
if (process.argv[2] === SELF && process.send) {
  const proxy = await new FaultProxy(process.argv[3]).listen();
  process.on('message', (m: ToProxy) => {
    if (m.type === 'requests') process.send!({ type: 'requests', id: m.id, records: proxy.requests } satisfies FromProxy);
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
  process.send({ type: 'ready', url: proxy.url } satisfies FromProxy);
}
