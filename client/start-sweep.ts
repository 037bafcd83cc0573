/**
 * Start a sweep idempotently. The sweep's workflow id comes from its name and fixed settings,
 * so running the same config again finds the same workflow:
 *   running, same grid                         → attach to it
 *   running, grid extended                     → send it the extension (an update), attach
 *   completed, same grid, no failed cell       → start nothing, show its result
 *   otherwise (new, failed, cancelled, cells failed, grid extended)
 *                                              → start a run; completed cells are skipped
 * Before a start or an extension, the sweep's file-sourced datasets are published to MLflow
 * (client/publish-datasets.ts), so workers on other hosts can fetch them.
 * Refused (ConfigError, exit 2, nothing started): a config that changes what existing cells mean
 * (sweep/extension.ts), a sweep whose name exists with other fixed settings unless the user
 * asks for a separate sweep (`allowNewSettings`), and a dataset name whose published data
 * differs from the files here (bad data files fail with their located InputError).
 */
import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ConfigError, InputError } from '../recsys/errors.ts';
import { canonicalJson } from '../sweep/canonical.ts';
import { countCells } from '../sweep/expand.ts';
import { evaluationsGrew, extensionProblems, type ExtensionProblem } from '../sweep/extension.ts';
import { sweepId } from '../sweep/fingerprint.ts';
import { gridHash } from '../sweep/grid-hash.ts';
import { SweepConfigSchema, type SweepConfig } from '../sweep/schema.ts';
import { REXSWEEP_SEARCH_ATTRIBUTES } from '../sweep/search-attributes.ts';
import { sweepDetails, sweepSummary } from '../sweep/ui-summary.ts';
import { flattenParams, type Tracker } from '../tracking/index.ts';
import type { SweepProgress, sweepWorkflow } from '../workflows/sweep.ts';
import { publishSweepDatasets } from './publish-datasets.ts';

export interface StartedSweep {
  handle: WorkflowHandle<typeof sweepWorkflow>;
  workflowId: string;
  sweepId: string;
  /** What happened: a new run, attached to a running one (extended or not), or nothing. */
  action: 'started' | 'attached' | 'extended' | 'complete';
}

export interface StartOptions {
  /**
   * MLflow (the study's experiment): the sweep's file-sourced datasets are prepared here and
   * published there before the sweep starts or is extended (client/publish-datasets.ts).
   */
  mlflow: Tracker;
  /** Progress of that preparation and publication. */
  log?: (message: string) => void;
  /** The config's file, for error messages. */
  file?: string;
  /** Start a separate sweep even though one of the same name has other fixed settings. */
  allowNewSettings?: boolean;
  /** Cells that failed before restart from their checkpoint (default) or from scratch. */
  restart?: 'checkpoint' | 'scratch';
  namespace?: string;
}

export const sweepWorkflowId = (id: string) => `rexsweep-sweep-${id}`;

/** Identifies the set of cells without expanding them (sweep/grid-hash.ts). */
export { gridHash };

export async function startSweep(client: Client, config: SweepConfig, opts: StartOptions): Promise<StartedSweep> {
  const file = opts.file ?? '<sweep config>';
  const id = sweepId(config);
  const workflowId = sweepWorkflowId(id);
  const grid = gridHash(config);
  // The client's own namespace (TEMPORAL_NAMESPACE), not a hard-coded one.
  const searchAttributes = await hasSearchAttributes(client, opts.namespace ?? client.options.namespace);
  const existing = client.workflow.getHandle<typeof sweepWorkflow>(workflowId);
  const refuse = (problems: ExtensionProblem[]) => {
    throw new ConfigError(file, problems.map((p) => new InputError({ file, field: p.field }, p.message)));
  };

  try {
    const desc = await existing.describe();
    const { configQuery, extendUpdate } = await import('../workflows/sweep-control.ts');
    if (desc.status.name === 'RUNNING') {
      const current = await existing.query(configQuery);
      if (canonicalJson(current) === canonicalJson(config)) return { handle: existing, workflowId, sweepId: id, action: 'attached' };
      const problems = extensionProblems(current, config);
      if (problems.length > 0) refuse(problems);
      await publishSweepDatasets(opts.mlflow, config, file, opts.log);
      await existing.executeUpdate(extendUpdate, { args: [config] });
      return { handle: existing, workflowId, sweepId: id, action: 'extended' };
    }
    const previous = parseMemoConfig(desc.memo?.config);
    if (previous) {
      const problems = extensionProblems(previous, config);
      if (problems.length > 0) refuse(problems);
    }
    // The same cells and no new ε_A or attack for them: nothing to do.
    if (desc.status.name === 'COMPLETED' && desc.memo?.gridHash === grid && previous && !evaluationsGrew(previous, config)) {
      const result: SweepProgress = await existing.result();
      if (result.counts.failed === 0 && result.counts.cancelled === 0) return { handle: existing, workflowId, sweepId: id, action: 'complete' };
    }
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    if (!opts.allowNewSettings) await refuseSiblings(client, config, id, searchAttributes, file);
  }

  // Before the workflow exists: a worker on any host must find every file-sourced dataset.
  await publishSweepDatasets(opts.mlflow, config, file, opts.log);
  const handle = (await client.workflow.start('sweepWorkflow', {
    workflowId,
    taskQueue: config.queues.workflow,
    args: [{ sweep: { sweepId: id, study: config.study }, config, params: sweepRunParams(config), searchAttributes, ...(opts.restart ? { restart: opts.restart } : {}) }],
    memo: { gridHash: grid, config: canonicalJson(config) },
    // The Temporal UI's line for the sweep; a run continued as new does not carry it.
    staticSummary: sweepSummary(config, countCells(config)),
    staticDetails: sweepDetails({ sweepId: id, study: config.study }),
    ...(searchAttributes ? { searchAttributes: { RexsweepSweepId: [id], RexsweepName: [config.name], RexsweepState: ['running'] } } : {}),
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    // Two `rexsweep run`s racing: the second attaches to the first's workflow.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  })) as WorkflowHandle<typeof sweepWorkflow>;
  return { handle, workflowId, sweepId: id, action: 'started' };
}

/**
 * A new sweep id for an existing name means the fixed settings changed: refuse, naming the
 * other sweep, unless the user asked for a separate sweep.
 */
async function refuseSiblings(client: Client, config: SweepConfig, id: string, searchAttributes: boolean, file: string): Promise<void> {
  const query = searchAttributes
    ? `RexsweepName = "${config.name}"`
    : `WorkflowId STARTS_WITH "${sweepWorkflowId(config.name)}-"`;
  const others = new Set<string>();
  for await (const wf of client.workflow.list({ query })) {
    if (wf.workflowId !== sweepWorkflowId(id) && wf.type === 'sweepWorkflow') others.add(wf.workflowId.replace(/^rexsweep-sweep-/, ''));
    if (others.size >= 5) break;
  }
  if (others.size === 0) return;
  throw new ConfigError(file, [
    new InputError(
      { file, field: 'epochs/cell' },
      `the fixed settings of the sweep's existing cells (sweep ${[...others].join(', ')} has the name "${config.name}" and other settings); ` +
        'pass --new-settings to start a separate sweep with these settings, or give it another name',
      `settings that make sweep id ${id}`,
    ),
  ]);
}

/** Whether rexsweep's custom search attributes are registered on this namespace. */
async function hasSearchAttributes(client: Client, namespace: string): Promise<boolean> {
  try {
    const res = await client.connection.operatorService.listSearchAttributes({ namespace });
    const custom = res.customAttributes ?? {};
    return Object.keys(REXSWEEP_SEARCH_ATTRIBUTES).every((name) => name in custom);
  } catch {
    return false;
  }
}

function parseMemoConfig(memo: unknown): SweepConfig | undefined {
  if (typeof memo !== 'string') return undefined;
  const parsed = SweepConfigSchema.safeParse(JSON.parse(memo));
  return parsed.success ? parsed.data : undefined;
}

/** Sweep-level parameters on the parent run: the grid and the fixed settings. */
export function sweepRunParams(config: SweepConfig): Record<string, string> {
  const { datasets, ...rest } = config;
  return flattenParams({ ...rest, datasets: datasets.map((d) => d.name) } as Record<string, unknown>);
}
