#!/bin/sh
# Runs once, on an empty data directory (the postgres image's /docker-entrypoint-initdb.d).
# Two roles, four databases:
#   temporal -> temporal, temporal_visibility   (schemas: temporal-sql-tool, scripts/temporal-schema.sh)
#   mlflow   -> mlflow, mlflow_auth             (schemas: MLflow itself on first start)
# Passwords come from the environment (env/postgres.env), never from this file.
set -eu
: "${TEMPORAL_DB_PASSWORD:?set TEMPORAL_DB_PASSWORD in env/postgres.env}"
: "${MLFLOW_DB_PASSWORD:?set MLFLOW_DB_PASSWORD in env/postgres.env}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v temporal_pw="$TEMPORAL_DB_PASSWORD" -v mlflow_pw="$MLFLOW_DB_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN PASSWORD :'temporal_pw';
CREATE ROLE mlflow LOGIN PASSWORD :'mlflow_pw';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
CREATE DATABASE mlflow OWNER mlflow;
CREATE DATABASE mlflow_auth OWNER mlflow;
SQL
