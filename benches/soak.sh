#!/usr/bin/env bash
# benches/soak.sh: a soak of the release server under a browser's load, with its memory.
#
# Starts the release binary on the real data, then runs wrk for DURATION seconds at CONNECTIONS
# connections over a mixed set of URLs (whole layers at map zooms, a bbox, items, values,
# rankings, profiles, the catalogue, map files) with a browser's `Accept-Encoding: gzip, deflate,
# br`, and reports requests/s, p50/p99 latency, errors (socket errors and non-2xx/3xx answers)
# and the server's RSS before, during (sampled every second) and after. It is not part of the
# test run; the README gives the figures measured.
#
#   bash benches/soak.sh
#   DURATION=20 CONNECTIONS=64 BIN=target/release/smartspec bash benches/soak.sh
#
# Environment: DURATION (default 60), CONNECTIONS (default 256), THREADS (default 2), BIN (skips
# `cargo build --release`), SMARTSPEC_DATA_DIR (default ../shared/data beside the checkout).
# Needs curl and wrk (Debian package `wrk`; installed with apt-get when run as root).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-256}
THREADS=${THREADS:-2}
DATA_DIR=${SMARTSPEC_DATA_DIR:-$REPO/../shared/data}

die() { echo "soak.sh: $*" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  [ "$(id -u)" = 0 ] || die "wrk is missing: apt-get install wrk"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if [ -z "${BIN:-}" ]; then
  (cd "$REPO" && cargo build --release --quiet)
  BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/smartspec
fi

WORK=$(mktemp -d)
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
(cd "$REPO" && exec "$BIN" --data-dir "$DATA_DIR" --addr "127.0.0.1:$PORT" 2>"$WORK/server.log") &
PID=$!
for _ in $(seq 1 300); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$BASE/health" >/dev/null || die "the server did not start: $(tail -5 "$WORK/server.log")"
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }

VERSION=$(curl -fs "$BASE/map-config.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data_version"])')
URLS=(
  "/collections/lep-2017/items?limit=10000&properties=code,name&zoom=6&v=$VERSION"
  "/collections/lad-2013/items?limit=10000&properties=code,name&zoom=8&v=$VERSION"
  "/collections/lad-2013/items?bbox=-2.4,53.35,-2.1,53.55"
  "/collections/lep-2020/items/E37000015"
  "/collections/lep-2020/items/E37000015/neighbours"
  "/indicators/total_ukri_funding/values?geography=lep&year=2016&v=$VERSION"
  "/indicators/total_ukri_funding/ranking?geography=lep&year=2016"
  "/areas/E37000015/profile?geography=lep&year=2016"
  "/lookup?lon=-2.24&lat=53.48"
  "/collections"
  "/indicators"
  "/conformance"
  "/map/"
  "/map/app.js"
)
# Warm every representation once, as a browser session would.
for u in "${URLS[@]}"; do curl -fs -o /dev/null -H 'Accept-Encoding: gzip, deflate, br' "$BASE$u" || die "GET $u failed"; done

LUA=$WORK/mixed.lua
{
  echo 'local urls = {'
  for u in "${URLS[@]}"; do printf '  "%s",\n' "$u"; done
  cat <<'EOF'
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", urls[(i % #urls) + 1], { ["Accept-Encoding"] = "gzip, deflate, br", ["Accept"] = "application/json" })
end
local bad = 0
response = function(status) if status >= 400 then bad = bad + 1 end end
done = function(summary, latency)
  io.write(string.format("rps %.0f\np50_ms %.2f\np99_ms %.2f\nrequests %d\nsocket_errors %d\nnon_2xx_3xx %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
EOF
} >"$LUA"

BEFORE=$(rss)
PEAK=$BEFORE
( while kill -0 "$PID" 2>/dev/null; do r=$(rss); echo "$r"; sleep 1; done ) >"$WORK/rss.log" &
SAMPLER=$!
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$LUA" "$BASE" >"$WORK/wrk.log" 2>&1 || true
kill "$SAMPLER" 2>/dev/null || true
sleep 2
AFTER=$(rss)
PEAK=$(sort -n "$WORK/rss.log" | tail -1)
echo "soak: ${DURATION}s, ${CONNECTIONS} connections, ${#URLS[@]} URLs, Accept-Encoding: gzip, deflate, br"
grep -E '^(rps|p50_ms|p99_ms|requests|socket_errors|non_2xx_3xx) ' "$WORK/wrk.log" || cat "$WORK/wrk.log"
echo "rss_kib_before $BEFORE"
echo "rss_kib_peak_during ${PEAK:-$BEFORE}"
echo "rss_kib_after $AFTER"
curl -fs "$BASE/health" >/dev/null && echo "health after: ok" || echo "health after: FAILED"
echo "server_warnings $(grep -c 'WARN' "$WORK/server.log" || true)"
