#!/usr/bin/env bash
# Benchmark: migrator's database snapshot/restore and direct copy against the same work done by hand
# with the engines' own tools, in one run, on the same machine and data.
#
# PostgreSQL (source: a pgbench database of scale PG_SCALE on PG_PORT; target: PG_TARGET_PORT, a
# second cluster = "another host" when it runs, see .ci/run):
#   snapshot+restore  by hand:  pg_dump -Fd -j JOBS  then  createdb + pg_restore -j JOBS
#                     migrator: migrator bundle create SRC --to DIR  then  migrator bundle restore DIR --to DST
#   direct copy       by hand:  pg_dump -Fc | pg_restore -d DST   (createdb first)
#                     migrator: migrator copy SRC DST --no-verify   (and once with verify, reported apart)
# MariaDB (source: MY_ROWS rows shaped like pgbench_accounts + branches/tellers; target: another
# database on the same server):
#   direct copy       by hand:  mariadb-dump --single-transaction --routines --triggers --events | mariadb DST
#                     migrator: migrator copy SRC DST --no-verify   (definers filtered, the default)
#                               migrator copy SRC DST --no-verify --owner   (OS pipe, nothing in the JVM)
#   snapshot+restore  by hand:  mariadb-dump ... > dump.sql  then  mariadb DST < dump.sql
#                     migrator: bundle create + bundle restore
# Every timed target is checked (row counts of the big table); each pair runs RUNS times, alternating
# which goes first; the median wall time is printed as a Markdown table with the load average.
#
# Usage: bench/db-vs-pgdump.sh      (PG_SCALE=50 RUNS=3 MY_ROWS=2000000 ENGINES="pg my" KEEP_SOURCE=1)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
RUNS="${RUNS:-3}"
ENGINES="${ENGINES:-pg my}"
JOBS="${JOBS:-2}"
PG_SCALE="${PG_SCALE:-50}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_TARGET_PORT="${PG_TARGET_PORT:-5433}"
PG_USER="${PG_USER:-postgres}"
MY_HOST="${MY_HOST:-127.0.0.1}"
MY_PORT="${MY_PORT:-3306}"
MY_USER="${MY_USER:-root}"
MY_ROWS="${MY_ROWS:-2000000}"
KEEP_SOURCE="${KEEP_SOURCE:-1}"           # 1: keep (and reuse) the generated source databases
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"
SERVE_S3=":"                             # lib.sh's S3 endpoints are not used here

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need psql "Install the PostgreSQL client tools (apt-get install -y postgresql-client)."
need pg_dump "Install the PostgreSQL client tools."
need pgbench "Install pgbench (apt-get install -y postgresql-contrib or postgresql-client)."
need mariadb "Install the MariaDB client (apt-get install -y mariadb-client)."
need mariadb-dump "Install the MariaDB client (apt-get install -y mariadb-client)."

MIGRATOR="java -jar $MIGRATOR_JAR"
export PGUSER="$PG_USER" PGHOST="$PG_HOST"
if ! pg_isready -q -h "$PG_HOST" -p "$PG_TARGET_PORT"; then
  log "no PostgreSQL on port $PG_TARGET_PORT (run .ci/run to create the second cluster); restoring into port $PG_PORT instead"
  PG_TARGET_PORT="$PG_PORT"
fi
PG_SRC_DB="mig_db_bench_pgbench_s${PG_SCALE}"
PG_SRC="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$PG_SRC_DB"
pg_target() { echo "postgresql://$PG_USER@$PG_HOST:$PG_TARGET_PORT/$1"; }
MY_SRC_DB="mig_db_bench_my_${MY_ROWS}"
my() { mariadb --protocol=TCP -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" "$@"; }

RESULTS="$WORK_DIR/results.tsv"
: >"$RESULTS"
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }
record() { # case tool seconds
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"
  log "$1 / $2: $3 s"
}

pg_drop() { dropdb -p "$PG_TARGET_PORT" --if-exists --force "$1" >/dev/null 2>&1; }
pg_check() { # db: the restored copy has every account
  local n; n="$(psql -p "$PG_TARGET_PORT" -d "$1" -Atc 'select count(*) from pgbench_accounts')"
  [[ "$n" == "$((PG_SCALE * 100000))" ]] || { echo "error: $1 has $n accounts, expected $((PG_SCALE * 100000))" >&2; exit 1; }
}
my_drop() { my -e "drop database if exists \`$1\`"; }
my_check() {
  local n; n="$(my -N -e "select count(*) from \`$1\`.accounts")"
  [[ "$n" == "$MY_ROWS" ]] || { echo "error: $1 has $n accounts, expected $MY_ROWS" >&2; exit 1; }
}

# --- PostgreSQL -----------------------------------------------------------------------------------
pg_hand_snapshot() { # run
  local dir="$WORK_DIR/pg-hand-$1.d" db="mig_db_bench_hand_$1" t0 t1
  rm -rf "$dir"; pg_drop "$db"
  t0="$(now)"
  pg_dump -p "$PG_PORT" -Fd -j "$JOBS" -f "$dir" "$PG_SRC_DB"
  createdb -p "$PG_TARGET_PORT" -T template0 "$db"
  pg_restore -p "$PG_TARGET_PORT" -j "$JOBS" --no-owner --no-privileges --exit-on-error -d "$db" "$dir"
  t1="$(now)"
  pg_check "$db"; pg_drop "$db"; rm -rf "$dir"
  record "PostgreSQL snapshot + restore" "by hand (pg_dump -Fd -j$JOBS, pg_restore -j$JOBS)" "$(echo "$t1 - $t0" | bc)"
}
pg_migrator_snapshot() {
  local dir="$WORK_DIR/pg-bundle-$1" db="mig_db_bench_mig_$1" t0 t1
  rm -rf "$dir"; pg_drop "$db"
  t0="$(now)"
  $MIGRATOR bundle create "$PG_SRC" --to "$dir" -q >/dev/null
  $MIGRATOR bundle restore "$dir" --to "$(pg_target "$db")" -q >/dev/null
  t1="$(now)"
  pg_check "$db"; pg_drop "$db"; rm -rf "$dir"
  record "PostgreSQL snapshot + restore" "migrator bundle create + bundle restore (file://)" "$(echo "$t1 - $t0" | bc)"
}
pg_hand_pipe() {
  local db="mig_db_bench_pipe_$1" t0 t1
  pg_drop "$db"
  t0="$(now)"
  createdb -p "$PG_TARGET_PORT" -T template0 "$db"
  pg_dump -p "$PG_PORT" -Fc "$PG_SRC_DB" | pg_restore -p "$PG_TARGET_PORT" --no-owner --no-privileges --exit-on-error -d "$db"
  t1="$(now)"
  pg_check "$db"; pg_drop "$db"
  record "PostgreSQL direct copy" "by hand (pg_dump -Fc | pg_restore)" "$(echo "$t1 - $t0" | bc)"
}
pg_migrator_copy() {
  local db="mig_db_bench_copy_$1" t0 t1
  pg_drop "$db"
  t0="$(now)"
  $MIGRATOR copy "$PG_SRC" "$(pg_target "$db")" --no-verify -q >/dev/null
  t1="$(now)"
  pg_check "$db"
  record "PostgreSQL direct copy" "migrator copy --no-verify" "$(echo "$t1 - $t0" | bc)"
  if [[ "$1" == 1 ]]; then
    t0="$(now)"
    $MIGRATOR verify "$PG_SRC" "$(pg_target "$db")" >/dev/null
    t1="$(now)"
    record "PostgreSQL verify (both fingerprints)" "migrator verify" "$(echo "$t1 - $t0" | bc)"
  fi
  pg_drop "$db"
}

if [[ " $ENGINES " == *" pg "* ]]; then
  if ! psql -p "$PG_PORT" -d "$PG_SRC_DB" -Atc 'select 1 from pgbench_accounts limit 1' >/dev/null 2>&1; then
    log "creating $PG_SRC_DB (pgbench -i -s $PG_SCALE, not timed)"
    dropdb -p "$PG_PORT" --if-exists "$PG_SRC_DB"; createdb -p "$PG_PORT" "$PG_SRC_DB"
    pgbench -p "$PG_PORT" -i -s "$PG_SCALE" -q "$PG_SRC_DB" >/dev/null 2>&1
  fi
  log "PostgreSQL source: $PG_SRC ($(psql -p "$PG_PORT" -d "$PG_SRC_DB" -Atc "select pg_size_pretty(pg_database_size(current_database()))")); target port $PG_TARGET_PORT"
  for run in $(seq 1 "$RUNS"); do
    if (( run % 2 )); then pg_hand_snapshot "$run"; pg_migrator_snapshot "$run"; pg_hand_pipe "$run"; pg_migrator_copy "$run"
    else pg_migrator_snapshot "$run"; pg_hand_snapshot "$run"; pg_migrator_copy "$run"; pg_hand_pipe "$run"; fi
  done
  [[ "$KEEP_SOURCE" == 1 ]] || dropdb -p "$PG_PORT" "$PG_SRC_DB"
fi

# --- MariaDB --------------------------------------------------------------------------------------
MY_DUMP_ARGS=(--protocol=TCP -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" --single-transaction --routines --triggers --events
  --hex-blob --default-character-set=utf8mb4)
my_hand_pipe() {
  local db="mig_db_bench_mypipe_$1" t0 t1
  my_drop "$db"
  t0="$(now)"
  my -e "create database \`$db\`"
  mariadb-dump "${MY_DUMP_ARGS[@]}" "$MY_SRC_DB" | my --default-character-set=utf8mb4 "$db"
  t1="$(now)"
  my_check "$db"; my_drop "$db"
  record "MariaDB direct copy" "by hand (mariadb-dump | mariadb)" "$(echo "$t1 - $t0" | bc)"
}
my_migrator_copy() { # run [extra args]
  local run=$1; shift
  local db="mig_db_bench_mycopy_$run" t0 t1
  my_drop "$db"
  t0="$(now)"
  $MIGRATOR copy "mysql://$MY_USER@$MY_HOST:$MY_PORT/$MY_SRC_DB" "mysql://$MY_USER@$MY_HOST:$MY_PORT/$db" --no-verify -q "$@" >/dev/null
  t1="$(now)"
  my_check "$db"; my_drop "$db"
  record "MariaDB direct copy" "migrator copy --no-verify${*:+ $*}" "$(echo "$t1 - $t0" | bc)"
}
my_hand_snapshot() {
  local dir="$WORK_DIR/my-hand-$1" db="mig_db_bench_myhand_$1" t0 t1
  rm -rf "$dir"; mkdir -p "$dir"; my_drop "$db"
  t0="$(now)"
  mariadb-dump "${MY_DUMP_ARGS[@]}" "$MY_SRC_DB" >"$dir/dump.sql"
  my -e "create database \`$db\`"
  my --default-character-set=utf8mb4 "$db" <"$dir/dump.sql"
  t1="$(now)"
  my_check "$db"; my_drop "$db"; rm -rf "$dir"
  record "MariaDB snapshot + restore" "by hand (mariadb-dump > file; mariadb < file)" "$(echo "$t1 - $t0" | bc)"
}
my_migrator_snapshot() {
  local dir="$WORK_DIR/my-bundle-$1" db="mig_db_bench_mymig_$1" t0 t1
  rm -rf "$dir"; my_drop "$db"
  t0="$(now)"
  $MIGRATOR bundle create "mysql://$MY_USER@$MY_HOST:$MY_PORT/$MY_SRC_DB" --to "$dir" -q >/dev/null
  $MIGRATOR bundle restore "$dir" --to "mysql://$MY_USER@$MY_HOST:$MY_PORT/$db" -q >/dev/null
  t1="$(now)"
  my_check "$db"; my_drop "$db"; rm -rf "$dir"
  record "MariaDB snapshot + restore" "migrator bundle create + bundle restore (file://)" "$(echo "$t1 - $t0" | bc)"
}

if [[ " $ENGINES " == *" my "* ]]; then
  if [[ "$(my -N -e "select count(*) from \`$MY_SRC_DB\`.accounts" 2>/dev/null || true)" != "$MY_ROWS" ]]; then
    log "creating $MY_SRC_DB ($MY_ROWS accounts shaped like pgbench's, not timed)"
    my_drop "$MY_SRC_DB"
    my -e "create database \`$MY_SRC_DB\`"
    my "$MY_SRC_DB" -e "
      create table branches (bid int primary key, bbalance int, filler char(88)) engine=InnoDB;
      create table tellers (tid int primary key, bid int, tbalance int, filler char(84)) engine=InnoDB;
      create table accounts (aid int primary key, bid int, abalance int, filler char(84)) engine=InnoDB;
      insert into branches select seq, 0, '' from seq_1_to_$((MY_ROWS / 100000 + 1));
      insert into tellers select seq, 1 + seq div 10, 0, '' from seq_1_to_$((MY_ROWS / 10000 + 1));
      insert into accounts select seq, 1 + seq div 100000, 0, '' from seq_1_to_$MY_ROWS;"
  fi
  log "MariaDB source: $MY_SRC_DB ($(my -N -e "select concat(round(sum(data_length + index_length) / 1048576), ' MiB') from information_schema.tables where table_schema = '$MY_SRC_DB'"))"
  for run in $(seq 1 "$RUNS"); do
    if (( run % 2 )); then my_hand_pipe "$run"; my_migrator_copy "$run"; my_migrator_copy "$run" --owner; my_hand_snapshot "$run"; my_migrator_snapshot "$run"
    else my_migrator_copy "$run" --owner; my_migrator_copy "$run"; my_hand_pipe "$run"; my_migrator_snapshot "$run"; my_hand_snapshot "$run"; fi
  done
  [[ "$KEEP_SOURCE" == 1 ]] || my_drop "$MY_SRC_DB"
fi

# --- Report ---------------------------------------------------------------------------------------
echo
echo "Load: $(uptime)"
echo
echo "| case | tool | median wall (s) | runs (s) |"
echo "|---|---|---:|---|"
cut -f1,2 "$RESULTS" | awk '!seen[$0]++' | while IFS=$'\t' read -r c t; do
  runs="$(awk -F'\t' -v c="$c" -v t="$t" '$1 == c && $2 == t {print $3}' "$RESULTS")"
  printf '| %s | %s | %.1f | %s |\n' "$c" "${t//|/\\|}" "$(echo "$runs" | median)" "$(echo "$runs" | xargs printf '%.1f ' | sed 's/ $//')"
done
