#!/bin/sh
# A real Temporal server has no `default` namespace (the dev server does): create it, then
# rexsweep's search attributes (the list is sweep/search-attributes.ts; the test
# test/infra/deploy-files.test.ts keeps the two equal). Idempotent.
# The temporal CLI reads TEMPORAL_ADDRESS and the TLS files from TEMPORAL_TLS_SERVER_CA_CERT_PATH,
# TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_NAME.
set -eu
NS="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_RETENTION:-720h}"

tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "temporal at $TEMPORAL_ADDRESS not healthy"; exit 1; }
  sleep 5
done

temporal operator namespace describe --namespace "$NS" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$NS" --retention "$RETENTION"

add() {
  temporal operator search-attribute list --namespace "$NS" | grep -qw "$1" ||
    temporal operator search-attribute create --namespace "$NS" --name "$1" --type "$2"
}
add RexsweepSweepId Keyword
add RexsweepName Keyword
add RexsweepState Keyword
add RexsweepCellsDone Int
add RexsweepCellsTotal Int
add RexsweepCellsFailed Int
echo "namespace $NS ready"
