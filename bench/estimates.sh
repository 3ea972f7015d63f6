#!/usr/bin/env bash
# Benchmark: how well the planner's estimates hold after `migrator probe`.
#
# Starts two on-disk S3 endpoints (`migrator serve-s3 --dir`), and, with DELAYS containing 20, a latency proxy
# (bench/latency-proxy.py, 20 ms per request) in front of each. Seeds endpoint A (not timed) with
#   small: SMALL_COUNT objects of SMALL_SIZE bytes (default 2,000 x 16 KiB)
#   large: LARGE_COUNT objects of LARGE_MB MiB      (default 4 x 32 MiB)
# and, held apart from both, a probe set (PROBE_SMALL x 16 KiB and 2 x 8 MiB) in a bucket of its own. For each
# delay and data set: `migrator probe PLAN --write` on a plan naming the probe bucket and the target endpoint (reads,
# stats, writes and copies through the move), the calibration pasted into the plan's location sections; with
# REHEARSE=1 (default) a rehearsal drill of that probe plan and `migrator probe PLAN --from-run` to add the measured
# step starts; then `migrator drill` of the data set with --eta-tolerance 15% --step-tolerance 25%. Reports, per run,
# the whole-run, pre-copy, freeze-window and per-step estimate/actual ratios from the drill's JUnit XML, the drill's
# wall and CPU seconds (user + system of the drill process; the servers' are not counted), with the load at the time.
#
# Usage: bench/estimates.sh
#   MIGRATOR_JAR=path/to/migrator.jar SETS="small large" DELAYS="0 20" bench/estimates.sh
#   TARBALL=migrator-cli/target/migrator-VERSION.tar.gz ...   probes and drills through the distribution's bin/migrator
#     (its class archive, trained by the first command, and JIT settings), as users run them; the servers stay java -jar
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
SETS="${SETS:-small large}"
DELAYS="${DELAYS:-0 20}"                 # milliseconds added per request (0: no proxy)
SMALL_COUNT="${SMALL_COUNT:-2000}"
SMALL_SIZE="${SMALL_SIZE:-16384}"
LARGE_COUNT="${LARGE_COUNT:-4}"
LARGE_MB="${LARGE_MB:-32}"
PROBE_SMALL="${PROBE_SMALL:-400}"
PARALLELISM="${PARALLELISM:-8}"
PORT_A="${PORT_A:-18191}"
PORT_B="${PORT_B:-18192}"
PROXY_A="${PROXY_A:-18193}"
PROXY_B="${PROXY_B:-18194}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}"
SERVE_S3="${SERVE_S3:-java $SERVER_JAVA_OPTS -jar $MIGRATOR_JAR serve-s3}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"
REHEARSE="${REHEARSE:-1}"
TARBALL="${TARBALL:-}"
REHEARSAL_SHARDS="${REHEARSAL_SHARDS:-2}" # steps of each size and kind in the rehearsal (the probe set has 2 large objects)

# shellcheck source=lib.sh
source "$REPO/bench/lib.sh"
need python3 "Install Python 3 (apt-get install -y python3)."
M=(java -jar "$MIGRATOR_JAR")
# Through the launcher, the first command trains its class archive, as a user's first command does: what that command
# loads is what later ones find archived (a local copy's training left an S3 drill 1.42-1.52x over its estimate against
# 1.10 when an S3 copy trained it: docs/benchmarks.md, 2026-12-03 afternoon).
[[ -z "$TARBALL" ]] || launcher_cmd "$TARBALL" # here the seeding copy below (S3) trains it

serve() { # name port dir buckets...: serve-s3 with these buckets, waits until it answers
  local name=$1 port=$2 dir=$3; shift 3
  local args=() b
  for b in "$@"; do args+=(--bucket "$b"); done
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  $SERVE_S3 --port "$port" --dir "$dir" "${args[@]}" >"$WORK_DIR/serve-$name.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" "serve-s3 $name"
}
wait_port() {
  local i
  for i in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || { echo "error: $2 died" >&2; exit 1; }
    sleep 0.2
  done
  echo "error: $2 did not answer on port $1" >&2; exit 1
}

BUCKETS_B=()
for d in $DELAYS; do for s in $SETS; do BUCKETS_B+=("dst-$s-$d" "drill-$s-$d" "probe-$s-$d" "rehearse-$s-$d"); done; done
serve a "$PORT_A" "$WORK_DIR/store-a" src-small src-large probe
serve b "$PORT_B" "$WORK_DIR/store-b" "${BUCKETS_B[@]}"
python3 "$REPO/bench/latency-proxy.py" "$PROXY_A" "$PORT_A" 20 & PIDS+=($!); wait_port "$PROXY_A" "latency proxy A"
python3 "$REPO/bench/latency-proxy.py" "$PROXY_B" "$PORT_B" 20 & PIDS+=($!); wait_port "$PROXY_B" "latency proxy B"

seed() { # bucket count size-bytes [name prefix, default o-]
  local dir="$WORK_DIR/seed-$1-$3"
  mkdir -p "$dir"
  local i
  for i in $(seq -w 1 "$2"); do head -c "$3" /dev/urandom >"$dir/${4:-o-}$i"; done
  "${M[@]}" copy "$dir" "$(s3uri "$PORT_A" "$1")" -q >/dev/null
  rm -rf "$dir"
}
log "seeding (not timed)"
seed src-small "$SMALL_COUNT" "$SMALL_SIZE"
seed src-large "$LARGE_COUNT" $((LARGE_MB << 20))
seed probe "$PROBE_SMALL" 16384 small-
seed probe 2 $((8 << 20)) large-
seed probe 8 16384 warm- # the rehearsal's warm-up move: its steps pay the fresh JVM's warm-up and are not fitted

figures() { # calibration-file location: its figure lines, indented for a location section
  awk -v loc="  $2:" '$0 == loc {on=1; next} /^  [^ ]/ {on=0} on && /^    / {sub(/^    /, "    "); print}' "$1"
}

echo "| delay | set | whole run est/actual | ratio | pre-copy ratio | freeze window est/actual | ratio | steps (ratio min / median / max, within ±25%) | drill exit | drill wall / CPU s | load |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for d in $DELAYS; do
  if [[ $d == 0 ]]; then pa=$PORT_A; pb=$PORT_B; else pa=$PROXY_A; pb=$PROXY_B; fi
  for s in $SETS; do
    run="$s-$d"
    cat >"$WORK_DIR/probe-$run.yaml" <<YAML
sources: {old: '$(s3uri "$pa" probe)'}
targets: {new: '$(s3uri "$pb" "probe-$run")'}
moves: [{from: old, to: new, parallelism: $PARALLELISM}]
YAML
    log "$run: probe"
    "${M[@]}" probe "$WORK_DIR/probe-$run.yaml" --write -o "$WORK_DIR/cal-$run.yaml" >"$WORK_DIR/probe-$run.log" 2>&1
    cp "$WORK_DIR/cal-$run.yaml" "$WORK_DIR/cal-probe-$run.yaml" # the probe's own file, its notes: what each figure came from
    if [[ $REHEARSE == 1 ]]; then
      # The rehearsal: a drill of the probe set with the probed figures, then its measured step starts into the file.
      {
        echo "name: rehearse-$run"
        echo "limits: {concurrency: 1}" # one step at a time, as the data set's single move runs: no step slows another
        echo "sources:"
        echo "  old:"
        echo "    uri: '$(s3uri "$pa" probe)'"
        figures "$WORK_DIR/cal-$run.yaml" old
        echo "targets:"
        echo "  new:"
        echo "    uri: '$(s3uri "$pb" "probe-$run")'"
        figures "$WORK_DIR/cal-$run.yaml" new
        # Two moves of different sizes (the 2 large probe objects, the small ones): a line through their steps splits
        # each kind's start from a cost per object. Each in two shards: two steps of each size and kind, so the median
        # line of `probe --from-run` rests on more than one sample per figure. A fresh drill process's first step of each
        # kind (whichever the scheduler starts first) pays the JVM's warm-up: `probe --from-run` leaves it out of the fit (a
        # note in the calibration file says what it cost beyond the line; the model does not add it back: docs/benchmarks.md,
        # 2026-12-02). The small warm-up move is one more step of each kind: with the one left out, each size keeps a step.
        echo "moves:"
        echo "  - {name: warm-up, from: old, to: new, include: [warm-], parallelism: $PARALLELISM}"
        echo "  - {name: few, from: old, to: new, include: [large-], shards: $REHEARSAL_SHARDS, parallelism: $PARALLELISM}"
        echo "  - {name: many, from: old, to: new, include: [small-], shards: $REHEARSAL_SHARDS, parallelism: $PARALLELISM}"
        echo "drill: {targets: {new: '$(s3uri "$pb" "rehearse-$s-$d")'}}"
      } >"$WORK_DIR/rehearse-$run.yaml"
      log "$run: rehearsal drill"
      "${M[@]}" drill "$WORK_DIR/rehearse-$run.yaml" --state "$WORK_DIR/state-rehearse-$run" --skip-preflight -q \
        >"$WORK_DIR/rehearse-$run.log" 2>&1 || true
      "${M[@]}" probe "$WORK_DIR/rehearse-$run.yaml" --from-run "$WORK_DIR/state-rehearse-$run" \
        --calibration "$WORK_DIR/cal-$run.yaml" -o "$WORK_DIR/cal2-$run.yaml" >>"$WORK_DIR/probe-$run.log" 2>&1
      mv "$WORK_DIR/cal2-$run.yaml" "$WORK_DIR/cal-$run.yaml"
    fi
    {
      echo "name: estimates-$run"
      echo "sources:"
      echo "  old:"
      echo "    uri: '$(s3uri "$pa" "src-$s")'"
      figures "$WORK_DIR/cal-$run.yaml" old
      echo "targets:"
      echo "  new:"
      echo "    uri: '$(s3uri "$pb" "dst-$s-$d")'"
      figures "$WORK_DIR/cal-$run.yaml" new
      echo "moves: [{from: old, to: new, parallelism: $PARALLELISM}]"
      echo "drill: {targets: {new: '$(s3uri "$pb" "drill-$s-$d")'}}"
    } >"$WORK_DIR/plan-$run.yaml"
    load=$(uptime | sed 's/.*load average: //')
    log "$run: drill (load $load)"
    rc=0
    /usr/bin/time -f "%e %U %S" -o "$WORK_DIR/time-$run" "${M[@]}" drill "$WORK_DIR/plan-$run.yaml" --state "$WORK_DIR/state-$run" \
      --junit "$WORK_DIR/junit-$run.xml" --eta-tolerance 15% --step-tolerance 25% --skip-preflight >"$WORK_DIR/drill-$run.log" 2>&1 || rc=$?
    j="$WORK_DIR/junit-$run.xml"
    prop() { sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" "$j"; }
    est=$(prop rto.estimate.seconds); act=$(prop rto.seconds)
    fest=$(prop freeze.estimate.seconds); fact=$(prop freeze.seconds)
    steps=$(sed -n 's/.*<system-out>[^<]*(\([0-9.]*\)x).*/\1/p' "$j" | sort -g | awk '
      {a[NR]=$1; if ($1 >= 0.75 && $1 <= 1.25) ok++} END {if (NR) printf "%.2f / %.2f / %.2f, %d of %d", a[1], a[int((NR+1)/2)], a[NR], ok, NR}')
    read -r wall user sys < <(tail -1 "$WORK_DIR/time-$run") # GNU time puts "Command exited with ..." first on a failure
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.1f", u + s}')
    printf "| %s ms | %s | %.1f / %.1f s | %s | %s | %.1f / %.1f s | %s | %s | %s | %s / %s | %s |\n" "$d" "$s" "$est" "$act" \
      "$(prop eta.whole-run.ratio)" "$(prop eta.presync.ratio)" "$fest" "$fact" "$(prop eta.freeze-window.ratio)" "$steps" "$rc" \
      "$wall" "$cpu" "$load"
    grep -h "Worst estimate" "$WORK_DIR/drill-$run.log" | sed "s/^/    $run: /" >&2 || true
  done
done
log "load after: $(uptime)"
