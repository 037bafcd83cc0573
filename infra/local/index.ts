/**
 * Local services: a Temporal dev server and an MLflow server on this machine, installed into the
 * cache on first use and started detached, so they outlive the command that started them.
 *
 *   ensureLocalServices()   install what is missing, start what is not running, reuse what is
 *   stopLocalServices()     stop what rexsweep started (never a server it did not start)
 *   localServicesStatus()   what runs where, healthy or not, pids and log files
 *   startTemporal() / stopTemporal(), startMlflow() / stopMlflow()   one server (fault drills)
 *
 * TEMPORAL_ADDRESS / MLFLOW_TRACKING_URI pointing anywhere other than the local server's own
 * address make ensureLocalServices use that server (health-checked) and start nothing for it.
 * Pointing at the local address (as after `eval $(rexsweep dev up --env)`) changes nothing.
 */
import { resolveConfig, type LocalServicesConfig } from './config.ts';
import { ServiceUnreachableError, type ServiceName } from './errors.ts';
import { parseHostPort, tcpOpen } from './health.ts';
import { localMlflowStatus, mlflowHealthy, mlflowUri, startLocalMlflow, stopLocalMlflow } from './mlflow.ts';
import type { Log, StopOutcome } from './supervisor.ts';
import { localTemporalStatus, startLocalTemporal, stopLocalTemporal, temporalEndpoints, temporalHealthy } from './temporal.ts';

export { resolveConfig, type LocalServicesConfig } from './config.ts';
export type { ServiceName } from './errors.ts';
export * from './errors.ts';
export { REXSWEEP_SEARCH_ATTRIBUTES, type TemporalStarted } from './temporal.ts';
export type { MlflowStarted } from './mlflow.ts';
export type { StopOutcome } from './supervisor.ts';
export { MLFLOW_VERSION, TEMPORAL_CLI_VERSION } from './versions.ts';

export const SERVICES: readonly ServiceName[] = ['temporal', 'mlflow'];

export interface ServicesOptions {
  /** One line per step (install, start, reuse); silent by default. */
  log?: Log;
  /** Limit to these services (default both). */
  only?: ServiceName[];
  /** Default: resolveConfig(process.env). */
  config?: LocalServicesConfig;
}

export interface LocalServices {
  /** `host:port` for @temporalio/client. */
  temporalAddress: string;
  /** Temporal Web UI; empty when an external server is used (its UI is unknown). */
  temporalUiUrl: string;
  mlflowUri: string;
  /** Services this call started (empty when all were already running or external). */
  started: ServiceName[];
}

export async function ensureLocalServices(options: ServicesOptions = {}): Promise<LocalServices> {
  const config = options.config ?? resolveConfig();
  const log = options.log ?? (() => undefined);
  const want = wanted(options.only);
  const endpoints = temporalEndpoints(config);
  const result: LocalServices = {
    temporalAddress: endpoints.address,
    temporalUiUrl: endpoints.uiUrl,
    mlflowUri: mlflowUri(config),
    started: [],
  };
  const external = externalServers(config);

  const temporal = async () => {
    if (external.temporal) {
      await checkExternalTemporal(config, external.temporal);
      log(`temporal: using TEMPORAL_ADDRESS=${external.temporal} (external; nothing started)`);
      result.temporalAddress = external.temporal;
      result.temporalUiUrl = '';
      return;
    }
    const r = await startLocalTemporal(config, log);
    if (r.started) result.started.push('temporal');
    log(r.started ? `temporal: started pid ${r.pid} in ${(r.ms / 1000).toFixed(1)} s at ${r.address}` : `temporal: already running (pid ${r.pid}) at ${r.address}`);
  };
  const mlflow = async () => {
    if (external.mlflow) {
      await checkExternalMlflow(external.mlflow);
      log(`mlflow: using MLFLOW_TRACKING_URI=${external.mlflow} (external; nothing started)`);
      result.mlflowUri = external.mlflow;
      return;
    }
    const r = await startLocalMlflow(config, log);
    if (r.started) result.started.push('mlflow');
    log(r.started ? `mlflow: started pid ${r.pid} in ${(r.ms / 1000).toFixed(1)} s at ${r.uri}` : `mlflow: already running (pid ${r.pid}) at ${r.uri}`);
  };

  // Both at once: installs and the slow MLflow start overlap with Temporal's.
  const outcomes = await Promise.allSettled([want.has('temporal') ? temporal() : undefined, want.has('mlflow') ? mlflow() : undefined]);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  result.started.sort((a, b) => SERVICES.indexOf(a) - SERVICES.indexOf(b));
  return result;
}

export interface StoppedServices {
  /** Services whose process this call stopped. */
  stopped: ServiceName[];
  outcomes: Partial<Record<ServiceName, StopOutcome>>;
}

/** Stops the servers rexsweep started in this state folder; external servers are never touched. */
export async function stopLocalServices(options: ServicesOptions = {}): Promise<StoppedServices> {
  const config = options.config ?? resolveConfig();
  const log = options.log ?? (() => undefined);
  const want = wanted(options.only);
  const result: StoppedServices = { stopped: [], outcomes: {} };
  for (const service of SERVICES) {
    if (!want.has(service)) continue;
    const outcome = service === 'temporal' ? await stopLocalTemporal(config, log) : await stopLocalMlflow(config, log);
    result.outcomes[service] = outcome;
    if (outcome.result !== 'not-running') result.stopped.push(service);
    log(
      outcome.result === 'not-running'
        ? `${service}: not running`
        : `${service}: stopped pid ${outcome.pid} (${outcome.result === 'killed' ? 'SIGKILL after SIGTERM timed out' : 'SIGTERM'}) in ${(outcome.ms / 1000).toFixed(1)} s`,
    );
  }
  return result;
}

export interface ServiceReport {
  service: ServiceName;
  /** `local`: rexsweep's own server in the state folder; `external`: TEMPORAL_ADDRESS / MLFLOW_TRACKING_URI. */
  mode: 'local' | 'external';
  /** For external servers: `running` when reachable. */
  state: 'running' | 'stopped';
  healthy: boolean;
  /** Temporal `host:port`, or the MLflow URI. */
  address: string;
  uiUrl?: string;
  uiHealthy?: boolean;
  pid?: number;
  startedAt?: string;
  logFile?: string;
  pidFile?: string;
}

export interface LocalServicesStatus {
  stateDir: string;
  cacheDir: string;
  services: ServiceReport[];
}

export async function localServicesStatus(options: Pick<ServicesOptions, 'config' | 'only'> = {}): Promise<LocalServicesStatus> {
  const config = options.config ?? resolveConfig();
  const want = wanted(options.only);
  const external = externalServers(config);
  const reports: ServiceReport[] = [];
  if (want.has('temporal')) {
    if (external.temporal) {
      const healthy = await externalTemporalReachable(config, external.temporal);
      reports.push({ service: 'temporal', mode: 'external', state: healthy ? 'running' : 'stopped', healthy, address: external.temporal });
    } else {
      const s = await localTemporalStatus(config);
      reports.push({ mode: 'local', ...s, address: s.address, uiUrl: s.uiUrl, uiHealthy: s.uiHealthy });
    }
  }
  if (want.has('mlflow')) {
    if (external.mlflow) {
      const healthy = await mlflowHealthy(external.mlflow);
      reports.push({ service: 'mlflow', mode: 'external', state: healthy ? 'running' : 'stopped', healthy, address: external.mlflow });
    } else {
      const { uri, ...s } = await localMlflowStatus(config);
      reports.push({ mode: 'local', ...s, address: uri });
    }
  }
  return { stateDir: config.stateDir, cacheDir: config.cacheDir, services: reports.map(stripUndefined) };
}

/** Starts (installing if needed) rexsweep's own Temporal dev server, whatever TEMPORAL_ADDRESS says. */
export async function startTemporal(options: Omit<ServicesOptions, 'only'> = {}) {
  return startLocalTemporal(options.config ?? resolveConfig(), options.log ?? (() => undefined));
}

/** Stops rexsweep's own Temporal dev server (state is kept in <state>/temporal.db). */
export async function stopTemporal(options: Omit<ServicesOptions, 'only'> = {}): Promise<StopOutcome> {
  return stopLocalTemporal(options.config ?? resolveConfig(), options.log ?? (() => undefined));
}

/** Starts (installing if needed) rexsweep's own MLflow server, whatever MLFLOW_TRACKING_URI says. */
export async function startMlflow(options: Omit<ServicesOptions, 'only'> = {}) {
  return startLocalMlflow(options.config ?? resolveConfig(), options.log ?? (() => undefined));
}

/** Stops rexsweep's own MLflow server (runs and artifacts are kept in the state folder). */
export async function stopMlflow(options: Omit<ServicesOptions, 'only'> = {}): Promise<StopOutcome> {
  return stopLocalMlflow(options.config ?? resolveConfig(), options.log ?? (() => undefined));
}

function wanted(only: ServiceName[] | undefined): Set<ServiceName> {
  return new Set(only && only.length > 0 ? only : SERVICES);
}

/**
 * External servers: TEMPORAL_ADDRESS / MLFLOW_TRACKING_URI, unless they name the local server's
 * own address (then the local server is managed as usual).
 */
export function externalServers(config: LocalServicesConfig): { temporal?: string; mlflow?: string } {
  const out: { temporal?: string; mlflow?: string } = {};
  const t = config.external.temporalAddress?.trim();
  if (t) {
    const hp = parseHostPort(t);
    const local = hp && isLoopbackName(hp.host) && hp.port === config.temporal.port;
    if (!local) out.temporal = t;
  }
  const m = config.external.mlflowUri?.trim().replace(/\/+$/, '');
  if (m) {
    let local = false;
    try {
      const u = new URL(m);
      local = u.protocol === 'http:' && isLoopbackName(u.hostname) && Number(u.port || 80) === config.mlflow.port && (u.pathname === '/' || u.pathname === '');
    } catch {
      local = false;
    }
    if (!local) out.mlflow = m;
  }
  return out;
}

function isLoopbackName(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

async function externalTemporalReachable(config: LocalServicesConfig, address: string): Promise<boolean> {
  const hp = parseHostPort(address);
  if (!hp) return false;
  // A remote cluster may need TLS or an API key the bare CLI probe lacks: TCP is the check there.
  return isLoopbackName(hp.host) ? temporalHealthy(config, address) : tcpOpen(hp.host, hp.port, 3000);
}

async function checkExternalTemporal(config: LocalServicesConfig, address: string): Promise<void> {
  if (!parseHostPort(address)) throw new ServiceUnreachableError('temporal', address, 'TEMPORAL_ADDRESS must be host:port');
  if (!(await externalTemporalReachable(config, address))) {
    throw new ServiceUnreachableError('temporal', address, 'no Temporal server answers there (unset TEMPORAL_ADDRESS to start a local one)');
  }
}

async function checkExternalMlflow(uri: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ServiceUnreachableError('mlflow', uri, 'MLFLOW_TRACKING_URI must be an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ServiceUnreachableError('mlflow', uri, `rexsweep talks to MLflow over REST: MLFLOW_TRACKING_URI must be http(s), got ${url.protocol}`);
  }
  if (!(await mlflowHealthy(uri))) {
    throw new ServiceUnreachableError('mlflow', uri, 'GET /health did not answer 200 (unset MLFLOW_TRACKING_URI to start a local one)');
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
