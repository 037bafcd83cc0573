/**
 * Run inside a lab host (the test process cannot reach the lab's addresses): prints, as one JSON
 * line, what the team's MLflow and Temporal hold for a study — cell runs with their status,
 * worker tag and eval metrics; the experiment's tags; and every cell workflow execution.
 *
 *   node --import tsx test/team/inspect-study.ts <study>
 * with the worker's TEMPORAL_* and MLFLOW_* variables (rexsweep team env).
 */
import { Client, Connection } from '@temporalio/client';
import { authFromEnv, MlflowClient, TAG } from '../../tracking/index.ts';
import { connectionOptions, temporalConnectionFromEnv } from '../../worker/temporal-connection.ts';

const study = process.argv[2];
const mlflow = new MlflowClient({ trackingUri: process.env.MLFLOW_TRACKING_URI!, auth: authFromEnv() });
const experiment = await mlflow.getExperimentByName(study);
const runs = experiment ? await mlflow.searchAllRuns({ experimentIds: [experiment.experimentId] }) : [];
const cells = runs
  .filter((r) => r.data.tags[TAG.cellKey])
  .map((r) => ({
    cellKey: r.data.tags[TAG.cellKey],
    status: r.info.status,
    worker: r.data.tags['rexsweep.worker'],
    metrics: Object.fromEntries(r.data.metrics.filter((m) => m.key.startsWith('eval.') && !m.key.endsWith('.seconds')).map((m) => [m.key, m.value])),
  }));
const datasets = runs.filter((r) => r.data.tags['rexsweep.kind'] === 'dataset').map((r) => ({ status: r.info.status, id: r.data.tags['rexsweep.dataset_id'] }));

const temporal = temporalConnectionFromEnv({ address: process.env.TEMPORAL_ADDRESS! });
const connection = await Connection.connect(connectionOptions(temporal));
const client = new Client({ connection, namespace: temporal.namespace });
const workflows: { workflowId: string; status: string; summary?: string }[] = [];
for await (const wf of client.workflow.list({ query: `WorkflowType = "cellWorkflow"` })) {
  workflows.push({ workflowId: wf.workflowId, status: wf.status.name });
}
const sweeps: { workflowId: string; status: string; state?: unknown }[] = [];
for await (const wf of client.workflow.list({ query: `RexsweepName STARTS_WITH "${study}"` })) {
  sweeps.push({ workflowId: wf.workflowId, status: wf.status.name, state: wf.searchAttributes?.RexsweepState });
}
await connection.close();
process.stdout.write(JSON.stringify({ experimentTags: experiment?.tags ?? {}, cells, datasets, workflows, sweeps }) + '\n');
