#!/usr/bin/env bash
# Runs Orleans Cloud Controller locally: Azurite, one silo and the API, in the foreground. Ctrl-C stops them all.
set -euo pipefail
source "$(dirname "$0")/scripts/common.sh"
cd "$CC_ROOT"

export AZURITE_BLOB_PORT=${AZURITE_BLOB_PORT:-10000}
export AZURITE_QUEUE_PORT=${AZURITE_QUEUE_PORT:-10001}
export AZURITE_TABLE_PORT=${AZURITE_TABLE_PORT:-10002}
export ORLEANS_SILO_PORT=${ORLEANS_SILO_PORT:-11111}
export ORLEANS_GATEWAY_PORT=${ORLEANS_GATEWAY_PORT:-30000}
export CC_API_PORT=${CC_API_PORT:-9022}
DATA="$CC_ROOT/.data"
AZURITE_DATA="$DATA/azurite"
[ "$AZURITE_BLOB_PORT" = 10000 ] || AZURITE_DATA="$DATA/azurite-$AZURITE_BLOB_PORT"
# One signing key for every api instance started from this checkout, kept across restarts.
export Uaa__SigningKeyPath=${Uaa__SigningKeyPath:-$DATA/uaa-signing-key.pem}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

trap 'cc_stop_all' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cc_require
for port in "$ORLEANS_SILO_PORT" "$ORLEANS_GATEWAY_PORT" "$CC_API_PORT"; do
  cc_port_open "$port" && cc_die "port $port is taken; set ORLEANS_SILO_PORT, ORLEANS_GATEWAY_PORT or CC_API_PORT"
done
cc_install_npm
cc_build Release
cc_start_azurite "$AZURITE_DATA" "$AZURITE_BLOB_PORT" "$AZURITE_QUEUE_PORT" "$AZURITE_TABLE_PORT"

dotnet silo/bin/Release/net10.0/CloudController.Silo.dll &
CC_PIDS+=($!)
cc_wait_port "$ORLEANS_GATEWAY_PORT" "silo" 120 "$!"

ASPNETCORE_URLS="http://127.0.0.1:$CC_API_PORT" dotnet api/bin/Release/net10.0/CloudController.Api.dll --contentRoot "$CC_ROOT/api/bin/Release/net10.0" &
API_PID=$!
CC_PIDS+=("$API_PID")
for _ in $(seq 1 240); do
  cc_http_ok "$CC_API_PORT" /v2/info && break
  kill -0 "$API_PID" 2>/dev/null || cc_die "the API exited during start-up"
  sleep 0.25
done
cc_http_ok "$CC_API_PORT" /v2/info || cc_die "the API did not answer GET /v2/info within 60s"

echo "API ready at http://127.0.0.1:$CC_API_PORT"
echo "Log in with: cf api http://127.0.0.1:$CC_API_PORT && cf auth admin admin   (user admin, password admin)"
wait -n "${CC_PIDS[@]}" || true
cc_log "a process exited; stopping the rest"
