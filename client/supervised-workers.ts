/**
 * The in-process workflow worker of `rexsweep run`, started again when it stops on its own.
 * The SDK's worker retries its polls through a Temporal outage, but a worker whose run() rejects
 * (a fatal poll error, the connection lost for good) would otherwise leave the sweep without a
 * workflow worker while `run` waits on it, or end the process through an unhandled rejection
 * (issue 11). Restarts back off from 1 s to 30 s, reset once a worker has run a minute; a start
 * that fails (Temporal still down) is retried the same way.
 */
import type { RunningWorkers } from '../worker/worker.ts';

export interface SupervisedWorkers {
  shutdown(): Promise<void>;
}

export async function superviseWorkers(start: () => Promise<RunningWorkers>, log: (m: string) => void): Promise<SupervisedWorkers> {
  let stopping = false;
  let current: RunningWorkers | undefined = await start();
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;

  const watch = (w: RunningWorkers, since: number) => {
    w.done.then(
      () => {
        if (!stopping) restart(since, 'stopped');
      },
      (err: unknown) => {
        if (!stopping) restart(since, firstLine(err));
      },
    );
  };
  const restart = (since: number, why: string) => {
    current = undefined;
    failures = Date.now() - since > 60_000 ? 1 : failures + 1;
    const delay = Math.min(30_000, 1000 * 2 ** (failures - 1));
    log(`workflow worker stopped (${why}); restarting it in ${Math.round(delay / 1000)} s`);
    timer = setTimeout(() => {
      if (stopping) return;
      const t0 = Date.now();
      start().then(
        (w) => {
          if (stopping) return void w.shutdown();
          current = w;
          log('workflow worker running again');
          watch(w, t0);
        },
        (err: unknown) => restart(t0, firstLine(err)),
      );
    }, delay);
  };
  watch(current, Date.now());

  return {
    async shutdown() {
      stopping = true;
      clearTimeout(timer);
      await current?.shutdown().catch(() => undefined);
    },
  };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200);
}
