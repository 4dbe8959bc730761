#!/usr/bin/env bash
# Lyceum benchmark (`make bench`). Method and results: docs/performance.md.
#
# Builds in release, starts the server on a fresh PostgreSQL database, seeds it, captures
# the statements PostgreSQL runs for one request of each measured endpoint and turns them
# into pgbench scripts, drives the server with wrk (peak throughput) and oha (fixed rate
# at 50 % of the peak, latency-corrected) for every scenario, measures the ceilings in the
# same run (a trivial HTTP endpoint with no database; pgbench -M prepared on the
# endpoint's own statements), repeats discovery and by-id after topping the data up to
# 1,000,000 sessions and discovery under a login flood, checks the booking invariants,
# and rewrites the results section of docs/performance.md and docs/performance.svg. Load
# only ever targets 127.0.0.1 and every run is bounded in time. Nothing here is part of
# `make test`.
#
# Knobs (environment): BENCH_PG_URL (server URL without database, default
# postgres://postgres@127.0.0.1:5432), BENCH_SECONDS (per run, default 10),
# BENCH_CONNECTIONS (default 64), BENCH_THREADS (wrk and pgbench threads, default 2),
# BENCH_SESSIONS (default 100000), BENCH_SESSIONS_LARGE (the top-up, default 1000000),
# BENCH_LEARNERS (default 200), BENCH_MENTORS (default 10), BENCH_OHA_LEARNERS (parallel
# oha processes, one learner each, for the fixed-rate booking runs, default 8), BENCH_POOL
# (LYCEUM_DB_MAX_CONNECTIONS, default 10), BENCH_PGBENCH_CLIENTS (default: the pool size),
# BENCH_FLOOD_CONNECTIONS (wrk connections of the login flood, default 16), BENCH_ONLY
# (comma-separated: healthz, discovery, flood, by-id, login, book-spread, book-contended,
# large; default all), BENCH_PG_LOG (the PostgreSQL log file the statements are captured
# from), BENCH_DOC (default docs/performance.md; /dev/null leaves the document and the
# chart alone), BENCH_BEFORE (a heading: also write this run as the kept "before"
# section, with docs/performance-before.svg), BENCH_SERVER_BIN (measure this prebuilt
# server binary instead of building one), BENCH_KEEP_DB (1: keep the seeded database for
# later experiments and print its name; drop it yourself), CARGO_TARGET_DIR (honoured).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
N_SESSIONS=${BENCH_SESSIONS:-100000}
N_SESSIONS_LARGE=${BENCH_SESSIONS_LARGE:-1000000}
N_LEARNERS=${BENCH_LEARNERS:-200}
N_MENTORS=${BENCH_MENTORS:-10}
OHA_LEARNERS=${BENCH_OHA_LEARNERS:-8}
POOL=${BENCH_POOL:-10}
PGB_CLIENTS=${BENCH_PGBENCH_CLIENTS:-$POOL}
FLOOD_CONNECTIONS=${BENCH_FLOOD_CONNECTIONS:-16}
ONLY=${BENCH_ONLY:-}
PG_LOG=${BENCH_PG_LOG:-/var/log/postgresql/postgresql-15-main.log}
DOC=${BENCH_DOC:-$ROOT/docs/performance.md}
BEFORE=${BENCH_BEFORE:-}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
CONTENDED_SESSIONS=5
CONTENDED_CAPACITY=50
# The fixed-rate contended run has only OHA_LEARNERS learners (oha sends one token per
# process), so its sessions are smaller to be filled too.
CONTENDED_OHA_CAPACITY=${BENCH_CONTENDED_OHA_CAPACITY:-4}
VENV=$ROOT/bench/.venv

STAMP=$(date -u +%Y%m%d_%H%M%S)
DB=lyceum_bench_$STAMP
OUT=$ROOT/target/bench/$STAMP
mkdir -p "$OUT"
cat /proc/loadavg >"$OUT/loadavg_start.txt" 2>/dev/null || true
export PATH="$HOME/.cargo/bin:$PATH"

(( N_MENTORS >= 10 )) || { echo "bench: BENCH_MENTORS must be 10 or more (sessions of one mentor must not overlap)" >&2; exit 2; }

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf '\nbench: ERROR: %s\n' "$*" >&2; exit 1; }
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At "$PG_URL/$DB" "$@"; }
wanted() { [[ -z "$ONLY" || ",$ONLY," == *",$1,"* ]]; }

# ---------------------------------------------------------------------------------------
log "tools"
if ! command -v oha >/dev/null; then
  echo "installing oha from crates.io (cargo install oha --locked)" >&2
  cargo install oha --locked || die "cannot install oha (cargo install oha --locked failed)"
fi
if ! command -v wrk >/dev/null; then
  echo "installing wrk from Debian (apt-get install -y wrk)" >&2
  { apt-get update && apt-get install -y wrk; } || die "cannot install wrk with apt-get"
fi
for tool in psql python3 curl; do
  command -v "$tool" >/dev/null || die "$tool is required but not installed"
done
# pgbench ships with Debian's PostgreSQL server package of the server's major version.
PG_MAJOR=$(psql -X -At "$PG_URL/postgres" -c "SELECT current_setting('server_version_num')::int / 10000") \
  || die "cannot reach PostgreSQL at $PG_URL"
find_pgbench() {
  if [[ -x /usr/lib/postgresql/$PG_MAJOR/bin/pgbench ]]; then
    echo "/usr/lib/postgresql/$PG_MAJOR/bin/pgbench"
  elif command -v pgbench >/dev/null && pgbench --version >/dev/null 2>&1; then
    command -v pgbench
  fi
}
PGBENCH=$(find_pgbench)
if [[ -z "$PGBENCH" ]]; then
  echo "installing pgbench from Debian (apt-get install -y postgresql-$PG_MAJOR)" >&2
  { apt-get update && apt-get install -y "postgresql-$PG_MAJOR"; } \
    || die "cannot install pgbench (apt-get install postgresql-$PG_MAJOR failed)"
  PGBENCH=$(find_pgbench)
  [[ -n "$PGBENCH" ]] || die "pgbench is still missing after installing postgresql-$PG_MAJOR"
fi
# The chart: matplotlib in bench/.venv, pinned in bench/requirements.txt.
if ! { [[ -x "$VENV/bin/python" ]] && cmp -s bench/requirements.txt "$VENV/.lyceum-requirements.txt"; }; then
  echo "installing matplotlib into bench/.venv (pip, pinned in bench/requirements.txt)" >&2
  python3 -m venv --clear "$VENV" \
    || die "python3 cannot create a virtualenv (Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r bench/requirements.txt \
    || die "cannot install bench/requirements.txt into bench/.venv"
  cp bench/requirements.txt "$VENV/.lyceum-requirements.txt"
fi
oha --version >&2
wrk -v 2>&1 | head -1 >&2 || true
"$PGBENCH" --version >&2

log "release build"
if [[ -n "${BENCH_SERVER_BIN:-}" ]]; then
  # Development aid: measure an already built server binary (the ceiling is still built).
  cargo build --release -p lyceum-bench-ceiling
  LYCEUM=$BENCH_SERVER_BIN
else
  cargo build --release -p lyceum-server -p lyceum-bench-ceiling
  LYCEUM=$TARGET_DIR/release/lyceum
fi
CEILING=$TARGET_DIR/release/sql-ceiling

# ---------------------------------------------------------------------------------------
SERVER_PID=
FLOOD_PID=
cleanup() {
  local rc=$?
  set +e
  if [[ -n "$FLOOD_PID" ]] && kill -0 "$FLOOD_PID" 2>/dev/null; then
    kill "$FLOOD_PID"; wait "$FLOOD_PID" 2>/dev/null
  fi
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
  fi
  if [[ -n "${DB_CREATED:-}" && "${BENCH_KEEP_DB:-}" == 1 ]]; then
    echo "kept database $DB (BENCH_KEEP_DB=1): DROP DATABASE $DB when done" >&2
  elif [[ -n "${DB_CREATED:-}" ]]; then
    psql -X -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null \
      && echo "dropped database $DB" >&2
  fi
  echo "raw outputs: $OUT" >&2
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "database $DB"
psql -X -q -v ON_ERROR_STOP=1 "$PG_URL/postgres" -c "CREATE DATABASE $DB" \
  || die "cannot create database $DB on $PG_URL"
DB_CREATED=1
# Statement logging while seeding and capturing the SQL of requests per endpoint; it is
# switched off (server restarted, new connections) before anything is measured.
PG_LOG_OK=
if [[ -r "$PG_LOG" ]]; then
  psql -X -q "$PG_URL/postgres" -c "ALTER DATABASE $DB SET log_statement = 'all'"
  PG_LOG_OK=1
else
  echo "warning: $PG_LOG is not readable; no statements can be captured, so there is no pgbench ceiling" >&2
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT

start_server() {
  LYCEUM_DATABASE_URL="$PG_URL/$DB" LYCEUM_BIND=127.0.0.1:$PORT \
  LYCEUM_AUTH_RATE_LIMIT_PER_MINUTE=0 LYCEUM_LOG=warn LYCEUM_DB_MAX_CONNECTIONS=$POOL \
  LYCEUM_ACCESS_TOKEN_TTL_SECONDS=7200 \
    "$LYCEUM" serve >>"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$OUT/server.log" >&2; die "the server exited"; }
    sleep 0.2
  done
  die "the server did not become ready on $BASE"
}
stop_server() {
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
}

log "server on $BASE"
start_server

# ---------------------------------------------------------------------------------------
# Learners, in order: N_LEARNERS for wrk, OHA_LEARNERS for oha, one whose requests are
# captured, PGB_CLIENTS for pgbench (one per client, so no pair repeats a booking).
ALL_LEARNERS=$((N_LEARNERS + OHA_LEARNERS + 1 + PGB_CLIENTS))
log "seeding: $N_MENTORS mentors and $ALL_LEARNERS learners through HTTP"
python3 bench/seed_http.py --base "$BASE" --out "$OUT" \
  --mentors "$N_MENTORS" --learners "$ALL_LEARNERS"
head -n "$N_LEARNERS" "$OUT/learner_tokens.txt" >"$OUT/wrk_tokens.txt"
sed -n "$((N_LEARNERS + 1)),$((N_LEARNERS + OHA_LEARNERS))p" "$OUT/learner_tokens.txt" >"$OUT/oha_tokens.txt"
CAPTURE_TOKEN=$(sed -n "$((N_LEARNERS + OHA_LEARNERS + 1))p" "$OUT/learner_tokens.txt")
learner_rows() { # first index, count: "user_id auth_session_id" per learner, in order
  psql_db -F ' ' -c "SELECT u.id, a.id FROM users u JOIN auth_sessions a ON a.user_id = u.id
                     WHERE u.username BETWEEN 'benchl$(printf %05d "$1")'
                                          AND 'benchl$(printf %05d "$(($1 + $2 - 1))")'
                     ORDER BY u.username"
}
learner_rows "$((N_LEARNERS + OHA_LEARNERS))" 1 >"$OUT/capture_learner.txt"
learner_rows "$((N_LEARNERS + OHA_LEARNERS + 1))" "$PGB_CLIENTS" >"$OUT/pgbench_learners.txt"
[[ $(wc -l <"$OUT/capture_learner.txt") == 1 && $(wc -l <"$OUT/pgbench_learners.txt") == "$PGB_CLIENTS" ]] \
  || die "expected one sign-in session per seeded learner"

MENTORING=1
status=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/mentoring-sessions?limit=1")
if [[ "$status" != 200 ]]; then
  MENTORING=
  echo "warning: GET /api/v1/mentoring-sessions answers $status: mentoring scenarios cannot run" >&2
fi

session_columns() {
  psql_db -c "SELECT string_agg(column_name, ',' ORDER BY ordinal_position)
              FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = 'mentoring_sessions'"
}
session_ids_sample() { # a random sample of all sessions, for by-id
  psql_db -c "SELECT id FROM mentoring_sessions ORDER BY random() LIMIT 20000" >"$OUT/byid_ids$1.txt"
  sed 's|^|/api/v1/mentoring-sessions/|' "$OUT/byid_ids$1.txt" >"$OUT/byid_paths$1.txt"
  sed "s|^|$BASE/api/v1/mentoring-sessions/|" "$OUT/byid_ids$1.txt" >"$OUT/byid_urls$1.txt"
}
seeded_session() { psql_db -c "SELECT id FROM mentoring_sessions WHERE title = 'Bench session $1'"; }

if [[ -n "$MENTORING" ]]; then
  log "seeding: $N_SESSIONS sessions (one through HTTP as the template, the rest in SQL)"
  TEMPLATE=$(python3 bench/seed_http.py --base "$BASE" --out "$OUT" --sessions 1 \
    --capacity 20 --price 0 --title "Template session")
  echo "$TEMPLATE" >"$OUT/template_id.txt"
  python3 bench/seed_sql.py --template "$TEMPLATE" --first 1 --count "$((N_SESSIONS - 1))" \
    --columns "$(session_columns)" >"$OUT/seed.sql"
  psql_db -f "$OUT/seed.sql"
  python3 bench/seed_http.py --base "$BASE" --out "$OUT" --sessions "$CONTENDED_SESSIONS" \
    --capacity "$CONTENDED_CAPACITY" --price 0 --title "Contended session" --offset-hours 1 \
    >"$OUT/contended_wrk.txt"
  python3 bench/seed_http.py --base "$BASE" --out "$OUT" --sessions "$CONTENDED_SESSIONS" \
    --capacity "$CONTENDED_OHA_CAPACITY" --price 0 --title "Contended fixed-rate session" \
    --offset-hours "$((1 + CONTENDED_SESSIONS))" >"$OUT/contended_oha.txt"
  psql_db -c "VACUUM ANALYZE"
  psql_db -c "CHECKPOINT"
  psql_db -c "SELECT count(*) FROM mentoring_sessions" >"$OUT/session_count.txt"
  echo "sessions in the database: $(cat "$OUT/session_count.txt")" >&2
  [[ $(cat "$OUT/session_count.txt") -ge $N_SESSIONS ]] || die "seeding produced too few sessions"
  # Free catalogue sessions (10+ seats) for the spread booking runs, in random order; wrk
  # and oha book them with different learners. A random sample of all sessions for by-id.
  psql_db -c "SELECT id FROM mentoring_sessions WHERE price_amount_minor = 0
              AND capacity >= 10 AND title LIKE 'Bench session %' ORDER BY random()" >"$OUT/spread_wrk.txt"
  cp "$OUT/spread_wrk.txt" "$OUT/spread_oha.txt"
  session_ids_sample ""
fi

# Free seeded sessions are the even numbers 2 … 2·NFREE; pgbench's booking script books
# 2·(1 + seq mod NFREE), and NFREE coprime with the number of clients makes every
# (client, session) pair come at most once, as wrk's script does.
NFREE=$(( (N_SESSIONS - 1) / 2 ))
gcd() { local a=$1 b=$2 t; while ((b)); do t=$b; b=$((a % b)); a=$t; done; echo "$a"; }
while (( NFREE > 1 && $(gcd "$NFREE" "$PGB_CLIENTS") != 1 )); do NFREE=$((NFREE - 1)); done

# ---------------------------------------------------------------------------------------
# The statements each endpoint runs, as PostgreSQL logged them while the server answered
# three requests per endpoint (the script is the latest one that another repeated
# exactly: the first may warm a cache), turned into pgbench scripts; the sql-ceiling's
# statements are captured too, to compare.
mark() { psql_db -c "SELECT 'lyceum-bench-mark:$1'" >/dev/null; }
PGBENCH_OK=
if [[ -n "$MENTORING" && -n "$PG_LOG_OK" ]]; then
  log "capturing the statements of three requests per endpoint"
  read -r capture_user capture_auth <"$OUT/capture_learner.txt"
  # Every lookup first: between two markers only the server's statements may run.
  by_id_sessions=("$(seeded_session 3)" "$(seeded_session 5)" "$(seeded_session 7)")
  booked_sessions=("$(seeded_session "$((2 * NFREE))")" "$(seeded_session "$((2 * NFREE - 2))")"
                   "$(seeded_session "$((2 * NFREE - 4))")")
  echo "${by_id_sessions[0]}" >"$OUT/one_id.txt"
  offset=$(stat -c %s "$PG_LOG")
  roles="{"
  for attempt in 1 2 3; do
    mark "server-discovery-$attempt"
    curl -fsS -o /dev/null "$BASE/api/v1/mentoring-sessions?limit=20"
    sid=${by_id_sessions[$((attempt - 1))]}
    mark "server-by-id-$attempt"
    curl -fsS -o /dev/null "$BASE/api/v1/mentoring-sessions/$sid"
    roles+="\"server-by-id-$attempt\": {\"$sid\": \"session\"}, "
    bid=${booked_sessions[$((attempt - 1))]}
    mark "server-booking-$attempt"
    code=$(curl -sS -o "$OUT/capture_booking_$attempt.json" -w '%{http_code}' -X POST \
      -H "Authorization: Bearer $CAPTURE_TOKEN" -H 'Content-Type: application/json' -d '{}' \
      "$BASE/api/v1/mentoring-sessions/$bid/bookings")
    [[ "$code" == 201 ]] || { cat "$OUT/capture_booking_$attempt.json" >&2; die "the captured booking answered $code"; }
    roles+="\"server-booking-$attempt\": {\"$bid\": \"session\", \"$capture_user\": \"learner\", \"$capture_auth\": \"auth\"}, "
  done
  roles+="\"-\": {}}"
  echo "$roles" >"$OUT/capture_roles.json"
  mark ceiling-discovery
  "$CEILING" --database-url "$PG_URL/$DB" --workload discovery --once >/dev/null \
    || echo "warning: sql-ceiling --once failed for discovery" >&2
  mark ceiling-by-id
  "$CEILING" --database-url "$PG_URL/$DB" --workload by-id --ids-file "$OUT/one_id.txt" --once >/dev/null \
    || echo "warning: sql-ceiling --once failed for by-id" >&2
  mark end
  sleep 1
  tail -c +"$((offset + 1))" "$PG_LOG" >"$OUT/pg_capture.log"
  if python3 bench/report.py capture --db "$DB" --log "$OUT/pg_capture.log" \
      --roles "$OUT/capture_roles.json" --learners "$OUT/pgbench_learners.txt" \
      --scripts "$OUT/pgbench" >"$OUT/capture.json"; then
    PGBENCH_OK=1
    python3 - "$OUT/capture.json" >&2 <<'PY'
import json, sys
for name, c in json.load(open(sys.argv[1])).items():
    print(f"{name}: {c.get('statements')} statements ({c.get('chosen')}), repeated: "
          f"{c.get('repeat_identical')}, sql-ceiling same: {c.get('ceiling_same')}, "
          f"problem: {c.get('problem')}")
PY
  else
    echo "warning: the captured statements could not be turned into pgbench scripts" >&2
  fi
fi
if [[ -n "$PG_LOG_OK" ]]; then
  psql -X -q "$PG_URL/postgres" -c "ALTER DATABASE $DB RESET log_statement"
fi
log "restarting the server without statement logging"
stop_server
start_server

# ---------------------------------------------------------------------------------------
# One scenario: a wrk peak run, then oha at 50 % of that peak with latency correction.
settle() { sleep 2; }
peak_run() { # name, wrk script args...
  local name=$1; shift
  settle
  echo "-- $name: wrk ${SECONDS_PER_RUN}s, $THREADS threads, $CONNECTIONS connections" >&2
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" --timeout 30s --latency \
    -s bench/lua/scenario.lua "$BASE" -- "$@" >"$OUT/$name.wrk.txt" 2>&1 \
    || { cat "$OUT/$name.wrk.txt" >&2; die "wrk failed for $name"; }
  grep '^BENCH_JSON ' "$OUT/$name.wrk.txt" | sed 's/^BENCH_JSON //' >"$OUT/$name.wrk.json"
  python3 bench/report.py half-rate "$OUT/$name.wrk.json"
}
fixed_run() { # name, rate, processes, oha args... (URL last); one process per token in $TOKENS_FILE if set
  local name=$1 rate=$2 procs=$3; shift 3
  settle
  echo "-- $name: oha -q $rate --latency-correction -z ${SECONDS_PER_RUN}s ($procs process(es))" >&2
  local per=$(python3 -c "print(max($rate / $procs, 0.1))")
  local conns=$(( (CONNECTIONS + procs - 1) / procs ))
  local pids=() i
  for ((i = 0; i < procs; i++)); do
    local extra=()
    if [[ -n "${TOKENS_FILE:-}" ]]; then
      extra=(-H "Authorization: Bearer $(sed -n "$((i + 1))p" "$TOKENS_FILE")")
    fi
    rm -f "$OUT/$name.oha.$i.db"
    oha --no-tui -q "$per" --latency-correction -z "${SECONDS_PER_RUN}s" -w -c "$conns" \
      --worker-threads 1 --output-format json -o "$OUT/$name.oha.$i.json" \
      --db-url "$OUT/$name.oha.$i.db" "${extra[@]}" "$@" 2>"$OUT/$name.oha.$i.err" &
    pids+=($!)
  done
  local failed=
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [[ -z "$failed" ]] || { cat "$OUT/$name".oha.*.err >&2; die "oha failed for $name"; }
  echo "$rate" >"$OUT/$name.rate"
}
# pgbench -M prepared on a captured script: the endpoint's statements with the database
# alone (no HTTP, no application), as many clients as the server's pool.
pgbench_run() { # name, script name, extra pgbench args...
  local name=$1 script=$OUT/pgbench/$2.sql; shift 2
  [[ -n "$PGBENCH_OK" && -s "$script" ]] || { echo "-- $name: no pgbench script" >&2; return 0; }
  local defs=() d
  while IFS= read -r -d '' d; do defs+=(-D "$d"); done <"${script%.sql}.defs"
  settle
  echo "-- $name: pgbench -M prepared -c $PGB_CLIENTS -j $THREADS -T $SECONDS_PER_RUN ($(grep -c ';$' "$script") statements)" >&2
  "$PGBENCH" -n -M prepared -c "$PGB_CLIENTS" -j "$THREADS" -T "$SECONDS_PER_RUN" \
    -D k=0 -D nclients="$PGB_CLIENTS" -D t0="$(date +%s%3N)" -D nfree="$NFREE" \
    "${defs[@]}" "$@" -f "$script" "$PG_URL/$DB" >"$OUT/$name.pgbench.txt" 2>&1 || true
  if tps=$(python3 bench/report.py pgbench-tps "$OUT/$name.pgbench.txt"); then
    echo "   $name: $tps tps" >&2
  else
    grep -m 5 -E 'error|abort' "$OUT/$name.pgbench.txt" >&2 || tail -5 "$OUT/$name.pgbench.txt" >&2
    PGBENCH_FAILED=1
  fi
}

check_bookings() { # after a booking run: no overbooking, counters equal live bookings
  local over mismatch dup
  over=$(psql_db -c "SELECT count(*) FROM mentoring_sessions WHERE seats_taken > capacity")
  mismatch=$(psql_db -c "
    SELECT count(*) FROM mentoring_sessions s
    LEFT JOIN (SELECT session_id, count(*) AS live FROM bookings
               WHERE status IN ('pending', 'confirmed') GROUP BY session_id) b
           ON b.session_id = s.id
    WHERE s.seats_taken <> coalesce(b.live, 0)")
  dup=$(psql_db -c "
    SELECT count(*) FROM (SELECT session_id, learner_id FROM bookings
                          WHERE status IN ('pending', 'confirmed')
                          GROUP BY session_id, learner_id HAVING count(*) > 1) d")
  local line="{\"after\":\"$1\",\"overbooked_sessions\":$over,\"counter_mismatches\":$mismatch,\"duplicate_live_bookings\":$dup}"
  echo "$line" >>"$OUT/checks.jsonl"
  echo "invariants after $1: $line" >&2
  if [[ "$over" != 0 || "$mismatch" != 0 || "$dup" != 0 ]]; then
    psql_db -c "SELECT id, capacity, seats_taken FROM mentoring_sessions WHERE seats_taken > capacity LIMIT 10" >&2
    INVARIANTS_BROKEN=1
  fi
}

INVARIANTS_BROKEN=
SCENARIOS_MISSING=
PGBENCH_FAILED=
printf '%s\n' "$DB" >"$OUT/db_name"
DISCOVERY_URL="$BASE/api/v1/mentoring-sessions?limit=20"
echo "/api/v1/mentoring-sessions?limit=20" >"$OUT/discovery_paths.txt"

if wanted healthz; then
  log "scenario healthz (trivial HTTP ceiling H, no database)"
  echo /healthz >"$OUT/healthz_paths.txt"
  rate=$(peak_run healthz get "$THREADS" "$OUT/healthz_paths.txt")
  fixed_run healthz "$rate" 1 "$BASE/healthz"
fi

if [[ -n "$MENTORING" ]]; then
  if wanted discovery; then
    log "scenario discovery ($N_SESSIONS sessions)"
    discovery_rate=$(peak_run discovery get "$THREADS" "$OUT/discovery_paths.txt")
    fixed_run discovery "$discovery_rate" 1 "$DISCOVERY_URL"
    if wanted flood; then
      log "discovery at the same fixed rate during a login flood"
      settle
      wrk -t 1 -c "$FLOOD_CONNECTIONS" -d "$((SECONDS_PER_RUN + 6))s" --timeout 30s \
        -s bench/lua/scenario.lua "$BASE" -- login 1 "$OUT/login_bodies.txt" \
        >"$OUT/login-flood.wrk.txt" 2>&1 &
      FLOOD_PID=$!
      sleep 2
      fixed_run discovery-flood "$discovery_rate" 1 "$DISCOVERY_URL"
      wait "$FLOOD_PID" || { cat "$OUT/login-flood.wrk.txt" >&2; die "wrk failed for the login flood"; }
      FLOOD_PID=
      grep '^BENCH_JSON ' "$OUT/login-flood.wrk.txt" | sed 's/^BENCH_JSON //' >"$OUT/login-flood.wrk.json"
    fi
  fi
  if wanted by-id; then
    log "scenario by-id ($N_SESSIONS sessions)"
    rate=$(peak_run by-id get "$THREADS" "$OUT/byid_paths.txt")
    fixed_run by-id "$rate" 1 --urls-from-file "$OUT/byid_urls.txt"
  fi
fi

if wanted login; then
  log "scenario login"
  rate=$(peak_run login login "$THREADS" "$OUT/login_bodies.txt")
  fixed_run login "$rate" 1 -m POST -T application/json -Z "$OUT/login_bodies.txt" \
    "$BASE/api/v1/auth/login"
fi

if [[ -n "$MENTORING" ]]; then
  if wanted book-spread; then
    log "scenario book-spread"
    rate=$(peak_run book-spread book "$THREADS" "$OUT/wrk_tokens.txt" "$OUT/spread_wrk.txt")
    sed "s|^|$BASE/api/v1/mentoring-sessions/|; s|\$|/bookings|" "$OUT/spread_oha.txt" >"$OUT/spread_oha_urls.txt"
    TOKENS_FILE=$OUT/oha_tokens.txt fixed_run book-spread "$rate" "$OHA_LEARNERS" \
      -m POST -T application/json -d '{}' --urls-from-file "$OUT/spread_oha_urls.txt"
    check_bookings book-spread
  fi
  if wanted book-contended; then
    log "scenario book-contended"
    rate=$(peak_run book-contended book "$THREADS" "$OUT/wrk_tokens.txt" "$OUT/contended_wrk.txt")
    check_bookings "book-contended (wrk)"
    sed "s|^|$BASE/api/v1/mentoring-sessions/|; s|\$|/bookings|" "$OUT/contended_oha.txt" >"$OUT/contended_oha_urls.txt"
    TOKENS_FILE=$OUT/oha_tokens.txt fixed_run book-contended "$rate" "$OHA_LEARNERS" \
      -m POST -T application/json -d '{}' --urls-from-file "$OUT/contended_oha_urls.txt"
    check_bookings "book-contended (oha)"
    psql_db -c "SELECT coalesce(sum(seats_taken), 0) || ' of ' || sum(capacity) FROM mentoring_sessions
                WHERE title LIKE 'Contended%'" >"$OUT/contended_fill.txt"
  fi

  # -------------------------------------------------------------------------------------
  log "ceilings D: pgbench on the captured statements ($N_SESSIONS sessions)"
  if wanted discovery; then pgbench_run discovery discovery; fi
  if wanted by-id; then pgbench_run by-id by-id -D nsessions="$((N_SESSIONS - 1))"; fi
  if wanted book-spread; then
    # The second run continues each client's counter where the first stopped, so that
    # no client books a session twice.
    pgbench_run booking booking
    check_bookings "pgbench booking"
    booked=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' \
      "$OUT/booking.pgbench.txt" 2>/dev/null)
    pgbench_run booking-tx booking-tx -D k="${booked:-0}"
    check_bookings "pgbench booking transaction"
  fi

  log "sql-ceiling: the same statements through the server's adapters and pool, no HTTP"
  if wanted discovery; then
    settle
    "$CEILING" --database-url "$PG_URL/$DB" --workload discovery --pool "$POOL" \
      --concurrency "$CONNECTIONS" --seconds "$SECONDS_PER_RUN" | tee "$OUT/discovery.sql.json" >&2 \
      || echo "warning: sql-ceiling failed for discovery" >&2
  fi
  if wanted by-id; then
    settle
    "$CEILING" --database-url "$PG_URL/$DB" --workload by-id --ids-file "$OUT/byid_ids.txt" \
      --pool "$POOL" --concurrency "$CONNECTIONS" --seconds "$SECONDS_PER_RUN" \
      | tee "$OUT/by-id.sql.json" >&2 || echo "warning: sql-ceiling failed for by-id" >&2
  fi

  # -------------------------------------------------------------------------------------
  if wanted large && (( N_SESSIONS_LARGE > N_SESSIONS )); then
    log "topping up to $N_SESSIONS_LARGE sessions"
    python3 bench/seed_sql.py --template "$(cat "$OUT/template_id.txt")" --first "$N_SESSIONS" \
      --count "$((N_SESSIONS_LARGE - N_SESSIONS))" --columns "$(session_columns)" >"$OUT/seed_large.sql"
    psql_db -f "$OUT/seed_large.sql"
    psql_db -c "VACUUM ANALYZE"
    psql_db -c "CHECKPOINT"
    psql_db -c "SELECT count(*) FROM mentoring_sessions" >"$OUT/session_count_large.txt"
    echo "sessions in the database: $(cat "$OUT/session_count_large.txt")" >&2
    session_ids_sample "_large"
    if wanted discovery; then
      log "scenario discovery ($N_SESSIONS_LARGE sessions)"
      rate=$(peak_run discovery-1m get "$THREADS" "$OUT/discovery_paths.txt")
      fixed_run discovery-1m "$rate" 1 "$DISCOVERY_URL"
      pgbench_run discovery-1m discovery
    fi
    if wanted by-id; then
      log "scenario by-id ($N_SESSIONS_LARGE sessions)"
      rate=$(peak_run by-id-1m get "$THREADS" "$OUT/byid_paths_large.txt")
      fixed_run by-id-1m "$rate" 1 --urls-from-file "$OUT/byid_urls_large.txt"
      pgbench_run by-id-1m by-id -D nsessions="$((N_SESSIONS_LARGE - 1))"
    fi
  fi
else
  SCENARIOS_MISSING=1
fi

# ---------------------------------------------------------------------------------------
log "report"
report_args=(--out "$OUT" --seconds "$SECONDS_PER_RUN" --connections "$CONNECTIONS"
  --threads "$THREADS" --sessions "$N_SESSIONS" --sessions-large "$N_SESSIONS_LARGE"
  --learners "$N_LEARNERS" --oha-learners "$OHA_LEARNERS" --pool "$POOL"
  --pgbench-clients "$PGB_CLIENTS" --flood-connections "$FLOOD_CONNECTIONS"
  --contended "$CONTENDED_SESSIONS x $CONTENDED_CAPACITY seats (wrk), $CONTENDED_SESSIONS x $CONTENDED_OHA_CAPACITY seats (oha)"
  ${MENTORING:+--mentoring})
if [[ "$DOC" == /dev/null ]]; then
  python3 bench/report.py report --doc /dev/null "${report_args[@]}"
  "$VENV/bin/python" bench/chart.py "$OUT/summary.json" "$OUT/performance.svg"
else
  python3 bench/report.py report --doc "$DOC" ${BEFORE:+--before "$BEFORE"} "${report_args[@]}"
  "$VENV/bin/python" bench/chart.py "$OUT/summary.json" "$(dirname "$DOC")/performance.svg"
  if [[ -n "$BEFORE" ]]; then
    cp "$(dirname "$DOC")/performance.svg" "$(dirname "$DOC")/performance-before.svg"
  fi
fi

[[ -z "$INVARIANTS_BROKEN" ]] || die "booking invariants are broken (see $OUT/checks.jsonl)"
[[ -z "$SCENARIOS_MISSING" ]] || die "the mentoring endpoints are missing: only the other scenarios were measured"
[[ -z "$PGBENCH_FAILED" ]] || die "a pgbench ceiling did not complete (see $OUT/*.pgbench.txt)"
python3 bench/report.py verify --out "$OUT" || die "unexpected responses (see above)"
echo "bench: done" >&2
