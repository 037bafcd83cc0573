/**
 * The Temporal server's config file (pure): the module's config/development-postgres12.yaml,
 * bound to the configured address, with SQL visibility (custom search attributes work on
 * PostgreSQL 12+ schemas) and mutual TLS on the frontend and between Temporal's own services.
 */
import { temporalPorts, type TeamConfig } from './config.ts';
import type { TlsFiles } from './tls.ts';
import { TLS_SERVER_NAME } from './tls.ts';

export function temporalServerConfig(config: TeamConfig, dbPassword: string, tls: TlsFiles, dynamicConfigFile: string): Record<string, unknown> {
  const host = config.temporal.host;
  const ports = temporalPorts(config.temporal.port);
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${config.postgres.host}:${config.postgres.port}`,
      connectProtocol: 'tcp',
      user: 'temporal',
      password: dbPassword,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnIP: host, ...extra },
  });
  // The server's certificate is also its client certificate between its own services.
  const mtlsServer = { certFile: tls.serverCert, keyFile: tls.serverKey, requireClientAuth: true, clientCaFiles: [tls.ca] };
  const tlsClient = { serverName: TLS_SERVER_NAME, rootCaFiles: [tls.ca] };
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: { 'postgres-default': store('temporal', 20), 'postgres-visibility': store('temporal_visibility', 10) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: host },
      tls: {
        internode: { server: mtlsServer, client: tlsClient },
        frontend: { server: mtlsServer, client: tlsClient },
      },
    },
    services: {
      frontend: service(ports.frontend, ports.membership.frontend, { httpPort: 0 }),
      history: service(ports.history, ports.membership.history),
      matching: service(ports.matching, ports.membership.matching),
      worker: service(ports.worker, ports.membership.worker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `${host}:${ports.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '60s' },
  };
}

/** Dynamic config: the server's defaults, plus the id length the dev server also allows. */
export const TEMPORAL_DYNAMIC_CONFIG = {
  'limit.maxIDLength': [{ value: 255, constraints: {} }],
};
