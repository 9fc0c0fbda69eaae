#!/usr/bin/env bash
# Times `cf push` of one app of FILES small files with the cf CLI v7 and v6 against a running server, in one run:
# a first push and a re-push (every file matched) with each CLI, each to its own app.
#   scripts/push-bench.sh [URL] [FILES]        (default: http://127.0.0.1:9022 1000)
# CF7 and CF6 name the binaries (default: ../shared/tools/cf7-cli/cf and ../shared/tools/cf-cli/cf).
set -euo pipefail
source "$(dirname "$0")/common.sh"
URL=${1:-http://127.0.0.1:9022}
FILES=${2:-1000}
CF7=${CF7:-$CC_ROOT/../shared/tools/cf7-cli/cf}
CF6=${CF6:-$CC_ROOT/../shared/tools/cf-cli/cf}
WORK=$(mktemp -d -t cc-push-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
APP="$WORK/app"
mkdir -p "$APP/public" "$WORK/warm"
WARM="$WORK/warm"
echo '<p>warm</p>' > "$WARM/index.html"
echo '<p>index</p>' > "$APP/index.html"
# Files of 70 KiB and up go through resource matching (the cache's lower bound is 64 KiB); one in ten is that large.
for i in $(seq 1 "$FILES"); do
  if (( i % 10 == 0 )); then head -c 71680 /dev/urandom > "$APP/public/f$i.bin"; else echo "file $i $RANDOM" > "$APP/public/f$i.txt"; fi
done
id=$(date +%s)
millis() { local start; start=$(date +%s%N); "$@" >"$WORK/out" 2>&1 || { tail -20 "$WORK/out"; cc_die "failed: $*"; }; echo $(( ($(date +%s%N) - start) / 1000000 )); }
for version in 7 6; do
  cli=$CF7; [ "$version" = 6 ] && cli=$CF6
  export CF_HOME="$WORK/home$version"; mkdir -p "$CF_HOME"
  "$cli" api "$URL" --skip-ssl-validation >/dev/null
  "$cli" auth admin admin >/dev/null
  "$cli" create-org "pushbench-$id" >/dev/null 2>&1 || true
  "$cli" create-space dev -o "pushbench-$id" >/dev/null 2>&1 || true
  "$cli" target -o "pushbench-$id" -s dev >/dev/null
  # A small push first, so that neither CLI pays for the server's first requests of a kind (JIT, activations).
  millis "$cli" push "warm$version-$id" -p "$WARM" -m 64M >/dev/null
  first=$(millis "$cli" push "pb$version-$id" -p "$APP" -m 64M)
  again=$(millis "$cli" push "pb$version-$id" -p "$APP" -m 64M)
  echo "cf v$version push of $FILES files: first $first ms, re-push $again ms"
done
