#!/usr/bin/env bash
# Benchmark: bundles vs the standard tools, on the same data in the same run.
#
# local: a folder of ~500 MB mixed data (TEXT_MB of log-like text, RANDOM_MB of random bytes in 50 MiB
#        files, SMALL_COUNT files of 10 KiB, half text, half random), generated under bench/out/.
#          migrator bundle create DIR --to B      vs  tar -I 'zstd -T2 -3' -cf T.tar.zst -C DIR .
#          migrator bundle restore B --to R       vs  tar -I zstd -xf T.tar.zst -C X
#        Every run is checked (migrator verify DIR R; diff -r DIR X).
# s3:    S3_COUNT objects of S3_SIZE bytes on an on-disk S3 endpoint (`migrator serve-s3 --dir`):
#          migrator bundle create s3://... --to LOCAL --readers N   vs  rclone copy a:bucket LOCAL --transfers N
#        checked by `migrator bundle verify` and `rclone check`.
# Prints Markdown tables of median wall time and the migrator/reference ratio, with load averages.
#
# Usage: bench/bundle-vs-tar.sh          RUNS=3 SETS="local s3" (see the variables below)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
RUNS="${RUNS:-3}"
SETS="${SETS:-local s3}"
TEXT_MB="${TEXT_MB:-150}"
RANDOM_MB="${RANDOM_MB:-150}"
SMALL_COUNT="${SMALL_COUNT:-20000}"     # 10 KiB files
S3_COUNT="${S3_COUNT:-20000}"
S3_SIZE="${S3_SIZE:-16384}"
READERS="${READERS:-16}"                # migrator --readers = rclone --transfers
PORT_A="${PORT_A:-18093}"
DATA="${DATA:-$REPO/bench/out/bundle-data}" # generated once, kept for later runs (bench/out is gitignored)
WORK_DIR="${WORK_DIR:-$REPO/bench/out/bundle-work}"
KEEP="${KEEP:-1}"
SERVE_S3="${SERVE_S3:-java -jar $MIGRATOR_JAR serve-s3}"
M=(java -jar "$MIGRATOR_JAR")

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need tar "Install GNU tar."
need zstd "Install zstd (apt-get install -y zstd)."

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
RESULTS="$WORK_DIR/bundle-results.tsv" # set op tool run wall rss_kb cpu_s check load1
: >"$RESULTS"

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
  log "  $set $op $tool run $run: ${wall}s, peak RSS $((rss / 1024)) MiB, load before $load, check: $status"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$set" "$op" "$tool" "$run" "$wall" "$rss" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" "$status" "$load" >>"$RESULTS"
}

gen_local() {
  [[ -f "$DATA/.complete" ]] && { log "reusing $DATA"; return; }
  rm -rf "$DATA"; mkdir -p "$DATA/text" "$DATA/random" "$DATA/small"
  log "generating ${TEXT_MB} MB of text, ${RANDOM_MB} MB random, $SMALL_COUNT x 10 KiB in $DATA"
  # Log-like text: compresses about 4:1 like real logs and exports.
  awk -v mb="$TEXT_MB" 'BEGIN { srand(7); split("user post follow like media upload timeout retry GET PUT 200 404 503 avatar image video export", w, " ");
    target = mb * 1048576; n = 0; f = 0; file = sprintf("text/log-%02d.txt", f);
    while (n < target) { line = sprintf("2026-11-28T%02d:%02d:%02d.%03dZ req=%08x %s %s /%s/%d bytes=%d\n", int(rand()*24), int(rand()*60), int(rand()*60), int(rand()*1000), int(rand()*4294967295), w[int(rand()*17)+1], w[int(rand()*17)+1], w[int(rand()*17)+1], int(rand()*100000), int(rand()*1000000));
      printf "%s", line > (ENVIRON["DATA"] "/" file); n += length(line); if (n > (f + 1) * 50 * 1048576) { close(ENVIRON["DATA"] "/" file); f++; file = sprintf("text/log-%02d.txt", f) } } }'
  local i
  for i in $(seq 1 $(( RANDOM_MB / 50 ))); do head -c $(( 50 * 1048576 )) /dev/urandom >"$DATA/random/blob-$i.bin"; done
  (cd "$DATA/small" && head -c $(( SMALL_COUNT / 2 * 10240 )) /dev/urandom >.r && split -b 10240 -a 5 -d .r rnd- && rm .r \
     && { cat "$DATA"/text/*.txt "$DATA"/text/*.txt || true; } | head -c $(( SMALL_COUNT / 2 * 10240 )) >.t && split -b 10240 -a 5 -d .t txt- && rm .t)
  touch "$DATA/.complete"
}

run_local() {
  export DATA
  gen_local
  local size; size=$(du -sb --exclude=.complete "$DATA" | cut -f1)
  log "local data: $(( size / 1048576 )) MiB in $(find "$DATA" -type f ! -name .complete | wc -l) files"
  local run
  for run in $(seq 1 "$RUNS"); do
    local b="$WORK_DIR/bundle-$run" t="$WORK_DIR/tar-$run.tar.zst" r="$WORK_DIR/restored-$run" x="$WORK_DIR/extracted-$run"
    rm -rf "$b" "$t" "$r" "$x" "$WORK_DIR/state-$run"
    local order="migrator tar"; (( run % 2 )) || order="tar migrator"
    for tool in $order; do
      if [[ $tool == migrator ]]; then
        timed local create migrator "$run" "${M[*]} bundle verify $b -q" -- "${M[@]}" bundle create "$DATA" --to "$b" --state "$WORK_DIR/state-$run" -q
      else
        timed local create tar "$run" "zstd -t -q $t" -- tar -I 'zstd -T2 -3' -cf "$t" -C "$DATA" .
      fi
    done
    for tool in $order; do
      if [[ $tool == migrator ]]; then
        timed local restore migrator "$run" "${M[*]} verify $DATA $r -q" -- "${M[@]}" bundle restore "$b" --to "$r" -q
      else
        mkdir -p "$x"
        timed local restore tar "$run" "diff -r -q $DATA $x" -- tar -I zstd -xf "$t" -C "$x"
        # migrator's local store fsyncs every file and its directory before it reports success; tar
        # does not. The same extraction followed by sync(1) is the like-for-like reference.
        rm -rf "$x"; mkdir -p "$x"; sync
        timed local restore tar+sync "$run" "diff -r -q $DATA $x" -- bash -c "tar -I zstd -xf '$t' -C '$x' && sync"
      fi
    done
    echo "$(du -sb "$b" | cut -f1) $(stat -c %s "$t")" >"$WORK_DIR/sizes-$run"
    rm -rf "$r" "$x" "$b" "$t"
  done
}

run_s3() {
  need rclone "Install rclone (apt-get install -y rclone)."
  rclone_remote a "$PORT_A"
  start_server a "$PORT_A" "$WORK_DIR/store-a"
  if ! rclone lsf "a:src" --max-depth 1 2>/dev/null | head -1 | grep -q .; then
    log "seeding $S3_COUNT x $S3_SIZE B into a:src (not timed)"
    local gen="$WORK_DIR/gen-s3"; mkdir -p "$gen"
    (cd "$gen" && head -c $(( S3_COUNT * S3_SIZE )) /dev/urandom >.all && split -b "$S3_SIZE" -a 6 -d .all obj- && rm .all)
    rclone mkdir a:src
    rclone copy "$gen" a:src --transfers 16
    rm -rf "$gen"
  fi
  local src; src=$(s3uri "$PORT_A" src)
  local run
  for run in $(seq 1 "$RUNS"); do
    local b="$WORK_DIR/s3-bundle-$run" c="$WORK_DIR/s3-rclone-$run"
    rm -rf "$b" "$c" "$WORK_DIR/s3-state-$run"
    local order="migrator rclone"; (( run % 2 )) || order="rclone migrator"
    for tool in $order; do
      if [[ $tool == migrator ]]; then
        timed s3 evacuate migrator "$run" "${M[*]} bundle verify $b -q" -- "${M[@]}" bundle create "$src" --to "$b" --readers "$READERS" --state "$WORK_DIR/s3-state-$run" -q
      else
        timed s3 evacuate rclone "$run" "rclone check a:src $c" -- rclone copy a:src "$c" --transfers "$READERS"
      fi
    done
    rm -rf "$b" "$c"
  done
}

mkdir -p "$WORK_DIR"
log "work dir $WORK_DIR; jar $MIGRATOR_JAR; $(nproc) CPUs; uptime: $(uptime)"
for set in $SETS; do "run_$set"; done

col() { awk -F'\t' -v s="$1" -v o="$2" -v t="$3" -v c="$4" '$1==s && $2==o && $3==t {print $c}' "$RESULTS"; }
echo
echo "### bundles vs tar+zstd and rclone ($(nproc) CPUs, RUNS=$RUNS, medians; uptime at the end: $(uptime | sed 's/.*load/load/'))"
echo
echo "| data | operation | tool | runs: wall s | median wall s | median peak RSS MiB | median CPU s | checks | load avg before runs | migrator/reference (wall) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
# rows: set op tool reference-tool (the ratio is tool/reference)
for row in "local create migrator tar" "local create tar -" "local restore migrator tar" "local restore tar -" \
           "local restore migrator tar+sync" "local restore tar+sync -" "s3 evacuate migrator rclone" "s3 evacuate rclone -"; do
  read -r set op tool ref <<<"$row"
  [[ " $SETS " == *" $set "* ]] || continue
  desc=$([[ $set == local ]] && echo "~500 MB mixed local folder" || echo "$S3_COUNT x $((S3_SIZE / 1024)) KiB from S3")
  ratio=""; [[ $ref != - ]] && ratio="$(awk -v x="$(col "$set" "$op" "$tool" 5 | median)" -v y="$(col "$set" "$op" "$ref" 5 | median)" 'BEGIN{printf "%.2f", x/y}') vs $ref"
  printf '| %s | %s | %s | %s | %s | %.0f | %s | %s | %s | %s |\n' "$desc" "$op" "$tool" \
    "$(col "$set" "$op" "$tool" 5 | paste -sd ' ')" "$(col "$set" "$op" "$tool" 5 | median)" \
    "$(awk -v k="$(col "$set" "$op" "$tool" 6 | median)" 'BEGIN{print k/1024}')" "$(col "$set" "$op" "$tool" 7 | median)" \
    "$(col "$set" "$op" "$tool" 8 | sort | uniq -c | awk '{printf "%s%s x%s", (NR>1?", ":""), $2, $1}')" \
    "$(col "$set" "$op" "$tool" 9 | paste -sd ' ')" "$ratio"
done
[[ -f "$WORK_DIR/sizes-1" ]] && echo && echo "Stored size, run 1: bundle $(cut -d' ' -f1 "$WORK_DIR/sizes-1") bytes, tar.zst $(cut -d' ' -f2 "$WORK_DIR/sizes-1") bytes."
echo "Raw results: $RESULTS"
