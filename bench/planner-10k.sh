#!/usr/bin/env bash
# Benchmark: planning a plan of about 10,000 steps (1,111 object moves x 3 key-range shards x copy/delta/verify,
# 20 source and 20 target endpoints with bandwidth limits, concurrency 32), offline so that only the planner is
# measured: building the steps with their explained estimates, and the resource-aware list schedule.
# Several runs in one JVM; prints the first (cold) run, the median and worst later runs (wall and CPU), the
# makespan against the lower bound max(critical path, work / concurrency, bytes per endpoint / bandwidth),
# the peak RSS, and the machine's load.
#
# Usage: bench/planner-10k.sh
#   MIGRATOR_JAR=path/to/migrator.jar MOVES=1111 RUNS=15 bench/planner-10k.sh
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
MOVES="${MOVES:-1111}"
RUNS="${RUNS:-15}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"
SERVE_S3="${SERVE_S3:-}"
# shellcheck source=lib.sh
source "$REPO/bench/lib.sh"

log "load before: $(uptime)"
/usr/bin/time -v -o "$WORK_DIR/time.txt" java -cp "$MIGRATOR_JAR" dev.migrator.plan.bench.PlannerBench "$MOVES" "$RUNS" \
  | tee "$WORK_DIR/out.txt"
rss_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK_DIR/time.txt")
log "load after: $(uptime)"
echo "peak RSS: $((rss_kib / 1024)) MiB"
