/**
 * The S3 store: versitygw serving a POSIX folder (<state>/s3) over the S3 API, with generated
 * root keys. MLflow writes artifacts there; workers never see it (MLflow proxies artifacts), so
 * only the MLflow host needs the keys.
 */
import { mkdir } from 'node:fs/promises';
import { tcpOpen } from '../local/health.ts';
import { ServiceStartError } from '../local/errors.ts';
import { lastLines, runCommand } from '../local/run-command.ts';
import { serviceStatus, startService, stopService, type Log, type ServiceHandle, type ServiceStatus, type StartOutcome, type StopOutcome } from '../local/supervisor.ts';
import { address, s3Url, type TeamConfig } from './config.ts';
import { teamPaths } from './paths.ts';
import type { TeamSecrets } from './secrets.ts';

/** Any HTTP answer (an S3 server says 403 to an unsigned request) means it serves. */
export async function httpAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status > 0;
  } catch {
    return false;
  }
}

function handle(config: TeamConfig): ServiceHandle {
  return {
    name: 's3',
    paths: teamPaths(config.stateDir),
    host: config.s3.host,
    isHealthy: async () => (await tcpOpen(config.s3.host, config.s3.port, 1000)) && httpAnswers(`${s3Url(config)}/`),
    stopTimeoutMs: 10_000,
  };
}

export async function startS3(config: TeamConfig, bin: string, secrets: TeamSecrets, log: Log): Promise<StartOutcome> {
  const paths = teamPaths(config.stateDir);
  await mkdir(paths.s3Dir, { recursive: true, mode: 0o700 });
  return startService(
    handle(config),
    {
      executable: bin,
      args: ['--port', address(config.s3), 'posix', paths.s3Dir],
      env: { ...process.env, ROOT_ACCESS_KEY_ID: secrets.s3AccessKey, ROOT_SECRET_ACCESS_KEY: secrets.s3SecretKey },
      ports: [config.s3.port],
      startTimeoutMs: 60_000,
      portHint: 'stop whatever holds it or set REXSWEEP_TEAM_S3 to another host:port',
    },
    log,
  );
}

export function stopS3(config: TeamConfig, log: Log): Promise<StopOutcome> {
  return stopService(handle(config), log);
}

export function s3Status(config: TeamConfig): Promise<ServiceStatus> {
  return serviceStatus(handle(config));
}

/** S3 client settings for boto3 (MLflow's artifact store), keys in the environment, not argv. */
export function s3ClientEnv(config: TeamConfig, secrets: TeamSecrets): NodeJS.ProcessEnv {
  return {
    MLFLOW_S3_ENDPOINT_URL: s3Url(config),
    AWS_ACCESS_KEY_ID: secrets.s3AccessKey,
    AWS_SECRET_ACCESS_KEY: secrets.s3SecretKey,
    AWS_DEFAULT_REGION: 'us-east-1',
  };
}

/** Creates the artifact bucket unless it exists (boto3 from the MLflow venv). */
export async function ensureBucket(config: TeamConfig, python: string, secrets: TeamSecrets): Promise<void> {
  const script = [
    'import os, boto3, botocore',
    "s3 = boto3.client('s3', endpoint_url=os.environ['MLFLOW_S3_ENDPOINT_URL'])",
    "b = os.environ['REXSWEEP_BUCKET']",
    'try:',
    '    s3.head_bucket(Bucket=b)',
    'except botocore.exceptions.ClientError:',
    '    s3.create_bucket(Bucket=b)',
    'print("ok")',
  ].join('\n');
  const r = await runCommand(python, ['-c', script], {
    capture: true,
    timeoutMs: 60_000,
    env: { ...process.env, ...s3ClientEnv(config, secrets), REXSWEEP_BUCKET: config.bucket },
  });
  if (r.code !== 0 || !r.stdout.includes('ok')) throw new ServiceStartError('s3', `creating bucket ${config.bucket}: ${lastLines(r.tail, 4)}`);
}
