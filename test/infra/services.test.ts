/**
 * The real Temporal dev server and MLflow server of this test run (test/setup/servers.ts):
 * idempotent start, status, data kept across a restart, stale pid files.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ensureLocalServices,
  localServicesStatus,
  REXSWEEP_SEARCH_ATTRIBUTES,
  startMlflow,
  startTemporal,
  stopMlflow,
  stopTemporal,
} from '../../infra/local/index.ts';
import { httpOk, tcpOpen } from '../../infra/local/health.ts';
import { installPaths, statePaths } from '../../infra/local/paths.ts';
import { writePidFile } from '../../infra/local/process.ts';
import { mlflowGet, mlflowPost, testServers, testServersConfig } from './helpers.ts';

const servers = testServers();

describe('local services (real servers)', () => {
  const config = testServersConfig(servers);
  const temporalBin = installPaths(config.cacheDir, config.temporal.version, config.mlflow.version).temporalBin;
  const temporalCli = (...args: string[]) =>
    spawnSync(temporalBin, [...args, '--address', servers!.temporalAddress, '--disable-config-file', '--disable-config-env'], {
      encoding: 'utf8',
      timeout: 20_000,
    });

  it('a second ensureLocalServices starts nothing and returns the same addresses', async () => {
    const t0 = Date.now();
    const lines: string[] = [];
    const again = await ensureLocalServices({ config, log: (l) => lines.push(l) });
    expect(again.started).toEqual([]);
    expect(again.temporalAddress).toBe(servers!.temporalAddress);
    expect(again.temporalUiUrl).toBe(servers!.temporalUiUrl);
    expect(again.mlflowUri).toBe(servers!.mlflowUri);
    expect(lines.some((l) => l.includes('temporal') && l.includes('cached'))).toBe(true);
    expect(lines.some((l) => l.includes('mlflow') && l.includes('cached'))).toBe(true);
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 60_000);

  it('tests see the servers through the environment, and the plain API reuses them', async () => {
    expect(process.env.TEMPORAL_ADDRESS).toBe(servers!.temporalAddress);
    expect(process.env.MLFLOW_TRACKING_URI).toBe(servers!.mlflowUri);
    expect(process.env.REXSWEEP_STATE_DIR).toBe(servers!.stateDir);
    // Config from process.env: TEMPORAL_ADDRESS names the local server itself, so it is managed, not external.
    const fromEnv = await ensureLocalServices();
    expect(fromEnv).toEqual({ temporalAddress: servers!.temporalAddress, temporalUiUrl: servers!.temporalUiUrl, mlflowUri: servers!.mlflowUri, started: [] });
  }, 60_000);

  it('status reports both servers running and healthy, with the Temporal UI up', async () => {
    const status = await localServicesStatus({ config });
    const temporal = status.services.find((s) => s.service === 'temporal')!;
    const mlflow = status.services.find((s) => s.service === 'mlflow')!;
    expect(status.stateDir).toBe(servers!.stateDir);
    expect(temporal).toMatchObject({ mode: 'local', state: 'running', healthy: true, uiHealthy: true, address: servers!.temporalAddress });
    expect(mlflow).toMatchObject({ mode: 'local', state: 'running', healthy: true, address: servers!.mlflowUri });
    expect(temporal.pid).toBeGreaterThan(0);
    expect(mlflow.pid).toBeGreaterThan(0);
    expect(temporal.logFile).toBe(statePaths(servers!.stateDir).logFile('temporal'));
  }, 30_000);

  it('the dev server has the sweep search attributes registered', () => {
    const out = temporalCli('operator', 'search-attribute', 'list');
    expect(out.status).toBe(0);
    for (const [name, type] of Object.entries(REXSWEEP_SEARCH_ATTRIBUTES)) {
      expect(out.stdout).toMatch(new RegExp(`${name}\\s+${type}`));
    }
  });

  it('MLflow keeps experiments and artifacts across a stop and start', async () => {
    const uri = servers!.mlflowUri;
    const name = `infra-restart-${randomUUID()}`;
    const { experiment_id } = await mlflowPost<{ experiment_id: string }>(uri, 'experiments/create', { name });
    const { run } = await mlflowPost<{ run: { info: { run_id: string; artifact_uri: string } } }>(uri, 'runs/create', {
      experiment_id,
      start_time: Date.now(),
    });
    await mlflowPost(uri, 'runs/log-batch', { run_id: run.info.run_id, metrics: [{ key: 'hr_at_10', value: 0.25, timestamp: Date.now(), step: 0 }] });
    // Upload through the server's artifact proxy (the run's artifact_uri is mlflow-artifacts:/<exp>/<run>/artifacts).
    const artifactPath = run.info.artifact_uri.replace(/^mlflow-artifacts:\//, '');
    const put = await fetch(`${uri}/api/2.0/mlflow-artifacts/artifacts/${artifactPath}/note.txt`, { method: 'PUT', body: 'kept' });
    expect(put.status).toBe(200);

    const stopped = await stopMlflow({ config });
    expect(stopped.result).toBe('terminated');
    expect(await httpOk(`${uri}/health`, 1000)).toBe(false);

    const t0 = Date.now();
    const restarted = await startMlflow({ config });
    expect(restarted.started).toBe(true);
    expect(restarted.uri).toBe(uri);
    console.log(`MLflow restart: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const found = await mlflowGet<{ experiment: { experiment_id: string; name: string } }>(
      uri,
      `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
    );
    expect(found.status).toBe(200);
    expect(found.body.experiment.experiment_id).toBe(experiment_id);
    const got = await mlflowGet<{ run: { data: { metrics: { key: string; value: number }[] } } }>(uri, `runs/get?run_id=${run.info.run_id}`);
    expect(got.body.run.data.metrics).toEqual([expect.objectContaining({ key: 'hr_at_10', value: 0.25 })]);
    const file = await fetch(`${uri}/api/2.0/mlflow-artifacts/artifacts/${artifactPath}/note.txt`);
    expect(await file.text()).toBe('kept');
  }, 240_000);

  it('Temporal keeps workflows across a stop and start, and a stale pid file does not block the start', async () => {
    const workflowId = `infra-restart-${randomUUID()}`;
    const start = temporalCli(
      'workflow', 'start', '--type', 'NoWorkerNeeded', '--task-queue', 'infra-test', '--workflow-id', workflowId,
      '--search-attribute', `RexsweepSweepId="${workflowId}"`,
    );
    expect(start.status, start.stderr).toBe(0);

    const stopped = await stopTemporal({ config });
    expect(stopped.result).toBe('terminated');
    expect(await tcpOpen('127.0.0.1', servers!.ports.temporal, 500)).toBe(false);

    // A pid file left by a crash: its pid is a process that has exited.
    const dead = spawnSync('true');
    await writePidFile(statePaths(servers!.stateDir).pidFile('temporal'), {
      pid: dead.pid!,
      executable: temporalBin,
      args: [],
      ports: [servers!.ports.temporal],
      startedAt: new Date().toISOString(),
    });

    const lines: string[] = [];
    const t0 = Date.now();
    const restarted = await startTemporal({ config, log: (l) => lines.push(l) });
    expect(restarted.started).toBe(true);
    expect(restarted.address).toBe(servers!.temporalAddress);
    expect(lines.some((l) => l.includes('stale pid file'))).toBe(true);
    console.log(`Temporal restart: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const described = temporalCli('workflow', 'describe', '--workflow-id', workflowId, '--output', 'json');
    expect(described.status, described.stderr).toBe(0);
    expect(JSON.parse(described.stdout).workflowExecutionInfo.execution.workflowId).toBe(workflowId);
    const listed = temporalCli('workflow', 'list', '--query', `RexsweepSweepId="${workflowId}"`, '--output', 'json');
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(workflowId);
    temporalCli('workflow', 'terminate', '--workflow-id', workflowId, '--reason', 'test done');
  }, 240_000);
});
