/**
 * The tracker seam: what rexsweep asks of an experiment tracker. Everything outside tracking/
 * (activities, report/, client/) takes a Tracker; only the composition roots (the worker, the
 * CLI's commands, benchmarks) construct the one implementation, MlflowClient over REST. A
 * recording or caching wrapper, or another tracker's client, is then one object with these
 * methods. Derived from the class (one definition of every signature, not two).
 */
import type { MlflowClient } from './client.ts';

export const TRACKER_MEMBERS = [
  'trackingUri',
  'getExperiment',
  'getExperimentByName',
  'createExperiment',
  'setExperimentTag',
  'getOrCreateExperiment',
  'createRun',
  'getRun',
  'updateRun',
  'searchRuns',
  'searchAllRuns',
  'logBatch',
  'setTag',
  'getMetricHistory',
  'getMetricHistoryBulk',
  'listExperiments',
  'uploadArtifact',
  'uploadArtifactFile',
  'downloadArtifact',
  'downloadArtifactToFile',
  'listArtifacts',
] as const;

export type Tracker = Pick<MlflowClient, (typeof TRACKER_MEMBERS)[number]>;
