#!/usr/bin/env bash
# benches/http.sh: HTTP throughput and latency of smartspec against nginx serving the same bytes.
#
# For each case below, the script fetches smartspec's response once as is and once with
# `Accept-Encoding: gzip`, writes those exact bytes into a temporary nginx root (`file` and
# `file.gz`, served with `gzip_static on`), and runs wrk against both servers, without and with
# `Accept-Encoding: gzip`. nginx serving a file from the page cache is the floor: the ratio
# ours/nginx says how far smartspec is from a static file server for the same response.
# smartspec compresses each response as it is sent; nginx sends bytes compressed in advance.
#
# Run from anywhere (builds the release binary unless BIN is set):
#
#   bash benches/http.sh
#   DURATION=5 BIN=target/release/smartspec bash benches/http.sh
#
# Environment:
#   DURATION     seconds per wrk run (default 10; 24 runs in all)
#   CONNECTIONS  wrk connections (default 16)
#   THREADS      wrk threads (default 2)
#   TIMEOUT      wrk per-request timeout in seconds (default 30; wrk's own 2 s would count the
#                slow gzipped whole-layer responses as socket errors)
#   BIN          smartspec binary to run; skips `cargo build --release` (which honours
#                CARGO_TARGET_DIR)
#   SMARTSPEC_DATA_DIR  data folder (default ../shared/data beside the checkout)
#   OUT          summary file (default target/bench-http/http-<time>.tsv)
#
# Needs curl, gzip, nginx and wrk. Run as root, it installs missing nginx/wrk with apt-get
# (Debian packages `nginx` and `wrk`); otherwise it stops and prints the command to run.
# Everything listens on 127.0.0.1 only, on free ports. nginx runs with `worker_processes auto`
# (one worker per core, like smartspec's tokio runtime, which has one thread per core), without
# an access log, under the script's control (`daemon off`), with its pid and temp files in a
# temporary folder, so any user can run it (as root its workers drop to `nobody`, so that folder
# is world-readable). The folder, nginx and the server go when the script exits. wrk runs on the
# same machine, so it shares the cores with the server measured: run it on a quiet machine.
#
# Output: a table (requests/s and p50/p99 latency for each server, and the ratio ours/nginx),
# the response sizes, whether any wrk run had socket errors or non-2xx responses, and a TSV
# summary (one line per case and encoding) whose path is printed last.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
TIMEOUT=${TIMEOUT:-30}
DATA_DIR=${SMARTSPEC_DATA_DIR:-$REPO/../shared/data}
OUT=${OUT:-$REPO/target/bench-http/http-$(date +%Y%m%d-%H%M%S).tsv}

# name|URL on smartspec. The nginx copy is served as /<name>.json or /<name>.geojson.
CASES=(
  "layer|/collections/lad-2013/items?limit=1000"
  "layer-z8|/collections/lad-2013/items?limit=1000&zoom=8"
  "bbox|/collections/lad-2013/items?bbox=-2.4,53.35,-2.1,53.55"
  "item|/collections/lad-2013/items/E08000003"
  "collections|/collections"
  "values|/indicators/total_ukri_funding/values?geography=lep&year=2016"
)

die() { echo "http.sh: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------------------------
PATH=$PATH:/usr/sbin:/sbin   # Debian puts nginx in /usr/sbin, which a user's PATH may lack
missing=()
for tool in curl gzip nginx wrk; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}"
  fi
fi
[ -d "$DATA_DIR" ] || die "data folder $DATA_DIR not found; set SMARTSPEC_DATA_DIR"

# --- temp folder and clean-up ------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/smartspec-http.XXXXXX")
# Readable by all: when started as root, nginx's workers run as `nobody`.
chmod 755 "$TMP"
mkdir -p "$TMP/www" "$TMP/nginx-temp"
SERVER_PID=
NGINX_PID=
WRK_PID=
cleanup() {
  local pid
  for pid in $WRK_PID $SERVER_PID $NGINX_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $WRK_PID $SERVER_PID $NGINX_PID; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nothing listens on a moment ago (bash's /dev/tcp connect fails).
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free port found"
}

# --- smartspec ---------------------------------------------------------------------------------
if [ -z "${BIN:-}" ]; then
  echo "== cargo build --release"
  (cd "$REPO" && cargo build --release --quiet)
  BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/smartspec
fi
[ -x "$BIN" ] || die "smartspec binary $BIN not found or not executable"

echo "== starting $BIN"
# Port 0: the server picks a free port and logs it ("listening ... addr=127.0.0.1:PORT").
RUST_LOG=${RUST_LOG:-info} "$BIN" --addr 127.0.0.1:0 --data-dir "$DATA_DIR" \
  --manifest "$REPO/boundaries/layers.toml" --web-dir "$REPO/web" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
OURS=
for _ in $(seq 1200); do   # up to 2 minutes: every layer is loaded before the port opens
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.log" >&2; die "smartspec exited during start-up"; }
  addr=$(sed -n 's/.*listening.* addr=\(127\.0\.0\.1:[0-9]*\).*/\1/p' "$TMP/server.log")
  if [ -n "$addr" ] && curl -sf -o /dev/null "http://$addr/"; then OURS=http://$addr; break; fi
  sleep 0.1
done
[ -n "$OURS" ] || { tail -20 "$TMP/server.log" >&2; die "smartspec did not answer within 2 minutes"; }
echo "   smartspec at $OURS"

# --- responses, copied into the nginx root -----------------------------------------------------
echo "== fetching each response (identity and gzip)"
declare -A FILE CTYPE SKIP
for c in "${CASES[@]}"; do
  name=${c%%|*} url=${c#*|}
  read -r status ctype < <(curl -sS -o "$TMP/body" -w '%{http_code} %{content_type}\n' "$OURS$url")
  if [ "$name" = layer-z8 ] && [ "$status" = 400 ]; then
    echo "   $name: skipped (server has no zoom bands)"
    SKIP[$name]=1
    continue
  fi
  [ "$status" = 200 ] || die "$url answered $status: $(head -c 300 "$TMP/body")"
  case $ctype in
    application/geo+json*) file=$name.geojson ;;
    application/json*) file=$name.json ;;
    *) die "$url: unexpected Content-Type $ctype" ;;
  esac
  FILE[$name]=$file
  CTYPE[$name]=${ctype%%;*}
  mv "$TMP/body" "$TMP/www/$file"
  # Without --compressed curl keeps the bytes as sent.
  curl -sS -D "$TMP/headers" -H 'Accept-Encoding: gzip' -o "$TMP/www/$file.gz" "$OURS$url"
  if grep -qi '^content-encoding: *gzip' "$TMP/headers"; then
    gunzip -c "$TMP/www/$file.gz" | cmp -s - "$TMP/www/$file" \
      || echo "   WARNING: $name: the gzipped response does not decompress to the identity response"
  else
    echo "   $name: the server did not gzip it; compressed with gzip -9 instead"
    gzip -9 -n -c "$TMP/www/$file" >"$TMP/www/$file.gz"
  fi
  printf '   %-12s %10d bytes, %9d gzipped  %s\n' "$name" \
    "$(stat -c %s "$TMP/www/$file")" "$(stat -c %s "$TMP/www/$file.gz")" "$url"
done
chmod -R a+rX "$TMP/www"

# --- nginx -------------------------------------------------------------------------------------
NGINX_PORT=$(free_port)
cat >"$TMP/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx-temp/body;
  proxy_temp_path $TMP/nginx-temp/proxy;
  fastcgi_temp_path $TMP/nginx-temp/fastcgi;
  uwsgi_temp_path $TMP/nginx-temp/uwsgi;
  scgi_temp_path $TMP/nginx-temp/scgi;
  types {
    application/geo+json geojson;
    application/json json;
  }
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  # nginx closes a connection after 1000 requests by default; smartspec never does.
  keepalive_requests 1000000;
  gzip off;
  gzip_static on;
  gzip_vary on;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $TMP/www;
  }
}
EOF
echo "== starting nginx (worker_processes auto)"
nginx -e "$TMP/nginx-error.log" -p "$TMP" -c "$TMP/nginx.conf" >"$TMP/nginx.out" 2>&1 &
NGINX_PID=$!
NGINX=http://127.0.0.1:$NGINX_PORT
for _ in $(seq 100); do
  curl -s -o /dev/null "$NGINX/" 2>/dev/null && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$TMP/nginx.out" "$TMP/nginx-error.log" >&2 2>/dev/null; die "nginx exited"; }
  sleep 0.1
done
echo "   nginx at $NGINX"

# nginx must send the same bytes, and the .gz file with Content-Encoding: gzip.
for c in "${CASES[@]}"; do
  name=${c%%|*}
  [ -z "${SKIP[$name]:-}" ] || continue
  file=${FILE[$name]}
  curl -sS -o "$TMP/n.id" -D "$TMP/n.id.h" "$NGINX/$file"
  curl -sS -o "$TMP/n.gz" -D "$TMP/n.gz.h" -H 'Accept-Encoding: gzip' "$NGINX/$file"
  cmp -s "$TMP/n.id" "$TMP/www/$file" || die "nginx: $file: identity bytes differ from smartspec's"
  cmp -s "$TMP/n.gz" "$TMP/www/$file.gz" || die "nginx: $file: gzip bytes differ from smartspec's"
  grep -qi '^content-encoding: *gzip' "$TMP/n.gz.h" || die "nginx: $file: no Content-Encoding: gzip (gzip_static not applied)"
  if grep -qi '^content-encoding' "$TMP/n.id.h"; then die "nginx: $file: compressed without Accept-Encoding"; fi
  for h in "$TMP/n.id.h" "$TMP/n.gz.h"; do
    got=$(sed -n 's/^[Cc]ontent-[Tt]ype: *\([^;\r]*\).*/\1/p' "$h")
    [ "$got" = "${CTYPE[$name]}" ] || die "nginx: $file: Content-Type $got, smartspec sends ${CTYPE[$name]}"
  done
done
echo "   nginx sends the same bytes for every case, with Content-Encoding: gzip when asked"

# --- wrk ---------------------------------------------------------------------------------------
# A latency from wrk ("850.00us", "1.23ms", "2.01s", "1.50m") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

ERRORS=0
# run_wrk LABEL URL [header...]: sets RESULT to (rps p50_ms p99_ms errors); wrk's output stays
# in the temp folder. wrk runs in the background so that the trap can stop it.
run_wrk() {
  local label=$1 url=$2 out rps p50 p99 socket non2xx
  shift 2
  out=$TMP/wrk-$label.txt
  timeout $((DURATION + TIMEOUT + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" \
    --timeout "${TIMEOUT}s" --latency "$@" "$url" >"$out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || true
  WRK_PID=
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  # wrk prints these lines only when there were errors.
  socket=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1+\2+\3+\4/p' "$out")
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$out")
  local errors=$(( ${socket:-0} + ${non2xx:-0} ))
  if [ -z "$rps" ] || [ -z "$p50" ] || [ -z "$p99" ]; then
    echo "   WARNING: $label: could not read wrk's output:" >&2
    sed 's/^/     /' "$out" >&2
    rps=0 p50=0 p99=0 errors=$((errors + 1))
  elif [ "$errors" -gt 0 ]; then
    echo "   WARNING: $label: socket errors ${socket:-none} (connect+read+write+timeout), non-2xx ${non2xx:-0}" >&2
  fi
  RESULT=("$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$errors")
}

mkdir -p "$(dirname "$OUT")"
printf 'case\tencoding\tbytes\tours_rps\tours_p50_ms\tours_p99_ms\tours_errors\tnginx_rps\tnginx_p50_ms\tnginx_p99_ms\tnginx_errors\tratio\turl\n' >"$OUT"
ROWS=()
echo "== wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --timeout ${TIMEOUT}s --latency, smartspec then nginx"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for c in "${CASES[@]}"; do
  name=${c%%|*} url=${c#*|}
  if [ -n "${SKIP[$name]:-}" ]; then
    ROWS+=("$name|-|skipped (server has no zoom bands)")
    printf '%s\tskipped\t\t\t\t\t\t\t\t\t\t\t%s\n' "$name" "$url" >>"$OUT"
    continue
  fi
  file=${FILE[$name]}
  for enc in identity gzip; do
    headers=()
    bytes=$(stat -c %s "$TMP/www/$file")
    if [ "$enc" = gzip ]; then
      headers=(-H 'Accept-Encoding: gzip')
      bytes=$(stat -c %s "$TMP/www/$file.gz")
    fi
    echo "   $name $enc"
    run_wrk "$name-$enc-ours" "$OURS$url" "${headers[@]}"
    read -r o_rps o_p50 o_p99 o_err <<<"${RESULT[*]}"
    run_wrk "$name-$enc-nginx" "$NGINX/$file" "${headers[@]}"
    read -r n_rps n_p50 n_p99 n_err <<<"${RESULT[*]}"
    ERRORS=$((ERRORS + o_err + n_err))
    ratio=$(awk -v a="$o_rps" -v b="$n_rps" 'BEGIN { if (b > 0) printf "%.3g", a / b; else print "-" }')
    ROWS+=("$name|$enc|$bytes|$o_rps|$o_p50|$o_p99|$n_rps|$n_p50|$n_p99|$ratio")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$enc" "$bytes" \
      "$o_rps" "$o_p50" "$o_p99" "$o_err" "$n_rps" "$n_p50" "$n_p99" "$n_err" "$ratio" "$url" >>"$OUT"
  done
done

# --- report ------------------------------------------------------------------------------------
echo
echo "smartspec vs nginx (same bytes), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on $(nproc) cores; latency in ms"
echo "load average before the runs: $LOAD_BEFORE (other work on the machine skews every figure)"
fmt='%-12s %-8s %10s %10s %9s %9s %10s %9s %9s %8s\n'
printf "$fmt" case encoding bytes "ours rps" "ours p50" "ours p99" "nginx rps" "nginx p50" "nginx p99" ours/ngx
for row in "${ROWS[@]}"; do
  IFS='|' read -r -a f <<<"$row"
  if [ "${f[1]}" = - ]; then
    printf '%-12s %s\n' "${f[0]}" "${f[2]}"
  else
    printf "$fmt" "${f[@]}"
  fi
done
echo
if [ "$ERRORS" = 0 ]; then
  echo "every wrk run: no socket errors, no non-2xx responses"
else
  echo "WARNING: $ERRORS errors (socket errors or non-2xx responses) across the wrk runs; see the warnings above"
fi
echo "summary: $OUT"
