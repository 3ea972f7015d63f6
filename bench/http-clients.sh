#!/usr/bin/env bash
# Benchmark: the HTTP clients under migrator's S3 SDK, side by side, on the same S3 -> S3 copy.
#
# Clients (picked with the hidden system property -Dmigrator.s3.http=NAME): jdk (HttpURLConnection, the
# one shipped), apache5 (Apache HttpClient 5), crt (the AWS Common Runtime, native). Netty is not here:
# the SDK offers it only as an asynchronous client, which would need a second, async S3 code path.
# The apache5 and crt jars are not in migrator.jar: this script takes them from provider-s3's test
# class path (mvnw dependency:build-classpath) and runs `java -cp migrator.jar:THOSE dev.migrator.cli.Main`.
#
# Starts two on-disk S3 endpoints (`migrator serve-s3 --dir`), seeds endpoint A (not timed) with
#   small: SMALL_COUNT objects of SMALL_SIZE bytes (default 2,000 x 16 KiB)
#   large: LARGE_COUNT objects of LARGE_MB MiB      (default 4 x 64 MiB)
# then times `migrator copy A B` into fresh buckets on B with each client, RUNS times each, the order of
# the clients rotating from run to run, after one untimed warm-up per client; every timed run is checked
# with `migrator verify`. Prints a Markdown table: median wall and CPU seconds, per 1,000 objects / per GiB.
#
# Usage: bench/http-clients.sh      e.g. RUNS=5 SETS=small CLIENTS="jdk crt" bench/http-clients.sh
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
RUNS="${RUNS:-3}"
SETS="${SETS:-small large}"
CLIENTS="${CLIENTS:-jdk apache5 crt}"
SMALL_COUNT="${SMALL_COUNT:-2000}"
SMALL_SIZE="${SMALL_SIZE:-16384}"
SMALL_TRANSFERS="${SMALL_TRANSFERS:-16}"
LARGE_COUNT="${LARGE_COUNT:-4}"
LARGE_MB="${LARGE_MB:-64}"
LARGE_TRANSFERS="${LARGE_TRANSFERS:-4}"
PART_MB="${PART_MB:-16}"
PART_CONCURRENCY="${PART_CONCURRENCY:-4}"
PORT_A="${PORT_A:-18391}"
PORT_B="${PORT_B:-18392}"
JAVA_OPTS="${JAVA_OPTS:-}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}"
SERVE_S3="${SERVE_S3:-java $SERVER_JAVA_OPTS -jar $MIGRATOR_JAR serve-s3}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

EXTRA_CP="$WORK_DIR/clients.classpath"
(cd "$REPO" && ./mvnw -q -B -o -pl providers/provider-s3 dependency:build-classpath -DincludeScope=test \
  -DincludeArtifactIds=apache5-client,aws-crt-client,aws-crt,httpclient5,httpcore5,httpcore5-h2 \
  -Dmdep.outputFile="$EXTRA_CP" >/dev/null) || { echo "error: cannot resolve the client jars (run once online: ./mvnw -q -B -pl providers/provider-s3 -am dependency:resolve)" >&2; exit 2; }
log "client jars: $(tr ':' '\n' <"$EXTRA_CP" | xargs -n1 basename | paste -sd ' ')"

start_server a "$PORT_A" "$WORK_DIR/store-a"
start_server b "$PORT_B" "$WORK_DIR/store-b"
log "endpoints up: A=127.0.0.1:$PORT_A B=127.0.0.1:$PORT_B"

CP="$MIGRATOR_JAR:$(cat "$EXTRA_CP")"
migrator() { # client args...: migrator with that HTTP client
  local client=$1; shift
  # shellcheck disable=SC2086
  java $JAVA_OPTS "-Dmigrator.s3.http=$client" -cp "$CP" dev.migrator.cli.Main "$@"
}

declare -A COUNT BYTES TRANSFERS
COUNT[small]=$SMALL_COUNT; BYTES[small]=$(( SMALL_COUNT * SMALL_SIZE )); TRANSFERS[small]=$SMALL_TRANSFERS
COUNT[large]=$LARGE_COUNT; BYTES[large]=$(( LARGE_COUNT * LARGE_MB * 1048576 )); TRANSFERS[large]=$LARGE_TRANSFERS
MULTIPART=(--part-size "${PART_MB}M" --part-concurrency "$PART_CONCURRENCY")

seed() { # set
  local set=$1 src="$WORK_DIR/gen-$1" i
  log "generating and seeding $set data (not timed)"
  mkdir -p "$src"
  if [[ $set == small ]]; then
    head -c $(( SMALL_COUNT * SMALL_SIZE )) /dev/urandom >"$src/.all"
    (cd "$src" && split -b "$SMALL_SIZE" -a 6 -d .all obj- && rm .all)
  else
    for i in $(seq 1 "$LARGE_COUNT"); do head -c $(( LARGE_MB * 1048576 )) /dev/urandom >"$src/big-$i.bin"; done
  fi
  mkdir -p "$WORK_DIR/store-a/src-$set" # a bucket of the on-disk endpoint is a folder
  migrator jdk copy "$src" "$(s3uri "$PORT_A" "src-$set")" --transfers 16 "${MULTIPART[@]}" --state "$WORK_DIR/state-seed-$set" -q >"$WORK_DIR/seed-$set.log"
  rm -rf "$src"
}

RESULTS="$WORK_DIR/results.tsv" # set client run wall cpu_s check load1
: >"$RESULTS"

run_one() { # set client run
  local set=$1 client=$2 run=$3 bucket="$2-$1-$3" timef="$WORK_DIR/time-$2-$1-$3"
  mkdir -p "$WORK_DIR/store-b/$bucket"
  sync; sleep 1
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local mp=(); [[ $set == large ]] && mp=("${MULTIPART[@]}")
  local rc=0
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S" -o "$timef" java $JAVA_OPTS "-Dmigrator.s3.http=$client" -cp "$CP" dev.migrator.cli.Main \
    copy "$(s3uri "$PORT_A" "src-$set")" "$(s3uri "$PORT_B" "$bucket")" --transfers "${TRANSFERS[$set]}" "${mp[@]}" \
    --state "$WORK_DIR/state-$bucket" --json -q >"$WORK_DIR/out-$bucket.log" 2>&1 || rc=$?
  local wall user sys status=ok
  read -r wall user sys < <(tail -n 1 "$timef")
  if [[ $rc != 0 ]]; then status="FAIL(exit $rc, see out-$bucket.log)"
  elif [[ $run == 0 ]]; then status=warm-up
  elif ! migrator jdk verify "$(s3uri "$PORT_A" "src-$set")" "$(s3uri "$PORT_B" "$bucket")" >"$WORK_DIR/verify-$bucket.log" 2>&1; then
    status="FAIL(verify, see verify-$bucket.log)"
  fi
  local cpu; cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')
  log "run $run $set $client: ${wall}s wall, ${cpu} CPU-s, load before $load, $status"
  [[ $run == 0 ]] || printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$set" "$client" "$run" "$wall" "$cpu" "$status" "$load" >>"$RESULTS"
  rm -rf "$WORK_DIR/store-b/$bucket"
}

for set in $SETS; do
  seed "$set"
  for client in $CLIENTS; do run_one "$set" "$client" 0; done
  for run in $(seq 1 "$RUNS"); do
    # Rotate the order, so no client always runs first (or last) in a round.
    order=$(echo "$CLIENTS" | tr ' ' '\n' | awk -v r="$run" '{a[NR]=$0} END {for (i=0; i<NR; i++) print a[(i + r - 1) % NR + 1]}' | paste -sd ' ')
    for client in $order; do run_one "$set" "$client" "$run"; done
  done
done

col() { awk -F'\t' -v s="$1" -v t="$2" -v c="$3" '$1==s && $2==t {print $c}' "$RESULTS"; }
echo
echo "### S3 HTTP clients: migrator copy S3 -> S3 ($(nproc) CPUs, RUNS=$RUNS, medians)"
echo
echo "| data set | client | runs: wall s | runs: CPU s | median wall s | median CPU s | wall s per unit | CPU s per unit | checks | load before runs |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for set in $SETS; do
  if [[ $set == small ]]; then desc="${SMALL_COUNT} x $((SMALL_SIZE / 1024)) KiB, --transfers $SMALL_TRANSFERS"; unit=$(awk -v n="$SMALL_COUNT" 'BEGIN{print n/1000}'); per="1,000 objects"
  else desc="${LARGE_COUNT} x ${LARGE_MB} MiB, --transfers $LARGE_TRANSFERS, ${PART_MB}M parts x $PART_CONCURRENCY"; unit=$(awk -v b="${BYTES[large]}" 'BEGIN{print b/1073741824}'); per="GiB"; fi
  for client in $CLIENTS; do
    w=$(col "$set" "$client" 4 | median); c=$(col "$set" "$client" 5 | median)
    checks=$(col "$set" "$client" 6 | sort | uniq -c | awk '{printf "%s%s x%s", (NR>1?", ":""), $2, $1}')
    awk -v d="$desc" -v t="$client" -v ws="$(col "$set" "$client" 4 | paste -sd ' ')" -v cs="$(col "$set" "$client" 5 | paste -sd ' ')" \
        -v w="$w" -v c="$c" -v u="$unit" -v p="$per" -v k="$checks" -v l="$(col "$set" "$client" 7 | paste -sd ' ')" \
        'BEGIN{printf "| %s | %s | %s | %s | %.2f | %.2f | %.2f per %s | %.2f per %s | %s | %s |\n", d, t, ws, cs, w, c, w/u, p, c/u, p, k, l}'
  done
done
echo
echo "Raw results: $RESULTS$( [[ $KEEP == 1 || $CREATED_WORK == 0 ]] || echo ' (removed at exit; KEEP=1 keeps it)')"
