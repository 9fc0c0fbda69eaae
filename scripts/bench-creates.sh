#!/usr/bin/env bash
# Measures creates/s beside the bare-blob baseline on the same fresh Azurite, in one run:
#   scripts/bench-creates.sh [APPS] [CONCURRENCY]
# Extra configuration goes through the environment, e.g.
#   CloudController__GrainStorage__SkipReadOfNewGrains=false scripts/bench-creates.sh
# It starts ./run.sh (Release) on a throw-away Azurite folder and the baseline server, prints both summaries, stops both.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$CC_ROOT"
APPS=${1:-20000}
CONCURRENCY=${2:-64}
WORK=$(mktemp -d -t cc-bench-XXXXXX)
export AZURITE_BLOB_PORT=$(cc_free_port) AZURITE_QUEUE_PORT=$(cc_free_port) AZURITE_TABLE_PORT=$(cc_free_port)
export ORLEANS_SILO_PORT=$(cc_free_port) ORLEANS_GATEWAY_PORT=$(cc_free_port) ORLEANS_DASHBOARD_PORT=$(cc_free_port)
export CC_API_PORT=$(cc_free_port) BASELINE_PORT=$(cc_free_port)
trap 'cc_stop_all; rm -rf "$WORK" "$CC_ROOT/.data/azurite-$AZURITE_BLOB_PORT"' EXIT

./run.sh >"$WORK/run.log" 2>&1 &
CC_PIDS+=($!)
for _ in $(seq 1 600); do grep -q '^API ready' "$WORK/run.log" && break; sleep 0.5; done
grep -q '^API ready' "$WORK/run.log" || { tail -20 "$WORK/run.log"; cc_die "the server did not start"; }
dotnet loadtest/baseline/bin/Release/net10.0/CloudController.LoadTest.Baseline.dll >"$WORK/baseline.log" 2>&1 &
CC_PIDS+=($!)
cc_wait_port "$BASELINE_PORT" "baseline server" 60 "$!"

LT="dotnet loadtest/bin/Release/net10.0/loadtest.dll"
echo "== baseline-blob"
$LT --url "http://127.0.0.1:$BASELINE_PORT" --apps "$APPS" --concurrency "$CONCURRENCY" --scenario baseline-blob | tail -4
echo "== create-only"
$LT --url "http://127.0.0.1:$CC_API_PORT" --apps "$APPS" --concurrency "$CONCURRENCY" --scenario create-only | tail -4
