#!/usr/bin/env bash
# Builds and runs every test project against its own Azurite on free loopback ports; stops what it started.
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter FullyQualifiedName~Storage).
set -euo pipefail
source "$(dirname "$0")/scripts/common.sh"
cd "$CC_ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

WORK=$(mktemp -d -t cc-test-XXXXXX)
trap 'cc_stop_all; rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$(date +%s)
cc_require
cc_install_npm
cc_build Debug

# One storage account for everything: blobs (grain state, bits) and tables (reminders, the cluster tests' membership).
# Kept in memory (AZURITE_IN_MEMORY=0 keeps it on disk): nothing outlives the run, and Azurite then spends no CPU
# saving its metadata store, which the parallel test tiers need.
if [ "${AZURITE_IN_MEMORY:-1}" = 0 ]; then unset AZURITE_IN_MEMORY; else export AZURITE_IN_MEMORY=1; fi
AZURITE_BLOB_PORT=$(cc_free_port)
AZURITE_TABLE_PORT=$(cc_free_port)
cc_start_azurite "$WORK/azurite" "$AZURITE_BLOB_PORT" "$(cc_free_port)" "$AZURITE_TABLE_PORT"
export AZURITE_BLOB_PORT AZURITE_TABLE_PORT
unset ConnectionStrings__Blobs

set +e
dotnet test Orleans.CloudController.sln -c Debug --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee "$WORK/test.log"
rc=${PIPESTATUS[0]}
set -e

# The load-test tool's smoke run: a real silo and API process on free ports (same Azurite), 20 apps through the
# whole lifecycle at concurrency 4; the tool exits non-zero on any error.
smoke() {
  local silo_port gateway_port dashboard_port api_port
  silo_port=$(cc_free_port); gateway_port=$(cc_free_port); dashboard_port=$(cc_free_port); api_port=$(cc_free_port)
  ORLEANS_SILO_PORT=$silo_port ORLEANS_GATEWAY_PORT=$gateway_port ORLEANS_DASHBOARD_PORT=$dashboard_port \
    CloudController__GrainStorage__ContainerName="smoke-$RANDOM$RANDOM" CloudController__Work__ReminderTable="smoke$RANDOM$RANDOM" \
    dotnet silo/bin/Debug/net10.0/CloudController.Silo.dll >"$WORK/smoke-silo.log" 2>&1 &
  CC_PIDS+=($!)
  cc_wait_port "$gateway_port" "smoke silo" 120 "$!"
  ORLEANS_GATEWAY_PORT=$gateway_port ASPNETCORE_URLS="http://127.0.0.1:$api_port" Uaa__SigningKeyPath="$WORK/uaa-key.pem" \
    dotnet api/bin/Debug/net10.0/CloudController.Api.dll --contentRoot "$CC_ROOT/api/bin/Debug/net10.0" >"$WORK/smoke-api.log" 2>&1 &
  CC_PIDS+=($!)
  for _ in $(seq 1 240); do cc_http_ok "$api_port" /v2/info && break; sleep 0.25; done
  dotnet loadtest/bin/Debug/net10.0/loadtest.dll --url "http://127.0.0.1:$api_port" --apps 20 --concurrency 4 --scenario lifecycle
}
set +e
# Not in a pipeline: a pipeline would run smoke in a subshell, and the processes it starts would never reach the
# CC_PIDS that the exit trap stops.
smoke > >(tee "$WORK/smoke.log") 2>&1
smoke_rc=$?
set -e
if [ "$smoke_rc" -eq 0 ]; then
  cc_log "loadtest smoke run: 20 lifecycles, no errors"
else
  cc_log "loadtest smoke run FAILED (exit $smoke_rc); silo and API logs follow"
  tail -n 40 "$WORK/smoke-silo.log" "$WORK/smoke-api.log" >&2 || true
  [ "$rc" -ne 0 ] || rc=$smoke_rc
fi

# One plain closing line: "tests: N passed, N failed, N skipped".
# dotnet test prints per-assembly totals as "Passed: N" / "Failed: N" / "Skipped: N" lines.
read -r failed passed skipped < <(awk '
  /^[[:space:]]*Failed:[[:space:]]+[0-9]+[[:space:]]*$/ {f += $2}
  /^[[:space:]]*Passed:[[:space:]]+[0-9]+[[:space:]]*$/ {p += $2}
  /^[[:space:]]*Skipped:[[:space:]]+[0-9]+[[:space:]]*$/ {s += $2}
  END {print f + 0, p + 0, s + 0}' "$WORK/test.log")
# Each failed test again at the very end, with its message and the top of its stack, so that a log shown only by its
# tail (as CI shows it) still names what failed.
if [ "$failed" -gt 0 ]; then
  echo "failed tests:"
  awk '
    /^[[:space:]]+(Passed|Skipped) [A-Za-z]/ {show = 0}
    /^[[:space:]]+Failed [A-Za-z]/ {show = 1; n = 0}
    show && n < 25 {print; n++}' "$WORK/test.log"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
cc_log "test.sh finished in $(($(date +%s) - started))s (exit $rc)"
if [ "$rc" -eq 0 ] && [ "$passed" -eq 0 ]; then
  cc_die "no test ran"
fi
exit "$rc"
