#!/usr/bin/env bash
# Benchmark: client CPU of listing an S3 bucket, migrator's lean request path (S3Wire + S3Listing) against the AWS
# SDK's (-Dmigrator.s3.wire=sdk), same jar, same bucket, alternating JVMs.
#
# Seeds COUNT zero-byte objects into an on-disk `migrator serve-s3 --dir` endpoint (not timed), then runs
# bench/ListCpu.java ROUNDS times per path, each a fresh JVM listing the bucket PASSES times. Reports the median of the
# first (cold) pass and of the later (warm) passes: wall ms, and CPU ms of the listing thread (JIT and GC threads and the
# server are not counted; the wall time is mostly the test server's).
#
# Usage: bench/list-cpu.sh        e.g. COUNT=20000 ROUNDS=5 MIGRATOR_JAR=path/to/migrator.jar bench/list-cpu.sh
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
COUNT="${COUNT:-5000}"
ROUNDS="${ROUNDS:-3}"
PASSES="${PASSES:-10}"
PORT="${PORT:-18097}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"
SERVE_S3="${SERVE_S3:-java -jar $MIGRATOR_JAR serve-s3}"
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"

start_server a "$PORT" "$WORK_DIR/store"
mkdir -p "$WORK_DIR/data"
for i in $(seq -w 1 "$COUNT"); do : >"$WORK_DIR/data/obj-$i"; done
log "seeding $COUNT objects"
java -jar "$MIGRATOR_JAR" copy "$WORK_DIR/data" "$(s3uri "$PORT" seed)" --transfers 16 -q >/dev/null
: >"$WORK_DIR/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for path in lean sdk; do
    log "round $round: $path"
    java "-Dmigrator.s3.wire=$path" -cp "$MIGRATOR_JAR" "$REPO/bench/ListCpu.java" "$(s3uri "$PORT" seed)" "$PASSES" \
      | awk -v p="$path" -v n="$COUNT" -F'\t' '$2 != n {print "error: listed " $2 " of " n > "/dev/stderr"; exit 1} {print p "\t" $0}' \
      >>"$WORK_DIR/results.tsv"
  done
done

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -F'\t' -v p="$1" -v w="$2" -v c="$3" '$1==p && (w=="cold" ? $2==0 : $2>0) {print $c}' "$WORK_DIR/results.tsv"; }
echo "### Listing $COUNT objects (S3Proxy on disk, $(nproc) CPUs, $ROUNDS JVMs x $PASSES passes per path, medians)"
echo
echo "| path | cold pass: wall ms | cold pass: listing-thread CPU ms | warm passes: wall ms | warm passes: CPU ms | CPU µs per object (warm) |"
echo "|---|---|---|---|---|---|"
for path in lean sdk; do
  cw=$(col $path cold 4 | median); cc=$(col $path cold 5 | median); ww=$(col $path warm 4 | median); wc=$(col $path warm 5 | median)
  awk -v p="$path" -v a="$cw" -v b="$cc" -v c="$ww" -v d="$wc" -v n="$COUNT" \
    'BEGIN{printf "| %s | %.0f | %.0f | %.0f | %.1f | %.2f |\n", p, a, b, c, d, d * 1000 / n}'
done
