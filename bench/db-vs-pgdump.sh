#!/usr/bin/env bash
# Benchmark: migrator's database snapshot/restore and direct copy against the same work done by hand
# with the engines' own tools, in one run, on the same machine and data.
#
# PostgreSQL (source: a pgbench database of scale PG_SCALE on PG_PORT; target: PG_TARGET_PORT, a
# second cluster = "another host" when it runs, see .ci/run):
#   snapshot+restore  by hand:  pg_dump -Fd -j JOBS  then  createdb + pg_restore -j JOBS
#                     migrator: migrator bundle create SRC --to DIR  then  migrator bundle restore DIR --to DST
#   direct copy       by hand:  pg_dump -Fc -Z0 | pg_restore --single-transaction -d DST   (createdb first; the
#                               flags of migrator's own pipe, issue 11's reference)
#                     migrator: migrator copy SRC DST --no-verify   (and once with verify, reported apart)
# MariaDB (source: MY_ROWS rows shaped like pgbench_accounts + branches/tellers; target: another
# database on the same server):
#   direct copy       by hand:  mariadb-dump --single-transaction --routines --triggers --events | mariadb DST
#                     migrator: migrator copy SRC DST --no-verify   (definers filtered, the default)
#                               migrator copy SRC DST --no-verify --owner   (OS pipe, nothing in the JVM)
#   snapshot+restore  by hand:  mariadb-dump ... > dump.sql  then  mariadb DST < dump.sql
#                     migrator: bundle create + bundle restore
# Every timed target is checked (row counts of the big table); each pair runs RUNS times, alternating
# which goes first; the median wall time and the median CPU-seconds (user + system of the whole process tree:
# JVM and tools, or both ends of the pipe) are printed as a Markdown table with the load average. CPU-s are
# the steadier figure on a loaded machine.
#
# FORMATS=1 adds, once, the measurement behind the choice of pg_dump format: dump time and size of
# -Fd -j JOBS (default compression, -Z1, -Z0) and -Fc, and pg_restore -j JOBS time of each.
#
# Usage: bench/db-vs-pgdump.sh      (PG_SCALE=50 RUNS=3 MY_ROWS=2000000 ENGINES="pg my" PG_CASES="snapshot copy"
#                                    FORMATS=0 KEEP_SOURCE=1 TARBALL= DB_PREFIX=mig_db_bench)
# TARBALL=migrator-cli/target/migrator-VERSION.tar.gz runs migrator as users do, through bin/migrator of that
# distribution with its class archive (written by one untimed training run first); without it, `java -jar`.
# TRAIN= what that training run is: file (default: a one-file copy, so the archive lacks the database driver's classes,
# as for a user whose first command was an object copy) or db (a --dry-run of the PostgreSQL copy measured, as for a
# user whose first command was a database one: the driver's and the provider's classes are archived too).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
RUNS="${RUNS:-3}"
ENGINES="${ENGINES-pg my}"            # empty: no engine runs (e.g. with FORMATS=1 alone)
JOBS="${JOBS:-2}"
PG_SCALE="${PG_SCALE:-50}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_TARGET_PORT="${PG_TARGET_PORT:-5433}"
PG_CASES="${PG_CASES:-snapshot copy}"    # which PostgreSQL pairs run: snapshot (+ restore), copy (direct)
PG_USER="${PG_USER:-postgres}"
MY_HOST="${MY_HOST:-127.0.0.1}"
MY_PORT="${MY_PORT:-3306}"
MY_USER="${MY_USER:-root}"
MY_ROWS="${MY_ROWS:-2000000}"
FORMATS="${FORMATS:-0}"
KEEP_SOURCE="${KEEP_SOURCE:-1}"           # 1: keep (and reuse) the generated source databases
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"
DB_PREFIX="${DB_PREFIX:-mig_db_bench}"    # names of the databases made (source and targets): keeps parallel runs apart
TRAIN="${TRAIN:-file}"                    # the launcher's training run: file or db (see above)
TARBALL="${TARBALL:-}"                    # a distribution to run migrator through its launcher (default: java -jar)
SERVE_S3=":"                             # lib.sh's S3 endpoints are not used here

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
need psql "Install the PostgreSQL client tools (apt-get install -y postgresql-client)."
need pg_dump "Install the PostgreSQL client tools."
need pgbench "Install pgbench (apt-get install -y postgresql-contrib or postgresql-client)."
need mariadb "Install the MariaDB client (apt-get install -y mariadb-client)."
need mariadb-dump "Install the MariaDB client (apt-get install -y mariadb-client)."

MIGRATOR="java -jar $MIGRATOR_JAR"
if [[ -n "$TARBALL" ]]; then
  [[ -f "$TARBALL" ]] || { echo "error: TARBALL=$TARBALL not found: build it with ./mvnw -q -B package -DskipTests" >&2; exit 2; }
  mkdir -p "$WORK_DIR/dist" && tar xzf "$TARBALL" -C "$WORK_DIR/dist"
  export XDG_CACHE_HOME="$WORK_DIR/cache"
  MIGRATOR="$(ls -d "$WORK_DIR"/dist/migrator-*/)bin/migrator"
  if [[ "$TRAIN" == file ]]; then
    mkdir -p "$WORK_DIR/train" && echo train >"$WORK_DIR/train/f"
    $MIGRATOR copy "$WORK_DIR/train" "$WORK_DIR/train-out" --state "$WORK_DIR/train-state" -q >/dev/null # writes the archive
    rm -rf "$WORK_DIR/train" "$WORK_DIR/train-out" "$WORK_DIR/train-state"
  elif [[ "$TRAIN" != db ]]; then
    echo "error: TRAIN=$TRAIN: say file or db" >&2; exit 2
  fi
fi
export PGUSER="$PG_USER" PGHOST="$PG_HOST"
if ! pg_isready -q -h "$PG_HOST" -p "$PG_TARGET_PORT"; then
  log "no PostgreSQL on port $PG_TARGET_PORT (run .ci/run to create the second cluster); restoring into port $PG_PORT instead"
  PG_TARGET_PORT="$PG_PORT"
fi
PG_SRC_DB="${DB_PREFIX}_pgbench_s${PG_SCALE}"
PG_SRC="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$PG_SRC_DB"
pg_target() { echo "postgresql://$PG_USER@$PG_HOST:$PG_TARGET_PORT/$1"; }
MY_SRC_DB="${DB_PREFIX}_my_${MY_ROWS}"
my() { mariadb --protocol=TCP -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" "$@"; }

RESULTS="$WORK_DIR/results.tsv"
: >"$RESULTS"
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }
# CPU-seconds (user + system) of every child this shell has waited for, with their own waited-for children
# (java's pg_dump and pg_restore, a pipe's both ends). `times` must run in this shell, not in a $(...) subshell
# (which has no children of its own), so it writes a file that is read apart.
child_cpu() { # sets CHILD_CPU
  times >"$WORK_DIR/times"
  CHILD_CPU="$(tail -n1 "$WORK_DIR/times" | awk '{t = 0; for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); t += a[1] * 60 + a[2]} print t}')"
}
clock_start() { child_cpu; C0="$CHILD_CPU"; T0="$(now)"; }
clock_stop() { # sets ELAPSED (wall s) and CPU (CPU-s) since clock_start
  local t1; t1="$(now)"
  child_cpu
  ELAPSED="$(echo "$t1 - $T0" | bc)"; CPU="$(echo "$CHILD_CPU - $C0" | bc)"
}
record() { # case tool wall-seconds cpu-seconds
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"
  log "$1 / $2: $3 s, $4 CPU-s"
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
  local dir="$WORK_DIR/pg-hand-$1.d" db="${DB_PREFIX}_hand_$1"
  rm -rf "$dir"; pg_drop "$db"
  clock_start
  pg_dump -p "$PG_PORT" -Fd -j "$JOBS" -f "$dir" "$PG_SRC_DB"
  createdb -p "$PG_TARGET_PORT" -T template0 "$db"
  pg_restore -p "$PG_TARGET_PORT" -j "$JOBS" --no-owner --no-privileges --exit-on-error -d "$db" "$dir"
  clock_stop
  pg_check "$db"; pg_drop "$db"; rm -rf "$dir"
  record "PostgreSQL snapshot + restore" "by hand (pg_dump -Fd -j$JOBS, pg_restore -j$JOBS)" "$ELAPSED" "$CPU"
}
pg_migrator_snapshot() {
  local dir="$WORK_DIR/pg-bundle-$1" db="${DB_PREFIX}_mig_$1"
  rm -rf "$dir"; pg_drop "$db"
  clock_start
  $MIGRATOR bundle create "$PG_SRC" --to "$dir" -q >/dev/null
  $MIGRATOR bundle restore "$dir" --to "$(pg_target "$db")" -q >/dev/null
  clock_stop
  pg_check "$db"; pg_drop "$db"; rm -rf "$dir"
  record "PostgreSQL snapshot + restore" "migrator bundle create + bundle restore (file://)" "$ELAPSED" "$CPU"
}
pg_hand_pipe() {
  local db="${DB_PREFIX}_pipe_$1"
  pg_drop "$db"
  clock_start
  createdb -p "$PG_TARGET_PORT" -T template0 "$db"
  pg_dump -p "$PG_PORT" -Fc -Z0 "$PG_SRC_DB" \
    | pg_restore -p "$PG_TARGET_PORT" --single-transaction --no-owner --no-privileges --exit-on-error -d "$db"
  clock_stop
  pg_check "$db"; pg_drop "$db"
  record "PostgreSQL direct copy" "by hand (pg_dump -Fc -Z0 | pg_restore --single-transaction)" "$ELAPSED" "$CPU"
}
pg_migrator_copy() {
  local db="${DB_PREFIX}_copy_$1"
  pg_drop "$db"
  clock_start
  $MIGRATOR copy "$PG_SRC" "$(pg_target "$db")" --no-verify -q >/dev/null
  clock_stop
  pg_check "$db"
  record "PostgreSQL direct copy" "migrator copy --no-verify" "$ELAPSED" "$CPU"
  if [[ "$1" == 1 ]]; then
    clock_start
    $MIGRATOR verify "$PG_SRC" "$(pg_target "$db")" >/dev/null
    clock_stop
    record "PostgreSQL verify (both fingerprints)" "migrator verify" "$ELAPSED" "$CPU"
  fi
  pg_drop "$db"
}

pg_formats() {
  local name args dir db dump_s dump_cpu
  for name in "Fd-j$JOBS" "Fd-j$JOBS-Z1" "Fd-j$JOBS-Z0" "Fc" "Fc-Z0"; do
    case "$name" in
      "Fd-j$JOBS") args=(-Fd -j "$JOBS") ;; "Fd-j$JOBS-Z1") args=(-Fd -j "$JOBS" -Z1) ;; "Fd-j$JOBS-Z0") args=(-Fd -j "$JOBS" -Z0) ;;
      Fc) args=(-Fc) ;; Fc-Z0) args=(-Fc -Z0) ;;
    esac
    dir="$WORK_DIR/fmt-$name"; db="${DB_PREFIX}_fmt"; rm -rf "$dir"; pg_drop "$db"
    clock_start; pg_dump -p "$PG_PORT" "${args[@]}" -f "$dir" "$PG_SRC_DB"; clock_stop
    dump_s="$ELAPSED"; dump_cpu="$CPU"
    clock_start
    createdb -p "$PG_TARGET_PORT" -T template0 "$db"
    pg_restore -p "$PG_TARGET_PORT" -j "$JOBS" --no-owner --no-privileges --exit-on-error -d "$db" "$dir"; clock_stop
    pg_check "$db"; pg_drop "$db"
    record "pg_dump format $name ($(du -sh "$dir" | cut -f1))" "pg_dump" "$dump_s" "$dump_cpu"
    record "pg_dump format $name ($(du -sh "$dir" | cut -f1))" "pg_restore -j$JOBS" "$ELAPSED" "$CPU"
    rm -rf "$dir"
  done
}

if [[ " $ENGINES " == *" pg "* || "$FORMATS" == 1 ]]; then
  if ! psql -p "$PG_PORT" -d "$PG_SRC_DB" -Atc 'select 1 from pgbench_accounts limit 1' >/dev/null 2>&1; then
    log "creating $PG_SRC_DB (pgbench -i -s $PG_SCALE, not timed)"
    dropdb -p "$PG_PORT" --if-exists "$PG_SRC_DB"; createdb -p "$PG_PORT" "$PG_SRC_DB"
    pgbench -p "$PG_PORT" -i -s "$PG_SCALE" -q "$PG_SRC_DB" >/dev/null 2>&1
  fi
  log "PostgreSQL source: $PG_SRC ($(psql -p "$PG_PORT" -d "$PG_SRC_DB" -Atc "select pg_size_pretty(pg_database_size(current_database()))")); target port $PG_TARGET_PORT"
  if [[ "$FORMATS" == 1 ]]; then pg_formats; fi
  if [[ -n "$TARBALL" && "$TRAIN" == db ]]; then # writes the archive (a dry run connects to the source alone)
    $MIGRATOR copy "$PG_SRC" "$(pg_target "${DB_PREFIX}_train")" --dry-run -q >/dev/null
  fi
fi
if [[ " $ENGINES " == *" pg "* ]]; then
  for run in $(seq 1 "$RUNS"); do
    if [[ " $PG_CASES " == *" snapshot "* ]]; then
      if (( run % 2 )); then pg_hand_snapshot "$run"; pg_migrator_snapshot "$run"; else pg_migrator_snapshot "$run"; pg_hand_snapshot "$run"; fi
    fi
    if [[ " $PG_CASES " == *" copy "* ]]; then
      if (( run % 2 )); then pg_hand_pipe "$run"; pg_migrator_copy "$run"; else pg_migrator_copy "$run"; pg_hand_pipe "$run"; fi
    fi
  done
  [[ "$KEEP_SOURCE" == 1 ]] || dropdb -p "$PG_PORT" "$PG_SRC_DB"
fi

# --- MariaDB --------------------------------------------------------------------------------------
MY_DUMP_ARGS=(--protocol=TCP -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" --single-transaction --routines --triggers --events
  --hex-blob --default-character-set=utf8mb4)
my_hand_pipe() {
  local db="${DB_PREFIX}_mypipe_$1"
  my_drop "$db"
  clock_start
  my -e "create database \`$db\`"
  mariadb-dump "${MY_DUMP_ARGS[@]}" "$MY_SRC_DB" | my --default-character-set=utf8mb4 "$db"
  clock_stop
  my_check "$db"; my_drop "$db"
  record "MariaDB direct copy" "by hand (mariadb-dump | mariadb)" "$ELAPSED" "$CPU"
}
my_migrator_copy() { # run [extra args]
  local run=$1; shift
  local db="${DB_PREFIX}_mycopy_$run"
  my_drop "$db"
  clock_start
  $MIGRATOR copy "mysql://$MY_USER@$MY_HOST:$MY_PORT/$MY_SRC_DB" "mysql://$MY_USER@$MY_HOST:$MY_PORT/$db" --no-verify -q "$@" >/dev/null
  clock_stop
  my_check "$db"; my_drop "$db"
  record "MariaDB direct copy" "migrator copy --no-verify${*:+ $*}" "$ELAPSED" "$CPU"
}
my_hand_snapshot() {
  local dir="$WORK_DIR/my-hand-$1" db="${DB_PREFIX}_myhand_$1"
  rm -rf "$dir"; mkdir -p "$dir"; my_drop "$db"
  clock_start
  mariadb-dump "${MY_DUMP_ARGS[@]}" "$MY_SRC_DB" >"$dir/dump.sql"
  my -e "create database \`$db\`"
  my --default-character-set=utf8mb4 "$db" <"$dir/dump.sql"
  clock_stop
  my_check "$db"; my_drop "$db"; rm -rf "$dir"
  record "MariaDB snapshot + restore" "by hand (mariadb-dump > file; mariadb < file)" "$ELAPSED" "$CPU"
}
my_migrator_snapshot() {
  local dir="$WORK_DIR/my-bundle-$1" db="${DB_PREFIX}_mymig_$1"
  rm -rf "$dir"; my_drop "$db"
  clock_start
  $MIGRATOR bundle create "mysql://$MY_USER@$MY_HOST:$MY_PORT/$MY_SRC_DB" --to "$dir" -q >/dev/null
  $MIGRATOR bundle restore "$dir" --to "mysql://$MY_USER@$MY_HOST:$MY_PORT/$db" -q >/dev/null
  clock_stop
  my_check "$db"; my_drop "$db"; rm -rf "$dir"
  record "MariaDB snapshot + restore" "migrator bundle create + bundle restore (file://)" "$ELAPSED" "$CPU"
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
echo "| case | tool | median wall (s) | runs (s) | median CPU-s | runs (CPU-s) |"
echo "|---|---|---:|---|---:|---|"
cut -f1,2 "$RESULTS" | awk '!seen[$0]++' | while IFS=$'\t' read -r c t; do
  runs="$(awk -F'\t' -v c="$c" -v t="$t" '$1 == c && $2 == t {print $3}' "$RESULTS")"
  cpus="$(awk -F'\t' -v c="$c" -v t="$t" '$1 == c && $2 == t {print $4}' "$RESULTS")"
  printf '| %s | %s | %.2f | %s | %.2f | %s |\n' "$c" "${t//|/\\|}" "$(echo "$runs" | median)" \
    "$(echo "$runs" | xargs printf '%.2f ' | sed 's/ $//')" "$(echo "$cpus" | median)" "$(echo "$cpus" | xargs printf '%.2f ' | sed 's/ $//')"
done
