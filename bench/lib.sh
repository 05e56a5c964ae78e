# Shared by bench/compare and bench/reload_compare: build, start the three servers on loopback
# (ringleader, nginx-light, a Node cluster), wait for them, summarise wrk, clean up everything.
# Source it; it sets $work and a cleanup trap.

bench_setup() {
  cd "$(dirname "$0")/.."
  tools/bootstrap
  cmake --preset release >/dev/null
  cmake --build --preset release --target ringleader >/dev/null
  work=$(mktemp -d /tmp/ringleader-bench.XXXXXX)
  bench_pids=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for p in "${bench_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${bench_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  pkill -KILL -f "nginx: .*$work" 2>/dev/null || true
  rm -rf "$work"
}

# start_ringleader PORT WORKERS [FLAGS...]: the built-in app. Sets $started_pid.
start_ringleader() {
  local port=$1 workers=$2
  shift 2
  build/release/bin/ringleader --workers="$workers" --host=127.0.0.1 --port="$port" "$@" \
    2>"$work/ringleader.log" &
  started_pid=$!
  bench_pids+=("$started_pid")
}

# start_nginx PORT WORKERS: `return 200` of the same JSON body. Sets $started_pid (the master).
start_nginx() {
  local port=$1 workers=$2
  mkdir -p "$work/nginx"
  cat >"$work/nginx.conf" <<CONF
worker_processes $workers;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
daemon off;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '{"worker":12345}'; }
  }
}
CONF
  nginx -c "$work/nginx.conf" -p "$work/nginx" &
  started_pid=$!
  bench_pids+=("$started_pid")
}

# start_node PORT WORKERS: bench/node_peer.js, Node's documented cluster pattern with a SIGUSR2
# rolling restart. Sets $started_pid (the primary).
start_node() {
  node bench/node_peer.js "$1" "$2" >"$work/node.log" 2>&1 &
  started_pid=$!
  bench_pids+=("$started_pid")
}

# wait_for PORT: until GET / answers 200 (10 s at most).
wait_for() {
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.1
  done
  echo "bench: nothing answered on port $1" >&2
  return 1
}

# wrk_summary FILE: "req/s p99_ms requests errors" from wrk --latency output; errors counts
# every socket error (connect, read, write, timeout) plus non-2xx answers.
wrk_summary() {
  awk '
    /Requests\/sec/ { rps = $2 }
    / requests in / { total = $1 }
    $1 == "99%" { v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v);
                  ms = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v }
    /Socket errors/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { n = $i; sub(/,/, "", n); err += n } }
    /Non-2xx/ { err += $NF }
    END { printf "%s %.2f %d %d\n", rps, ms, total, err }
  ' "$1"
}
