#!/usr/bin/env bash
# benches/varnish.sh: throughput through Varnish (deploy/varnish.vcl, two replicas) against one
# replica directly, in one run, for the same URLs and the same Accept-Encoding.
#
#   bash benches/varnish.sh
#   DURATION=5 BIN=target/release/smartspec bash benches/varnish.sh
#
# Environment: DURATION (seconds per wrk run, default 6), CONNECTIONS (16), BIN (skips the
# release build), SMARTSPEC_DATA_DIR (default ../shared/data). The replicas and varnishd run
# on CPU 0 and wrk on CPU 1 (taskset), so the figures are per core and less moved by noise.
# Needs varnish, wrk and curl (Debian packages `varnish`, `wrk`, `curl`).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-6}
CONNECTIONS=${CONNECTIONS:-16}
DATA=${SMARTSPEC_DATA_DIR:-../shared/data}
if [ -z "${BIN:-}" ]; then cargo build --release -q; BIN=target/release/smartspec; fi
tmp=$(mktemp -d)
# varnishd compiles the VCL as its own unprivileged user: the folder and the file must be readable.
chmod 755 "$tmp"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
p1=$(free_port); p2=$(free_port); pv=$(free_port)
for p in "$p1" "$p2"; do
  taskset -c 0 "$BIN" --data-dir "$DATA" --addr "127.0.0.1:$p" >"$tmp/replica-$p.log" 2>&1 &
  pids+=($!)
done
sed -e "s/\"8081\"/\"$p1\"/" -e "s/\"8082\"/\"$p2\"/" deploy/varnish.vcl >"$tmp/smartspec.vcl"
chmod 644 "$tmp/smartspec.vcl"
taskset -c 0 varnishd -F -a "127.0.0.1:$pv" -f "$tmp/smartspec.vcl" -n "$tmp/varnish" \
  -s malloc,512m -p http_gzip_support=off >"$tmp/varnish.log" 2>&1 &
pids+=($!)
for port in "$p1" "$p2" "$pv"; do
  for i in $(seq 1 240); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/ready" && break
    [ "$i" -lt 240 ] || { echo "nothing ready on $port"; cat "$tmp"/*.log; exit 1; }
    sleep 0.5
  done
done
sleep 3
v=$(curl -sf "http://127.0.0.1:$p1/map-config.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data_version"])')
cases=(
  "health|/health"
  "one item|/collections/lep-2017/items/E37000015"
  "lep-2017 z8|/collections/lep-2017/items?limit=10000&properties=code%2Cname&zoom=8&v=$v"
  "lad-2013 whole|/collections/lad-2013/items?limit=10000"
)
printf '%-16s %-8s %12s %12s %8s\n' case coding replica varnish ratio
for c in "${cases[@]}"; do
  name=${c%%|*}; path=${c#*|}
  for coding in identity gzip; do
    rps() {
      curl -sf -o /dev/null -H "Accept-Encoding: $coding" "$1$path"
      curl -sf -o /dev/null -H "Accept-Encoding: $coding" "$1$path"
      taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s \
        -H "Accept-Encoding: $coding" "$1$path" | awk '/Requests\/sec/ {print $2}'
    }
    direct=$(rps "http://127.0.0.1:$p1")
    through=$(rps "http://127.0.0.1:$pv")
    ratio=$(python3 -c "print(f'{$through/$direct:.2f}')")
    printf '%-16s %-8s %12s %12s %8s\n' "$name" "$coding" "$direct" "$through" "$ratio"
  done
done
curl -s "http://127.0.0.1:$p1/metrics" | grep -E '^smartspec_cache_(hits|misses)_total'
