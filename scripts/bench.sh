#!/usr/bin/env bash
# Runs loadtest scenarios against a fresh server and the baseline server on one fresh Azurite, in one run:
#   scripts/bench.sh [APPS] [CONCURRENCY] [SCENARIO ...]     (default: 20000 64 baseline-blob create-only)
# baseline-* scenarios go to the baseline server, the others to the API. Extra configuration goes through the
# environment, e.g. CloudController__GrainStorage__SkipReadOfNewGrains=false scripts/bench.sh
# LOADTEST_ARGS adds options to every loadtest run (e.g. "--spaces 8 --duration 30").
# It starts ./run.sh (Release) on a throw-away Azurite folder and the baseline server, prints each summary, stops both.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$CC_ROOT"
APPS=${1:-20000}
CONCURRENCY=${2:-64}
shift 2 2>/dev/null || shift $#
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(baseline-blob create-only)
# The Orleans Dashboard's grain-call filters cost lists about a fifth of their throughput (README
# "Performance"); figures are taken without it unless Dashboard__Enabled says otherwise.
export Dashboard__Enabled=${Dashboard__Enabled:-false}
# The load-test tool reads no staging logs: staging ends as soon as it is done (run.sh would hold it 2.5 s for the cf CLI).
export CloudController__Runtime__StagingLogLead=${CloudController__Runtime__StagingLogLead:-00:00:00}
WORK=$(mktemp -d -t cc-bench-XXXXXX)
export AZURITE_BLOB_PORT=$(cc_free_port) AZURITE_QUEUE_PORT=$(cc_free_port) AZURITE_TABLE_PORT=$(cc_free_port)
export ORLEANS_SILO_PORT=$(cc_free_port) ORLEANS_GATEWAY_PORT=$(cc_free_port) ORLEANS_DASHBOARD_PORT=$(cc_free_port)
export CC_API_PORT=$(cc_free_port) BASELINE_PORT=$(cc_free_port)
trap 'cc_stop_all; [ -n "${BENCH_KEEP_LOGS:-}" ] && cp "$WORK/run.log" "$BENCH_KEEP_LOGS"; rm -rf "$WORK" "$CC_ROOT/.data/azurite-$AZURITE_BLOB_PORT"' EXIT

dotnet build loadtest/baseline -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null || cc_die "building the baseline server failed"
./run.sh >"$WORK/run.log" 2>&1 &
CC_PIDS+=($!)
for _ in $(seq 1 600); do grep -q '^API ready' "$WORK/run.log" && break; sleep 0.5; done
grep -q '^API ready' "$WORK/run.log" || { tail -20 "$WORK/run.log"; cc_die "the server did not start"; }
dotnet loadtest/baseline/bin/Release/net10.0/loadtest-baseline.dll >"$WORK/baseline.log" 2>&1 &
CC_PIDS+=($!)
cc_wait_port "$BASELINE_PORT" "baseline server" 60 "$!"
# The baseline reads the blob endpoint from ConnectionStrings__Blobs or AZURITE_BLOB_PORT (exported above).

LT="dotnet loadtest/bin/Release/net10.0/loadtest.dll"
for scenario in "${SCENARIOS[@]}"; do
  url="http://127.0.0.1:$CC_API_PORT"
  # The silo's storage requests are counted with the API's and reported per unit.
  metrics=(--metrics "http://127.0.0.1:$ORLEANS_DASHBOARD_PORT/metrics")
  [[ "$scenario" == baseline-* ]] && url="http://127.0.0.1:$BASELINE_PORT" && metrics=()
  echo "== $scenario"
  # shellcheck disable=SC2086 # LOADTEST_ARGS is a list of options
  $LT --url "$url" --apps "$APPS" --concurrency "$CONCURRENCY" --scenario "$scenario" "${metrics[@]}" ${LOADTEST_ARGS:-} | sed -n -e '/^setup: /p' -e '/^operation/,$p'
done
