/**
 * The report activity (CPU queue): read the sweep's cells back from MLflow, aggregate over
 * seeds, and put the table, figures and HTML report on the parent run. Reading from MLflow, not
 * from the workflow's memory, means the numbers are the ones `rexsweep report` recomputes.
 */
import { buildTable, collectSweep, fullReportFiles, publishReport, runUrl, tableFiles } from '../report/index.ts';
import type { Tracker } from '../tracking/index.ts';
import { currentAttempt } from './attempt.ts';
import type { ReportActivities } from './report-types.ts';

export interface ReportDeps {
  mlflow: Tracker;
}

export function createReportActivities(deps: ReportDeps): ReportActivities {
  const { mlflow } = deps;
  return {
    async aggregateSweep({ sweep, tracking, final }) {
      // Reading a large sweep takes a while: heartbeats show it is alive.
      const { heartbeat } = currentAttempt();
      const parent = await mlflow.getRun(tracking.parentRunId);
      heartbeat({ phase: 'collect' });
      const collected = await collectSweep(
        mlflow,
        { sweepId: sweep.sweepId, study: sweep.study, experimentId: tracking.experimentId, parent },
        { onProgress: (done, total) => heartbeat({ phase: 'collect', done, total }) },
      );
      const table = buildTable(collected);
      heartbeat({ phase: 'publish', groups: table.groups.length });
      const files = final ? (await fullReportFiles(table, { mlflowRunUrl: runUrl(mlflow.trackingUri, tracking) })).files : tableFiles(table);
      await publishReport(mlflow, tracking.parentRunId, table, files);
      return { groups: table.groups.length, cells: table.cells };
    },
  };
}
