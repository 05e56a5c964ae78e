# Shared by the scripts in bench/: build, start the three servers on loopback (ringleader,
# nginx-light, a Node cluster), wait for them, drive and summarise wrk, read a server's CPU time
# and ringleader's per-worker connection counts, take medians, clean up everything.
# Source it; it sets $work and a cleanup trap.

bench_setup() {
  cd "$(dirname "$0")/.."
  tools/bootstrap
  cmake --preset release >/dev/null
  cmake --build --preset release --target ringleader >/dev/null
  work=$(mktemp -d /tmp/ringleader-bench.XXXXXX)
  bench_pids=()
  clk_tck=$(getconf CLK_TCK)
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM  # so that the EXIT trap runs on ^C and kill too
}

# Everything this script started (servers, wrk, their descendants): SIGTERM to the servers first,
# so that they stop their own processes, then to the rest, and SIGKILL to whatever of the tree
# (listed before any signal) is left half a second later.
bench_cleanup() {
  local children=() tree p
  read -r -a children <"/proc/$$/task/$$/children" || true  # a builtin: lists no subshell of ours
  tree=$(tree_pids "${children[@]}")
  for p in "${bench_pids[@]}" $tree; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in $tree; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}

# start_ringleader PORT WORKERS [FLAGS...]: the built-in app (from $RINGLEADER_BIN, default the
# release build's bin/). Sets $started_pid.
start_ringleader() {
  local port=$1 workers=$2
  shift 2
  "${RINGLEADER_BIN:-build/release/bin}"/ringleader --workers="$workers" --host=127.0.0.1 --port="$port" "$@" \
    2>"$work/ringleader-$port.log" &
  started_pid=$!
  bench_pids+=("$started_pid")
}

# start_nginx PORT WORKERS [LISTEN_OPTION]: `return 200` of the same JSON body; LISTEN_OPTION
# (e.g. reuseport) goes on the listen directive. Sets $started_pid (the master).
start_nginx() {
  local port=$1 workers=$2 option=${3:-}
  local dir=$work/nginx-$port
  mkdir -p "$dir"
  cat >"$dir.conf" <<CONF
worker_processes $workers;
pid $dir.pid;
error_log $dir/error.log warn;
daemon off;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $dir;
  proxy_temp_path $dir;
  fastcgi_temp_path $dir;
  uwsgi_temp_path $dir;
  scgi_temp_path $dir;
  server {
    listen 127.0.0.1:$port $option;
    location / { default_type application/json; return 200 '{"worker":12345}'; }
  }
}
CONF
  nginx -c "$dir.conf" -p "$dir" &
  started_pid=$!
  bench_pids+=("$started_pid")
}

# start_node PORT WORKERS: bench/node_peer.js, Node's documented cluster pattern with a SIGUSR2
# rolling restart. Sets $started_pid (the primary).
start_node() {
  node bench/node_peer.js "$1" "$2" >"$work/node-$1.log" 2>&1 &
  started_pid=$!
  bench_pids+=("$started_pid")
}

# wait_for PORT [PATH]: until GET PATH (default /) answers 200 (10 s at most).
wait_for() {
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$1${2:-/}" && return 0
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
    END { printf "%.2f %.2f %d %d\n", rps, ms, total, err }
  ' "$1"
}

# run_wrk SCENARIO PORT OUT: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency on
# 127.0.0.1:PORT$WRK_PATH (default /), into OUT. SCENARIO is keepalive or close (every request on a new connection,
# `Connection: close`). Killed if it overruns its duration by 30 s.
run_wrk() {
  local scenario=$1 port=$2 out=$3 extra=() seconds
  [[ $scenario == close ]] && extra=(-H "Connection: close")
  seconds=$(awk -v d="$DURATION" 'BEGIN { n = d + 0; if (d ~ /m$/) n *= 60; if (d ~ /h$/) n *= 3600; print n }')
  timeout -k 5 $((seconds + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
    "${extra[@]}" "http://127.0.0.1:$port${WRK_PATH:-/}" >"$out" 2>&1
}

# tree_pids PID...: those processes and all their descendants, one pid a line.
tree_pids() {
  local p
  for p in "$@"; do
    [[ -d /proc/$p ]] || continue
    echo "$p"
    # shellcheck disable=SC2046  # one pid a word
    tree_pids $(cat /proc/"$p"/task/*/children 2>/dev/null)
  done
}

# server_cpu_us ROOT: CPU time (user + system, all threads, µs) of ROOT and every descendant,
# plus what their reaped children had used, so a worker that exits mid-run still counts.
server_cpu_us() {
  # shellcheck disable=SC2046
  stat_cpu_us 4 $(tree_pids "$1")
}

# own_cpu_us PID: that process's own CPU time (user + system, all threads, µs), children excluded.
own_cpu_us() { stat_cpu_us 2 "$1"; }

# stat_cpu_us FIELDS PID...: the sum of FIELDS fields from utime on (utime stime cutime cstime)
# of /proc/PID/stat, clock ticks turned into µs. The fields are counted after the last ')', since
# the command name may hold spaces.
stat_cpu_us() {
  local fields=$1 p
  shift
  for p; do cat /proc/"$p"/stat 2>/dev/null || true; done |
    awk -v n="$fields" -v hz="$clk_tck" '
      { sub(/^.*\) /, ""); for (i = 12; i < 12 + n; i++) t += $i }
      END { printf "%.0f\n", t * 1e6 / hz }'
}

# ringleader's /metrics serves the primary's latest aggregate, rebuilt every metrics interval from
# the workers' reports of the interval before: start it with --metrics_interval=${metrics_interval_ms}ms
# and await_metrics before reading, so that every connection so far is counted.
metrics_interval_ms=200
await_metrics() { sleep "$(awk -v i="$metrics_interval_ms" 'BEGIN { print 2 * i / 1000 + 0.2 }')"; }

# accepted_snapshot PORT: "PID ACCEPTED" for each worker, from ringleader's GET /metrics, then
# "probe PID": the worker that served the snapshot's own connection (asked by a GET / on the same
# keep-alive connection), which the aggregate cannot count yet.
accepted_snapshot() {
  curl -s --max-time 5 "http://127.0.0.1:$1/" "http://127.0.0.1:$1/metrics" |
    grep -o '"worker":[0-9]*\|"pid":[0-9]*\|"accepted":[0-9]*' |
    awk -F: '
      $1 == "\"worker\"" { probe = $2 }
      $1 == "\"pid\"" { pid = $2 }
      $1 == "\"accepted\"" && pid != "" { print pid, $2; pid = "" }  # the total has no pid
      END { print "probe", probe }'
}

# accepted_spread BEFORE AFTER: "MAX/MIN CV TOTAL" of the connections each worker accepted between
# two accepted_snapshot files (BEFORE's own probe connection taken off its worker); MAX/MIN is
# inf when a worker got none, CV is the population standard deviation over the mean.
accepted_spread() {
  awk '
    NR == FNR { if ($1 == "probe") probe = $2; else before[$1] = $2; next }
    $1 != "probe" { delta[$1] = $2 - before[$1] }
    END {
      if (probe in delta) delta[probe]--
      for (p in delta) {
        d = delta[p]; n++; sum += d; sq += d * d
        if (n == 1 || d > max) max = d
        if (n == 1 || d < min) min = d
      }
      if (n == 0 || sum == 0) { print "- - 0"; exit }
      mean = sum / n; var = sq / n - mean * mean
      printf "%s %.3f %d\n", (min > 0 ? sprintf("%.2f", max / min) : "inf"), sqrt(var > 0 ? var : 0) / mean, sum
    }' "$1" "$2"
}

# medians FILE [SUM_COLUMN]: FILE holds "KEY V1 V2 ..." lines, one per round; prints "KEY M1 M2 ..."
# per KEY (in first-seen order), each M the median over the rounds (the lower middle value for an
# even count), except column SUM_COLUMN (1 is V1), which is summed. "-" means not measured and
# stays "-"; "inf" sorts above every number.
medians() {
  awk -v sum_col="${2:-0}" '
    function num(v) { return v == "inf" ? 1e300 : v + 0 }
    function median(key, col,    n, i, j, t, v) {
      n = rounds[key]
      for (i = 1; i <= n; i++) v[i] = value[key, i, col]
      if (v[1] == "-") return "-"
      for (i = 2; i <= n; i++)
        for (j = i; j > 1 && num(v[j - 1]) > num(v[j]); j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return v[int((n + 1) / 2)]
    }
    {
      if (!($1 in rounds)) order[++keys] = $1
      r = ++rounds[$1]
      for (c = 2; c <= NF; c++) value[$1, r, c - 1] = $c
      cols = NF - 1
    }
    END {
      for (k = 1; k <= keys; k++) {
        key = order[k]; line = key
        for (c = 1; c <= cols; c++) {
          if (c == sum_col) { s = 0; for (r = 1; r <= rounds[key]; r++) s += value[key, r, c]; line = line " " s }
          else line = line " " median(key, c)
        }
        print line
      }
    }' "$1"
}

# measured_run SCENARIO PORT ROOT [ringleader]: run_wrk with the server's cost around it. Prints
# "REQ/S P99_MS REQUESTS ERRORS CPU_US PRIMARY_US MAX/MIN CV ACCEPTED": wrk_summary's four, the CPU
# time of ROOT's whole process tree and of ROOT alone over the run, then, for ringleader (which
# must run with --metrics_interval=${metrics_interval_ms}ms), accepted_spread over the run; else "- - 0".
measured_run() {
  local scenario=$1 port=$2 root=$3 ringleader=${4:-}
  local cpu0 cpu1 primary0 primary1 spread="- - 0"
  if [[ $ringleader ]]; then
    await_metrics
    accepted_snapshot "$port" >"$work/before"
  fi
  cpu0=$(server_cpu_us "$root")
  primary0=$(own_cpu_us "$root")
  run_wrk "$scenario" "$port" "$work/wrk.out"
  cpu1=$(server_cpu_us "$root")
  primary1=$(own_cpu_us "$root")
  if [[ $ringleader ]]; then
    await_metrics
    accepted_snapshot "$port" >"$work/after"
    spread=$(accepted_spread "$work/before" "$work/after")
  fi
  echo "$(wrk_summary "$work/wrk.out") $((cpu1 - cpu0)) $((primary1 - primary0)) $spread"
}

# per UNITS COUNT: UNITS / COUNT with two decimals, "-" when COUNT is 0.
per() { awk -v u="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.2f\n", u / n; else print "-" }'; }
