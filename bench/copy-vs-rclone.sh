#!/usr/bin/env bash
# Benchmark: `migrator copy` vs `rclone copy`, S3 -> S3, same machine, same data, same concurrency.
#
# Starts two separate on-disk S3 endpoints (`migrator serve-s3 --dir`, S3Proxy filesystem-nio2), so
# neither tool can use server-side copy; seeds endpoint A (not timed) with
#   small: SMALL_COUNT objects of SMALL_SIZE bytes (default 5,000 x 16 KiB)
#   large: LARGE_COUNT objects of LARGE_MB MiB      (default 4 x 256 MiB)
# then, after one untimed warm-up run of each tool (WARMUP=1), times `migrator copy A B` and
# `rclone copy A B` into fresh, empty buckets on B, RUNS times each, alternating which tool goes
# first, and checks every timed run (`migrator verify`, `rclone check`).
# Prints a Markdown table of median wall time, throughput and the migrator/rclone ratio.
#
# Usage: bench/copy-vs-rclone.sh            (from anywhere; see the variables below)
#   MIGRATOR_JAR=path/to/migrator.jar RUNS=5 SETS="small large" bench/copy-vs-rclone.sh
#   BASE_JAR=path/to/older.jar TOOLS="migrator base rclone" ...   times a second migrator build ("base") in the same run
#   TARBALL=migrator-cli/target/migrator-VERSION.tar.gz ...        runs "migrator" through the distribution's bin/migrator
#     (what users run: its class archive and JIT settings; the warm-up run trains the archive), BASE_TARBALL the same for "base"
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
RUNS="${RUNS:-3}"                        # measurements per tool and data set (median reported)
SETS="${SETS:-small large}"              # which data sets to run
TOOLS="${TOOLS:-migrator rclone}"        # which tools to time: migrator, rclone, base (BASE_JAR)
BASE_JAR="${BASE_JAR:-}"                 # another migrator build, timed as tool "base"
SMALL_COUNT="${SMALL_COUNT:-5000}"
SMALL_SIZE="${SMALL_SIZE:-16384}"        # bytes
SMALL_TRANSFERS="${SMALL_TRANSFERS:-8}"
LARGE_COUNT="${LARGE_COUNT:-4}"
LARGE_MB="${LARGE_MB:-256}"              # MiB per object
LARGE_TRANSFERS="${LARGE_TRANSFERS:-4}"
PART_MB="${PART_MB:-16}"                 # migrator --part-size, rclone --s3-chunk-size
PART_CONCURRENCY="${PART_CONCURRENCY:-4}" # migrator --part-concurrency, rclone --s3-upload-concurrency
PORT_A="${PORT_A:-18091}"
PORT_B="${PORT_B:-18092}"
AGAIN="${AGAIN:-0}"                      # 1: after each timed run, time the same copy again onto the finished target (set "<set>-again")
WARMUP="${WARMUP:-1}"                    # 1: one untimed run of each tool per data set first (warms both servers' JIT and the page cache)
CHECK="${CHECK:-both}"                   # migrator | rclone | both | none: how each run is checked
JAVA_OPTS="${JAVA_OPTS:-}"               # extra JVM options for the timed migrator runs
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}" # JVM options for the two serve-s3 endpoints
SERVE_S3="${SERVE_S3:-java $SERVER_JAVA_OPTS -jar $MIGRATOR_JAR serve-s3}" # command that serves S3
TARBALL="${TARBALL:-}"                   # a distribution: tool migrator runs its bin/migrator instead of java -jar MIGRATOR_JAR
BASE_TARBALL="${BASE_TARBALL:-}"         # the same for tool base
WORK_DIR="${WORK_DIR:-}"                 # default: a fresh temp dir, removed at exit unless KEEP=1
KEEP="${KEEP:-0}"

# ---------------------------------------------------------------------------------------------
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need rclone "Install rclone (e.g. apt-get install -y rclone, or https://rclone.org/install/)."
rclone_remote a "$PORT_A"
rclone_remote b "$PORT_B"

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# ---------------------------------------------------------------------------------------------
unpack() { # tarball dir: prints the bin/migrator of the distribution unpacked into WORK_DIR/dir
  [[ -f "$1" ]] || { echo "error: $1 not found: build it with ./mvnw -q -B package -DskipTests" >&2; exit 2; }
  mkdir -p "$WORK_DIR/$2" && tar xzf "$1" -C "$WORK_DIR/$2"
  echo "$(ls -d "$WORK_DIR/$2"/migrator-*/)bin/migrator"
}
export XDG_CACHE_HOME="$WORK_DIR/cache" # the launchers' class archives, made by their first (warm-up) run
declare -A LAUNCHER=()
[[ -z "$TARBALL" ]] || LAUNCHER[migrator]=$(unpack "$TARBALL" dist)
[[ -z "$BASE_TARBALL" ]] || LAUNCHER[base]=$(unpack "$BASE_TARBALL" dist-base)
log "work dir $WORK_DIR; migrator: ${LAUNCHER[migrator]:-java -jar $MIGRATOR_JAR}; base: ${LAUNCHER[base]:-${BASE_JAR:+java -jar $BASE_JAR}}"
start_server a "$PORT_A" "$WORK_DIR/store-a"
start_server b "$PORT_B" "$WORK_DIR/store-b"
log "endpoints up: A=127.0.0.1:$PORT_A B=127.0.0.1:$PORT_B"

gen_small() { # dir count size
  mkdir -p "$1"
  head -c $(( $2 * $3 )) /dev/urandom >"$1/.all"
  (cd "$1" && split -b "$3" -a 6 -d .all obj- && rm .all)
}
gen_large() { # dir count mib
  mkdir -p "$1"
  local i
  for i in $(seq 1 "$2"); do head -c $(( $3 * 1048576 )) /dev/urandom >"$1/big-$i.bin"; done
}

# rclone's default upload cutoff is 200M; set it to the part size so that, like migrator, it uploads
# every object larger than one part in parts.
RCLONE_MULTIPART=(--s3-upload-cutoff "${PART_MB}M" --s3-chunk-size "${PART_MB}M" --s3-upload-concurrency "$PART_CONCURRENCY")
MIGRATOR_MULTIPART=(--part-size "${PART_MB}M" --part-concurrency "$PART_CONCURRENCY")

declare -A COUNT BYTES TRANSFERS
COUNT[small]=$SMALL_COUNT; BYTES[small]=$(( SMALL_COUNT * SMALL_SIZE )); TRANSFERS[small]=$SMALL_TRANSFERS
COUNT[large]=$LARGE_COUNT; BYTES[large]=$(( LARGE_COUNT * LARGE_MB * 1048576 )); TRANSFERS[large]=$LARGE_TRANSFERS

seed() { # set
  local set=$1 src="$WORK_DIR/gen-$1"
  log "generating $set data in $src"
  if [[ $set == small ]]; then gen_small "$src" "$SMALL_COUNT" "$SMALL_SIZE"; else gen_large "$src" "$LARGE_COUNT" "$LARGE_MB"; fi
  log "seeding A:src-$set (not timed)"
  rclone mkdir "a:src-$set"
  rclone copy "$src" "a:src-$set" --transfers 16 "${RCLONE_MULTIPART[@]}"
  rm -rf "$src" # the seeded bucket is the source now; free the disk
}

RESULTS="$WORK_DIR/results.tsv" # set tool run wall rss_kb cpu_s check load1
WARMUPS="$WORK_DIR/warmups.tsv" # the same for the untimed warm-up runs (run 0)
: >"$RESULTS"; : >"$WARMUPS"

check_run() { # set bucket -> prints ok/FAIL details
  local set=$1 bucket=$2 status=ok
  if [[ $CHECK == migrator || $CHECK == both ]]; then
    if ! java -jar "$MIGRATOR_JAR" verify "$(s3uri "$PORT_A" "src-$set")" "$(s3uri "$PORT_B" "$bucket")" \
        >"$WORK_DIR/verify-$bucket.log" 2>&1; then
      status="FAIL(migrator verify, see verify-$bucket.log)"
    fi
  fi
  if [[ $CHECK == rclone || $CHECK == both ]]; then
    # Small objects: size + MD5 (single-part ETags). Large: the targets' multipart ETags are no MD5
    # and only rclone stores an md5chksum header, so compare the bytes (--download).
    local extra=(); [[ $set == large ]] && extra=(--download)
    if ! rclone check "a:src-$set" "b:$bucket" "${extra[@]}" >"$WORK_DIR/check-$bucket.log" 2>&1; then
      status="${status/ok/}FAIL(rclone check, see check-$bucket.log)"
    fi
  fi
  echo "$status"
}

run_one() { # set tool run [again]
  local set=$1 tool=$2 run=$3 again=${4:-}
  local bucket="${tool:0:1}-$set-$run" t="${TRANSFERS[$set]}"
  [[ -n $again ]] || rclone mkdir "b:$bucket"
  local timef="$WORK_DIR/time-$bucket$again" out="$WORK_DIR/out-$bucket$again.log"
  sync; sleep 1
  local load; load=$(cut -d' ' -f1 /proc/loadavg) # other work on the machine shows up here
  log "run $run: $tool copy A:src-$set -> B:$bucket"
  local rc=0
  if [[ $tool == migrator || $tool == base ]]; then
    local mp=(); [[ $set == large ]] && mp=("${MIGRATOR_MULTIPART[@]}")
    local cmd
    if [[ -n "${LAUNCHER[$tool]:-}" ]]; then cmd=("${LAUNCHER[$tool]}") # JAVA_OPTS reaches the JVM through the launcher
    else
      local jar=$MIGRATOR_JAR; [[ $tool == base ]] && jar=${BASE_JAR:?BASE_JAR or BASE_TARBALL names the build of tool base}
      # shellcheck disable=SC2206
      cmd=(java $JAVA_OPTS -jar "$jar")
    fi
    JAVA_OPTS="$JAVA_OPTS" /usr/bin/time -f "%e %M %U %S" -o "$timef" "${cmd[@]}" copy \
      "$(s3uri "$PORT_A" "src-$set")" "$(s3uri "$PORT_B" "$bucket")" \
      --transfers "$t" "${mp[@]}" --state "$WORK_DIR/state-$bucket$again" --json -q >"$out" 2>&1 || rc=$?
  else
    local mp=(); [[ $set == large ]] && mp=("${RCLONE_MULTIPART[@]}")
    /usr/bin/time -f "%e %M %U %S" -o "$timef" rclone copy "a:src-$set" "b:$bucket" \
      --transfers "$t" "${mp[@]}" >"$out" 2>&1 || rc=$?
  fi
  local wall rss user sys
  read -r wall rss user sys < <(tail -n 1 "$timef")
  local status
  if [[ $rc != 0 ]]; then status="FAIL(exit $rc, see out-$bucket.log)"
  elif [[ $run == 0 ]]; then status="warm-up (not checked)"
  elif [[ -n $again ]]; then status="again (checked after the first pass)"
  else status=$(check_run "$set" "$bucket"); fi
  log "  $tool: ${wall}s, peak RSS $((rss / 1024)) MiB, CPU $(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')s, load before $load, check: $status"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$set$again" "$tool" "$run" "$wall" "$rss" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" "$status" "$load" >>"$([[ $run == 0 ]] && echo "$WARMUPS" || echo "$RESULTS")"
  # Again: the target is complete, so a run lists both sides, compares and copies nothing (migrator with a new state
  # directory, so no journal answers for it).
  if [[ $AGAIN == 1 && -z $again && $run != 0 && $rc == 0 ]]; then run_one "$set" "$tool" "$run" -again; fi
  [[ -n $again ]] || rm -rf "$WORK_DIR/store-b/$bucket" # free the disk; the next run gets a fresh bucket anyway
}

for set in $SETS; do
  seed "$set"
  if [[ $WARMUP == 1 ]]; then for tool in $TOOLS; do run_one "$set" "$tool" 0; done; fi
  for run in $(seq 1 "$RUNS"); do
    order=$TOOLS; (( run % 2 )) || order=$(echo "$TOOLS" | tr ' ' '\n' | tac | paste -sd ' ')
    for tool in $order; do run_one "$set" "$tool" "$run"; done
  done
done

# ---------------------------------------------------------------------------------------------
col() { awk -F'\t' -v s="$1" -v t="$2" -v c="$3" '$1==s && $2==t {print $c}' "$RESULTS"; }
echo
echo "### migrator copy vs rclone copy (S3 -> S3, $(nproc) CPUs, RUNS=$RUNS, medians)"
echo
echo "| data set | tool | runs: wall s | median wall s | MiB/s | objects/s | median peak RSS MiB | median CPU s (user+sys) | checks | load avg before runs | migrator/rclone (wall) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for set in $(for s in $SETS; do echo "$s"; [[ $AGAIN == 1 ]] && echo "$s-again"; done); do
  base_set=${set%-again}
  if [[ $base_set == small ]]; then desc="${SMALL_COUNT} x $((SMALL_SIZE / 1024)) KiB, --transfers $SMALL_TRANSFERS"
  else desc="${LARGE_COUNT} x ${LARGE_MB} MiB, --transfers $LARGE_TRANSFERS, ${PART_MB}M parts x $PART_CONCURRENCY"; fi
  [[ $set == "$base_set" ]] || desc="$desc, again onto the finished target (nothing to copy)"
  rm_=$(col "$set" rclone 4 | median)
  for tool in $TOOLS; do
    walls=$(col "$set" "$tool" 4 | paste -sd ' ')
    med=$(col "$set" "$tool" 4 | median)
    rss=$(col "$set" "$tool" 5 | median)
    cpu=$(col "$set" "$tool" 6 | median)
    checks=$(col "$set" "$tool" 7 | sort | uniq -c | awk '{printf "%s%s x%s", (NR>1?", ":""), $2, $1}')
    loads=$(col "$set" "$tool" 8 | paste -sd ' ')
    ratio=""; [[ $tool == migrator || $tool == base ]] && ratio=$(awk -v a="$med" -v b="$rm_" 'BEGIN{if (b > 0) printf "%.2f", a/b}')
    awk -v d="$desc" -v t="$tool" -v w="$walls" -v m="$med" -v by="${BYTES[$base_set]}" -v n="${COUNT[$base_set]}" \
        -v r="$rss" -v c="$cpu" -v k="$checks" -v q="$ratio" -v l="$loads" \
        'BEGIN{printf "| %s | %s | %s | %.2f | %.1f | %.1f | %.0f | %.1f | %s | %s | %s |\n", d, t, w, m, by/1048576/m, n/m, r/1024, c, k, l, q}'
  done
done
echo
echo "Raw results: $RESULTS$( [[ $KEEP == 1 || $CREATED_WORK == 0 ]] || echo ' (removed at exit; KEEP=1 keeps it)')"
