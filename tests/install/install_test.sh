#!/usr/bin/env bash
# The install and the package, as a user meets them (ctest: install_prefix_test, install_deb_test).
#
#   install_test.sh prefix BUILD_DIR SOURCE_DIR [CXX=c++] [BUILD_TYPE=t] [CXX_FLAGS=f] [LINKER_FLAGS=f]
#     `cmake --install BUILD_DIR --prefix $tmp`, then tests/install/example (the README's server)
#     configured with -DCMAKE_PREFIX_PATH=$tmp and built with BUILD_DIR's compiler and flags (the
#     dev preset's libraries carry ASan, so the example must too), run on a free loopback port:
#     GET /hello answers 200 from a worker of the primary, SIGTERM stops it, no process is left.
#   install_test.sh deb BUILD_DIR SOURCE_DIR
#     cpack builds the .deb from BUILD_DIR into $tmp; its control fields and contents are checked,
#     `dpkg -x` unpacks it and its ringleader --help runs (on Debian's shared libraries); then,
#     as root and when no ringleader package is installed, `dpkg -i` installs it for real,
#     /usr/bin/ringleader --help runs, and `dpkg -r` removes it. Not root: that part is skipped
#     (exit 77, which ctest reports as skipped).
# Every wait is bounded; the temporary directory and every process started are gone at exit.
set -euo pipefail

mode=$1 build=$(realpath "$2") src=$(realpath "$3")
CXX=c++ BUILD_TYPE=Release CXX_FLAGS="" LINKER_FLAGS=""
for arg in "${@:4}"; do
  case $arg in
    CXX=* | BUILD_TYPE=* | CXX_FLAGS=* | LINKER_FLAGS=*) printf -v "${arg%%=*}" '%s' "${arg#*=}" ;;
    *) echo "unknown argument $arg" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d /tmp/ringleader-install-test.XXXXXX)
primary="" workers="" installed_deb=0
cleanup() {  # by pid only: the primary, its children, the workers seen
  if [[ -n $primary ]]; then
    pkill -KILL -P "$primary" 2>/dev/null || true
    kill -KILL "$primary" 2>/dev/null || true
  fi
  for pid in $workers; do kill -KILL "$pid" 2>/dev/null || true; done
  if ((installed_deb)); then dpkg -r ringleader >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }
quietly() {  # runs a command with its output in $tmp/out.log, shown only if it fails
  if ! "$@" >"$tmp/out.log" 2>&1; then
    cat "$tmp/out.log" >&2
    fail "$*"
  fi
}

check_help() {  # BINARY: --help exits 0 and lists the flags
  local out
  out=$("$1" --help 2>&1) || fail "$1 --help exited $?"
  grep -q -- "--workers" <<<"$out" || fail "$1 --help does not list --workers: $out"
}

prefix_test() {
  local prefix=$tmp/prefix
  step "cmake --install $build --prefix $prefix"
  quietly timeout 120 cmake --install "$build" --prefix "$prefix"
  for f in bin/ringleader bin/ringleader-trace bin/ringleader-ctl \
           lib/libringleader_cluster.a lib/libringleader_core.a lib/libringleader_llhttp.a \
           include/ringleader/cluster/cluster.h include/ringleader/net/redis/redis_client.h \
           include/ringleader/llhttp/llhttp.h \
           lib/cmake/ringleader/ringleaderConfig.cmake \
           lib/cmake/ringleader/ringleaderConfigVersion.cmake \
           lib/cmake/ringleader/ringleaderTargets.cmake share/doc/ringleader/README.md; do
    [[ -e $prefix/$f ]] || fail "not installed: $f"
  done
  local extra
  extra=$(cd "$prefix" && find . \( -name '*_test*' -o -name '*fuzz*' -o -name '*bench*' \
                                   -o -name 'ringleader-ctl-fake-server' \) | head -n 5)
  [[ -z $extra ]] || fail "test/bench/fuzz files installed: $extra"
  check_help "$prefix/bin/ringleader"

  step "configure and build tests/install/example against the prefix"
  local example=$tmp/example
  quietly timeout 300 cmake -S "$src/tests/install/example" -B "$example" -G Ninja \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
    -DCMAKE_CXX_FLAGS="$CXX_FLAGS" -DCMAKE_EXE_LINKER_FLAGS="$LINKER_FLAGS"
  # Honest only if nothing came from the source tree or the build tree.
  if grep -qE "$src/(core|fsm|ipc|net|cluster)|$build" "$example/build.ninja"; then
    fail "the example's build refers to the source or build tree, not the prefix"
  fi
  quietly timeout 600 cmake --build "$example"

  step "run it on a free loopback port"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  XDG_RUNTIME_DIR=$tmp HOST=127.0.0.1 PORT=$port "$example/hello_cluster" >"$tmp/server.log" 2>&1 &
  primary=$!
  local body="" status=""
  for _ in $(seq 200); do  # 20 s
    status=$(curl -s -m 2 -o "$tmp/body" -w '%{http_code}' "http://127.0.0.1:$port/hello" || true)
    [[ $status == 200 ]] && break
    kill -0 "$primary" 2>/dev/null || { cat "$tmp/server.log" >&2; fail "the example exited"; }
    sleep 0.1
  done
  [[ $status == 200 ]] || { cat "$tmp/server.log" >&2; fail "GET /hello: status '$status'"; }
  body=$(cat "$tmp/body")
  local worker
  workers=$(pgrep -P "$primary" | tr '\n' ' ')
  worker=$(sed -n 's/.*"worker":\([0-9]*\).*/\1/p' <<<"$body")
  [[ $body == '{"hello":"/hello","worker":'* && -n $worker ]] || fail "GET /hello: $body"
  [[ " $workers " == *" $worker "* ]] || fail "worker $worker is not a child of $primary ($workers)"
  echo "GET /hello → 200 $body (workers: $workers)"

  step "SIGTERM the primary"
  kill -TERM "$primary"
  local code=""
  for _ in $(seq 150); do  # 15 s
    if ! kill -0 "$primary" 2>/dev/null; then
      code=0; wait "$primary" || code=$?
      break
    fi
    sleep 0.1
  done
  [[ -n $code ]] || { cat "$tmp/server.log" >&2; fail "the primary did not exit within 15 s"; }
  primary=""
  [[ $code == 0 ]] || { cat "$tmp/server.log" >&2; fail "the primary exited $code"; }
  for pid in $workers; do
    kill -0 "$pid" 2>/dev/null && fail "worker $pid outlived the primary"
  done
  ! pgrep -f "^$example/hello_cluster" >/dev/null || fail "a hello_cluster process is left"
  workers=""
  echo "PASS: installed, built out of tree, served, stopped cleanly"
}

deb_test() {
  command -v cpack >/dev/null && command -v dpkg-deb >/dev/null ||
    { echo "SKIP: cpack or dpkg-deb missing"; exit 77; }
  step "cpack (DEB) from $build"
  quietly timeout 300 cpack --config "$build/CPackConfig.cmake" -B "$tmp/pkg"
  local deb
  deb=$(find "$tmp/pkg" -maxdepth 1 -name 'ringleader_*.deb' | head -n 1)
  [[ -n $deb ]] || fail "no ringleader_*.deb in $tmp/pkg"
  echo "$(basename "$deb"):"
  dpkg-deb -f "$deb" Package Version Architecture Maintainer Depends | sed 's/^/  /'
  local depends
  depends=$(dpkg-deb -f "$deb" Depends)
  for p in liburing2 libsimdjson14 libhiredis0.14; do
    [[ $depends == *"$p"* ]] || fail "Depends lacks $p: $depends"
  done
  # abseil: a dependency exactly when the binaries load its shared libraries
  # (RINGLEADER_STATIC_ABSL=OFF).
  local absl_needed=0 absl_depended=0
  ldd "$build/bin/ringleader" | grep -q libabsl_ && absl_needed=1
  [[ $depends == *libabsl20220623* ]] && absl_depended=1
  ((absl_needed == absl_depended)) ||
    fail "Depends and the binary disagree on abseil (loads .so: $absl_needed): $depends"
  [[ -n $(dpkg-deb -f "$deb" Maintainer) && -n $(dpkg-deb -f "$deb" Description) ]] ||
    fail "no Maintainer or Description"
  local contents
  contents=$(dpkg-deb -c "$deb")
  for f in ./usr/bin/ringleader ./usr/bin/ringleader-trace ./usr/bin/ringleader-ctl \
           ./usr/share/doc/ringleader/README.md; do
    grep -q " $f\$" <<<"$contents" || fail "$f not in the package"
  done
  ! grep -qE '\.a$|\.h$|/cmake/' <<<"$contents" || fail "development files in the runtime package"

  step "dpkg -x, run the unpacked binaries"
  dpkg-deb -x "$deb" "$tmp/root"
  check_help "$tmp/root/usr/bin/ringleader"
  "$tmp/root/usr/bin/ringleader-ctl" --help >/dev/null 2>&1 || fail "ringleader-ctl --help"
  "$tmp/root/usr/bin/ringleader-trace" --help >/dev/null 2>&1 || fail "ringleader-trace --help"

  if [[ $(id -u) != 0 ]] || ! command -v dpkg >/dev/null; then
    echo "SKIP: dpkg -i needs root and dpkg (the unpacked package passed)"; exit 77
  fi
  if dpkg-query -W -f='${Status}' ringleader 2>/dev/null | grep -q installed ||
     [[ -e /usr/bin/ringleader ]]; then
    echo "SKIP: a ringleader is already installed here; not replacing it"; exit 77
  fi
  step "dpkg -i, /usr/bin/ringleader --help, dpkg -r"
  installed_deb=1
  quietly timeout 120 dpkg -i "$deb"
  check_help /usr/bin/ringleader
  quietly timeout 120 dpkg -r ringleader
  installed_deb=0
  [[ ! -e /usr/bin/ringleader ]] || fail "/usr/bin/ringleader left after dpkg -r"
  echo "PASS: the .deb installs, runs and removes"
}

case $mode in
  prefix) prefix_test ;;
  deb) deb_test ;;
  *) fail "unknown mode $mode" ;;
esac
