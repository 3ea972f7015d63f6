#!/usr/bin/env bash
# Benchmark: start-up of the distribution's launcher against `java -jar`, and rclone as the reference tool, on
#   migrator --version                         (launcher with its AppCDS archive, launcher with MIGRATOR_CDS=off, java -jar)
#   a one-object copy S3 -> local              (the same three, and rclone copy)
# The S3 side is an on-disk `migrator serve-s3 --dir` endpoint. The launcher runs from the unpacked
# migrator-cli/target/migrator-VERSION.tar.gz; its class archive is made by one training copy before the runs.
# Runs alternate between the tools (RUNS rounds); prints median wall and CPU seconds (user+sys) per tool, with load.
#
# Usage: bench/startup.sh            RUNS=5 PORT=18095
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
RUNS="${RUNS:-5}"
PORT="${PORT:-18095}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"
SERVE_S3="${SERVE_S3:-java -jar $MIGRATOR_JAR serve-s3}"
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need rclone "Install rclone (apt-get install -y rclone)."
TARBALL="$(ls "$REPO"/migrator-cli/target/migrator-*.tar.gz 2>/dev/null | head -n1)"
[[ -n "$TARBALL" ]] || { echo "error: no migrator-cli/target/migrator-*.tar.gz: build it with ./mvnw -q -B package -DskipTests" >&2; exit 2; }

tar xzf "$TARBALL" -C "$WORK_DIR"
DIST="$(ls -d "$WORK_DIR"/migrator-*/)"
export XDG_CACHE_HOME="$WORK_DIR/cache"
start_server a "$PORT" "$WORK_DIR/s3"
rclone_remote a "$PORT"
head -c 200000 /dev/urandom >"$WORK_DIR/object.bin"
mkdir -p "$WORK_DIR/seed" && cp "$WORK_DIR/object.bin" "$WORK_DIR/seed/"
java -jar "$MIGRATOR_JAR" copy "$WORK_DIR/seed" "$(s3uri "$PORT" seed)" -q --state "$WORK_DIR/state" >/dev/null
SRC="$(s3uri "$PORT" seed)"

# One training copy: the launcher writes its class archive at exit.
"$DIST/bin/migrator" copy "$SRC" "$WORK_DIR/train" -q --state "$WORK_DIR/state" >/dev/null
ls "$XDG_CACHE_HOME"/migrator/cds-*.jsa >/dev/null

RESULTS="$WORK_DIR/startup.tsv"
: >"$RESULTS"
measure() { # case tool command...
  local c=$1 t=$2; shift 2
  rm -rf "$WORK_DIR/out"
  /usr/bin/time -f "%e %U %S" -o "$WORK_DIR/time" "$@" >/dev/null 2>"$WORK_DIR/err" || { cat "$WORK_DIR/err" >&2; exit 1; }
  read -r wall user sys <"$WORK_DIR/time"
  printf '%s\t%s\t%s\t%s\t%s\n' "$c" "$t" "$wall" "$(echo "$user + $sys" | bc)" "$(cut -d' ' -f1 /proc/loadavg)" >>"$RESULTS"
}
for r in $(seq 1 "$RUNS"); do
  log "round $r of $RUNS"
  measure version launcher "$DIST/bin/migrator" --version
  measure version launcher-nocds env MIGRATOR_CDS=off "$DIST/bin/migrator" --version
  measure version java-jar java -jar "$MIGRATOR_JAR" --version
  measure copy launcher "$DIST/bin/migrator" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
  measure copy launcher-nocds env MIGRATOR_CDS=off "$DIST/bin/migrator" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
  measure copy java-jar java -jar "$MIGRATOR_JAR" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
  measure copy rclone rclone copy a:seed "$WORK_DIR/out"
done
cmp "$WORK_DIR/object.bin" "$WORK_DIR/train/object.bin"

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
echo "| case | tool | median wall s | median CPU s | load (1 min) during runs |"
echo "|---|---|---|---|---|"
for c in version copy; do
  for t in launcher launcher-nocds java-jar rclone; do
    rows="$(awk -F'\t' -v c=$c -v t=$t '$1==c && $2==t' "$RESULTS")"
    [[ -n "$rows" ]] || continue
    printf '| %s | %s | %s | %s | %s |\n' "$c" "$t" "$(cut -f3 <<<"$rows" | median)" "$(cut -f4 <<<"$rows" | median)" \
      "$(cut -f5 <<<"$rows" | sort -g | sed -n '1p;$p' | paste -sd-)"
  done
done
