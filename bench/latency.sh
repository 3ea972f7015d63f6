#!/usr/bin/env bash
# Benchmark: `migrator copy` vs `rclone copy`, S3 -> S3 across two endpoints a round trip away (issue 11):
# does throughput keep growing with requests in flight, and how do the two tools compare at the same concurrency?
#
# Starts two on-disk S3 endpoints (`migrator serve-s3 --dir`). Each request waits DELAY_MS (default 20), either
#   MODE=proxy (default): in bench/latency-proxy.py in front of each endpoint (one Python process per endpoint), or
#   MODE=server: inside serve-s3 (`--latency`), held by a server thread: no extra process on the cores.
# Seeds endpoint A (not timed, no delay) with
#   small: SMALL_COUNT objects of SMALL_SIZE bytes (default 2,000 x 16 KiB)
#   large: LARGE_COUNT objects of LARGE_MB MiB      (default 24 x 16 MiB, in PART_MB parts, PART_CONCURRENCY at once)
# then for each of TRANSFERS (default 16 64 256) times `migrator copy A B` and `rclone copy A B` into fresh buckets,
# RUNS times each (default 3), alternating which tool goes first, and checks every run (`migrator verify`, without the
# delay). Per run it records wall time, the client's CPU seconds (user+sys, children included), the CPU seconds both
# servers (and, with MODE=proxy, both proxies) spent, and what target B saw: requests handled and their mean and peak
# concurrency (serve-s3's /_migrator/stats; with MODE=proxy the proxies hold requests, so B sees little concurrency).
# Prints one Markdown table of medians, with the growth of objects/s from the lowest TRANSFERS value.
#
# Usage: bench/latency.sh
#   SETS=small TRANSFERS="16 64" RUNS=1 SMALL_COUNT=500 bench/latency.sh      quick look (~1-2 min)
#   TARBALL=migrator-cli/target/migrator-VERSION.tar.gz bench/latency.sh      migrator through bin/migrator, as users run it
#   MIGRATOR_JAR=path/to/migrator.jar bench/latency.sh                        migrator through java -jar (default)
#   TOOLS="rclone" MODE=server bench/latency.sh                                the delay in serve-s3 instead: is the proxy the limit?
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
TARBALL="${TARBALL:-}"                   # a distribution: time migrator through its bin/migrator (default: java -jar)
MODE="${MODE:-proxy}"                    # proxy | server: where the delay is added (see docs/benchmarks.md, latency)
DELAY_MS="${DELAY_MS:-20}"
TRANSFERS="${TRANSFERS:-16 64 256}"
SETS="${SETS:-small large}"
TOOLS="${TOOLS:-migrator rclone}"
RUNS="${RUNS:-3}"
SMALL_COUNT="${SMALL_COUNT:-2000}"
SMALL_SIZE="${SMALL_SIZE:-16384}"
LARGE_COUNT="${LARGE_COUNT:-24}"
LARGE_MB="${LARGE_MB:-16}"
PART_MB="${PART_MB:-8}"
PART_CONCURRENCY="${PART_CONCURRENCY:-2}"
CHECK="${CHECK:-1}"                      # 1: `migrator verify` every timed run (without the delay); 0: no checks
PORT_A="${PORT_A:-19711}"
PORT_B="${PORT_B:-19712}"
PROXY_A="${PROXY_A:-19713}"
PROXY_B="${PROXY_B:-19714}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}"
SERVE_S3="${SERVE_S3:-java $SERVER_JAVA_OPTS -jar $MIGRATOR_JAR serve-s3}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need rclone "Install rclone (e.g. apt-get install -y rclone, or https://rclone.org/install/)."
[[ $MODE == server || $MODE == proxy ]] || { echo "error: MODE must be server or proxy, got '$MODE'" >&2; exit 2; }
[[ $MODE == proxy ]] && need python3 "Install Python 3 (apt-get install -y python3)."
migrator_cmd "$TARBALL"

log "work dir $WORK_DIR; migrator: ${M[*]}; delay $DELAY_MS ms ($MODE)"
start_server a "$PORT_A" "$WORK_DIR/store-a"
start_server b "$PORT_B" "$WORK_DIR/store-b"
SERVER_PIDS=("${PIDS[@]}")
if [[ $MODE == proxy ]]; then
  start_proxy "$PROXY_A" "$PORT_A" "$DELAY_MS"
  start_proxy "$PROXY_B" "$PORT_B" "$DELAY_MS"
  SERVER_PIDS=("${PIDS[@]}") # the proxies' CPU counts as the endpoints'
  TA=$PROXY_A; TB=$PROXY_B
else
  TA=$PORT_A; TB=$PORT_B
fi
rclone_remote a "$PORT_A"; rclone_remote b "$PORT_B" # direct: seeding
rclone_remote da "$TA"; rclone_remote db "$TB"        # delayed: timed runs

RCLONE_MULTIPART=(--s3-upload-cutoff "${PART_MB}M" --s3-chunk-size "${PART_MB}M" --s3-upload-concurrency "$PART_CONCURRENCY")
MIGRATOR_MULTIPART=(--part-size "${PART_MB}M" --part-concurrency "$PART_CONCURRENCY")
declare -A COUNT BYTES
COUNT[small]=$SMALL_COUNT; BYTES[small]=$((SMALL_COUNT * SMALL_SIZE))
COUNT[large]=$LARGE_COUNT; BYTES[large]=$((LARGE_COUNT * LARGE_MB << 20))

RESULTS="$WORK_DIR/results.tsv" # set transfers tool run wall cpu server_cpu requests mean_inflight peak check load
: >"$RESULTS"

run_one() { # set transfers tool run
  local set=$1 t=$2 tool=$3 run=$4 bucket="${3:0:1}-$1-$2-$4"
  rclone mkdir "b:$bucket"
  gate "$PORT_A" latency-ms=0 >/dev/null; gate "$PORT_B" latency-ms=0 >/dev/null
  [[ $MODE == server ]] && { gate "$PORT_A" "latency-ms=$DELAY_MS" >/dev/null; gate "$PORT_B" "latency-ms=$DELAY_MS" >/dev/null; }
  server_stats "$PORT_B" reset >/dev/null
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local cpu0; cpu0=$(cpu_seconds "${SERVER_PIDS[@]}")
  local out="$WORK_DIR/out-$bucket.log" timef="$WORK_DIR/time-$bucket" rc=0 mp=()
  if [[ $tool == migrator ]]; then
    [[ $set == large ]] && mp=("${MIGRATOR_MULTIPART[@]}")
    /usr/bin/time -f "%e %U %S" -o "$timef" "${M[@]}" copy "$(s3uri "$TA" "src-$set")" "$(s3uri "$TB" "$bucket")" \
      --transfers "$t" "${mp[@]}" --state "$WORK_DIR/state-$bucket" -q >"$out" 2>&1 || rc=$?
  else
    [[ $set == large ]] && mp=("${RCLONE_MULTIPART[@]}")
    /usr/bin/time -f "%e %U %S" -o "$timef" rclone copy "da:src-$set" "db:$bucket" --transfers "$t" "${mp[@]}" \
      >"$out" 2>&1 || rc=$?
  fi
  local cpu1; cpu1=$(cpu_seconds "${SERVER_PIDS[@]}")
  local stats; stats=$(server_stats "$PORT_B")
  gate "$PORT_A" latency-ms=0 >/dev/null; gate "$PORT_B" latency-ms=0 >/dev/null
  local wall user sys
  read -r wall user sys < <(tail -n 1 "$timef")
  local status=ok
  if [[ $rc != 0 ]]; then status="FAIL(exit $rc, see out-$bucket.log)"
  elif [[ $CHECK == 1 ]] && ! java -jar "$MIGRATOR_JAR" verify "$(s3uri "$PORT_A" "src-$set")" "$(s3uri "$PORT_B" "$bucket")" \
      >"$WORK_DIR/verify-$bucket.log" 2>&1; then status="FAIL(verify, see verify-$bucket.log)"; fi
  local req mean peak
  read -r req mean peak < <(awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}}
    END {printf "%d %.1f %d\n", v["requests"], v["requests"] ? v["inflight_sum"] / v["requests"] : 0, v["peak"]}' <<<"$stats")
  local cpu srv
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
  srv=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.2f", b - a}')
  log "  $set t=$t $tool run $run: ${wall}s, CPU ${cpu}s, servers ${srv}s, B: $req requests, mean in flight $mean, peak $peak; load $load; $status"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$set" "$t" "$tool" "$run" "$wall" "$cpu" "$srv" "$req" "$mean" \
    "$peak" "$status" "$load" >>"$RESULTS"
  rm -rf "$WORK_DIR/store-b/$bucket" "$WORK_DIR/state-$bucket"
}

for set in $SETS; do
  log "seeding A:src-$set (not timed, no delay)"
  rclone mkdir "a:src-$set"
  gen="$WORK_DIR/gen-$set"; mkdir -p "$gen"
  if [[ $set == small ]]; then
    head -c "${BYTES[small]}" /dev/urandom >"$gen/.all"
    (cd "$gen" && split -b "$SMALL_SIZE" -a 6 -d .all obj- && rm .all)
  else
    for i in $(seq -w 1 "$LARGE_COUNT"); do head -c $((LARGE_MB << 20)) /dev/urandom >"$gen/big-$i.bin"; done
  fi
  rclone copy "$gen" "a:src-$set" --transfers 16 "${RCLONE_MULTIPART[@]}"
  rm -rf "$gen"
  for t in $TRANSFERS; do
    for run in $(seq 1 "$RUNS"); do
      order=$TOOLS; (( run % 2 )) || order=$(tr ' ' '\n' <<<"$TOOLS" | tac | paste -sd ' ')
      for tool in $order; do run_one "$set" "$t" "$tool" "$run"; done
    done
  done
done

# ---------------------------------------------------------------------------------------------
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -F'\t' -v s="$1" -v t="$2" -v o="$3" -v c="$4" '$1==s && $2==t && $3==o {print $c}' "$RESULTS"; }
first_t=${TRANSFERS%% *}
echo
echo "### copy S3 -> S3, $DELAY_MS ms per request ($MODE), $(nproc) CPUs, RUNS=$RUNS, medians"
echo
echo "| data set | transfers | tool | runs: wall s | median wall s | objects/s | MiB/s | growth vs $first_t | CPU s | CPU s per 1,000 objects | CPU s per GiB | servers' CPU s | B: requests, mean / peak in flight | checks | loads | migrator/rclone |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for set in $SETS; do
  if [[ $set == small ]]; then desc="$SMALL_COUNT x $((SMALL_SIZE / 1024)) KiB"; else desc="$LARGE_COUNT x $LARGE_MB MiB ($PART_MB MiB parts x $PART_CONCURRENCY)"; fi
  for t in $TRANSFERS; do
    for tool in $TOOLS; do
      med=$(col "$set" "$t" "$tool" 5 | median)
      base=$(col "$set" "$first_t" "$tool" 5 | median)
      rmed=$(col "$set" "$t" rclone 5 | median)
      ratio=""; [[ $tool == migrator && -n "$rmed" ]] && ratio=$(awk -v a="$med" -v b="$rmed" 'BEGIN {if (b > 0) printf "%.2f", a / b}')
      awk -v d="$desc" -v t="$t" -v o="$tool" -v w="$(col "$set" "$t" "$tool" 5 | paste -sd ' ')" -v m="$med" -v b0="$base" \
          -v n="${COUNT[$set]}" -v by="${BYTES[$set]}" -v c="$(col "$set" "$t" "$tool" 6 | median)" \
          -v sc="$(col "$set" "$t" "$tool" 7 | median)" -v rq="$(col "$set" "$t" "$tool" 8 | median)" \
          -v mi="$(col "$set" "$t" "$tool" 9 | median)" -v pk="$(col "$set" "$t" "$tool" 10 | median)" \
          -v k="$(col "$set" "$t" "$tool" 11 | sort | uniq -c | awk '{printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1}')" \
          -v l="$(col "$set" "$t" "$tool" 12 | paste -sd ' ')" -v q="$ratio" \
          'BEGIN {printf "| %s | %s | %s | %s | %.2f | %.1f | %.1f | %.2fx | %.2f | %.2f | %.2f | %.2f | %d, %.1f / %d | %s | %s | %s |\n",
                  d, t, o, w, m, n / m, by / 1048576 / m, b0 / m, c, c / n * 1000, c / (by / 1073741824), sc, rq, mi, pk, k, l, q}'
    done
  done
done
echo
echo "Raw results: $RESULTS$( [[ $KEEP == 1 || $CREATED_WORK == 0 ]] || echo ' (removed at exit; KEEP=1 keeps it)')"
