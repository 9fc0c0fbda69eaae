#!/usr/bin/env bash
# Measures a synchronous v2 bits upload of SIZE_MB (default 100) against an API started by ./run.sh on this
# machine: wall time, and the API process's RSS before and at its peak during the upload (sampled every 50 ms).
# Usage: ./run.sh & then  SIZE_MB=100 scripts/measure-upload.sh     (needs curl and python3)
set -euo pipefail
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
B=${B:-http://127.0.0.1:${CC_API_PORT:-9022}}; SIZE_MB=${SIZE_MB:-100}
API_PID=$(pgrep -f "CloudController.Api.dll" | head -1)
T=$(curl -s -u cf: -d grant_type=password -d username=admin -d password=admin $B/oauth/token | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')
H="Authorization: bearer $T"
O=$(curl -s -H "$H" -X POST -d "{\"name\":\"m-$RANDOM\"}" $B/v2/organizations | python3 -c 'import sys,json; print(json.load(sys.stdin)["metadata"]["guid"])')
S=$(curl -s -H "$H" -X POST -d "{\"name\":\"s\",\"organization_guid\":\"$O\"}" $B/v2/spaces | python3 -c 'import sys,json; print(json.load(sys.stdin)["metadata"]["guid"])')
A=$(curl -s -H "$H" -X POST -d "{\"name\":\"big\",\"space_guid\":\"$S\"}" $B/v2/apps | python3 -c 'import sys,json; print(json.load(sys.stdin)["metadata"]["guid"])')
python3 - "$SIZE_MB" "$WORK/big.zip" <<'PY'
import os, sys, zipfile
size = int(sys.argv[1]) * 1024 * 1024
with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_STORED) as z:
    z.writestr('package.json', '{}')
    with z.open('payload.bin', 'w', force_zip64=True) as f:
        left = size
        while left > 0:
            chunk = os.urandom(min(left, 4 << 20)); f.write(chunk); left -= len(chunk)
PY
rss() { awk '/VmRSS/ {print $2}' /proc/$API_PID/status; }
base=$(rss); peak=$base
( while true; do r=$(rss); [ "$r" -gt "$(cat "$WORK/peak" 2>/dev/null || echo 0)" ] && echo "$r" > "$WORK/peak"; sleep 0.05; done ) & SAMPLER=$!
echo "$base" > "$WORK/peak"
start=$(date +%s.%N)
code=$(curl -s -o "$WORK/up.out" -w '%{http_code}' -H "$H" -X PUT -F 'resources=[]' -F "application=@$WORK/big.zip;type=application/zip" "$B/v2/apps/$A/bits")
end=$(date +%s.%N)
kill $SAMPLER; peak=$(cat "$WORK/peak")
ls -l "$WORK/big.zip" | awk '{print "zip bytes: " $5}'
echo "sync upload HTTP $code in $(python3 -c "print(round($end-$start,2))") s; API RSS before ${base} KiB, peak ${peak} KiB, growth $(( (peak-base)/1024 )) MiB"
curl -s -H "$H" "$B/v2/apps/$A" | python3 -c 'import sys,json; e=json.load(sys.stdin)["entity"]; print("package_state", e["package_state"], "package_updated_at", e["package_updated_at"])'
