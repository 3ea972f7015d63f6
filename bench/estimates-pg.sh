#!/usr/bin/env bash
# Benchmark: how well the planner's estimates hold for a PostgreSQL move after `migrator probe` (issue 16).
#
# Creates a source database on 127.0.0.1:$PG_PORT (user postgres, trust) of ROWS rows of ~130 bytes and 1,000 small
# ones, a plan moving it `via: dump` into a second database on the same server, runs `migrator probe PLAN --write`
# (the dump and restore rates, each end's step and fingerprint start and hashing rate, on a bounded sample), pastes the
# calibration into the plan's location sections, then `migrator drill --eta-tolerance 15% --step-tolerance 25%` into a
# scratch database. Prints each step's estimate, actual and ratio from the drill's JUnit XML, the whole run and freeze
# window, the drill's wall and CPU seconds and the load. The databases it made are dropped at the end.
#
# Usage: bench/estimates-pg.sh
#   MIGRATOR_JAR=path/to/migrator.jar ROWS=400000 VIA=dump PG_PORT=5432 bench/estimates-pg.sh
#   TARBALL=migrator-cli/target/migrator-VERSION.tar.gz ...   probes and drills through the distribution's bin/migrator
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATOR_JAR="${MIGRATOR_JAR:-$REPO/migrator-cli/target/migrator.jar}"
ROWS="${ROWS:-400000}"
VIA="${VIA:-dump}"
PG_PORT="${PG_PORT:-5432}"
WORK_DIR="${WORK_DIR:-}"
KEEP="${KEEP:-0}"
TARBALL="${TARBALL:-}"
SERVE_S3=""

# shellcheck source=lib.sh
source "$REPO/bench/lib.sh"
need psql "Install the PostgreSQL client tools (apt-get install -y postgresql-client)."
M=(java -jar "$MIGRATOR_JAR")
[[ -z "$TARBALL" ]] || launcher_cmd "$TARBALL" # its first command (the probe) trains its class archive (bench/estimates.sh)
export PGUSER=postgres PGHOST=127.0.0.1 PGPORT=$PG_PORT
ID="$$"
SRC="mig_est_src_$ID" DST="mig_est_dst_$ID" DRILL="mig_est_drill_$ID"
drop_all() {
  local d
  for d in "$SRC" "$DST" "$DRILL" "${DST}_migrator_partial" "${DRILL}_migrator_partial"; do
    psql -q -d postgres -c "drop database if exists $d with (force)" >/dev/null 2>&1 || true
  done
}
trap 'drop_all; cleanup' EXIT

log "seeding $SRC: $ROWS rows (not timed)"
psql -q -d postgres -c "create database $SRC" >/dev/null
psql -q -d "$SRC" >/dev/null <<SQL
create table small (id int primary key, name text);
insert into small select g, 'n' || g from generate_series(1, 1000) g;
create table events (id bigint primary key, at timestamptz, body text);
insert into events select g, now(), repeat(md5(g::text), 3) from generate_series(1, $ROWS) g;
analyze;
SQL
size=$(psql -Atc "select pg_size_pretty(pg_database_size('$SRC'))" -d postgres)

uri() { echo "postgresql://postgres@127.0.0.1:$PG_PORT/$1"; }
cat >"$WORK_DIR/db.yaml" <<YAML
sources: {db: '$(uri "$SRC")'}
targets: {copy: '$(uri "$DST")'}
moves: [{name: pg, from: db, to: copy, via: $VIA}]
YAML
log "probe --write"
"${M[@]}" probe "$WORK_DIR/db.yaml" --write -o "$WORK_DIR/cal.yaml" >"$WORK_DIR/probe.log" 2>&1 \
  || { cat "$WORK_DIR/probe.log" >&2; echo "error: probe failed (above)" >&2; exit 1; }
figures() { # calibration-file location: its figure lines
  awk -v loc="  $2:" '$0 == loc {on=1; next} /^  [^ ]/ {on=0} on && /^    / {print}' "$1"
}
{
  echo "name: estimates-pg"
  echo "sources:"
  echo "  db:"
  echo "    uri: '$(uri "$SRC")'"
  figures "$WORK_DIR/cal.yaml" db
  echo "targets:"
  echo "  copy:"
  echo "    uri: '$(uri "$DST")'"
  figures "$WORK_DIR/cal.yaml" copy
  echo "moves: [{name: pg, from: db, to: copy, via: $VIA}]"
  echo "drill: {targets: {copy: '$(uri "$DRILL")'}}"
} >"$WORK_DIR/plan.yaml"
grep '^#   ' "$WORK_DIR/cal.yaml" >&2 || true
"${M[@]}" plan "$WORK_DIR/plan.yaml" 2>&1 | grep -E 'db-(dump|restore|copy|verify)' >&2 || true
load=$(uptime | sed 's/.*load average: //')
log "drill (load $load)"
rc=0
/usr/bin/time -f "%e %U %S" -o "$WORK_DIR/time" "${M[@]}" drill "$WORK_DIR/plan.yaml" --state "$WORK_DIR/state" \
  --junit "$WORK_DIR/junit.xml" --eta-tolerance 15% --step-tolerance 25% --skip-preflight >"$WORK_DIR/drill.log" 2>&1 || rc=$?
j="$WORK_DIR/junit.xml"
prop() { sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" "$j"; }
echo "database $SRC: $size, via: $VIA"
echo "| step | estimate / actual (ratio) |"
echo "|---|---|"
python3 - "$j" <<'PY'
import re, sys, xml.etree.ElementTree as ET
for tc in ET.parse(sys.argv[1]).iter("testcase"):
    out = (tc.findtext("system-out") or "").strip().splitlines()
    m = [l for l in out if re.search(r"\([0-9.]+x\)", l)]
    if m:
        print(f"| {tc.get('name')} | {m[0].strip()} |")
PY
read -r wall user sys < <(tail -1 "$WORK_DIR/time")
printf "whole run %.1f / %.1f s (%s), freeze window %.1f / %.1f s (%s), drill exit %s, drill wall %s s, CPU %.1f s, load %s\n" \
  "$(prop rto.estimate.seconds)" "$(prop rto.seconds)" "$(prop eta.whole-run.ratio)" "$(prop freeze.estimate.seconds)" \
  "$(prop freeze.seconds)" "$(prop eta.freeze-window.ratio)" "$rc" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" "$load"
grep -h "Worst estimate" "$WORK_DIR/drill.log" >&2 || true
