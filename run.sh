#!/usr/bin/env bash
# Runs Orleans Cloud Controller locally in the foreground: Azurite, the silo(s) and the API instance(s).
#   ./run.sh                       one silo and one API (Localhost clustering)
#   ./run.sh --silos 3 --apis 2    a local cluster: membership in Azurite's tables, 3 silos and 2 APIs on consecutive ports
#   ./run.sh --runtime local       apps really run: each instance is a process here, reached through the router
#                                  (--router-port P, default 8888: curl http://<app>.apps.localhost:8888/)
# Ctrl-C / SIGTERM stops every process it started.
set -euo pipefail
source "$(dirname "$0")/scripts/common.sh"
cd "$CC_ROOT"

SILOS=1
APIS=1
RUNTIME=${CloudController__Runtime__Provider:-simulated}
ROUTER_PORT=${ROUTER_PORT:-8888}
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) SILOS=${2:-}; shift 2 ;;
    --apis) APIS=${2:-}; shift 2 ;;
    --runtime) RUNTIME=${2:-}; shift 2 ;;
    --router-port) ROUTER_PORT=${2:-}; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) cc_die "unknown argument '$1' (use --silos N --apis M --runtime simulated|local --router-port P)" ;;
  esac
done
[[ "$SILOS" =~ ^[1-9][0-9]?$ ]] || cc_die "--silos wants a number from 1 to 99"
[[ "$APIS" =~ ^[1-9][0-9]?$ ]] || cc_die "--apis wants a number from 1 to 99"
[[ "$RUNTIME" = simulated || "$RUNTIME" = local ]] || cc_die "--runtime wants simulated or local"
[[ "$ROUTER_PORT" =~ ^[1-9][0-9]{0,4}$ ]] || cc_die "--router-port wants a port number"
if [ "$RUNTIME" = local ]; then
  [ "$(uname -s)" = Linux ] || cc_die "the local runtime runs instances as Linux processes; use --runtime simulated here"
  for tool in setsid setpriv chown; do command -v "$tool" >/dev/null || cc_die "the local runtime needs '$tool' (util-linux, coreutils)"; done
fi

export AZURITE_BLOB_PORT=${AZURITE_BLOB_PORT:-10000}
export AZURITE_QUEUE_PORT=${AZURITE_QUEUE_PORT:-10001}
export AZURITE_TABLE_PORT=${AZURITE_TABLE_PORT:-10002}
SILO_PORT=${ORLEANS_SILO_PORT:-11111}
GATEWAY_PORT=${ORLEANS_GATEWAY_PORT:-30000}
DASHBOARD_PORT=${ORLEANS_DASHBOARD_PORT:-8080}
API_PORT=${CC_API_PORT:-9022}
DATA="$CC_ROOT/.data"
AZURITE_DATA="$DATA/azurite"
[ "$AZURITE_BLOB_PORT" = 10000 ] || AZURITE_DATA="$DATA/azurite-$AZURITE_BLOB_PORT"
# One signing key for every api instance started from this checkout, kept across restarts.
export Uaa__SigningKeyPath=${Uaa__SigningKeyPath:-$DATA/uaa-signing-key.pem}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

CLUSTER=0
if [ "$SILOS" -gt 1 ] || [ "$APIS" -gt 1 ] || [ "${Clustering__Provider:-Localhost}" = AzureStorage ]; then
  CLUSTER=1
fi

trap 'cc_stop_all' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cc_require
ports=()
for ((i = 0; i < SILOS; i++)); do ports+=($((SILO_PORT + i)) $((GATEWAY_PORT + i)) $((DASHBOARD_PORT + i))); done
for ((i = 0; i < APIS; i++)); do ports+=($((API_PORT + i))); done
[ "$RUNTIME" = local ] && ports+=("$ROUTER_PORT")
for port in "${ports[@]}"; do
  cc_port_open "$port" && cc_die "port $port is taken; set ORLEANS_SILO_PORT, ORLEANS_GATEWAY_PORT, ORLEANS_DASHBOARD_PORT or CC_API_PORT"
done
cc_install_npm
cc_build Release
cc_start_azurite "$AZURITE_DATA" "$AZURITE_BLOB_PORT" "$AZURITE_QUEUE_PORT" "$AZURITE_TABLE_PORT"

if [ "$CLUSTER" = 1 ]; then
  export Clustering__Provider=AzureStorage
  # Each run is a fresh cluster: a membership table left by an earlier run must not hold it up.
  export Orleans__ClusterId=${Orleans__ClusterId:-cloud-controller-$(date +%s)}
fi

export CloudController__Runtime__Provider=$RUNTIME
# Staging's last log lines lead its end by 2.5 s, so that `cf push` shows them (the cf CLI shows only lines older than 2 s).
export CloudController__Runtime__StagingLogLead=${CloudController__Runtime__StagingLogLead:-00:00:02.5}
export CloudController__Runtime__Local__CfApi=${CloudController__Runtime__Local__CfApi:-http://127.0.0.1:$API_PORT}
silo_pids=()
for ((i = 0; i < SILOS; i++)); do
  ORLEANS_SILO_PORT=$((SILO_PORT + i)) ORLEANS_GATEWAY_PORT=$((GATEWAY_PORT + i)) ORLEANS_DASHBOARD_PORT=$((DASHBOARD_PORT + i)) \
    dotnet silo/bin/Release/net10.0/CloudController.Silo.dll &
  CC_PIDS+=($!)
  silo_pids+=($!)
  cc_wait_port $((GATEWAY_PORT + i)) "silo $((i + 1))" 120 "$!"
done

api_pids=()
for ((i = 0; i < APIS; i++)); do
  ORLEANS_GATEWAY_PORT=$GATEWAY_PORT ASPNETCORE_URLS="http://127.0.0.1:$((API_PORT + i))" \
    dotnet api/bin/Release/net10.0/CloudController.Api.dll --contentRoot "$CC_ROOT/api/bin/Release/net10.0" &
  CC_PIDS+=($!)
  api_pids+=($!)
done
for ((i = 0; i < APIS; i++)); do
  port=$((API_PORT + i))
  for _ in $(seq 1 240); do
    cc_http_ok "$port" /v2/info && break
    kill -0 "${api_pids[$i]}" 2>/dev/null || cc_die "the API on port $port exited during start-up"
    sleep 0.25
  done
  cc_http_ok "$port" /v2/info || cc_die "the API on port $port did not answer GET /v2/info within 60s"
done

if [ "$RUNTIME" = local ]; then
  ORLEANS_GATEWAY_PORT=$GATEWAY_PORT ROUTER_PORT=$ROUTER_PORT \
    dotnet router/bin/Release/net10.0/CloudController.Router.dll --contentRoot "$CC_ROOT/router/bin/Release/net10.0" &
  CC_PIDS+=($!)
  cc_wait_port "$ROUTER_PORT" router 60 "$!"
fi

for ((i = 0; i < APIS; i++)); do echo "API ready at http://127.0.0.1:$((API_PORT + i))"; done
[ "$RUNTIME" = local ] && echo "Router ready: apps answer at http://<app>.apps.localhost:$ROUTER_PORT/ (local runtime: instances run as processes on this machine)"
for ((i = 0; i < SILOS; i++)); do echo "Silo $((i + 1)): dashboard http://127.0.0.1:$((DASHBOARD_PORT + i))/  readiness /readyz"; done
echo "Log in with: cf api http://127.0.0.1:$API_PORT && cf auth admin admin   (user admin, password admin)"
# A cluster outlives a lost silo (kill one to watch the others take over); it stops when storage or an
# API exits, or when no silo is left.
while true; do
  wait -n "${CC_PIDS[@]}" || true
  alive=0
  for pid in "${silo_pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done
  others_ok=1
  for pid in "${CC_PIDS[@]}"; do
    [[ " ${silo_pids[*]} " == *" $pid "* ]] && continue
    kill -0 "$pid" 2>/dev/null || others_ok=0
  done
  if [ "$CLUSTER" = 1 ] && [ "$alive" -gt 0 ] && [ "$others_ok" = 1 ]; then
    cc_log "a silo exited; $alive of $SILOS still running"
    continue
  fi
  break
done
cc_log "a process exited; stopping the rest"
