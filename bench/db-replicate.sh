#!/usr/bin/env bash
# Benchmark: PostgreSQL via replicate (logical replication), in one run on this machine.
#
# 1. Freeze window. For each pgbench scale in SCALES: a source on SRC_PORT (wal_level=logical, .ci/run's 15/mig3)
#    takes `pgbench -c 4 -R 200` writes from before the plan starts until its freeze hook stops them; the plan moves
#    the database via: replicate into a database on DST_PORT. The freeze window is measured from the freeze hook's
#    start to the switch hook's start (each hook writes the time); the run's own report says the same. After the
#    run the target must equal the source (the plan's full fingerprint after the switch, and `migrator verify`).
# 2. Bulk copy of the largest scale (one dominant table, pgbench_accounts), target on DST_PORT, RUNS times each in
#    rotating order:  migrator copy --follow --until-lag 30s (snapshot copy, then catch-up; slot dropped after)
#                     pg_dump -Fd -j JOBS + pg_restore -j JOBS;  pg_dump -Fc | pg_restore;  pgcopydb clone.
#    Wall and CPU seconds (user+sys of the tool and its children; the servers' CPU is not counted) per run,
#    medians printed, plus rows/s per worker (pgbench_accounts rows / wall / JOBS).
# pgbench_history has no primary key: the script sets REPLICA IDENTITY FULL on it (migrator refuses it otherwise).
#
# Usage: bench/db-replicate.sh      (SCALES="10 50" RUNS=3 JOBS=2 SRC_PORT=5434 DST_PORT=5433 PARTS="freeze bulk")
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
SCALES="${SCALES:-10 50}"
RUNS="${RUNS:-3}"
JOBS="${JOBS:-2}"
SRC_PORT="${SRC_PORT:-5434}"
DST_PORT="${DST_PORT:-5433}"
PARTS="${PARTS:-freeze bulk}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"
SERVE_S3=""
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need pgbench "Install the PostgreSQL client tools (apt-get install -y postgresql-client)."
need psql "Install the PostgreSQL client tools."
BIN=/usr/lib/postgresql/15/bin
MIG=(java -jar "$MIGRATOR_JAR")
export PGUSER=postgres PGHOST=127.0.0.1

psrc() { psql -q -X -v ON_ERROR_STOP=1 -p "$SRC_PORT" "$@"; }
pdst() { psql -q -X -v ON_ERROR_STOP=1 -p "$DST_PORT" "$@"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
uri() { echo "postgresql://postgres@127.0.0.1:$1/$2"; }
drop_dst() { pdst -d postgres -c "drop database if exists $1 with (force)" -c "drop database if exists ${1}_migrator_partial with (force)"; }
drop_slots() { psrc -d postgres -Atc "select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = '$1'" >/dev/null; }
drop_origins() { pdst -d postgres -Atc "select pg_replication_origin_drop(roname) from pg_replication_origin where roname like 'migrator\_%'" >/dev/null || true; }

make_source() { # db scale
  psrc -d postgres -c "drop database if exists $1 with (force)" -c "create database $1"
  "$BIN/pgbench" -q -i -s "$2" -p "$SRC_PORT" "$1" >/dev/null 2>&1
  psrc -d "$1" -c "alter table pgbench_history replica identity full"
}

results="$WORK_DIR/results.tsv"
: >"$results"
log "load: $(uptime)"

if [[ " $PARTS " == *" freeze "* ]]; then
  for scale in $SCALES; do
    src="bench_repl_src_$scale"; dst="bench_repl_dst_$scale"
    for run in $(seq 1 "$RUNS"); do
      log "freeze: scale $scale run $run"
      make_source "$src" "$scale"
      drop_dst "$dst"; drop_origins
      d="$WORK_DIR/freeze-$scale-$run"; mkdir -p "$d"
      cat >"$d/plan.yaml" <<PLAN
version: 1
sources: {db: '$(uri "$SRC_PORT" "$src")'}
targets: {new: '$(uri "$DST_PORT" "$dst")'}
moves:
  - {name: db, from: db, to: new, via: replicate, dump: {jobs: $JOBS}, change-rate: 200KiB/s}
limits: {attempts: 1}
hooks:
  freeze: [{name: read-only, run: 'date +%s.%N > $d/freeze.t; kill \$(cat $d/pgbench.pid); while kill -0 \$(cat $d/pgbench.pid) 2>/dev/null; do sleep 0.05; done', timeout: 30s, estimate: 1s}]
  switch: [{name: dns, run: 'date +%s.%N > $d/switch.t', timeout: 30s, estimate: 1s}]
PLAN
      "$BIN/pgbench" -n -c 4 -R 200 -T 3600 -p "$SRC_PORT" "$src" >"$d/pgbench.log" 2>&1 &
      echo $! >"$d/pgbench.pid"; PIDS+=($!)
      sleep 5 # writes going on before the plan starts
      /usr/bin/time -f "%e %U %S" -o "$d/time" "${MIG[@]}" run "$d/plan.yaml" --state "$d/state" >"$d/run.log" 2>&1 \
        || { cat "$d/run.log" >&2; exit 1; }
      wait "$(cat "$d/pgbench.pid")" 2>/dev/null || true
      freeze=$(echo "$(cat "$d/switch.t") - $(cat "$d/freeze.t")" | bc)
      reported=$(grep -o '"freezeWindowSeconds" *: *[0-9.]*' "$d/state/report.json" | grep -o '[0-9.]*$')
      txns=$(psrc -d "$src" -Atc "select count(*) from pgbench_history")
      "${MIG[@]}" verify "$(uri "$SRC_PORT" "$src")" "$(uri "$DST_PORT" "$dst")" >"$d/verify.log" 2>&1 \
        || { cat "$d/verify.log" >&2; echo "error: target differs after the cut-over" >&2; exit 1; }
      printf 'freeze\t%s\t%s\t%s\t%s\t%s\n' "$scale" "$run" "$freeze" "$reported" "$txns" >>"$results"
      log "  freeze hook -> switch hook: $freeze s (report: $reported s), $txns pgbench transactions; verify identical"
      drop_dst "$dst"; drop_origins
    done
    psrc -d postgres -c "drop database if exists $src with (force)"
  done
fi

if [[ " $PARTS " == *" bulk "* ]]; then
  scale="${SCALES##* }"
  src="bench_bulk_src"; dst="bench_bulk_dst"
  log "bulk: pgbench scale $scale source"
  make_source "$src" "$scale"
  rows=$((scale * 100000))
  tools=(migrator pgdump-dir pgdump-pipe pgcopydb)
  command -v pgcopydb >/dev/null || { log "pgcopydb not installed (apt-get install -y pgcopydb): skipped"; tools=(migrator pgdump-dir pgdump-pipe); }
  for run in $(seq 1 "$RUNS"); do
    n=${#tools[@]}
    for i in $(seq 0 $((n - 1))); do
      tool=${tools[$(((i + run - 1) % n))]}
      drop_dst "$dst"; drop_origins; drop_slots "$src"
      d="$WORK_DIR/bulk-$tool-$run"; rm -rf "$d"; mkdir -p "$d"
      case "$tool" in
        migrator) cmd=("${MIG[@]}" copy "$(uri "$SRC_PORT" "$src")" "$(uri "$DST_PORT" "$dst")" --follow --until-lag 30s --jobs "$JOBS" -q) ;;
        pgdump-dir) pdst -d postgres -c "create database $dst"
          cmd=(sh -c "$BIN/pg_dump -p $SRC_PORT -Fd -j $JOBS -f $d/dump $src && $BIN/pg_restore -p $DST_PORT -j $JOBS --no-owner -d $dst $d/dump") ;;
        pgdump-pipe) pdst -d postgres -c "create database $dst"
          cmd=(sh -c "$BIN/pg_dump -p $SRC_PORT -Fc -Z0 $src | $BIN/pg_restore -p $DST_PORT --no-owner -d $dst") ;;
        pgcopydb) pdst -d postgres -c "create database $dst"
          cmd=(pgcopydb clone --source "postgres://postgres@127.0.0.1:$SRC_PORT/$src" --target "postgres://postgres@127.0.0.1:$DST_PORT/$dst"
               --table-jobs "$JOBS" --index-jobs "$JOBS" --no-owner --no-acl --dir "$d/pgcopydb") ;;
      esac
      /usr/bin/time -f "%e %U %S" -o "$d/time" "${cmd[@]}" >"$d/log" 2>&1 || { tail -20 "$d/log" >&2; exit 1; }
      got=$(pdst -d "$dst" -Atc "select count(*) from pgbench_accounts")
      [[ "$got" == "$rows" ]] || { echo "error: $tool copied $got of $rows rows" >&2; exit 1; }
      read -r wall user sys <"$d/time"
      printf 'bulk\t%s\t%s\t%s\t%s\n' "$tool" "$run" "$wall" "$(echo "$user + $sys" | bc)" >>"$results"
      log "  $tool run $run: ${wall}s wall, $(echo "$user + $sys" | bc)s CPU"
    done
  done
  drop_dst "$dst"; drop_origins; drop_slots "$src"
  psrc -d postgres -c "drop database if exists $src with (force)"
fi

log "load: $(uptime)"
echo
if grep -q '^freeze' "$results"; then
  echo "| pgbench scale | freeze window median (s) | runs (s) | report's figure (s) | pgbench transactions before the freeze |"
  echo "|---|---|---|---|---|"
  for scale in $SCALES; do
    runs=$(awk -F'\t' -v s="$scale" '$1=="freeze" && $2==s {print $4}' "$results")
    [[ -z "$runs" ]] && continue
    printf '| %s | %.2f | %s | %s | %s |\n' "$scale" "$(echo "$runs" | median)" "$(echo "$runs" | xargs printf '%.2f ' | sed 's/ $//')" \
      "$(awk -F'\t' -v s="$scale" '$1=="freeze" && $2==s {printf "%s ", $5}' "$results" | sed 's/ $//')" \
      "$(awk -F'\t' -v s="$scale" '$1=="freeze" && $2==s {printf "%s ", $6}' "$results" | sed 's/ $//')"
  done
fi
if grep -q '^bulk' "$results"; then
  echo
  echo "| tool (scale ${SCALES##* }, $JOBS jobs) | median wall (s) | median CPU (s) | runs wall (s) | rows/s per worker |"
  echo "|---|---|---|---|---|"
  for tool in migrator pgdump-dir pgdump-pipe pgcopydb; do
    runs=$(awk -F'\t' -v t="$tool" '$1=="bulk" && $2==t {print $4}' "$results")
    [[ -z "$runs" ]] && continue
    wall=$(echo "$runs" | median)
    cpu=$(awk -F'\t' -v t="$tool" '$1=="bulk" && $2==t {print $5}' "$results" | median)
    workers=$JOBS; [[ "$tool" == pgdump-pipe ]] && workers=1
    printf '| %s | %.1f | %.1f | %s | %s |\n' "$tool" "$wall" "$cpu" "$(echo "$runs" | xargs printf '%.1f ' | sed 's/ $//')" \
      "$(echo "${SCALES##* } * 100000 / $wall / $workers" | bc)"
  done
fi
