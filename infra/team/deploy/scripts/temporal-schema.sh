#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL schemas (postgres12 plugin, SQL visibility).
# Idempotent: `setup-schema -v 0.0` skips a database that already has a version and
# `update-schema` applies only the versions it lacks, so this same script is the upgrade step:
# run it with the NEW admin-tools image before starting the new server (README "Upgrades").
# Needs POSTGRES_SEEDS, POSTGRES_USER, SQL_PASSWORD (env/temporal.env); DB_PORT defaults to 5432.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
PORT="${DB_PORT:-5432}"
SCHEMA=/etc/temporal/schema/postgresql/v12

until nc -z "$POSTGRES_SEEDS" "$PORT"; do echo "waiting for $POSTGRES_SEEDS:$PORT"; sleep 2; done

for pair in temporal:temporal temporal_visibility:visibility; do
  db="${pair%%:*}"
  dir="${pair#*:}"
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$PORT" -u "$POSTGRES_USER" --db "$db" setup-schema -v 0.0
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$PORT" -u "$POSTGRES_USER" --db "$db" update-schema -d "$SCHEMA/$dir/versioned"
done
echo "temporal schemas up to date"
