/** Servers and clients for the sweep commands: local dev servers unless addresses are given. */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { ensureLocalServices, type LocalServices } from '../infra/local/index.ts';
import { createLogSink } from './log-redaction.ts';
import { connectionOptions, temporalConnectionFromEnv, type TemporalConnectionSettings } from '../worker/temporal-connection.ts';

export interface Connected {
  services: LocalServices;
  /** Address, namespace, TLS and API key in use (worker/temporal-connection.ts). */
  temporal: TemporalConnectionSettings;
  client: Client;
  close(): Promise<void>;
}

/**
 * Temporal's core logs at INFO to the console by default; keep the terminal for progress. WARN
 * and above are printed, the native core's included (forwarded), through log-redaction.ts: no
 * task token, no stack trace.
 */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', createLogSink((line) => process.stderr.write(line))),
      telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) } },
    });
  } catch {
    /* installed already (once per process) */
  }
}

export async function connect(log: (m: string) => void): Promise<Connected> {
  quietTemporalRuntime();
  const services = await ensureLocalServices({ log });
  // Read before connecting: a bad TLS variable is bad input (exit 2), not a connection failure.
  const temporal = temporalConnectionFromEnv({ address: services.temporalAddress });
  const connection = await Connection.connect(connectionOptions(temporal));
  const client = new Client({ connection, namespace: temporal.namespace });
  return { services, temporal, client, close: () => closeAll(connection) };
}

/**
 * The client connection, then Temporal's native runtime if no worker uses it any more. The
 * runtime installed above forwards core logs from a native thread and so keeps the process
 * alive; it shuts itself down when its last worker stops, but a command that started no worker
 * (`run --no-worker`, `status`, the control verbs) never gets there and would never exit.
 */
async function closeAll(connection: Connection): Promise<void> {
  // A call given up on during a Temporal outage (the follow loop moved on) may still have a retry
  // timer pending in the client's gRPC retry interceptor; fired after close(), it throws "Channel
  // has been shut down" from the timer and would crash a command whose work is done. Nothing
  // waits for that call: ignore exactly that error from now on, and crash as before on any other.
  if (!process.listeners('uncaughtException').includes(ignoreLateCallOnClosedChannel)) process.on('uncaughtException', ignoreLateCallOnClosedChannel);
  await connection.close();
  // Not Runtime.instance(): after a worker's stop shut the runtime down, that would start a new
  // one. `_instance` and shutdownIfIdle are what the SDK itself uses after a worker stops.
  const runtime = (Runtime as unknown as { _instance?: { shutdownIfIdle(): Promise<void> } })._instance;
  await runtime?.shutdownIfIdle();
}

function ignoreLateCallOnClosedChannel(err: Error): void {
  if (err?.message === 'Channel has been shut down') return;
  process.removeListener('uncaughtException', ignoreLateCallOnClosedChannel);
  process.stderr.write(`${err?.stack ?? String(err)}\n`);
  process.exit(1);
}
