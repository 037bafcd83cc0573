/**
 * Put a report on the sweep's parent run: the aggregates as metrics (report/parent-metrics.ts;
 * only points that changed since the last report) and the files as artifacts under `report/`.
 */
import { MlflowApiError, type Tracker } from '../tracking/index.ts';
import type { ReportFile } from './files.ts';
import { changedMetrics } from './parent-metrics.ts';
import { AggregateTableSchema, type AggregateTable } from './schema.ts';

export const REPORT_ARTIFACT_DIR = 'report';

/** The table the last report logged, or null (none yet, or unreadable: then everything is logged). */
export async function previousTable(mlflow: Tracker, parentRunId: string): Promise<AggregateTable | null> {
  let body: Buffer;
  try {
    body = await mlflow.downloadArtifact(parentRunId, `${REPORT_ARTIFACT_DIR}/aggregates.json`);
  } catch (err) {
    if (err instanceof MlflowApiError) return null;
    throw err;
  }
  const parsed = AggregateTableSchema.safeParse(safeJson(body.toString('utf8')));
  return parsed.success ? parsed.data : null;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

export interface PublishResult {
  metricsLogged: number;
  filesUploaded: number;
}

/**
 * Metrics first, then the files, aggregates.json last: it records what the metrics hold, so a
 * publish that fails half-way logs the missing points again next time.
 */
export async function publishReport(mlflow: Tracker, parentRunId: string, table: AggregateTable, files: ReadonlyArray<ReportFile>): Promise<PublishResult> {
  const metrics = changedMetrics(await previousTable(mlflow, parentRunId), table);
  const timestamp = Date.now();
  if (metrics.length > 0) await mlflow.logBatch(parentRunId, { metrics: metrics.map((m) => ({ ...m, timestamp })) }, { timestamp });
  const ordered = [...files.filter((f) => f.path !== 'aggregates.json'), ...files.filter((f) => f.path === 'aggregates.json')];
  for (const f of ordered) await mlflow.uploadArtifact(parentRunId, `${REPORT_ARTIFACT_DIR}/${f.path}`, f.data, f.contentType);
  return { metricsLogged: metrics.length, filesUploaded: ordered.length };
}

/** The parent run's page in MLflow's UI. */
export function runUrl(trackingUri: string, tracking: { experimentId: string; parentRunId: string }): string {
  return `${trackingUri.replace(/\/+$/, '')}/#/experiments/${tracking.experimentId}/runs/${tracking.parentRunId}`;
}
