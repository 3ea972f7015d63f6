#!/usr/bin/env bash
# Benchmark: bundles vs the standard tools, on the same data in the same run.
#
# mixed: a folder like a product's media bucket (~290 MB in 8,204 files): 4 "videos" of 48 MiB (random
#        bytes), 200 "images" of 256 KiB (random), 8,000 log-like text files of 6 KiB.
# small: SMALL_COUNT files of 10 KiB, half log-like text, half random.
#        For both:
#          migrator bundle create DIR --to B           vs  tar -I 'zstd -T2 -3' -cf T.tar.zst -C DIR .
#          migrator bundle restore B --to R            vs  tar -I zstd -xf T.tar.zst -C X && sync
#        (migrator's restore makes every object durable before it reports success; tar does not, so
#        the like-for-like reference is the extraction followed by sync(1)). Every run is checked:
#        bundle verify / zstd -t after create, migrator verify DIR R / diff -r DIR X after restore.
# s3:    S3_COUNT objects of S3_SIZE bytes on an on-disk S3 endpoint (`migrator serve-s3 --dir`):
#          migrator bundle create s3://... --to LOCAL --readers N   vs  rclone copy a:src LOCAL --transfers N
#        checked by `migrator bundle verify` and `rclone check`.
# migrator runs twice: as users run it, through bin/migrator of the distribution (TARBALL, unpacked into WORK_DIR; its
# class archive made by one training `bundle create` of a scratch folder before the runs, not timed), and as
# `java -jar MIGRATOR_JAR` (tool "java-jar"). Without a tarball only the jar is timed, as "migrator".
# A/B against another build in the same run: BASE_TARBALL=... adds its launcher as tool "base" (trained the same
# way), BASE_JAR=... adds `java -jar BASE_JAR` as tool "base-jar"; each makes and restores its own bundles, which
# this build's `bundle verify` / `verify` check.
# Each run rotates which tool goes first. Prints a Markdown table: runs' wall times, medians of
# wall, CPU (user+sys) and peak RSS, the checks, the 1-minute load before each run, and the ratio.
#
# Usage: bench/bundle-vs-tar.sh          RUNS=3 SETS="mixed small s3" TARBALL=... (see the variables below)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
RUNS="${RUNS:-3}"
SETS="${SETS:-mixed small s3}"
SMALL_COUNT="${SMALL_COUNT:-20000}"     # 10 KiB files
S3_COUNT="${S3_COUNT:-5000}"
S3_SIZE="${S3_SIZE:-16384}"
READERS="${READERS:-16}"                # migrator --readers = rclone --transfers
PORT_A="${PORT_A:-18093}"
OUT="${OUT:-$REPO/bench/out}"           # generated data is kept here for later runs (bench/out is gitignored)
WORK_DIR="${WORK_DIR:-$OUT/bundle-work}"
KEEP="${KEEP:-1}"
JAVA_OPTS="${JAVA_OPTS:-}"              # e.g. -XX:StartFlightRecording=... to profile migrator's runs
SERVE_S3="${SERVE_S3:-java -jar $MIGRATOR_JAR serve-s3}"
# The distribution whose launcher is timed; TARBALL=none times only the jar.
TARBALL="${TARBALL:-$(ls "$REPO"/migrator-cli/target/migrator-*.tar.gz 2>/dev/null | head -n1)}"
BASE_TARBALL="${BASE_TARBALL:-}"       # another build's distribution, timed as tool "base" (A/B in the same run)
BASE_JAR="${BASE_JAR:-}"               # another build's jar, timed as tool "base-jar"
# shellcheck disable=SC2206
MJ=(java $JAVA_OPTS -jar "$MIGRATOR_JAR")
# shellcheck disable=SC2206
MBJ=(java $JAVA_OPTS -jar "$BASE_JAR")

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need tar "Install GNU tar."
need zstd "Install zstd (apt-get install -y zstd)."

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
RESULTS="$WORK_DIR/bundle-results.tsv" # set op tool run wall rss_kb cpu_s check load1
mkdir -p "$WORK_DIR"
: >"$RESULTS"

# migrator as users run it: the launcher with its class archive (made here by one untimed training run).
rm -rf "$WORK_DIR/cache"
export XDG_CACHE_HOME="$WORK_DIR/cache"
launcher() { # tarball dir: unpacks the distribution into WORK_DIR/dir, trains its class archive, prints its bin/migrator
  local tarball=$1 dir="$WORK_DIR/$2"
  [[ -f "$tarball" ]] || { echo "error: $tarball not found: build it with ./mvnw -q -B package -DskipTests, or TARBALL=none" >&2; exit 2; }
  rm -rf "$dir" && mkdir -p "$dir"
  tar xzf "$tarball" -C "$dir"
  local bin; bin="$(ls -d "$dir"/migrator-*/)bin/migrator"
  local before; before=$(ls "$XDG_CACHE_HOME/migrator" 2>/dev/null | wc -l)
  mkdir -p "$WORK_DIR/train" && head -c 100000 /dev/urandom >"$WORK_DIR/train/f" && rm -rf "$WORK_DIR/train-b" "$WORK_DIR/train-state"
  JAVA_OPTS= "$bin" bundle create "$WORK_DIR/train" --to "$WORK_DIR/train-b" --state "$WORK_DIR/train-state" -q >/dev/null
  [[ $(ls "$XDG_CACHE_HOME/migrator" 2>/dev/null | grep -Ec '^(cds-.*\.jsa|aot-.*\.aot)$') -gt $before ]] \
    || { echo "error: the training run of $tarball's launcher wrote no class archive under $XDG_CACHE_HOME/migrator" >&2; exit 1; }
  rm -rf "$WORK_DIR/train" "$WORK_DIR/train-b" "$WORK_DIR/train-state"
  echo "$bin"
}
if [[ -n "$TARBALL" && "$TARBALL" != none ]]; then
  bin=$(launcher "$TARBALL" dist)
  M=(env "JAVA_OPTS=$JAVA_OPTS" "$bin")
  MIGRATORS="migrator java-jar"
else
  M=("${MJ[@]}")
  MIGRATORS="migrator"
fi
if [[ -n "$BASE_TARBALL" ]]; then
  bin=$(launcher "$BASE_TARBALL" dist-base)
  MB=(env "JAVA_OPTS=$JAVA_OPTS" "$bin")
  MIGRATORS="$MIGRATORS base"
fi
if [[ -n "$BASE_JAR" ]]; then
  [[ -f "$BASE_JAR" ]] || { echo "error: BASE_JAR=$BASE_JAR not found" >&2; exit 2; }
  MIGRATORS="$MIGRATORS base-jar"
fi
pick() { # sets the caller's m: the tool's command
  case $1 in java-jar) m=("${MJ[@]}") ;; base) m=("${MB[@]}") ;; base-jar) m=("${MBJ[@]}") ;; *) m=("${M[@]}") ;; esac
}
rotate() { # run tools...: the tools, rotated by the run number, so each goes first in turn
  local run=$1; shift; local t=("$@") n=$#; local i
  for i in $(seq 0 $((n - 1))); do printf '%s ' "${t[$(( (i + run - 1) % n ))]}"; done
}

timed() { # set op tool run check-command -- command...
  local set=$1 op=$2 tool=$3 run=$4 check=$5; shift 6
  local timef="$WORK_DIR/time-$set-$op-$tool-$run" out="$WORK_DIR/out-$set-$op-$tool-$run.log"
  sync; sleep 1
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local rc=0
  /usr/bin/time -f "%e %M %U %S" -o "$timef" "$@" >"$out" 2>&1 || rc=$?
  local wall rss user sys status=ok
  read -r wall rss user sys < <(tail -n 1 "$timef")
  if [[ $rc != 0 ]]; then status="FAIL(exit $rc, see $out)"
  elif ! eval "$check" >"$out.check" 2>&1; then status="FAIL(check, see $out.check)"; fi
  log "  $set $op $tool run $run: ${wall}s, CPU $(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')s, peak RSS $((rss / 1024)) MiB, load before $load, check: $status"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$set" "$op" "$tool" "$run" "$wall" "$rss" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" "$status" "$load" >>"$RESULTS"
}

# Log-like text: compresses about 4:1 like real logs and exports. gen_text MB FILE
gen_text() {
  awk -v mb="$1" 'BEGIN { srand(7); split("user post follow like media upload timeout retry GET PUT 200 404 503 avatar image video export", w, " ");
    target = mb * 1048576; n = 0;
    while (n < target) { line = sprintf("2026-11-28T%02d:%02d:%02d.%03dZ req=%08x %s %s /%s/%d bytes=%d\n", int(rand()*24), int(rand()*60), int(rand()*60), int(rand()*1000), int(rand()*4294967295), w[int(rand()*17)+1], w[int(rand()*17)+1], w[int(rand()*17)+1], int(rand()*100000), int(rand()*1000000));
      printf "%s", line; n += length(line) } }' >"$2"
}

gen_mixed() { # dir
  local d=$1
  [[ -f "$d/.complete" ]] && { log "reusing $d"; return; }
  rm -rf "$d"; mkdir -p "$d/videos" "$d/images" "$d/text"
  log "generating 4 x 48 MiB videos, 200 x 256 KiB images, 8,000 x 6 KiB text files in $d"
  local i
  for i in 1 2 3 4; do head -c $(( 48 << 20 )) /dev/urandom >"$d/videos/clip-$i.mp4"; done
  (cd "$d/images" && head -c $(( 200 * 262144 )) /dev/urandom | split -b 262144 -a 3 -d --additional-suffix=.jpg - img-)
  (cd "$d/text" && gen_text 47 .t && head -c $(( 8000 * 6144 )) .t | split -b 6144 -a 4 -d --additional-suffix=.log - log- && rm .t)
  touch "$d/.complete"
}

gen_small() { # dir
  local d=$1
  [[ -f "$d/.complete" ]] && { log "reusing $d"; return; }
  rm -rf "$d"; mkdir -p "$d"
  log "generating $SMALL_COUNT x 10 KiB files (half text, half random) in $d"
  (cd "$d" && head -c $(( SMALL_COUNT / 2 * 10240 )) /dev/urandom | split -b 10240 -a 5 -d - rnd- \
     && gen_text $(( SMALL_COUNT / 2 * 10240 / 1048576 + 1 )) .t && head -c $(( SMALL_COUNT / 2 * 10240 )) .t | split -b 10240 -a 5 -d - txt- && rm .t)
  touch "$d/.complete"
}

run_local() { # set
  local set=$1 data="$OUT/bundle-$1"
  "gen_$set" "$data"
  local size; size=$(du -sb --exclude=.complete "$data" | cut -f1)
  log "$set data: $(( size / 1048576 )) MiB in $(find "$data" -type f ! -name .complete | wc -l) files"
  echo "$set $size $(find "$data" -type f ! -name .complete | wc -l)" >"$WORK_DIR/data-$set"
  local run
  for run in $(seq 1 "$RUNS"); do
    local b="$WORK_DIR/bundle-$run" t="$WORK_DIR/tar-$run.tar.zst" r="$WORK_DIR/restored-$run" x="$WORK_DIR/extracted-$run"
    rm -rf "$b" "$t" "$r" "$x" "$WORK_DIR/state-$run"
    local order; order=$(rotate "$run" $MIGRATORS tar)
    for tool in $order; do
      local m tb="$b" ts="$WORK_DIR/state-$run"; pick "$tool"
      [[ $tool != migrator ]] && { tb="$b-$tool"; ts="$ts-$tool"; rm -rf "$tb" "$ts"; }
      if [[ $tool == tar ]]; then
        timed "$set" create tar "$run" "zstd -t -q $t" -- tar -I 'zstd -T2 -3' -cf "$t" -C "$data" .
      else
        timed "$set" create "$tool" "$run" "${MJ[*]} bundle verify $tb -q" -- "${m[@]}" bundle create "$data" --to "$tb" --state "$ts" -q
      fi
    done
    for tool in $order; do
      local m tr="$r" tb="$b"; pick "$tool"
      [[ $tool != migrator ]] && { tr="$r-$tool"; tb="$b-$tool"; rm -rf "$tr"; }
      if [[ $tool == tar ]]; then
        mkdir -p "$x"
        timed "$set" restore tar+sync "$run" "diff -r -q --exclude=.complete $data $x" -- bash -c "tar -I zstd -xf '$t' -C '$x' && sync"
      else
        timed "$set" restore "$tool" "$run" "${MJ[*]} verify $data $tr -q" -- "${m[@]}" bundle restore "$tb" --to "$tr" -q
      fi
    done
    echo "$(du -sb "$b" | cut -f1) $(stat -c %s "$t")" >"$WORK_DIR/sizes-$set-$run"
    rm -rf "$r" "$r"-* "$x" "$b" "$b"-* "$t"
  done
}
run_mixed() { run_local mixed; }
run_small() { run_local small; }

run_s3() {
  need rclone "Install rclone (apt-get install -y rclone)."
  rclone_remote a "$PORT_A"
  start_server a "$PORT_A" "$OUT/bundle-s3-store"
  if ! rclone lsf "a:src" --max-depth 1 2>/dev/null | head -1 | grep -q .; then
    log "seeding $S3_COUNT x $S3_SIZE B into a:src (not timed)"
    local gen="$WORK_DIR/gen-s3"; mkdir -p "$gen"
    (cd "$gen" && head -c $(( S3_COUNT * S3_SIZE )) /dev/urandom | split -b "$S3_SIZE" -a 6 -d - obj-)
    rclone mkdir a:src
    rclone copy "$gen" a:src --transfers 16
    rm -rf "$gen"
  fi
  local src; src=$(s3uri "$PORT_A" src)
  local run
  for run in $(seq 1 "$RUNS"); do
    local b="$WORK_DIR/s3-bundle-$run" c="$WORK_DIR/s3-rclone-$run"
    rm -rf "$b" "$c" "$WORK_DIR/s3-state-$run"
    local order; order=$(rotate "$run" $MIGRATORS rclone)
    for tool in $order; do
      if [[ $tool == rclone ]]; then
        timed s3 evacuate rclone "$run" "rclone check a:src $c" -- rclone copy a:src "$c" --transfers "$READERS"
      else
        local m tb="$b-$tool"; pick "$tool"
        rm -rf "$tb" "$WORK_DIR/s3-state-$run-$tool"
        timed s3 evacuate "$tool" "$run" "${MJ[*]} bundle verify $tb -q" -- "${m[@]}" bundle create "$src" --to "$tb" --readers "$READERS" --state "$WORK_DIR/s3-state-$run-$tool" -q
      fi
    done
    rm -rf "$b"-* "$c"
  done
}

log "work dir $WORK_DIR; jar $MIGRATOR_JAR; launcher ${TARBALL:-none}; $(nproc) CPUs; uptime: $(uptime)"
for set in $SETS; do "run_$set"; done

col() { awk -F'\t' -v s="$1" -v o="$2" -v t="$3" -v c="$4" '$1==s && $2==o && $3==t {print $c}' "$RESULTS"; }
med() { col "$@" | median; }
echo
echo "### bundles vs tar+zstd and rclone ($(nproc) CPUs, RUNS=$RUNS, medians; uptime at the end: $(uptime | sed 's/.*load/load/'))"
echo
echo "| data | operation | tool | runs: wall s | median wall s | median CPU s | median peak RSS MiB | checks | load avg before runs | migrator/reference wall (CPU) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
# rows: set op tool reference-tool (the ratio is tool/reference)
rows=()
for set in mixed small; do
  for op in create restore; do
    ref=tar; [[ $op == restore ]] && ref=tar+sync
    for tool in migrator java-jar base base-jar; do rows+=("$set $op $tool $ref"); done
    rows+=("$set $op $ref -")
  done
done
for tool in migrator java-jar base base-jar; do rows+=("s3 evacuate $tool rclone"); done
rows+=("s3 evacuate rclone -")
for row in "${rows[@]}"; do
  read -r set op tool ref <<<"$row"
  [[ " $SETS " == *" $set "* ]] || continue
  [[ -n "$(col "$set" "$op" "$tool" 5)" ]] || continue
  case $set in
    s3) desc="$S3_COUNT x $((S3_SIZE / 1024)) KiB from S3" ;;
    *) read -r _ bytes files <"$WORK_DIR/data-$set"; desc="$set: $(( bytes / 1000000 )) MB, $files files" ;;
  esac
  ratio=""; [[ $ref != - ]] && ratio="$(awk -v x="$(med "$set" "$op" "$tool" 5)" -v y="$(med "$set" "$op" "$ref" 5)" \
      -v a="$(med "$set" "$op" "$tool" 7)" -v b="$(med "$set" "$op" "$ref" 7)" 'BEGIN{printf "**%.2f** (%.2f)", x/y, a/b}') vs $ref"
  printf '| %s | %s | %s | %s | %s | %s | %.0f | %s | %s | %s |\n' "$desc" "$op" "$tool" \
    "$(col "$set" "$op" "$tool" 5 | paste -sd ' ')" "$(med "$set" "$op" "$tool" 5)" "$(med "$set" "$op" "$tool" 7)" \
    "$(awk -v k="$(med "$set" "$op" "$tool" 6)" 'BEGIN{print k/1024}')" \
    "$(col "$set" "$op" "$tool" 8 | sort | uniq -c | awk '{printf "%s%s x%s", (NR>1?", ":""), $2, $1}')" \
    "$(col "$set" "$op" "$tool" 9 | paste -sd ' ')" "$ratio"
done
for set in mixed small; do
  [[ -f "$WORK_DIR/sizes-$set-1" ]] && echo && echo "Stored size ($set, run 1): bundle $(cut -d' ' -f1 "$WORK_DIR/sizes-$set-1") bytes, tar.zst $(cut -d' ' -f2 "$WORK_DIR/sizes-$set-1") bytes."
done
echo "Raw results: $RESULTS"
