/**
 * `rexsweep run`'s view of a sweep until it ends: the counts on the progress line, and what is
 * happening beyond them (issue 11). A Temporal outage is said within seconds — a TCP probe every
 * 2 s, plus the follow loop's failed calls (client/follow.ts), which keep reconnecting — and
 * so is an MLflow outage (/health) and every retried activity (client/sweep-health.ts, every
 * 10 s), so that a retry after a lost worker or an outage is never a frozen line.
 */
import type { Client } from '@temporalio/client';
import type { SweepProgress } from '../../workflows/sweep.ts';
import { describeProgress } from './sweep-table.ts';
import type { ProgressLine } from './progress-line.ts';
import { OutageNotice } from '../../client/outage.ts';
import type { startSweep } from '../../client/start-sweep.ts';

export interface FollowedServices {
  temporalAddress: string;
  mlflowUri: string;
}

const PROBE_TEMPORAL_MS = 2000;
const LOOK_MS = 10_000;

export async function followWithProgress(
  started: Awaited<ReturnType<typeof startSweep>>,
  client: Client,
  services: FollowedServices,
  line: ProgressLine,
): Promise<SweepProgress> {
  // Loaded here, like Temporal's client everywhere in `run`: a bad config fails before it loads.
  const [{ followSweep }, health] = await Promise.all([import('../../client/follow.ts'), import('../../client/sweep-health.ts')]);
  const log = (l: string) => line.log(l);
  const temporal = new OutageNotice('Temporal', 'reconnecting; the workers retry on their own', log);
  const mlflow = new OutageNotice('MLflow', 'its bookkeeping is retried, nothing is lost', log);
  let last: { label: string; fraction: number } = { label: '', fraction: 0 };
  let retryText = '';
  const toldRetries = new Set<string>();
  const show = () => {
    const extra = [temporal.text(), mlflow.text(), retryText].filter(Boolean);
    line.update({ label: [last.label, ...extra].filter(Boolean).join(' · '), fraction: last.fraction });
  };

  let probing = false;
  const probeTemporal = async () => {
    if (probing) return;
    probing = true;
    try {
      if (await health.tcpAnswers(services.temporalAddress)) return;
      temporal.down();
      show();
    } finally {
      probing = false;
    }
  };

  let looking = false;
  const look = async () => {
    if (looking) return;
    looking = true;
    try {
      const [mlflowUp, retries] = await Promise.all([health.mlflowAnswers(services.mlflowUri), health.findRetries(client, started.workflowId).catch(() => undefined)]);
      if (mlflowUp) mlflow.up();
      else mlflow.down();
      if (retries) {
        for (const r of retries) {
          const key = `${r.cell ?? 'sweep'}|${r.activity}|${r.attempt}`;
          if (toldRetries.has(key)) continue;
          toldRetries.add(key);
          log(`${r.cell ? `cell ${r.cell}` : 'sweep'}: ${r.activity} attempt ${r.attempt} after ${r.reason}`);
        }
        retryText = health.describeRetries(retries);
      }
      show();
    } finally {
      looking = false;
    }
  };

  const timers = [setInterval(() => void probeTemporal(), PROBE_TEMPORAL_MS), setInterval(() => void look(), LOOK_MS)];
  try {
    return await followSweep(started.handle, {
      progress(p) {
        last = describeProgress(p, Date.now());
        temporal.up();
        show();
      },
      unreachable(since) {
        temporal.down(since);
        show();
      },
      reconnected() {
        temporal.up();
        show();
      },
    });
  } finally {
    for (const t of timers) clearInterval(t);
  }
}
