#!/usr/bin/env bash
# Benchmark: peak memory of `migrator copy` as the object count grows (it should stay flat).
#
# Generates local folders of 20,000 and 200,000 small files (1 KiB, FILES_PER_DIR per directory),
# starts one on-disk S3 endpoint (`migrator serve-s3 --dir`), and copies each folder into a fresh
# bucket with `migrator copy`, once with the JVM's default heap and once with a small fixed heap
# (-Xmx256m), recording peak RSS (`/usr/bin/time -v`, "Maximum resident set size"), wall time and
# the largest Java heap still in use after a GC (from -Xlog:gc). With RESUME=1 (the default) each count
# is also copied by a run that is killed with `kill -9` once its journal holds half the objects, and the
# same command is run again: that resumed run is measured too (it sorts the journal and skips what it
# lists as done). Optionally the same copy with rclone for reference. Prints a Markdown table.
#
# TARGET=local copies into a local folder instead: S3Proxy's on-disk store lists in O(N) per page, so a
# resumed run into a bucket that already holds 500,000 objects measures the server, not migrator.
#
# Usage: bench/memory-flat.sh
#   MIGRATOR_JAR=path/to/migrator.jar COUNTS="20000 200000" HEAPS="default 256m" bench/memory-flat.sh
#   COUNTS=1000000 SIZE=0 HEAPS=default TARGET=local VERIFY=0 bench/memory-flat.sh
#   TARBALL=migrator-cli/target/migrator-VERSION.tar.gz ...   runs the measured copies through the distribution's
#     bin/migrator (its default heap and GC settings and class archive, trained by one untimed copy first: migrator_cmd)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
COUNTS="${COUNTS:-20000 200000}"  # object counts to copy
SIZE="${SIZE:-1024}"              # bytes per object
FILES_PER_DIR="${FILES_PER_DIR:-1000}"
HEAPS="${HEAPS:-default 256m}"    # "default" = the JVM's default max heap; otherwise an -Xmx value
TRANSFERS="${TRANSFERS:-8}"
MIGRATOR_JAVA_OPTS="${MIGRATOR_JAVA_OPTS:-}" # more JVM options for the measured migrator runs (e.g. -XX:+UseSerialGC)
TARBALL="${TARBALL:-}"            # a distribution: the measured runs go through its bin/migrator, not java -jar
RESUME="${RESUME:-1}"             # 1: also measure a run resumed after kill -9 at half the objects
TARGET="${TARGET:-s3}"            # s3 (serve-s3 --dir) or local (a folder)
RCLONE="${RCLONE:-0}"             # 1: also measure `rclone copy` of the same folder (adds ~6 min)
VERIFY="${VERIFY:-1}"             # 1: `migrator verify` the small-heap runs (not timed) ...
VERIFY_MAX="${VERIFY_MAX:-20000}"  # ... of at most this many objects: S3Proxy's on-disk store walks the
                                  # whole bucket for every 1,000-key listing page, so listing 200k keys
                                  # back takes minutes (a test-server limit, see docs/benchmarks.md)
PORT="${PORT:-18093}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}"
SERVE_S3="${SERVE_S3:-java $SERVER_JAVA_OPTS -jar $MIGRATOR_JAR serve-s3}"
WORK_DIR="${WORK_DIR:-}"          # default: a fresh temp dir, removed at exit unless KEEP=1
KEEP="${KEEP:-0}"

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need python3 "Install Python 3 (apt-get install -y python3); it generates the test files."
if [[ $RCLONE == 1 ]] && ! command -v rclone >/dev/null 2>&1; then
  echo "note: rclone not found (apt-get install -y rclone); skipping the rclone reference runs" >&2; RCLONE=0
fi
s3uri_here() { s3uri "$PORT" "$1"; }
target_uri() { if [[ $TARGET == local ]]; then echo "file://$WORK_DIR/store/$1"; else s3uri_here "$1"; fi; }
rclone_remote s "$PORT"

# --- data --------------------------------------------------------------------------------------
for n in $COUNTS; do
  log "generating $n files of $SIZE bytes in $WORK_DIR/src-$n"
  python3 - "$WORK_DIR/src-$n" "$n" "$SIZE" "$FILES_PER_DIR" <<'EOF'
import os, sys
root, n, size, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
block = os.urandom(max(size, 1) * 1024)  # vary content cheaply: each file a different slice + its index
for i in range(n):
    d = os.path.join(root, "d%05d" % (i // per))
    if i % per == 0:
        os.makedirs(d, exist_ok=True)
    off = (i * 7919) % (len(block) - size) if size else 0
    head = (b"%012d" % i)[:size]
    with open(os.path.join(d, "f%07d.bin" % i), "wb") as f:
        f.write(head + block[off:off + max(0, size - len(head))])
EOF
done

# --- endpoint ----------------------------------------------------------------------------------
if [[ $TARGET == local ]]; then mkdir -p "$WORK_DIR/store"; else start_server s "$PORT" "$WORK_DIR/store"; fi

# --- the migrator that is measured ---------------------------------------------------------------
# cmd_for JVM-OPTIONS...: sets CMD to java -jar, or to the launcher with the options in JAVA_OPTS. The launcher execs
# the JVM, so CMD's process is the JVM: the one /usr/bin/time measures and kill -9 stops.
cmd_for() {
  if [[ -n $TARBALL ]]; then CMD=(env "JAVA_OPTS=$*" "$LAUNCHER"); else CMD=(java "$@" -jar "$MIGRATOR_JAR"); fi
}
if [[ -n $TARBALL ]]; then
  migrator_cmd "$TARBALL" # unpacks it and trains its class archive with one untimed local copy, like the measured ones
  LAUNCHER=${M[0]}
fi

# --- runs --------------------------------------------------------------------------------------
RESULTS="$WORK_DIR/results.tsv" # tool count heap wall rss_kb heap_after_gc_mb objects status
: >"$RESULTS"
field() { awk -v k="$1" 'index($0, k) { sub(/.*: /, ""); print }' "$2" | tail -n 1; }
to_seconds() { awk -F: '{ s=0; for (i=1;i<=NF;i++) s=s*60+$i; print s }'; }
bucket_seq=0
new_bucket() { # sets $bucket to a fresh, empty bucket
  bucket_seq=$((bucket_seq + 1)); bucket="mem-$bucket_seq"
  if [[ $TARGET != local ]] && command -v rclone >/dev/null 2>&1; then rclone mkdir "s:$bucket"; else mkdir -p "$WORK_DIR/store/$bucket"; fi
}

measure() { # n heap label [kill_at]: one timed migrator copy of src-n into $bucket, appended to $RESULTS
  local n=$1 heap=$2 label=$3
  local jopts=(); [[ $heap != default ]] && jopts=("-Xmx$heap")
  # shellcheck disable=SC2206
  jopts+=($MIGRATOR_JAVA_OPTS)
  local gclog="$WORK_DIR/gc-$bucket-$label.log" tag="$bucket-$label"
  sync; sleep 1
  log "migrator copy $n objects (heap: $heap, $label) -> $bucket"
  local rc=0
  cmd_for "${jopts[@]}" "-Xlog:gc:file=$gclog"
  /usr/bin/time -v -o "$WORK_DIR/time-$tag" "${CMD[@]}" copy \
    "file://$WORK_DIR/src-$n" "$(target_uri "$bucket")" --transfers "$TRANSFERS" --state "$WORK_DIR/state-$bucket" \
    --json -q >"$WORK_DIR/out-$tag.json" 2>"$WORK_DIR/err-$tag.log" || rc=$?
  local rss wall after objs skipped status
  rss=$(field "Maximum resident set size" "$WORK_DIR/time-$tag")
  wall=$(field "Elapsed (wall clock)" "$WORK_DIR/time-$tag" | to_seconds)
  # Largest "used after GC" figure: the live set plus whatever old-generation garbage was not yet collected.
  after=$(grep -oE -- '->[0-9]+M\(' "$gclog" 2>/dev/null | tr -dc '0-9\n' | sort -n | tail -n 1 || true)
  objs=$(grep -oE '"objects"[^,}]*' "$WORK_DIR/out-$tag.json" | head -n 1 | tr -dc '0-9' || true)
  skipped=$(grep -oE '"skipped"[^,}]*' "$WORK_DIR/out-$tag.json" | head -n 1 | tr -dc '0-9' || true)
  status="ok"; [[ $rc != 0 ]] && status="FAIL(exit $rc, see err-$tag.log)"
  if [[ $rc == 0 && $VERIFY == 1 && ( $heap != default || $label != full ) && $n -le $VERIFY_MAX ]]; then
    log "  verifying (not timed)"
    java -jar "$MIGRATOR_JAR" verify "file://$WORK_DIR/src-$n" "$(target_uri "$bucket")" >"$WORK_DIR/verify-$tag.log" 2>&1 \
      && status="ok, verified" || status="FAIL(verify, see verify-$tag.log)"
  fi
  log "  ${wall}s, peak RSS $((rss / 1024)) MiB, max heap after GC ${after:-?} MiB, copied ${objs:-?}, skipped ${skipped:-?}, $status"
  printf 'migrator\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$heap" "$wall" "$rss" "${after:-}" "${objs:-}" "$status" "$label" "${skipped:-}" >>"$RESULTS"
}

for n in $COUNTS; do
  for heap in $HEAPS; do
    new_bucket
    measure "$n" "$heap" full
    rm -rf "${WORK_DIR:?}/store/$bucket"
    if [[ $RESUME == 1 ]]; then
      new_bucket
      half=$((n / 2))
      log "migrator copy $n objects (heap: $heap) -> $bucket, killed with kill -9 once $half are journaled"
      # shellcheck disable=SC2086
      cmd_for $MIGRATOR_JAVA_OPTS
      "${CMD[@]}" copy "file://$WORK_DIR/src-$n" "$(target_uri "$bucket")" --transfers "$TRANSFERS" \
        --state "$WORK_DIR/state-$bucket" --json -q >/dev/null 2>"$WORK_DIR/err-$bucket-killed.log" &
      victim=$!
      while kill -0 "$victim" 2>/dev/null; do
        j=$(find "$WORK_DIR/state-$bucket" -name journal 2>/dev/null | head -n 1 || true)
        if [[ -n $j ]] && (( $(wc -l <"$j") > half )); then kill -9 "$victim"; break; fi
        sleep 0.2
      done
      wait "$victim" 2>/dev/null || true
      j=$(find "$WORK_DIR/state-$bucket" -name journal 2>/dev/null | head -n 1 || true)
      if [[ -z $j ]]; then
        log "  the run ended before it could be killed (see err-$bucket-killed.log); no resume measured"
        printf 'migrator\t%s\t%s\t0\t0\t\t\tFAIL(not killed, see err-%s-killed.log)\tresumed\t\n' "$n" "$heap" "$bucket" >>"$RESULTS"
        continue
      fi
      log "  killed with $(( $(wc -l <"$j") - 1 )) journal lines"
      measure "$n" "$heap" resumed
      rm -rf "${WORK_DIR:?}/store/$bucket"
    fi
  done
  if [[ $RCLONE == 1 ]]; then
    new_bucket
    sync; sleep 1
    log "rclone copy $n objects -> $bucket"
    rc=0
    /usr/bin/time -v -o "$WORK_DIR/time-$bucket" rclone copy "$WORK_DIR/src-$n" "s:$bucket" --transfers "$TRANSFERS" \
      >"$WORK_DIR/out-$bucket.log" 2>&1 || rc=$?
    rss=$(field "Maximum resident set size" "$WORK_DIR/time-$bucket")
    wall=$(field "Elapsed (wall clock)" "$WORK_DIR/time-$bucket" | to_seconds)
    status="ok"; [[ $rc != 0 ]] && status="FAIL(exit $rc)"
    log "  ${wall}s, peak RSS $((rss / 1024)) MiB, $status"
    printf 'rclone\t%s\t-\t%s\t%s\t\t%s\t%s\tfull\t\n' "$n" "$wall" "$rss" "$n" "$status" >>"$RESULTS"
    rm -rf "${WORK_DIR:?}/store/$bucket"
  fi
done

echo
echo "### Peak memory of a copy of N x $SIZE-byte objects (local folder -> $TARGET, --transfers $TRANSFERS, ${TARBALL:+through bin/migrator, }JVM options: ${MIGRATOR_JAVA_OPTS:-none}, $(nproc) CPUs, load before: $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| tool | objects | run | max heap | wall s | objects/s | peak RSS MiB | max heap used after GC MiB | copied | skipped | result |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
awk -F'\t' '{ heap = ($3 == "default" ? "JVM default" : ($3 == "-" ? "-" : "-Xmx" $3));
  printf "| %s | %d | %s | %s | %.1f | %.0f | %.0f | %s | %s | %s | %s |\n", $1, $2, $9, heap, $4, $2/$4, $5/1024, ($6 == "" ? "-" : $6), $7, ($10 == "" ? "-" : $10), $8 }' "$RESULTS"
echo
echo "Raw results: $RESULTS$( [[ $KEEP == 1 || $CREATED_WORK == 0 ]] || echo ' (removed at exit; KEEP=1 keeps it)')"
