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
