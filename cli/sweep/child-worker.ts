/**
 * The compute worker of `rexsweep run`, as a child process: TF.js training blocks its event
 * loop for seconds at a time, which must not delay the workflow tasks of the parent (Temporal
 * warns past 5 s and times the task out at 10 s). Killed when the parent is done or dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildWorkerOptions {
  temporalAddress: string;
  mlflowUri: string;
  gpuQueue: string;
  workflowQueue: string;
  slots: number;
  backend: string;
  log: (line: string) => void;
}

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));

export function startChildWorker(o: ChildWorkerOptions): { child: ChildProcess; stop(): Promise<void> } {
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--roles', 'gpu', '--gpu-queue', o.gpuQueue, '--workflow-queue', o.workflowQueue, '--slots', String(o.slots), '--backend', o.backend],
    {
      env: { ...process.env, TEMPORAL_ADDRESS: o.temporalAddress, MLFLOW_TRACKING_URI: o.mlflowUri },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) o.log(`[worker] ${line}`);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    child,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
