/** Servers and clients for the sweep commands: local dev servers unless addresses are given. */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureLocalServices, type LocalServices } from '../../infra/local/index.ts';

export interface Connected {
  services: LocalServices;
  client: Client;
  close(): Promise<void>;
}

/** Temporal's core logs at INFO to the console by default; keep the terminal for progress. */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* installed already (once per process) */
  }
}

export async function connect(log: (m: string) => void): Promise<Connected> {
  quietTemporalRuntime();
  const services = await ensureLocalServices({ log });
  const connection = await Connection.connect({ address: services.temporalAddress });
  const client = new Client({ connection });
  return { services, client, close: () => connection.close() };
}
