/**
 * Pinned versions of the team stack. Everything comes from the package registries: the Temporal
 * server, its SQL schema tool and the S3 store are built with `go install` from the Go module
 * proxy (nothing ships them prebuilt); PostgreSQL is Debian's; MLflow's S3 and PostgreSQL drivers
 * are PyPI wheels installed into the local MLflow venv (infra/local/install-mlflow.ts).
 */

/** go.temporal.io/server: the server (`cmd/server`) and temporal-sql-tool (`cmd/tools/sql`). v1.32.2 needs Go ≥ 1.26.10. */
export const TEMPORAL_SERVER_VERSION = 'v1.32.1';

/** github.com/versity/versitygw: an S3 gateway over a POSIX folder (MinIO has no tagged Go module release). */
export const VERSITYGW_VERSION = 'v1.8.0';

/** PyPI wheels beside MLflow: the S3 artifact store (boto3), the PostgreSQL backend store (psycopg2), the basic-auth app's CSRF check (Flask-WTF, as mlflow[auth]). */
export const MLFLOW_TEAM_EXTRAS = ['boto3==1.44.8', 'psycopg2-binary==2.9.13', 'Flask-WTF==1.3.0'] as const;

/** Debian's PostgreSQL major version (bookworm ships 15). */
export const POSTGRES_MAJOR = 15;

/** The Temporal schemas this server version expects (embedded in temporal-sql-tool). */
export const TEMPORAL_SCHEMAS = {
  temporal: 'postgresql/v12/temporal',
  visibility: 'postgresql/v12/visibility',
} as const;
