#!/usr/bin/env bash
# Benchmark: start-up of the distribution's launcher against `java -jar`, and rclone as the reference tool, on
#   migrator --version                         (launcher with its class archive, launcher with MIGRATOR_CDS=off,
#   a one-object copy S3 -> local                launcher with HotSpot's default JIT thresholds, java -jar,
#                                                the launcher on Java 25+ with its AOT cache when JAVA25 is set; and
#                                                rclone copy for the copy)
# The S3 side is an on-disk `migrator serve-s3 --dir` endpoint. The launcher runs from the unpacked
# migrator-cli/target/migrator-VERSION.tar.gz (or TARBALL); its class archive (and, with JAVA25, its AOT cache) is
# made by one training copy before the runs. "launcher-localfirst" is a second unpacked launcher whose first command
# (the one that makes its archive) was a local copy, as when a user's first command is not the one timed: its S3 copy
# times what the archive holds beyond the first command. One more copy per launcher logs its loaded classes
# (-Xlog:class+load): the counts per library are printed below the table.
# Runs alternate between the tools (RUNS rounds); prints median wall and CPU seconds (user+sys) per tool, with load.
# LONG=1 adds the check that the launcher's JIT thresholds do not slow a long copy: S3 -> local of LONG_COUNT x 16 KiB
# objects and of one LONG_MB MiB object, launcher against launcher with HotSpot's default thresholds (RUNS rounds).
#
# Usage: bench/startup.sh            RUNS=5 PORT=18095 TARBALL=... JAVA25=/usr/lib/jvm/temurin-25-jdk-amd64
#                                    LONG=1 LONG_COUNT=5000 LONG_MB=1024
#                                    BASE_TARBALL=older.tar.gz   times another build's launcher too ("launcher-base")
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
RUNS="${RUNS:-5}"
PORT="${PORT:-18095}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"
JAVA25="${JAVA25:-}"
BASE_TARBALL="${BASE_TARBALL:-}"
LONG="${LONG:-0}"
LONG_COUNT="${LONG_COUNT:-5000}"
LONG_MB="${LONG_MB:-1024}"
SERVE_S3="${SERVE_S3:-java -jar $MIGRATOR_JAR serve-s3}"
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need rclone "Install rclone (apt-get install -y rclone)."
TARBALL="${TARBALL:-$(ls "$REPO"/migrator-cli/target/migrator-*.tar.gz 2>/dev/null | head -n1)}"
[[ -n "$TARBALL" && -f "$TARBALL" ]] || { echo "error: no migrator-cli/target/migrator-*.tar.gz: build it with ./mvnw -q -B package -DskipTests" >&2; exit 2; }
[[ -z "$JAVA25" || -x "$JAVA25/bin/java" ]] || { echo "error: JAVA25=$JAVA25 has no bin/java: point it at a Java 25+ home or unset it" >&2; exit 2; }

tar xzf "$TARBALL" -C "$WORK_DIR"
DIST="$(ls -d "$WORK_DIR"/migrator-*/)"
mkdir -p "$WORK_DIR/localfirst" && tar xzf "$TARBALL" -C "$WORK_DIR/localfirst"
LOCAL_DIST="$(ls -d "$WORK_DIR"/localfirst/migrator-*/)"
BASE_DIST= BASE_LOCAL_DIST=
if [[ -n "$BASE_TARBALL" ]]; then
  mkdir -p "$WORK_DIR/base" "$WORK_DIR/base-localfirst" && tar xzf "$BASE_TARBALL" -C "$WORK_DIR/base" && tar xzf "$BASE_TARBALL" -C "$WORK_DIR/base-localfirst"
  BASE_DIST="$(ls -d "$WORK_DIR"/base/migrator-*/)" BASE_LOCAL_DIST="$(ls -d "$WORK_DIR"/base-localfirst/migrator-*/)"
fi
export XDG_CACHE_HOME="$WORK_DIR/cache"
start_server a "$PORT" "$WORK_DIR/s3"
rclone_remote a "$PORT"
head -c 200000 /dev/urandom >"$WORK_DIR/object.bin"
mkdir -p "$WORK_DIR/seed" && cp "$WORK_DIR/object.bin" "$WORK_DIR/seed/"
java -jar "$MIGRATOR_JAR" copy "$WORK_DIR/seed" "$(s3uri "$PORT" seed)" -q --state "$WORK_DIR/state" >/dev/null
SRC="$(s3uri "$PORT" seed)"

# One training copy: the launcher writes its class archive after the command (on Java 25+, its AOT cache). Timed:
# the first run pays for the archive once (printed below the table).
/usr/bin/time -f "%e %U %S" -o "$WORK_DIR/time-train" "$DIST/bin/migrator" copy "$SRC" "$WORK_DIR/train" -q --state "$WORK_DIR/state" >/dev/null
read -r wall user sys <"$WORK_DIR/time-train"
TRAIN="first run (copy, writes the class archive): $wall s wall, $(echo "$user + $sys" | bc) CPU s"
ls "$XDG_CACHE_HOME"/migrator/cds-*.jsa >/dev/null
MIGRATOR_JIT_OPTS= "$DIST/bin/migrator" copy "$SRC" "$WORK_DIR/train-jit" -q --state "$WORK_DIR/state" >/dev/null
[[ -z "$BASE_DIST" ]] || "$BASE_DIST/bin/migrator" copy "$SRC" "$WORK_DIR/train-base" -q --state "$WORK_DIR/state" >/dev/null
for d in "$LOCAL_DIST" $BASE_LOCAL_DIST; do
  "$d/bin/migrator" copy "$WORK_DIR/seed" "$WORK_DIR/train-local" -q --state "$WORK_DIR/state" >/dev/null
  rm -rf "$WORK_DIR/train-local"
done
if [[ -n "$JAVA25" ]]; then
  JAVA_HOME="$JAVA25" "$DIST/bin/migrator" copy "$SRC" "$WORK_DIR/train25" -q --state "$WORK_DIR/state" >/dev/null
  ls "$XDG_CACHE_HOME"/migrator/aot-*.aot >/dev/null
fi

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
  [[ -z "$BASE_DIST" ]] || measure version launcher-base "$BASE_DIST/bin/migrator" --version
  measure version launcher-nocds env MIGRATOR_CDS=off "$DIST/bin/migrator" --version
  measure version launcher-defaultjit env MIGRATOR_JIT_OPTS= "$DIST/bin/migrator" --version
  measure version java-jar java -jar "$MIGRATOR_JAR" --version
  [[ -z "$JAVA25" ]] || measure version launcher-java25 env JAVA_HOME="$JAVA25" "$DIST/bin/migrator" --version
  measure copy launcher "$DIST/bin/migrator" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
  [[ -z "$BASE_DIST" ]] || measure copy launcher-base "$BASE_DIST/bin/migrator" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
  measure copy launcher-localfirst "$LOCAL_DIST/bin/migrator" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
  [[ -z "$BASE_LOCAL_DIST" ]] || measure copy launcher-base-localfirst "$BASE_LOCAL_DIST/bin/migrator" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
  measure copy launcher-nocds env MIGRATOR_CDS=off "$DIST/bin/migrator" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
  measure copy launcher-defaultjit env MIGRATOR_JIT_OPTS= "$DIST/bin/migrator" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
  measure copy java-jar java -jar "$MIGRATOR_JAR" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
  [[ -z "$JAVA25" ]] || measure copy launcher-java25 env JAVA_HOME="$JAVA25" "$DIST/bin/migrator" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
  measure copy rclone rclone copy a:seed "$WORK_DIR/out"
done
cmp "$WORK_DIR/object.bin" "$WORK_DIR/train/object.bin"
cmp "$WORK_DIR/object.bin" "$WORK_DIR/out/object.bin"

# Classes one copy loads, by library (one logged run per launcher; the run is not timed).
classes() { # label env...
  local label=$1; shift
  rm -rf "$WORK_DIR/out"
  env "$@" JAVA_OPTS="-Xlog:class+load:file=$WORK_DIR/classes-$label.log" "$DIST/bin/migrator" copy "$SRC" "$WORK_DIR/out" -q --state "$WORK_DIR/state" >/dev/null
  local f="$WORK_DIR/classes-$label.log"
  printf '%s: %s classes (%s from the archive); AWS SDK %s, Jackson %s, picocli %s, sun.security.ssl %s, woodstox/stax2 %s\n' "$label" \
    "$(grep -c 'class,load' "$f")" "$(grep -c 'shared objects file' "$f")" "$(grep -c ' software\.amazon\.awssdk\.' "$f")" \
    "$(grep -c ' com\.fasterxml\.jackson\.' "$f")" "$(grep -c ' picocli\.' "$f")" "$(grep -c ' sun\.security\.ssl\.' "$f")" \
    "$(grep -c -E ' (com\.ctc\.wstx|org\.codehaus\.stax2)\.' "$f")"
}
CLASSES="$(classes launcher X=1; [[ -z "$JAVA25" ]] || classes launcher-java25 JAVA_HOME="$JAVA25")"

if [[ "$LONG" == 1 ]]; then
  # A long copy through the launcher's JIT thresholds against HotSpot's defaults: many small objects, one large.
  log "seeding $LONG_COUNT x 16 KiB and 1 x $LONG_MB MiB (not timed)"
  mkdir -p "$WORK_DIR/s3/long-small" "$WORK_DIR/s3/long-large" "$WORK_DIR/seed-small" "$WORK_DIR/seed-large"
  for i in $(seq 1 "$LONG_COUNT"); do head -c 16384 /dev/urandom >"$WORK_DIR/seed-small/o-$i"; done
  head -c $(( LONG_MB * 1048576 )) /dev/urandom >"$WORK_DIR/seed-large/large.bin"
  java -jar "$MIGRATOR_JAR" copy "$WORK_DIR/seed-small" "$(s3uri "$PORT" long-small)" -q --state "$WORK_DIR/state" >/dev/null
  java -jar "$MIGRATOR_JAR" copy "$WORK_DIR/seed-large" "$(s3uri "$PORT" long-large)" -q --state "$WORK_DIR/state" >/dev/null
  for r in $(seq 1 "$RUNS"); do
    log "long copies, round $r of $RUNS"
    for set in small large; do
      measure "long-$set" launcher "$DIST/bin/migrator" copy "$(s3uri "$PORT" "long-$set")" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
      measure "long-$set" launcher-defaultjit env MIGRATOR_JIT_OPTS= "$DIST/bin/migrator" copy "$(s3uri "$PORT" "long-$set")" "$WORK_DIR/out" -q --state "$WORK_DIR/state"
    done
  done
  diff -r "$WORK_DIR/seed-large" "$WORK_DIR/out" >/dev/null
fi

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
echo "| case | tool | median wall s | median CPU s | load (1 min) during runs |"
echo "|---|---|---|---|---|"
for c in version copy long-small long-large; do
  for t in launcher launcher-base launcher-localfirst launcher-base-localfirst launcher-nocds launcher-defaultjit java-jar launcher-java25 rclone; do
    rows="$(awk -F'\t' -v c=$c -v t=$t '$1==c && $2==t' "$RESULTS")"
    [[ -n "$rows" ]] || continue
    printf '| %s | %s | %s | %s | %s |\n' "$c" "$t" "$(cut -f3 <<<"$rows" | median)" "$(cut -f4 <<<"$rows" | median)" \
      "$(cut -f5 <<<"$rows" | sort -g | sed -n '1p;$p' | paste -sd-)"
  done
done
echo
echo "$TRAIN"
echo "$CLASSES"
