/**
 * The compute worker of `rexsweep run`, as a child process: TF.js training blocks its event
 * loop for seconds at a time, which must not delay the workflow tasks of the parent (Temporal
 * warns past 5 s and times the task out at 10 s). Killed when the parent is done or dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolveWorkerName } from '../worker/worker-identity.ts';

export interface ChildWorkerOptions {
  temporalAddress: string;
  mlflowUri: string;
  gpuQueue: string;
  workflowQueue: string;
  slots: number;
  backend: string;
  /** The worker's name (`rexsweep worker --name`); default $REXSWEEP_WORKER_NAME, else the hostname. */
  name?: string;
  log: (line: string) => void;
}

/**
 * The name of local compute worker `k` of `count`: the default name (worker-identity.ts) when it
 * is the only one; else that name with `-1`, `-2`, …, so runs tell the workers of one host apart.
 */
export function localWorkerName(k: number, count: number): string | undefined {
  return count > 1 ? `${resolveWorkerName()}-${k + 1}` : undefined;
}

const BIN = fileURLToPath(new URL('../bin/rexsweep.mjs', import.meta.url));

/** Exit code of bad input (cli/exit-codes.ts): restarting would fail the same way. */
const BAD_INPUT = 2;

/**
 * Start the compute worker child, and start it again when it dies on its own (a Temporal outage
 * that outlasted its retries, a crash, the OOM killer): the sweep waits for its cells' compute
 * activities, and `run` must not stall until the user runs it again (issue 11). Restarts back off
 * from 1 s to 30 s, reset once a child has lived a minute; a child that exits with bad input
 * (exit 2) is not restarted.
 */
export function startChildWorker(o: ChildWorkerOptions): { readonly child: ChildProcess; stop(): Promise<void> } {
  const args = [BIN, 'worker', '--roles', 'gpu', '--gpu-queue', o.gpuQueue, '--workflow-queue', o.workflowQueue, '--slots', String(o.slots), '--backend', o.backend, ...(o.name !== undefined ? ['--name', o.name] : [])];
  let stopping = false;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let child = launch();

  function launch(): ChildProcess {
    const c = spawn(process.execPath, args, {
      env: { ...process.env, TEMPORAL_ADDRESS: o.temporalAddress, MLFLOW_TRACKING_URI: o.mlflowUri },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) o.log(`[worker] ${line}`);
    };
    c.stdout?.on('data', forward);
    c.stderr?.on('data', forward);
    const born = Date.now();
    c.once('exit', (code, signal) => {
      if (stopping) return;
      if (code === BAD_INPUT) {
        o.log(`[worker] compute worker exited with bad input (exit ${code}); not restarted`);
        return;
      }
      failures = Date.now() - born > 60_000 ? 1 : failures + 1;
      const delay = Math.min(30_000, 1000 * 2 ** (failures - 1));
      o.log(`[worker] compute worker exited (${signal ?? `exit ${code}`}); restarting it in ${Math.round(delay / 1000)} s`);
      restartTimer = setTimeout(() => {
        if (!stopping) child = launch();
      }, delay);
    });
    return c;
  }

  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    get child() {
      return child;
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const c = child;
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
