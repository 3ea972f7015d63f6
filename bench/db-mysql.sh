#!/usr/bin/env bash
# Benchmark: MariaDB via replicate (binlog), in one run on this machine.
#
# 1. Bulk snapshot copy of a database dominated by one table (`accounts`, ROWS_BULK rows of ~120 bytes, plus two
#    small tables), source on SRC_PORT (binlog on: .ci/run's 3307 instance), target on DST_PORT, RUNS times each in
#    rotating order:   migrator copy --follow --until-lag 30s --jobs JOBS (snapshot copy, then catch-up)
#                      mydumper -t JOBS + myloader -t JOBS;   mariadb-dump --single-transaction | mariadb
#    Wall and CPU seconds (user+sys of the tool and its children; the servers' CPU is not counted), medians, and
#    rows/s per worker (accounts rows / wall / workers).
# 2. Freeze window. For each size in SIZES: a steady writer (one session, about RATE transactions/s of an insert and
#    an update) runs from before the plan starts until the plan's freeze hook stops it; the plan moves the database
#    via: replicate. The window is measured from the freeze hook's start to the switch hook's start (each hook
#    writes the time). After the run `migrator verify` must find the target identical.
#
# Usage: bench/db-mysql.sh    (SIZES="200000 1000000" ROWS_BULK=1000000 RUNS=3 JOBS=2 RATE=50 SRC_PORT=3307
#                              DST_PORT=3306 PARTS="bulk freeze")
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
SIZES="${SIZES:-200000 1000000}"
ROWS_BULK="${ROWS_BULK:-1000000}"
RUNS="${RUNS:-3}"
JOBS="${JOBS:-2}"
RATE="${RATE:-50}"
SRC_PORT="${SRC_PORT:-3307}"
DST_PORT="${DST_PORT:-3306}"
PARTS="${PARTS:-bulk freeze}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"
SERVE_S3=""
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need mariadb "Install the MariaDB client tools (apt-get install -y mariadb-client)."
need bc "Install bc (apt-get install -y bc)."
MIG=(java -jar "$MIGRATOR_JAR")

msrc() { mariadb --protocol=tcp -h 127.0.0.1 -P "$SRC_PORT" -u root "$@"; }
mdst() { mariadb --protocol=tcp -h 127.0.0.1 -P "$DST_PORT" -u root "$@"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
uri() { echo "mysql://root@127.0.0.1:$1/$2"; }
forget() { # the replication positions migrator recorded on the target server for source db $1
  mdst -e "delete from migrator_state.binlog_positions where source like '%/$1'" 2>/dev/null || true
}
drop_dst() { mdst -e "drop database if exists $1"; }

make_source() { # db rows
  msrc -e "drop database if exists $1; create database $1 character set utf8mb4"
  msrc "$1" -e "
    create table accounts (id bigint not null primary key, branch int not null, balance decimal(12,2) not null,
                           filler char(84) not null, updated timestamp(3) not null default current_timestamp(3)) engine = InnoDB;
    create table branches (id int primary key, name varchar(40) not null) engine = InnoDB;
    create table history (id bigint auto_increment primary key, account bigint not null, delta decimal(12,2) not null,
                          at timestamp(3) not null default current_timestamp(3)) engine = InnoDB;
    insert into branches select seq, concat('branch ', seq) from seq_1_to_100;
    insert into accounts (id, branch, balance, filler) select seq, 1 + seq % 100, 0, repeat('x', 84) from seq_1_to_$2;"
}

results="$WORK_DIR/results.tsv"
: >"$results"
log "load: $(uptime)"

if [[ " $PARTS " == *" bulk "* ]]; then
  src="bench_my_bulk_src"; dst="bench_my_bulk_dst"
  log "bulk: source with $ROWS_BULK accounts"
  make_source "$src" "$ROWS_BULK"
  tools=(migrator mydumper dump-pipe)
  command -v mydumper >/dev/null || { log "mydumper not installed (apt-get install -y mydumper): skipped"; tools=(migrator dump-pipe); }
  for run in $(seq 1 "$RUNS"); do
    n=${#tools[@]}
    for i in $(seq 0 $((n - 1))); do
      tool=${tools[$(((i + run - 1) % n))]}
      drop_dst "$dst"; forget "$src"
      d="$WORK_DIR/bulk-$tool-$run"; rm -rf "$d"; mkdir -p "$d"
      case "$tool" in
        migrator) cmd=("${MIG[@]}" copy "$(uri "$SRC_PORT" "$src")" "$(uri "$DST_PORT" "$dst")" --follow --until-lag 30s --jobs "$JOBS" -q) ;;
        mydumper) mdst -e "create database $dst"
          cmd=(sh -c "mydumper -h 127.0.0.1 -P $SRC_PORT -u root -B $src -t $JOBS -o $d/dump --trx-consistency-only >$d/mydumper.log 2>&1 \
                      && myloader -h 127.0.0.1 -P $DST_PORT -u root -B $dst -t $JOBS -d $d/dump") ;;
        dump-pipe) mdst -e "create database $dst"
          cmd=(sh -c "mariadb-dump --protocol=tcp -h 127.0.0.1 -P $SRC_PORT -u root --single-transaction --quick $src \
                      | mariadb --protocol=tcp -h 127.0.0.1 -P $DST_PORT -u root $dst") ;;
      esac
      /usr/bin/time -f "%e %U %S" -o "$d/time" "${cmd[@]}" >"$d/log" 2>&1 || { tail -20 "$d/log" >&2; exit 1; }
      got=$(mdst -N -e "select count(*) from $dst.accounts")
      [[ "$got" == "$ROWS_BULK" ]] || { echo "error: $tool copied $got of $ROWS_BULK rows" >&2; exit 1; }
      read -r wall user sys <"$d/time"
      printf 'bulk\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$run" "$wall" "$(echo "$user + $sys" | bc)" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$results"
      log "  $tool run $run: ${wall}s wall, $(echo "$user + $sys" | bc)s CPU, load $(cut -d' ' -f1 /proc/loadavg)"
    done
  done
  drop_dst "$dst"; forget "$src"
  msrc -e "drop database if exists $src"
fi

if [[ " $PARTS " == *" freeze "* ]]; then
  for size in $SIZES; do
    src="bench_my_repl_src_$size"; dst="bench_my_repl_dst_$size"
    for run in $(seq 1 "$RUNS"); do
      log "freeze: $size accounts, run $run"
      make_source "$src" "$size"
      drop_dst "$dst"; forget "$src"
      d="$WORK_DIR/freeze-$size-$run"; mkdir -p "$d"
      cat >"$d/plan.yaml" <<PLAN
version: 1
sources: {db: '$(uri "$SRC_PORT" "$src")'}
targets: {new: '$(uri "$DST_PORT" "$dst")'}
moves:
  - {name: db, from: db, to: new, via: replicate, dump: {jobs: $JOBS}, change-rate: 100KiB/s}
limits: {attempts: 1}
hooks:
  freeze: [{name: read-only, run: 'date +%s.%N > $d/freeze.t; touch $d/stop; while [ ! -e $d/stopped ]; do sleep 0.05; done', timeout: 30s, estimate: 1s}]
  switch: [{name: dns, run: 'date +%s.%N > $d/switch.t', timeout: 30s, estimate: 1s}]
PLAN
      # the steady writer: one session, RATE transactions a second, until the freeze hook asks it to stop
      ( i=0; while [ ! -e "$d/stop" ]; do
          i=$((i + 1)); a=$((1 + (i * 7919) % size))
          echo "begin; insert into history (account, delta) values ($a, 1.5); update accounts set balance = balance + 1.5 where id = $a; commit;"
          sleep "$(echo "scale=4; 1 / $RATE" | bc)"
        done | msrc "$src"; touch "$d/stopped" ) &
      PIDS+=($!)
      sleep 5 # writes going on before the plan starts
      /usr/bin/time -f "%e %U %S" -o "$d/time" "${MIG[@]}" run "$d/plan.yaml" --state "$d/state" >"$d/run.log" 2>&1 \
        || { cat "$d/run.log" >&2; exit 1; }
      freeze=$(echo "$(cat "$d/switch.t") - $(cat "$d/freeze.t")" | bc)
      txns=$(msrc -N -e "select count(*) from $src.history")
      "${MIG[@]}" verify "$(uri "$SRC_PORT" "$src")" "$(uri "$DST_PORT" "$dst")" >"$d/verify.log" 2>&1 \
        || { cat "$d/verify.log" >&2; echo "error: target differs after the cut-over" >&2; exit 1; }
      printf 'freeze\t%s\t%s\t%s\t%s\t%s\n' "$size" "$run" "$freeze" "$txns" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$results"
      log "  freeze hook -> switch hook: $freeze s, $txns writer transactions; verify identical; load $(cut -d' ' -f1 /proc/loadavg)"
      drop_dst "$dst"; forget "$src"
    done
    msrc -e "drop database if exists $src"
  done
fi

log "load: $(uptime)"
echo
if grep -q '^bulk' "$results"; then
  echo "| tool ($ROWS_BULK rows, $JOBS jobs) | median wall (s) | median CPU (s) | runs wall (s) | rows/s per worker | load (1/5/15 min) |"
  echo "|---|---|---|---|---|---|"
  for tool in migrator mydumper dump-pipe; do
    runs=$(awk -F'\t' -v t="$tool" '$1=="bulk" && $2==t {print $4}' "$results")
    [[ -z "$runs" ]] && continue
    wall=$(echo "$runs" | median)
    cpu=$(awk -F'\t' -v t="$tool" '$1=="bulk" && $2==t {print $5}' "$results" | median)
    workers=$JOBS; [[ "$tool" == dump-pipe ]] && workers=1
    printf '| %s | %.1f | %.1f | %s | %s | %s |\n' "$tool" "$wall" "$cpu" "$(echo "$runs" | xargs printf '%.1f ' | sed 's/ $//')" \
      "$(echo "$ROWS_BULK / $wall / $workers" | bc)" "$(awk -F'\t' -v t="$tool" '$1=="bulk" && $2==t {print $6}' "$results" | tail -1)"
  done
fi
if grep -q '^freeze' "$results"; then
  echo
  echo "| accounts rows | freeze window median (s) | runs (s) | writer transactions before the freeze | load (1/5/15 min) |"
  echo "|---|---|---|---|---|"
  for size in $SIZES; do
    runs=$(awk -F'\t' -v s="$size" '$1=="freeze" && $2==s {print $4}' "$results")
    [[ -z "$runs" ]] && continue
    printf '| %s | %.2f | %s | %s | %s |\n' "$size" "$(echo "$runs" | median)" "$(echo "$runs" | xargs printf '%.2f ' | sed 's/ $//')" \
      "$(awk -F'\t' -v s="$size" '$1=="freeze" && $2==s {printf "%s ", $5}' "$results" | sed 's/ $//')" \
      "$(awk -F'\t' -v s="$size" '$1=="freeze" && $2==s {print $6}' "$results" | tail -1)"
  done
fi
