#!/usr/bin/env bash
# Benchmark: `--transfers auto` against a throttling endpoint (issue 11, adaptive concurrency).
#
# Starts two on-disk S3 endpoints (`migrator serve-s3 --dir`); both hold every request DELAY_MS (default 20, so that
# requests overlap as over a network) and target B answers 503 SlowDown to any request arriving while THROTTLE_N
# (default 16) others are being handled (`serve-s3 --latency`, `--throttle-above`). Seeds A (not timed, unhindered)
# with COUNT objects of SIZE bytes (default 2,000 x 16 KiB), then times, RUNS times each (default 3), in an order that
# alternates from run to run:
#   rclone --transfers 4 (its default), rclone and migrator at each of FIXED (default "8 16 32"), migrator auto.
# Every run copies into a fresh bucket and is checked with `migrator verify` (with the throttle and delay off).
# Per run: wall, objects/s, client CPU seconds, what B saw (requests handled, 503s sent, mean / peak concurrency of
# the requests it handled), and for auto the limit it ended at (its "note: concurrency throttled" line).
# Prints a Markdown table of medians and each case's share of the throughput of migrator's best fixed setting
# (aim for auto: >= 90%) and of rclone's best.
#
# Usage: bench/adaptive.sh
#   RUNS=1 COUNT=600 FIXED="16" bench/adaptive.sh     quick look (~1-2 min)
#   TARBALL=migrator-cli/target/migrator-VERSION.tar.gz bench/adaptive.sh   migrator through bin/migrator
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
TARBALL="${TARBALL:-}"
DELAY_MS="${DELAY_MS:-20}"
THROTTLE_N="${THROTTLE_N:-16}"
FIXED="${FIXED-8 16 32}"                # empty: only rclone --transfers 4 and auto
RUNS="${RUNS:-3}"
COUNT="${COUNT:-2000}"
SIZE="${SIZE:-16384}"
CHECK="${CHECK:-1}"
PORT_A="${PORT_A:-19721}"
PORT_B="${PORT_B:-19722}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}"
SERVE_S3="${SERVE_S3:-java $SERVER_JAVA_OPTS -jar $MIGRATOR_JAR serve-s3}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need rclone "Install rclone (e.g. apt-get install -y rclone, or https://rclone.org/install/)."
migrator_cmd "$TARBALL"

log "work dir $WORK_DIR; migrator: ${M[*]}; $DELAY_MS ms per request, B throttles above $THROTTLE_N"
start_server a "$PORT_A" "$WORK_DIR/store-a"
start_server b "$PORT_B" "$WORK_DIR/store-b"
rclone_remote a "$PORT_A"; rclone_remote b "$PORT_B"

hinder() { gate "$PORT_A" "latency-ms=$1" >/dev/null; gate "$PORT_B" "latency-ms=$1" "throttle-above=$2" >/dev/null; }

log "seeding A:src ($COUNT x $SIZE bytes, not timed)"
rclone mkdir a:src
gen="$WORK_DIR/gen"; mkdir -p "$gen"
head -c $((COUNT * SIZE)) /dev/urandom >"$gen/.all"
(cd "$gen" && split -b "$SIZE" -a 6 -d .all obj- && rm .all)
rclone copy "$gen" a:src --transfers 16
rm -rf "$gen"

CASES=("rclone 4")
for f in $FIXED; do CASES+=("rclone $f" "migrator $f"); done
CASES+=("migrator auto")

RESULTS="$WORK_DIR/results.tsv" # tool transfers run wall cpu requests throttled mean peak settled check load
: >"$RESULTS"
run_one() { # tool transfers run
  local tool=$1 t=$2 run=$3 bucket="${1:0:1}-$2-$3"
  rclone mkdir "b:$bucket"
  hinder "$DELAY_MS" "$THROTTLE_N"
  server_stats "$PORT_B" reset >/dev/null
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local out="$WORK_DIR/out-$bucket.log" timef="$WORK_DIR/time-$bucket" rc=0
  if [[ $tool == migrator ]]; then
    # Not -q: the summary's "note: concurrency throttled, target: L (highest H, ...)" says where auto ended.
    /usr/bin/time -f "%e %U %S" -o "$timef" "${M[@]}" copy "$(s3uri "$PORT_A" src)" "$(s3uri "$PORT_B" "$bucket")" \
      --transfers "$t" --state "$WORK_DIR/state-$bucket" >"$out" 2>&1 || rc=$?
  else
    /usr/bin/time -f "%e %U %S" -o "$timef" rclone copy a:src "b:$bucket" --transfers "$t" >"$out" 2>&1 || rc=$?
  fi
  local stats; stats=$(server_stats "$PORT_B")
  hinder 0 0
  local wall user sys
  read -r wall user sys < <(tail -n 1 "$timef")
  local status=ok
  if [[ $rc != 0 ]]; then status="FAIL(exit $rc, see out-$bucket.log)"
  elif [[ $CHECK == 1 ]] && ! java -jar "$MIGRATOR_JAR" verify "$(s3uri "$PORT_A" src)" "$(s3uri "$PORT_B" "$bucket")" \
      >"$WORK_DIR/verify-$bucket.log" 2>&1; then status="FAIL(verify, see verify-$bucket.log)"; fi
  local settled="-"
  [[ $tool == migrator ]] && settled=$(sed -n 's/.*concurrency throttled, target: \([0-9]*\) (highest \([0-9]*\).*/\1 (highest \2)/p' "$out" | head -n 1)
  [[ -z $settled ]] && settled="no throttle seen"
  local req thr mean peak
  read -r req thr mean peak < <(awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}}
    END {printf "%d %d %.1f %d\n", v["requests"], v["throttled"], v["requests"] ? v["inflight_sum"] / v["requests"] : 0, v["peak"]}' <<<"$stats")
  local cpu; cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
  log "  $tool --transfers $t run $run: ${wall}s, CPU ${cpu}s; B: $req handled, $thr answered 503, in flight mean $mean / peak $peak; settled $settled; load $load; $status"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$t" "$run" "$wall" "$cpu" "$req" "$thr" "$mean" "$peak" \
    "$settled" "$status" "$load" >>"$RESULTS"
  rm -rf "$WORK_DIR/store-b/$bucket" "$WORK_DIR/state-$bucket"
}

for run in $(seq 1 "$RUNS"); do
  order=("${CASES[@]}")
  if (( run % 2 == 0 )); then mapfile -t order < <(printf '%s\n' "${CASES[@]}" | tac); fi
  for c in "${order[@]}"; do run_one ${c} "$run"; done
done

# ---------------------------------------------------------------------------------------------
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -F'\t' -v o="$1" -v t="$2" -v c="$3" '$1==o && $2==t {print $c}' "$RESULTS"; }
best_of() { # tool: the median wall and the case of that tool's fastest fixed setting that passed every run
  local c tool t m best="" at=""
  for c in "${CASES[@]}"; do
    read -r tool t <<<"$c"
    [[ $tool != "$1" || $t == auto ]] && continue
    [[ $(col "$tool" "$t" 11 | grep -vc '^ok$') != 0 ]] && continue # a setting that failed a run is no candidate
    m=$(col "$tool" "$t" 4 | median)
    if [[ -z $best ]] || awk -v a="$m" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$m; at="$tool --transfers $t"; fi
  done
  echo "$best $at"
}
read -r best best_case <<<"$(best_of migrator)"
read -r rbest rbest_case <<<"$(best_of rclone)"
echo
echo "### --transfers auto against a target answering 503 SlowDown above $THROTTLE_N requests at once ($DELAY_MS ms per request, $COUNT x $((SIZE / 1024)) KiB, $(nproc) CPUs, RUNS=$RUNS, medians)"
echo
echo "| tool | --transfers | runs: wall s | median wall s | objects/s | share of migrator's best fixed ($best_case) | share of rclone's best ($rbest_case) | CPU s | CPU s per 1,000 objects | B: handled | B: 503 sent | B: mean / peak in flight | auto's limit at the end | checks | loads |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for c in "${CASES[@]}"; do
  read -r tool t <<<"$c"
  m=$(col "$tool" "$t" 4 | median)
  awk -v o="$tool" -v t="$t" -v w="$(col "$tool" "$t" 4 | paste -sd ' ')" -v m="$m" -v n="$COUNT" -v b="$best" -v rb="$rbest" \
      -v c="$(col "$tool" "$t" 5 | median)" -v rq="$(col "$tool" "$t" 6 | median)" -v th="$(col "$tool" "$t" 7 | median)" \
      -v mi="$(col "$tool" "$t" 8 | median)" -v pk="$(col "$tool" "$t" 9 | median)" -v s="$(col "$tool" "$t" 10 | paste -sd ';' | sed 's/;/; /g')" \
      -v k="$(col "$tool" "$t" 11 | sort | uniq -c | awk '{printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1}')" \
      -v l="$(col "$tool" "$t" 12 | paste -sd ' ')" \
      'BEGIN {printf "| %s | %s | %s | %.2f | %.0f | %s | %s | %.2f | %.2f | %d | %d | %.1f / %d | %s | %s | %s |\n",
              o, t, w, m, n / m, (b > 0 ? sprintf("%.0f%%", 100 * b / m) : "-"), (rb > 0 ? sprintf("%.0f%%", 100 * rb / m) : "-"), c, c / n * 1000, rq, th, mi, pk, (o == "migrator" ? s : "-"), k, l}'
done
echo
echo "Raw results: $RESULTS$( [[ $KEEP == 1 || $CREATED_WORK == 0 ]] || echo ' (removed at exit; KEEP=1 keeps it)')"
