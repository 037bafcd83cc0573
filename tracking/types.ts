/**
 * MLflow REST shapes (mlflow/protos/service.proto), validated with zod and turned into camelCase
 * TypeScript values. int64 fields arrive as JSON numbers from MLflow 3; strings are accepted too.
 * Unknown fields are ignored, so newer servers that add fields still parse.
 */
import { z } from 'zod';

const int64 = z.union([z.number(), z.string()]).transform((v) => Number(v));
const optInt64 = int64.optional();

export const RunStatusSchema = z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);
export type RunStatus = z.infer<typeof RunStatusSchema>;
/** The statuses a run can be closed with. */
export type TerminalRunStatus = Extract<RunStatus, 'FINISHED' | 'FAILED' | 'KILLED'>;

export const LifecycleStageSchema = z.enum(['active', 'deleted']);
export type LifecycleStage = z.infer<typeof LifecycleStageSchema>;

const KeyValueSchema = z.object({ key: z.string(), value: z.string().optional().default('') });

export const ExperimentSchema = z
  .object({
    experiment_id: z.string(),
    name: z.string(),
    artifact_location: z.string().optional(),
    lifecycle_stage: LifecycleStageSchema,
    creation_time: optInt64,
    last_update_time: optInt64,
    tags: z.array(KeyValueSchema).optional(),
  })
  .transform((e) => ({
    experimentId: e.experiment_id,
    name: e.name,
    artifactLocation: e.artifact_location,
    lifecycleStage: e.lifecycle_stage,
    creationTime: e.creation_time,
    lastUpdateTime: e.last_update_time,
    tags: toRecord(e.tags),
  }));
export type Experiment = z.output<typeof ExperimentSchema>;

export const RunInfoSchema = z
  .object({
    run_id: z.string(),
    experiment_id: z.string(),
    run_name: z.string().optional(),
    status: RunStatusSchema,
    start_time: optInt64,
    end_time: optInt64,
    artifact_uri: z.string().optional(),
    lifecycle_stage: LifecycleStageSchema,
  })
  .transform((r) => ({
    runId: r.run_id,
    experimentId: r.experiment_id,
    runName: r.run_name,
    status: r.status,
    startTime: r.start_time,
    endTime: r.end_time,
    artifactUri: r.artifact_uri,
    lifecycleStage: r.lifecycle_stage,
  }));
export type RunInfo = z.output<typeof RunInfoSchema>;

export const MetricSchema = z
  .object({ key: z.string(), value: z.union([z.number(), z.string()]).transform((v) => Number(v)), timestamp: int64, step: optInt64 })
  .transform((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step ?? 0 }));
export type Metric = z.output<typeof MetricSchema>;

export const RunSchema = z
  .object({
    info: RunInfoSchema,
    data: z
      .object({
        metrics: z.array(MetricSchema).optional(),
        params: z.array(KeyValueSchema).optional(),
        tags: z.array(KeyValueSchema).optional(),
      })
      .optional(),
  })
  .transform((r) => ({
    info: r.info,
    data: {
      /** Latest value of each metric (max step, then max timestamp) — runs/get semantics. */
      metrics: r.data?.metrics ?? [],
      params: toRecord(r.data?.params),
      tags: toRecord(r.data?.tags),
    },
  }));
export type Run = z.output<typeof RunSchema>;

export const FileInfoSchema = z
  .object({ path: z.string(), is_dir: z.boolean().optional().default(false), file_size: optInt64 })
  .transform((f) => ({ path: f.path, isDir: f.is_dir, fileSize: f.file_size }));
export type FileInfo = z.output<typeof FileInfoSchema>;

export const ViewTypeSchema = z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']);
export type ViewType = z.infer<typeof ViewTypeSchema>;

// ----- response envelopes -----

export const GetExperimentResponse = z.object({ experiment: ExperimentSchema });
export const CreateExperimentResponse = z.object({ experiment_id: z.string() });
export const RunResponse = z.object({ run: RunSchema });
export const UpdateRunResponse = z.object({ run_info: RunInfoSchema });
export const SearchRunsResponse = z.object({
  runs: z.array(RunSchema).optional().default([]),
  next_page_token: z.string().optional(),
});
export const MetricHistoryResponse = z.object({
  metrics: z.array(MetricSchema).optional().default([]),
  next_page_token: z.string().optional(),
});
export const ListArtifactsResponse = z.object({
  root_uri: z.string().optional(),
  files: z.array(FileInfoSchema).optional().default([]),
  next_page_token: z.string().optional(),
});
export const EmptyResponse = z.object({});

function toRecord(kvs: Array<{ key: string; value: string }> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of kvs ?? []) out[key] = value;
  return out;
}

const numeric = z.union([z.number(), z.string()]).transform((v) => Number(v));
export const BulkMetricHistoryResponse = z.object({
  metrics: z
    .array(z.object({ run_id: z.string(), key: z.string(), value: numeric, timestamp: numeric, step: numeric.optional() }))
    .optional()
    .default([]),
});
export const ExperimentsPageResponse = z.object({
  experiments: z.array(z.object({ experiment_id: z.string(), name: z.string() })).optional().default([]),
  next_page_token: z.string().optional(),
});
