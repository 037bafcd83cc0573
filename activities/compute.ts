/**
 * GPU-queue activities: thin adapters that run the compute work (activities/compute-work.ts)
 * and store what it produces in the run's artifacts, so any worker can pick up where another
 * left off.
 *
 * Isolation: 'process' (the worker's default) runs each attempt of prepareData, trainCell,
 * evaluateCell and runCell in a child process (activities/isolate.ts) that is killed when the attempt is
 * cancelled or times out, so a dead attempt cannot hold a GPU, its memory or a slot, and the
 * worker's own event loop (heartbeats of the other slots, polling) never blocks on TF.js.
 * prepareData moves too: parsing a real dump takes minutes of CPU that would block the worker,
 * and its cache is published atomically, so killing it is safe. 'inline' runs the work in this
 * process (unit tests that call activities directly). No-op cells never spawn anything.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { EvaluationRow } from '../recsys/cell/result.ts';
import type { ComputeActivities } from './types.ts';
import type { CellRef, CellRun, EvaluateInput, PreparedRef, RunCellInput, TrainedRef } from './contracts.ts';
import type { ArtifactStore, AttemptIo, ComputeWork, WorkSettings } from './compute-work.ts';
import type { ComputeCall, ComputeTask } from './compute-task.ts';
import { currentAttempt } from './attempt.ts';
import { runIsolated } from './isolate.ts';
import { noopRow, noopTrained } from './noop-cells.ts';

export type { ArtifactStore, SetupHeartbeat, TrainHeartbeat } from './compute-work.ts';

export type Isolation = 'process' | 'inline';

export interface ComputeDeps extends WorkSettings {
  artifacts: ArtifactStore;
  /** 'inline' (default here) or 'process' (the worker's default; see worker/worker.ts). */
  isolation?: Isolation;
  /** Between SIGTERM and SIGKILL of a cancelled attempt's child (default 5 s). */
  killGraceMs?: number;
  log?: (message: string) => void;
}

const CHILD_ENTRY = fileURLToPath(new URL('./compute-child.ts', import.meta.url));

export function createComputeActivities(deps: ComputeDeps): ComputeActivities {
  const log = deps.log ?? (() => {});
  const settings: WorkSettings = {
    datasetCache: deps.datasetCache,
    backend: deps.backend,
    checkpointSeconds: deps.checkpointSeconds,
    workerName: deps.workerName,
    memoryLimit: deps.memoryLimit,
  };
  // Loaded on first inline use only: the work pulls in TF.js, which a 'process' worker never needs.
  let work: Promise<ComputeWork> | undefined;
  const inlineWork = () => (work ??= import('./compute-work.ts').then((m) => m.createComputeWork(settings, deps.artifacts)));

  const inChild = <T>(call: ComputeCall, label: string): Promise<T> => {
    const a = currentAttempt();
    const task: ComputeTask = { ...call, settings, previous: a.previous, attemptId: a.attemptId };
    return runIsolated<T>({
      entry: CHILD_ENTRY,
      task,
      label,
      log,
      heartbeat: a.heartbeat,
      signal: a.signal,
      stallMs: a.heartbeatTimeoutMs,
      killGraceMs: deps.killGraceMs,
      services: childServices(deps.artifacts),
    });
  };
  const isolated = deps.isolation === 'process';

  return {
    async prepareData(ref): Promise<PreparedRef> {
      if (ref.cell.noop) return { datasetId: 'noop', folder: '' };
      if (isolated) return inChild({ op: 'prepareData', args: [ref] }, `prepareData ${short(ref.cellKey)}`);
      return (await inlineWork()).prepareData(ref, attemptIo(log));
    },

    async trainCell(ref, runId): Promise<TrainedRef> {
      if (ref.cell.noop) return noopTrained(settings.workerName);
      if (isolated) return inChild({ op: 'trainCell', args: [ref, runId] }, `trainCell ${short(ref.cellKey)}`);
      return (await inlineWork()).trainCell(ref, runId, attemptIo(log));
    },

    async evaluateCell(input: EvaluateInput): Promise<EvaluationRow> {
      if (input.ref.cell.noop) return noopRow(input);
      const label = `evaluateCell ${short(input.ref.cellKey)} ${input.attack}@${input.epsilon}`;
      if (isolated) return inChild({ op: 'evaluateCell', args: [input] }, label);
      return (await inlineWork()).evaluateCell(input, attemptIo(log));
    },

    async runCell(input: RunCellInput): Promise<CellRun> {
      if (input.ref.cell.noop) return { trained: noopTrained(settings.workerName), rows: input.plan.map((step) => noopRow(step)) };
      if (isolated) return inChild({ op: 'runCell', args: [input] }, `runCell ${short(input.ref.cellKey)}`);
      return (await inlineWork()).runCell(input, attemptIo(log));
    },
  };
}

/**
 * The store as the child calls it: every method present, so a store without the optional ones
 * behaves in a child as it does inline (no listing, no published datasets, downloads via memory).
 */
function childServices(a: ArtifactStore): Record<string, (...args: any[]) => Promise<unknown>> {
  return {
    ...a,
    list: a.list ?? (async () => []),
    findDatasets: a.findDatasets ?? (async () => []),
    downloadToFile: a.downloadToFile ?? (async (runId: string, path: string, localPath: string) => writeFile(localPath, await a.download(runId, path))),
  };
}

function attemptIo(log: (m: string) => void): AttemptIo {
  const a = currentAttempt();
  return { heartbeat: a.heartbeat, previous: () => a.previous, log, attemptId: a.attemptId };
}

const short = (cellKey: string) => cellKey.slice(0, 12);
