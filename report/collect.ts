/**
 * Read a sweep's results back from MLflow: its parent run, its FINISHED cell runs (one per cell
 * key, paging runs/search), and each cell's attack curves (metric histories). Nothing else is
 * needed, so a report can be recomputed from MLflow alone, by anyone who can read the server.
 *
 * Cost: one runs/search page per 1000 cells, then the attack curves' histories: one request per
 * curve key (2 attacks × 17 keys) and 100 cells, or per cell and key on servers without MLflow's
 * bulk history endpoint (report/histories.ts).
 */
import { TAG, compareRunPreference, findSweepRun, sweepMemberTag, type Tracker, type Run } from '../tracking/index.ts';
import type { CellObservation } from './aggregate.ts';
import { AmbiguousSweepError, SweepNotFoundError } from './errors.ts';
import { readHistories, type HistoryOptions } from './histories.ts';
import { curveKeysOf, observationFromRun } from './observations.ts';

export interface SweepLocator {
  sweepId: string;
  /** The study (experiment name); without it every active experiment is searched. */
  study?: string;
}

export interface FoundSweep {
  sweepId: string;
  study: string;
  experimentId: string;
  parent: Run;
}

export interface CollectedSweep extends FoundSweep {
  cells: CellObservation[];
  /** Cell runs not FINISHED (running, failed, killed): left out of the aggregates. */
  unfinished: number;
  /** Extra runs of an already-counted cell key (left out). */
  duplicates: number;
}


/** Every active experiment (id → name). */
async function listExperiments(mlflow: Tracker): Promise<Map<string, string>> {
  return new Map((await mlflow.listExperiments()).map((e) => [e.experimentId, e.name]));
}

/** The sweep's experiment and parent run. */
export async function findSweep(mlflow: Tracker, where: SweepLocator): Promise<FoundSweep> {
  if (where.study !== undefined) {
    const experiment = await mlflow.getExperimentByName(where.study);
    const found = experiment ? await findSweepRun(mlflow, experiment.experimentId, where.sweepId) : null;
    if (!experiment || !found) throw new SweepNotFoundError(where.sweepId, `experiment ${JSON.stringify(where.study)}`);
    return { sweepId: where.sweepId, study: where.study, experimentId: experiment.experimentId, parent: found.run };
  }
  const experiments = await listExperiments(mlflow);
  const hits: FoundSweep[] = [];
  for (const [experimentId, name] of experiments) {
    const found = await findSweepRun(mlflow, experimentId, where.sweepId);
    if (found) hits.push({ sweepId: where.sweepId, study: name, experimentId, parent: found.run });
  }
  if (hits.length === 0) throw new SweepNotFoundError(where.sweepId, `any of ${experiments.size} experiment(s)`);
  if (hits.length > 1) throw new AmbiguousSweepError(where.sweepId, hits.map((h) => h.study));
  return hits[0];
}

export interface CollectOptions extends HistoryOptions {
  /** runs/search page size (default 1000). */
  pageSize?: number;
}

/**
 * The sweep's cells: runs tagged with its sweep id and kind `cell`, and runs of other sweeps it
 * reused (tagged sweepMemberTag); per cell key the preferred run (FINISHED first,
 * tracking/layout.ts), and of those only FINISHED ones.
 */
export async function collectSweep(mlflow: Tracker, where: SweepLocator | FoundSweep, opts: CollectOptions = {}): Promise<CollectedSweep> {
  const found = 'parent' in where ? where : await findSweep(mlflow, where);
  // Its own cells, and cells first run by another sweep of the study that it reused (MLflow's
  // search has no OR: two searches).
  const search = (filter: string) => mlflow.searchAllRuns({ experimentIds: [found.experimentId], filter, maxResults: opts.pageSize ?? 1000 });
  const own = await search(`tags.\`${TAG.sweepId}\` = '${found.sweepId}' AND tags.\`${TAG.kind}\` = 'cell'`);
  const reused = await search(`tags.\`${sweepMemberTag(found.sweepId)}\` = '1' AND tags.\`${TAG.kind}\` = 'cell'`);
  const ownIds = new Set(own.map((r) => r.info.runId));
  const runs = [...own, ...reused.filter((r) => !ownIds.has(r.info.runId))];

  const byKey = new Map<string, Run[]>();
  for (const run of runs) {
    const key = run.data.tags[TAG.cellKey] ?? run.info.runId;
    byKey.set(key, [...(byKey.get(key) ?? []), run]);
  }
  const chosen = [...byKey.values()].map((rs) => [...rs].sort(compareRunPreference)[0]);
  const finished = chosen.filter((r) => r.info.status === 'FINISHED').sort((a, b) => (a.info.runId < b.info.runId ? -1 : 1));

  const histories = await readHistories(mlflow, new Map(finished.map((r) => [r.info.runId, curveKeysOf(r)])), opts);
  const cells = finished.map((run) => observationFromRun(run, histories.get(run.info.runId) ?? new Map()));
  return { ...found, cells, unfinished: chosen.length - finished.length, duplicates: runs.length - chosen.length };
}
