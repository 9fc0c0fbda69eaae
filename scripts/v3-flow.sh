#!/usr/bin/env bash
# The v3 flow (app → bits package → upload → READY → stage → STAGED → current droplet → start) against an
# API started by ./run.sh, with curl and python3 only. Prints each step's state.
set -euo pipefail
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
B=${B:-http://127.0.0.1:${CC_API_PORT:-9022}}
j() { python3 -c "import sys,json; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1"; }
T=$(curl -s -u cf: -d grant_type=password -d username=admin -d password=admin $B/oauth/token | j '["access_token"]')
H="Authorization: bearer $T"
O=$(curl -s -H "$H" -X POST -d "{\"name\":\"v3-$RANDOM\"}" $B/v2/organizations | j '["metadata"]["guid"]')
S=$(curl -s -H "$H" -X POST -d "{\"name\":\"s\",\"organization_guid\":\"$O\"}" $B/v2/spaces | j '["metadata"]["guid"]')
A=$(curl -s -H "$H" -X POST -d "{\"name\":\"my_app\",\"relationships\":{\"space\":{\"guid\":\"$S\"}}}" $B/v3/apps | j '["guid"]'); echo "app $A"
P=$(curl -s -H "$H" -X POST -d '{"type":"bits"}' $B/v3/apps/$A/packages | j '["guid"]'); echo "package $P"
python3 -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], 'w'); z.writestr('package.json', '{}'); z.close()" "$WORK/app.zip"
curl -s -H "$H" -X POST -F "bits=@$WORK/app.zip" $B/v3/packages/$P/upload | j '["state"]'
for i in $(seq 1 100); do st=$(curl -s -H "$H" $B/v3/packages/$P | j '["state"]'); [ "$st" = PROCESSING_UPLOAD ] || break; sleep 0.1; done; echo "package $st"
D=$(curl -s -H "$H" -X POST $B/v3/packages/$P/droplets | j '["guid"]'); echo "droplet $D"
for i in $(seq 1 100); do st=$(curl -s -H "$H" $B/v3/droplets/$D | j '["state"]'); [ "$st" = STAGING ] || break; sleep 0.1; done; echo "droplet $st"
curl -s -H "$H" -X PUT -d "{\"droplet_guid\":\"$D\"}" $B/v3/apps/$A/current_droplet | j '["links"]["droplet"]["href"]'
curl -s -H "$H" -X PUT $B/v3/apps/$A/start | j '["desired_state"]'
curl -s -H "$H" $B/v2/apps/$A | j '["entity"]["package_state"]'
