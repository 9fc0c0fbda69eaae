# Shared by run.sh and test.sh: installing prerequisites, free ports, Azurite, waiting, cleanup.
# shellcheck shell=bash

CC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CC_PIDS=()

cc_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
cc_die() { cc_log "error: $*"; exit 1; }

cc_require() {
  command -v dotnet >/dev/null 2>&1 || cc_die "the .NET 10 SDK (dotnet) is not on PATH"
  command -v node >/dev/null 2>&1 || cc_die "Node.js 20+ (node, npm) is not on PATH; Azurite runs on it"
  command -v npm >/dev/null 2>&1 || cc_die "npm is not on PATH"
}

# npm packages (Azurite) from the lock file, only when missing or when the lock file changed.
cc_install_npm() {
  local stamp="$CC_ROOT/node_modules/.package-lock.json"
  if [ ! -x "$CC_ROOT/node_modules/.bin/azurite" ] || [ "$CC_ROOT/package-lock.json" -nt "$stamp" ]; then
    cc_log "installing npm packages (azurite)"
    (cd "$CC_ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2) || cc_die "npm ci failed"
  fi
}

cc_build() {
  local configuration=$1
  cc_log "building ($configuration)"
  (cd "$CC_ROOT" && dotnet build Orleans.CloudController.sln -c "$configuration" -nologo -clp:ErrorsOnly -v:q >&2) \
    || cc_die "build failed"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
cc_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port nothing listens on, from a random start in 20000-32199: below Linux's ephemeral range (32768+), so an
# outgoing connection's local port can never take it between this check and the bind.
cc_free_port() {
  local port=$((20000 + RANDOM % 12200)) tries=0
  while cc_port_open "$port" || [[ " ${CC_TAKEN_PORTS:-} " == *" $port "* ]]; do
    port=$((port + 1)); tries=$((tries + 1))
    [ "$tries" -lt 500 ] || cc_die "no free port found"
  done
  CC_TAKEN_PORTS="${CC_TAKEN_PORTS:-} $port"
  echo "$port"
}

cc_wait_port() {
  local port=$1 what=$2 seconds=${3:-60} pid=${4:-}
  for _ in $(seq 1 $((seconds * 4))); do
    cc_port_open "$port" && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then cc_die "$what exited before listening on port $port"; fi
    sleep 0.25
  done
  cc_die "$what did not listen on port $port within ${seconds}s"
}

# HTTP GET over bash's /dev/tcp (no curl needed); true on a 200.
cc_http_ok() {
  local port=$1 path=$2 status
  status=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3 && head -n1 <&3) 2>/dev/null) || return 1
  [[ "$status" == *" 200 "* ]]
}

# Starts Azurite (blob, queue, table) in the background unless its blob port already answers (e.g. docker compose).
cc_start_azurite() {
  local location=$1 blob=$2 queue=$3 table=$4
  if cc_port_open "$blob"; then
    cc_log "something already listens on $blob: using it as Azurite"
    return 0
  fi
  mkdir -p "$location"
  # AZURITE_IN_MEMORY=1 keeps nothing on disk: Azurite saves its whole metadata store every few seconds, which
  # slows large benchmark setups (tens of thousands of blobs) more and more.
  local store=(--location "$location")
  [ -z "${AZURITE_IN_MEMORY:-}" ] || store=(--inMemoryPersistence)
  "$CC_ROOT/node_modules/.bin/azurite" --silent --skipApiVersionCheck --loose "${store[@]}" \
    ${AZURITE_DEBUG:+--debug "$location/debug.log"} \
    --blobHost 127.0.0.1 --blobPort "$blob" \
    --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" >"$location/azurite.out" 2>&1 &
  CC_PIDS+=($!)
  cc_wait_port "$blob" "Azurite" 60 "$!"
  cc_log "Azurite blob storage on 127.0.0.1:$blob (data in $location)"
}

# Stops what was started, newest first (api, silo, then storage), and waits for each.
cc_stop_all() {
  local pid i
  for ((i = ${#CC_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${CC_PIDS[$i]}
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  CC_PIDS=()
}
