# Shared by the benchmark scripts: tool checks, a work directory cleaned up at exit, and on-disk
# S3 endpoints (`migrator serve-s3 --dir`) with their rclone remotes. Source it after setting
# MIGRATOR_JAR, WORK_DIR, KEEP and SERVE_S3.

need() { command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' not found. $2" >&2; exit 2; }; }
need java "Install Java 17+ (e.g. apt-get install -y openjdk-17-jre-headless)."
need curl "Install curl (apt-get install -y curl)."
[[ -x /usr/bin/time ]] || { echo "error: /usr/bin/time not found. Install it: apt-get install -y time" >&2; exit 2; }
[[ -f "$MIGRATOR_JAR" ]] || { echo "error: $MIGRATOR_JAR not found. Build it: ./mvnw -B -q package -DskipTests (or set MIGRATOR_JAR)" >&2; exit 2; }
unset AWS_CA_BUNDLE # rclone (Go SDK) refuses a CA bundle it cannot use; the endpoints are plain http

if [[ -z "$WORK_DIR" ]]; then WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/migrator-bench.XXXXXX")"; CREATED_WORK=1; else mkdir -p "$WORK_DIR"; CREATED_WORK=0; fi
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true; done
  if [[ "$KEEP" != 1 && "$CREATED_WORK" == 1 ]]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# The fixed, local-only credentials of `migrator serve-s3` (loopback only; not secrets).
AK=migrator-local
SK=migrator-local-key-0123456789
s3uri() { # port bucket
  echo "s3://$2/?endpoint=http://127.0.0.1:$1&region=us-east-1&path-style=true&access-key=$AK&secret-key=$SK"
}

export RCLONE_CONFIG="$WORK_DIR/rclone.conf"
: >"$RCLONE_CONFIG"
rclone_remote() { # name port: an rclone remote for the endpoint on port
  cat >>"$RCLONE_CONFIG" <<CONF
[$1]
type = s3
provider = Other
access_key_id = $AK
secret_access_key = $SK
region = us-east-1
endpoint = http://127.0.0.1:$2
force_path_style = true

CONF
}

start_server() { # name port dir: starts serve-s3 and waits until it answers
  local name=$1 port=$2 dir=$3
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "error: port $port is already in use; choose another port (see the script's variables)" >&2; exit 2
  fi
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  $SERVE_S3 --port "$port" --dir "$dir" --bucket seed >"$WORK_DIR/serve-$name.log" 2>&1 &
  PIDS+=($!)
  local i
  for i in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$WORK_DIR/serve-$name.log" >&2; echo "error: serve-s3 $name died" >&2; exit 1; }
    sleep 0.2
  done
  echo "error: serve-s3 $name did not answer on port $port within 60 s" >&2; exit 1
}

# --- migrator as users run it; latency and throttling (bench/latency.sh, bench/adaptive.sh) ---------------------
launcher_cmd() { # tarball: sets M to its bin/migrator, unpacked into WORK_DIR/dist; the launcher's class archive goes to
  # WORK_DIR/cache, made by the first command run through it (as a user's first command makes theirs)
  [[ -f "$1" ]] || { echo "error: TARBALL=$1 not found: build it with ./mvnw -q -B package -DskipTests" >&2; exit 2; }
  mkdir -p "$WORK_DIR/dist" && tar xzf "$1" -C "$WORK_DIR/dist"
  export XDG_CACHE_HOME="$WORK_DIR/cache"
  M=("$(ls -d "$WORK_DIR"/dist/migrator-*/)bin/migrator")
}
migrator_cmd() { # [tarball]: sets M, the migrator command; with a tarball, its bin/migrator, class archive trained here by a local copy
  if [[ -n "${1:-}" ]]; then
    launcher_cmd "$1"
    mkdir -p "$WORK_DIR/train" && echo train >"$WORK_DIR/train/f"
    "${M[@]}" copy "$WORK_DIR/train" "$WORK_DIR/train-out" --state "$WORK_DIR/train-state" -q >/dev/null # writes the archive
    rm -rf "$WORK_DIR/train" "$WORK_DIR/train-out" "$WORK_DIR/train-state"
  else
    M=(java -jar "$MIGRATOR_JAR")
  fi
}
start_proxy() { # listen-port target-port delay-ms: bench/latency-proxy.py, waits until it answers
  if curl -s -o /dev/null "http://127.0.0.1:$1/"; then echo "error: port $1 is already in use; choose another port" >&2; exit 2; fi
  python3 "$(dirname "${BASH_SOURCE[0]}")/latency-proxy.py" "$1" "$2" "$3" >"$WORK_DIR/proxy-$1.log" 2>&1 &
  PIDS+=($!)
  local i
  for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done
  echo "error: latency proxy on port $1 did not answer" >&2; exit 1
}
gate() { # port knob=value...: serve-s3's latency / throttle knobs (see RequestGate), e.g. gate 19711 latency-ms=20
  local port=$1; shift
  curl -sf "http://127.0.0.1:$port/_migrator/gate?$(IFS='&'; echo "$*")" || { echo "error: serve-s3 on $port refused gate $*" >&2; exit 1; }
}
server_stats() { # port [reset]: "inflight=.. requests=.. throttled=.. inflight_sum=.. peak=.." of serve-s3 on port
  curl -sf "http://127.0.0.1:$1/_migrator/stats${2:+?reset}"
}
cpu_seconds() { # pid...: user+system CPU seconds those processes have used so far
  local tck pid total=0; tck=$(getconf CLK_TCK)
  for pid in "$@"; do
    [[ -r /proc/$pid/stat ]] || continue
    total=$(( total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}') ))
  done
  awk -v t="$total" -v k="$tck" 'BEGIN {printf "%.2f", t / k}'
}
