#!/usr/bin/env bash
# Benchmark: peak memory of `migrator copy` as the object count grows (it should stay flat).
#
# Generates local folders of 20,000 and 200,000 small files (1 KiB, FILES_PER_DIR per directory),
# starts one on-disk S3 endpoint (`migrator serve-s3 --dir`), and copies each folder into a fresh
# bucket with `migrator copy`, once with the JVM's default heap and once with a small fixed heap
# (-Xmx256m), recording peak RSS (`/usr/bin/time -v`, "Maximum resident set size"), wall time and
# the largest Java heap still in use after a GC (from -Xlog:gc). Optionally the same copy with rclone
# for reference. Prints a Markdown table.
#
# Usage: bench/memory-flat.sh
#   MIGRATOR_JAR=path/to/migrator.jar COUNTS="20000 200000" HEAPS="default 256m" bench/memory-flat.sh
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
COUNTS="${COUNTS:-20000 200000}"  # object counts to copy
SIZE="${SIZE:-1024}"              # bytes per object
FILES_PER_DIR="${FILES_PER_DIR:-1000}"
HEAPS="${HEAPS:-default 256m}"    # "default" = the JVM's default max heap; otherwise an -Xmx value
TRANSFERS="${TRANSFERS:-8}"
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
rclone_remote s "$PORT"

# --- data --------------------------------------------------------------------------------------
for n in $COUNTS; do
  log "generating $n files of $SIZE bytes in $WORK_DIR/src-$n"
  python3 - "$WORK_DIR/src-$n" "$n" "$SIZE" "$FILES_PER_DIR" <<'EOF'
import os, sys
root, n, size, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
block = os.urandom(size * 1024)  # vary content cheaply: each file a different slice + its index
for i in range(n):
    d = os.path.join(root, "d%05d" % (i // per))
    if i % per == 0:
        os.makedirs(d, exist_ok=True)
    off = (i * 7919) % (len(block) - size)
    head = b"%012d" % i
    with open(os.path.join(d, "f%07d.bin" % i), "wb") as f:
        f.write(head + block[off:off + size - len(head)])
EOF
done

# --- endpoint ----------------------------------------------------------------------------------
start_server s "$PORT" "$WORK_DIR/store"

# --- runs --------------------------------------------------------------------------------------
RESULTS="$WORK_DIR/results.tsv" # tool count heap wall rss_kb heap_after_gc_mb objects status
: >"$RESULTS"
field() { awk -v k="$1" 'index($0, k) { sub(/.*: /, ""); print }' "$2" | tail -n 1; }
to_seconds() { awk -F: '{ s=0; for (i=1;i<=NF;i++) s=s*60+$i; print s }'; }
bucket_seq=0
new_bucket() { # sets $bucket to a fresh, empty bucket
  bucket_seq=$((bucket_seq + 1)); bucket="mem-$bucket_seq"
  if command -v rclone >/dev/null 2>&1; then rclone mkdir "s:$bucket"; else mkdir -p "$WORK_DIR/store/$bucket"; fi
}

for n in $COUNTS; do
  for heap in $HEAPS; do
    new_bucket
    jopts=(); [[ $heap != default ]] && jopts=("-Xmx$heap")
    gclog="$WORK_DIR/gc-$bucket.log"
    sync; sleep 1
    log "migrator copy $n objects (heap: $heap) -> $bucket"
    rc=0
    /usr/bin/time -v -o "$WORK_DIR/time-$bucket" java "${jopts[@]}" "-Xlog:gc:file=$gclog" -jar "$MIGRATOR_JAR" copy \
      "file://$WORK_DIR/src-$n" "$(s3uri_here "$bucket")" --transfers "$TRANSFERS" --state "$WORK_DIR/state-$bucket" \
      --json -q >"$WORK_DIR/out-$bucket.json" 2>"$WORK_DIR/err-$bucket.log" || rc=$?
    rss=$(field "Maximum resident set size" "$WORK_DIR/time-$bucket")
    wall=$(field "Elapsed (wall clock)" "$WORK_DIR/time-$bucket" | to_seconds)
    # Largest "used after GC" figure: the live set plus whatever old-generation garbage was not yet collected.
    after=$(grep -oE -- '->[0-9]+M\(' "$gclog" 2>/dev/null | tr -dc '0-9\n' | sort -n | tail -n 1 || true)
    objs=$(grep -oE '"objects"[^,}]*' "$WORK_DIR/out-$bucket.json" | tr -dc '0-9' || true)
    status="ok"; [[ $rc != 0 ]] && status="FAIL(exit $rc, see err-$bucket.log)"
    if [[ $rc == 0 && $VERIFY == 1 && $heap != default && $n -le $VERIFY_MAX ]]; then
      log "  verifying (not timed)"
      java -jar "$MIGRATOR_JAR" verify "file://$WORK_DIR/src-$n" "$(s3uri_here "$bucket")" >"$WORK_DIR/verify-$bucket.log" 2>&1 \
        && status="ok, verified" || status="FAIL(verify, see verify-$bucket.log)"
    fi
    log "  ${wall}s, peak RSS $((rss / 1024)) MiB, max heap after GC ${after:-?} MiB, copied ${objs:-?}, $status"
    printf 'migrator\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$heap" "$wall" "$rss" "${after:-}" "${objs:-}" "$status" >>"$RESULTS"
    rm -rf "${WORK_DIR:?}/store/$bucket"
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
    printf 'rclone\t%s\t-\t%s\t%s\t\t%s\t%s\n' "$n" "$wall" "$rss" "$n" "$status" >>"$RESULTS"
    rm -rf "${WORK_DIR:?}/store/$bucket"
  fi
done

echo
echo "### Peak memory of a copy of N x $SIZE-byte objects (local folder -> S3 endpoint on disk, --transfers $TRANSFERS, $(nproc) CPUs)"
echo
echo "| tool | objects | max heap | wall s | objects/s | peak RSS MiB | max heap used after GC MiB | result |"
echo "|---|---|---|---|---|---|---|---|"
awk -F'\t' '{ heap = ($3 == "default" ? "JVM default" : ($3 == "-" ? "-" : "-Xmx" $3));
  printf "| %s | %d | %s | %.1f | %.0f | %.0f | %s | %s |\n", $1, $2, heap, $4, $2/$4, $5/1024, ($6 == "" ? "-" : $6), $8 }' "$RESULTS"
echo
echo "Raw results: $RESULTS$( [[ $KEEP == 1 || $CREATED_WORK == 0 ]] || echo ' (removed at exit; KEEP=1 keeps it)')"
