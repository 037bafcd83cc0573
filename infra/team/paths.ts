/**
 * Where the team stack keeps things. Tools are cached beside the local servers' (built once per
 * version); state is one folder per stack, so `team down` + `team up` keeps every database,
 * object, certificate and password.
 *
 *   <cache>/team/<tool>-<version>/bin/…   Go binaries (temporal-server, temporal-sql-tool, versitygw)
 *   <state>/secrets.json                  generated passwords and keys (mode 600)
 *   <state>/tls/                          CA, server and client certificates for Temporal mTLS
 *   <state>/postgres/                     PostgreSQL data folder (owned by the postgres user)
 *   <state>/s3/                           the S3 store's objects
 *   <state>/temporal/                     generated server config + dynamic config
 *   <state>/mlflow/                       basic-auth config
 *   <state>/logs, <state>/run             server logs, pid files, locks (infra/local/supervisor.ts)
 */
import { join } from 'node:path';
import { statePaths, type StatePaths } from '../local/paths.ts';

export interface TeamPaths extends StatePaths {
  secrets: string;
  tlsDir: string;
  pgData: string;
  pgSocketDir: string;
  s3Dir: string;
  temporalDir: string;
  mlflowDir: string;
}

export function teamPaths(stateDir: string): TeamPaths {
  return {
    ...statePaths(stateDir),
    secrets: join(stateDir, 'secrets.json'),
    tlsDir: join(stateDir, 'tls'),
    pgData: join(stateDir, 'postgres', 'data'),
    pgSocketDir: join(stateDir, 'postgres', 'socket'),
    s3Dir: join(stateDir, 's3'),
    temporalDir: join(stateDir, 'temporal'),
    mlflowDir: join(stateDir, 'mlflow'),
  };
}

export function toolDir(cacheDir: string, tool: string, version: string): string {
  return join(cacheDir, 'team', `${tool}-${version}`);
}
