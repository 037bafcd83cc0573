/** The tracking layer's public surface: MLflow over REST, and the rexsweep run layout. */
export { MlflowClient, CREATE_TOKEN_TAG } from './client.ts';
export { TRACKER_MEMBERS, type Tracker } from './tracker.ts';
export type {
  MlflowClientOptions,
  CreateRunRequest,
  SearchRunsRequest,
  SearchRunsPage,
  GetOrCreateExperimentResult,
  LogBatchReport,
  ArtifactData,
  RunRef,
} from './client.ts';
export { authFromEnv, type MlflowAuth } from './auth.ts';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
export { RETRYABLE_NETWORK_CODES, type RetryEvent } from './http.ts';
export * from './errors.ts';
export * from './batch.ts';
export * from './keys.ts';
export * from './params.ts';
export * from './names.ts';
export * from './result-metrics.ts';
export * from './layout.ts';
export { artifactProxyPath, proxyRootPath, ARTIFACT_PROXY_ROUTE } from './artifacts.ts';
export type { Experiment, Run, RunInfo, RunStatus, TerminalRunStatus, Metric, FileInfo, ViewType } from './types.ts';
export * from './dataset-publication.ts';
export * from './evaluations-held.ts';
