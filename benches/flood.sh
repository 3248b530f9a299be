#!/usr/bin/env bash
# benches/flood.sh: a hostile flood of expensive, uncacheable requests, and what it costs.
#
# Starts the release binary on the real data with `--max-computing 2`, then sends CLIENTS
# clients at once, each asking with `Accept-Encoding: br` for URL with `{i}` replaced by its
# number, so no two share a cache entry: by default the whole lad-2013 layer at full detail with
# its own `v=` (answers the cache sees as one-offs); with
# URL='/collections/lad-2013/items?limit=10000&zoom-level={i}' answers it keeps at once. Meanwhile one probe
# asks for an item nobody asked before, every 0.2 s. Reports each flood answer's status, the
# probe's latency (p50, p99, max), the server's peak RSS (VmHWM) before and after, the wall
# time, and the CPU the server still burns in the 5 s after the flood's clients are gone.
# Not part of the test run: the figures are in docs/operations.md.
#
#   bash benches/flood.sh
#   CLIENTS=32 BIN=target/release/smartspec bash benches/flood.sh
#
# Environment: CLIENTS (default 32), URL (see above), CACHE_DIR (derived artefacts; default target/bench-cache), BIN (skips `cargo build --release`), EXTRA (more server
# flags), SMARTSPEC_DATA_DIR (default ../shared/data beside the checkout). Needs curl, python3.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CLIENTS=${CLIENTS:-32}
URL=${URL:-'/collections/lad-2013/items?limit=10000&v=flood-{i}'}
DATA_DIR=${SMARTSPEC_DATA_DIR:-$REPO/../shared/data}
if [ -z "${BIN:-}" ]; then
  (cd "$REPO" && cargo build --release --quiet)
  BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/smartspec
fi

WORK=$(mktemp -d)
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
# shellcheck disable=SC2086
(cd "$REPO" && exec "$BIN" --data-dir "$DATA_DIR" --addr "127.0.0.1:$PORT" --max-computing 2 \
  --cache-dir "${CACHE_DIR:-$REPO/target/bench-cache}" ${EXTRA:-} 2>"$WORK/server.log") &
PID=$!
for _ in $(seq 1 600); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$BASE/health" >/dev/null || { echo "the server did not start: $(tail -5 "$WORK/server.log")"; exit 1; }
hwm() { awk '/VmHWM/ {print $2 / 1024 " MB"}' "/proc/$PID/status"; }
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
CODES=$(curl -fs "$BASE/collections/lad-2013/items?limit=400&properties=code" |
  python3 -c 'import json,sys; print(" ".join(f["properties"]["code"] for f in json.load(sys.stdin)["features"]))')
echo "peak RSS before: $(hwm)"

start=$(date +%s.%N)
for i in $(seq 1 "$CLIENTS"); do
  curl -s -o /dev/null -w '%{http_code}\n' -H 'Accept-Encoding: br' \
    "$BASE${URL//\{i\}/$i}" >>"$WORK/codes" &
done
# The probe: a cheap item not cached yet, one every 0.2 s while the flood runs.
(
  for code in $CODES; do
    curl -s -o /dev/null -w '%{time_total}\n' "$BASE/collections/lad-2013/items/$code" >>"$WORK/probe"
    sleep 0.2
    [ -e "$WORK/flood-done" ] && break
  done
) &
PROBE=$!
while [ "$(wc -l <"$WORK/codes" 2>/dev/null || echo 0)" -lt "$CLIENTS" ]; do sleep 0.1; done
end=$(date +%s.%N)
touch "$WORK/flood-done"
wait "$PROBE" || true
c0=$(cpu); sleep 5; c1=$(cpu)

echo "flood answers: $(sort "$WORK/codes" | uniq -c | tr '\n' ' ')"
echo "flood wall time: $(python3 -c "print(f'{$end - $start:.1f} s')")"
echo "peak RSS after: $(hwm)"
echo "server CPU in the 5 s after: $(( (c1 - c0) * 10 )) ms"
python3 - "$WORK/probe" <<'EOF'
import sys
t = sorted(float(x) * 1000 for x in open(sys.argv[1]))
p = lambda q: t[min(len(t) - 1, int(q * len(t)))]
print(f"uncached item during the flood: n={len(t)} p50={p(0.5):.1f} ms p99={p(0.99):.1f} ms max={t[-1]:.1f} ms")
EOF
