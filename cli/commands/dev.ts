/**
 * `rexsweep dev up|down|status`: the local Temporal dev server and MLflow server (installed into
 * the cache on first use, state kept across restarts). Progress lines go to stderr; addresses,
 * UI links and log paths to stdout.
 */
import type { Command } from 'commander';
import { InputError } from '../../recsys/errors.ts';
import {
  ensureLocalServices,
  localServicesStatus,
  resolveConfig,
  SERVICES,
  stopLocalServices,
  type LocalServicesStatus,
  type ServiceName,
  type ServiceReport,
} from '../../infra/local/index.ts';
import { EXIT } from '../exit-codes.ts';

export function registerDevCommand(program: Command): void {
  const dev = program
    .command('dev')
    .description('local Temporal dev server and MLflow server: install on first use, start, stop, status');

  dev
    .command('up')
    .description('install (first time) and start both servers; reuses servers that are already running')
    .option('--only <services>', 'comma-separated subset: temporal,mlflow')
    .option('--env', 'print only `export TEMPORAL_ADDRESS=… MLFLOW_TRACKING_URI=…` lines (for eval)')
    .option('--json', 'print one JSON object')
    .action(async (opts: { only?: string; env?: boolean; json?: boolean }) => {
      const only = parseOnly(opts.only);
      const config = resolveConfig();
      const log = (line: string) => process.stderr.write(line + '\n');
      const started = Date.now();
      const services = await ensureLocalServices({ log, only, config });
      const status = await localServicesStatus({ config, only });
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...services, ...status }) + '\n');
        return;
      }
      const exports = exportLines(services, only);
      if (opts.env) {
        process.stdout.write(exports);
        return;
      }
      log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.stdout.write(formatStatus(status) + '\n' + exports);
    });

  dev
    .command('down')
    .description('stop the servers `dev up` started (data is kept; external servers are never touched)')
    .option('--only <services>', 'comma-separated subset: temporal,mlflow')
    .action(async (opts: { only?: string }) => {
      const only = parseOnly(opts.only);
      await stopLocalServices({ only, log: (line) => process.stdout.write(line + '\n') });
    });

  dev
    .command('status')
    .description('what runs where, healthy or not (exit 1 when a server is down)')
    .option('--only <services>', 'comma-separated subset: temporal,mlflow')
    .option('--json', 'print one JSON object')
    .action(async (opts: { only?: string; json?: boolean }) => {
      const status = await localServicesStatus({ only: parseOnly(opts.only) });
      process.stdout.write(opts.json ? JSON.stringify(status) + '\n' : formatStatus(status) + '\n');
      if (!status.services.every((s) => s.healthy)) process.exitCode = EXIT.failed;
    });
}

function parseOnly(value: string | undefined): ServiceName[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!SERVICES.includes(name as ServiceName)) {
      throw new InputError({ file: '<command line>', field: '--only' }, `a comma-separated list of ${SERVICES.join(', ')}`, name);
    }
  }
  return names as ServiceName[];
}

function exportLines(services: { temporalAddress: string; mlflowUri: string }, only: ServiceName[] | undefined): string {
  const want = new Set(only ?? SERVICES);
  let out = '';
  if (want.has('temporal')) out += `export TEMPORAL_ADDRESS=${services.temporalAddress}\n`;
  if (want.has('mlflow')) out += `export MLFLOW_TRACKING_URI=${services.mlflowUri}\n`;
  return out;
}

export function formatStatus(status: LocalServicesStatus): string {
  const lines = status.services.map(formatService);
  lines.push(`state  ${status.stateDir}`);
  return lines.join('\n');
}

function formatService(s: ServiceReport): string {
  const label = s.service === 'temporal' ? 'Temporal' : 'MLflow';
  const state =
    s.mode === 'external'
      ? s.healthy ? 'external, reachable' : 'external, UNREACHABLE'
      : s.state === 'running'
        ? s.healthy ? `running (pid ${s.pid})` : `running but UNHEALTHY (pid ${s.pid})`
        : 'stopped';
  const parts = [`${label.padEnd(8)} ${state}`, `  address  ${s.address}`];
  if (s.uiUrl) parts.push(`  web UI   ${s.uiUrl}${s.state === 'running' && !s.uiHealthy ? ' (not answering)' : ''}`);
  else if (s.service === 'mlflow') parts.push(`  web UI   ${s.address}`);
  if (s.logFile) parts.push(`  log      ${s.logFile}`);
  return parts.join('\n');
}
