#!/usr/bin/env bash
# Benchmark: `migrator run PLAN --workers N` on a latency-bound endpoint pair: does adding workers scale?
#
# Starts two on-disk S3 endpoints (`migrator serve-s3 --dir`), and in front of each a proxy that adds DELAY_MS
# to every request (provider-testkit's FaultProxy, latency only: a distant endpoint); seeds endpoint A (not
# timed) with COUNT objects of SIZE bytes; then runs one plan (A -> B through the proxies, SHARDS key-range
# shards, PARALLELISM objects in flight per shard, i.e. per worker) with each worker count in WORKERS,
# RUNS times, alternating the order, each into a fresh bucket with fresh shared state (file://), and checks
# every run with `migrator verify` (directly against the endpoints). Records wall time, objects/s, the
# CPU-seconds of the run and its workers (user+sys of the process tree), the CPU-seconds the endpoints and the
# proxies spent in the same window (from /proc), and the load average.
#
# Usage: bench/workers.sh            (from anywhere)
#   RUNS=3 WORKERS="1 4" COUNT=4000 SIZE=4096 PARALLELISM=4 DELAY_MS=20 bench/workers.sh
#   JFR=1 ...: one extra 4-worker run with JFR in every worker (recordings kept in WORK_DIR/jfr; implies KEEP=1)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
TESTKIT_CLASSES="${TESTKIT_CLASSES:-$REPO/providers/provider-testkit/target/classes}"
RUNS="${RUNS:-3}"                  # measurements per worker count (median reported)
WORKERS="${WORKERS:-1 4}"          # worker counts compared
COUNT="${COUNT:-4000}"             # objects
SIZE="${SIZE:-4096}"               # bytes per object
SHARDS="${SHARDS:-12}"             # copy units: about 3 x the largest worker count, so fast workers take more
PARALLELISM="${PARALLELISM:-4}"    # objects in flight per shard; a worker runs one unit at a time
DELAY_MS="${DELAY_MS:-20}"         # added to every request by each proxy
PORT_A="${PORT_A:-18191}"
PORT_B="${PORT_B:-18192}"
JFR="${JFR:-0}"
WARMUP="${WARMUP:-1}"              # 1: one untimed run per worker count first (the endpoints' JIT, the page cache)
JAVA_OPTS="${JAVA_OPTS:-}"         # JVM options of the timed `run` (its workers get the same)
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}"
SERVE_S3="${SERVE_S3:-java $SERVER_JAVA_OPTS -jar $MIGRATOR_JAR serve-s3}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"
[[ $JFR == 1 ]] && KEEP=1

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
[[ -f "$TESTKIT_CLASSES/dev/migrator/testkit/fault/LatencyProxyMain.class" ]] || {
  echo "error: $TESTKIT_CLASSES has no LatencyProxyMain: build it with ./mvnw -q -B package -DskipTests" >&2; exit 2; }
migrator() { java -jar "$MIGRATOR_JAR" "$@"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
cpu_ticks() { # pid...: user+sys clock ticks of these processes (themselves, not children)
  local pid t=0
  for pid in "$@"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$pid/stat") )); done
  echo "$t"
}
TICKS=$(getconf CLK_TCK)

# Every bucket the runs need exists from the start (serve-s3 --bucket): runs create nothing on B.
BUCKETS=()
for w in $WORKERS; do for r in $(seq 0 "$RUNS") jfr; do BUCKETS+=(--bucket "w$w-r$r"); done; done
log "work dir $WORK_DIR; jar $MIGRATOR_JAR"
start_server a "$PORT_A" "$WORK_DIR/store-a"
SERVE_S3="$SERVE_S3 ${BUCKETS[*]}" start_server b "$PORT_B" "$WORK_DIR/store-b"
SERVER_PIDS=("${PIDS[@]}")
java -cp "$TESTKIT_CLASSES" dev.migrator.testkit.fault.LatencyProxyMain "$DELAY_MS" \
  "http://127.0.0.1:$PORT_A" "http://127.0.0.1:$PORT_B" >"$WORK_DIR/proxies.txt" 2>"$WORK_DIR/proxies.err" &
PIDS+=($!); PROXY_PID=$!
for _ in $(seq 1 100); do [[ $(wc -l <"$WORK_DIR/proxies.txt") == 2 ]] && break; sleep 0.1; done
PROXY_A=$(awk -v t="http://127.0.0.1:$PORT_A" '$1==t {print $2}' "$WORK_DIR/proxies.txt")
PROXY_B=$(awk -v t="http://127.0.0.1:$PORT_B" '$1==t {print $2}' "$WORK_DIR/proxies.txt")
[[ -n $PROXY_A && -n $PROXY_B ]] || { cat "$WORK_DIR/proxies.err" >&2; echo "error: the proxies did not start" >&2; exit 1; }
log "endpoints A=127.0.0.1:$PORT_A (proxy $PROXY_A) B=127.0.0.1:$PORT_B (proxy $PROXY_B), +${DELAY_MS} ms per request"
via() { # proxy bucket: an S3 URI through the proxy
  echo "s3://$2/?endpoint=$1&region=us-east-1&path-style=true&access-key=$AK&secret-key=$SK"
}

log "seeding A:seed with $COUNT x $SIZE B (not timed)"
mkdir -p "$WORK_DIR/gen"
head -c $(( COUNT * SIZE )) /dev/urandom >"$WORK_DIR/gen/.all"
(cd "$WORK_DIR/gen" && split -b "$SIZE" -a 6 -d .all obj- && rm .all)
migrator copy "$WORK_DIR/gen" "$(s3uri "$PORT_A" seed)" --transfers 16 -q --state "$WORK_DIR/seed-state" >/dev/null
rm -rf "$WORK_DIR/gen"

RESULTS="$WORK_DIR/results.tsv" # workers run wall cpu_s server_cpu_s proxy_cpu_s check load1
: >"$RESULTS"

run_one() { # workers run
  local w=$1 r=$2 bucket="w$1-r$2"
  local plan="$WORK_DIR/plan-$bucket.yaml" state="$WORK_DIR/state-$bucket"
  cat >"$plan" <<YAML
name: workers-bench
deadline: 4h
sources:
  old: '$(via "$PROXY_A" seed)'
targets:
  new: '$(via "$PROXY_B" "$bucket")'
moves:
  - {name: objects, from: old, to: new, shards: $SHARDS, parallelism: $PARALLELISM}
YAML
  local extra=()
  if [[ $r == jfr ]]; then mkdir -p "$WORK_DIR/jfr"; extra=(env "JAVA_TOOL_OPTIONS=-XX:StartFlightRecording=filename=$WORK_DIR/jfr/,settings=profile"); fi
  sync; sleep 1
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local s0 p0; s0=$(cpu_ticks "${SERVER_PIDS[@]}"); p0=$(cpu_ticks "$PROXY_PID")
  log "run $r: --workers $w -> B:$bucket"
  local rc=0
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S" -o "$WORK_DIR/time-$bucket" "${extra[@]}" java $JAVA_OPTS -jar "$MIGRATOR_JAR" run "$plan" \
    --workers "$w" --state "file://$state" --skip-preflight -q >"$WORK_DIR/out-$bucket.log" 2>&1 || rc=$?
  local s1 p1; s1=$(cpu_ticks "${SERVER_PIDS[@]}"); p1=$(cpu_ticks "$PROXY_PID")
  local wall user sys; read -r wall user sys < <(tail -n 1 "$WORK_DIR/time-$bucket")
  local status=ok
  if [[ $rc != 0 ]]; then status="FAIL(exit $rc, see out-$bucket.log)"
  elif ! migrator verify "$(s3uri "$PORT_A" seed)" "$(s3uri "$PORT_B" "$bucket")" >"$WORK_DIR/verify-$bucket.log" 2>&1; then
    status="FAIL(verify, see verify-$bucket.log)"
  fi
  local cpu srv prx
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
  srv=$(awk -v a="$s0" -v b="$s1" -v t="$TICKS" 'BEGIN{printf "%.2f", (b-a)/t}')
  prx=$(awk -v a="$p0" -v b="$p1" -v t="$TICKS" 'BEGIN{printf "%.2f", (b-a)/t}')
  log "  ${wall}s, $(awk -v n="$COUNT" -v w="$wall" 'BEGIN{printf "%.0f", n/w}') objects/s, CPU: migrator ${cpu}s, endpoints ${srv}s, proxies ${prx}s; load before $load; $status"
  [[ $r == jfr || $r == 0 ]] || printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$r" "$wall" "$cpu" "$srv" "$prx" "$status" "$load" >>"$RESULTS"
  rm -rf "${WORK_DIR:?}/store-b/$bucket/"* # free the disk
}

if [[ $WARMUP == 1 ]]; then for w in $WORKERS; do run_one "$w" 0; done; fi # not recorded
for r in $(seq 1 "$RUNS"); do
  order=$WORKERS; (( r % 2 )) || order=$(echo "$WORKERS" | tr ' ' '\n' | tac | paste -sd ' ')
  for w in $order; do run_one "$w" "$r"; done
done
if [[ $JFR == 1 ]]; then run_one "$(echo "$WORKERS" | tr ' ' '\n' | tail -n1)" jfr; log "JFR recordings: $WORK_DIR/jfr"; fi

[[ -s $RESULTS ]] || { log "no timed runs (RUNS=$RUNS)"; exit 0; }
col() { awk -F'\t' -v w="$1" -v c="$2" '$1==w {print $c}' "$RESULTS"; }
first=$(echo "$WORKERS" | awk '{print $1}')
base=$(col "$first" 3 | median)
echo
echo "### migrator run --workers N: $COUNT x $SIZE B, S3 -> S3 through proxies adding ${DELAY_MS} ms per request," \
  "$SHARDS shards, parallelism $PARALLELISM per worker ($(nproc) CPUs, RUNS=$RUNS, medians)"
echo
echo "| workers | runs: wall s | median wall s | objects/s | × ${first} worker(s) | median CPU s migrator (all processes) | CPU s per 1,000 objects: migrator / endpoints / proxies | checks | load before runs |"
echo "|---|---|---|---|---|---|---|---|---|"
for w in $WORKERS; do
  med=$(col "$w" 3 | median); cpu=$(col "$w" 4 | median); srv=$(col "$w" 5 | median); prx=$(col "$w" 6 | median)
  checks=$(col "$w" 7 | sort | uniq -c | awk '{printf "%s%s x%s", (NR>1?", ":""), $2, $1}')
  awk -v w="$w" -v walls="$(col "$w" 3 | paste -sd ' ')" -v m="$med" -v b="$base" -v n="$COUNT" -v c="$cpu" -v s="$srv" \
      -v p="$prx" -v k="$checks" -v l="$(col "$w" 8 | paste -sd ' ')" \
      'BEGIN{printf "| %s | %s | %.2f | %.1f | %.2f | %.1f | %.2f / %.2f / %.2f | %s | %s |\n", w, walls, m, n/m, b/m, c, c*1000/n, s*1000/n, p*1000/n, k, l}'
done
echo
echo "Raw results: $RESULTS$( [[ $KEEP == 1 || $CREATED_WORK == 0 ]] || echo ' (removed at exit; KEEP=1 keeps it)')"
