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

AZURITE_BLOB_PORT=$(cc_free_port)
cc_start_azurite "$WORK/azurite" "$AZURITE_BLOB_PORT" "$(cc_free_port)" "$(cc_free_port)"
export AZURITE_BLOB_PORT
unset ConnectionStrings__Blobs

# The cluster tests' membership store (Clustering:Provider=Redis).
cc_require_redis
REDIS_PORT=$(cc_free_port)
cc_start_redis "$REDIS_PORT" "$WORK/redis"
export CC_TEST_REDIS="127.0.0.1:$REDIS_PORT"

set +e
dotnet test Orleans.CloudController.sln -c Debug --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee "$WORK/test.log"
rc=${PIPESTATUS[0]}
set -e

# One plain closing line: "tests: N passed, N failed, N skipped".
# dotnet test prints per-assembly totals as "Passed: N" / "Failed: N" / "Skipped: N" lines.
read -r failed passed skipped < <(awk '
  /^[[:space:]]*Failed:[[:space:]]+[0-9]+[[:space:]]*$/ {f += $2}
  /^[[:space:]]*Passed:[[:space:]]+[0-9]+[[:space:]]*$/ {p += $2}
  /^[[:space:]]*Skipped:[[:space:]]+[0-9]+[[:space:]]*$/ {s += $2}
  END {print f + 0, p + 0, s + 0}' "$WORK/test.log")
echo "tests: $passed passed, $failed failed, $skipped skipped"
cc_log "test.sh finished in $(($(date +%s) - started))s (exit $rc)"
if [ "$rc" -eq 0 ] && [ "$passed" -eq 0 ]; then
  cc_die "no test ran"
fi
exit "$rc"
