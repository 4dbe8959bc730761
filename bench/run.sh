#!/usr/bin/env bash
# Lyceum benchmark (`make bench`). Method and results: docs/performance.md.
#
# Builds in release, starts the server on a fresh PostgreSQL database, seeds it, drives it
# with wrk (peak throughput) and oha (fixed rate at 50 % of the peak, latency-corrected)
# for every scenario, measures the two ceilings (same SQL through the same pool with no
# HTTP; a trivial HTTP endpoint with no database), checks the booking invariants, and
# rewrites the results section of docs/performance.md. Load only ever targets 127.0.0.1
# and every run is bounded in time. Nothing here is part of `make test`.
#
# Knobs (environment): BENCH_PG_URL (server URL without database, default
# postgres://postgres@127.0.0.1:5432), BENCH_SECONDS (per run, default 10),
# BENCH_CONNECTIONS (default 64), BENCH_THREADS (wrk threads, default 2),
# BENCH_SESSIONS (default 100000), BENCH_LEARNERS (default 200), BENCH_MENTORS (default
# 10), BENCH_OHA_LEARNERS (parallel oha processes, one learner each, for the fixed-rate
# booking runs, default 8), BENCH_POOL (LYCEUM_DB_MAX_CONNECTIONS, default 10),
# BENCH_ONLY (comma-separated scenario names to run, default all), BENCH_PG_LOG (the
# PostgreSQL log file used to compare the server's SQL with the ceiling's), BENCH_DOC
# (default docs/performance.md; set to /dev/null to leave the document alone),
# BENCH_SERVER_BIN (measure this prebuilt server binary instead of building one).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
N_SESSIONS=${BENCH_SESSIONS:-100000}
N_LEARNERS=${BENCH_LEARNERS:-200}
N_MENTORS=${BENCH_MENTORS:-10}
OHA_LEARNERS=${BENCH_OHA_LEARNERS:-8}
POOL=${BENCH_POOL:-10}
ONLY=${BENCH_ONLY:-}
PG_LOG=${BENCH_PG_LOG:-/var/log/postgresql/postgresql-15-main.log}
DOC=${BENCH_DOC:-$ROOT/docs/performance.md}
CONTENDED_SESSIONS=5
CONTENDED_CAPACITY=50
# The fixed-rate contended run has only OHA_LEARNERS learners (oha sends one token per
# process), so its sessions are smaller to be filled too.
CONTENDED_OHA_CAPACITY=${BENCH_CONTENDED_OHA_CAPACITY:-4}

STAMP=$(date +%Y%m%d_%H%M%S)
DB=lyceum_bench_$STAMP
OUT=$ROOT/target/bench/$STAMP
mkdir -p "$OUT"
export PATH="$HOME/.cargo/bin:$PATH"

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
oha --version >&2
wrk -v 2>&1 | head -1 >&2 || true

log "release build"
if [[ -n "${BENCH_SERVER_BIN:-}" ]]; then
  # Development aid: measure an already built server binary (the ceiling is still built).
  cargo build --release -p lyceum-bench-ceiling
  LYCEUM=$BENCH_SERVER_BIN
else
  cargo build --release -p lyceum-server -p lyceum-bench-ceiling
  LYCEUM=$ROOT/target/release/lyceum
fi
CEILING=$ROOT/target/release/sql-ceiling

# ---------------------------------------------------------------------------------------
SERVER_PID=
cleanup() {
  local rc=$?
  set +e
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
  fi
  if [[ -n "${DB_CREATED:-}" ]]; then
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
# Statement logging while seeding and capturing the SQL of one request per endpoint; it is
# switched off (server restarted, new connections) before anything is measured.
PG_LOG_OK=
if [[ -r "$PG_LOG" ]]; then
  psql -X -q "$PG_URL/postgres" -c "ALTER DATABASE $DB SET log_statement = 'all'"
  PG_LOG_OK=1
else
  echo "warning: $PG_LOG is not readable; the SQL comparison will be skipped" >&2
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
log "seeding: $N_MENTORS mentors and $((N_LEARNERS + OHA_LEARNERS)) learners through HTTP"
python3 bench/seed_http.py --base "$BASE" --out "$OUT" \
  --mentors "$N_MENTORS" --learners "$((N_LEARNERS + OHA_LEARNERS))"
head -n "$N_LEARNERS" "$OUT/learner_tokens.txt" >"$OUT/wrk_tokens.txt"
tail -n "$OHA_LEARNERS" "$OUT/learner_tokens.txt" >"$OUT/oha_tokens.txt"

MENTORING=1
status=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/mentoring-sessions?limit=1")
if [[ "$status" != 200 ]]; then
  MENTORING=
  echo "warning: GET /api/v1/mentoring-sessions answers $status: mentoring scenarios cannot run" >&2
fi

if [[ -n "$MENTORING" ]]; then
  log "seeding: $N_SESSIONS sessions (one through HTTP as the template, the rest in SQL)"
  TEMPLATE=$(python3 bench/seed_http.py --base "$BASE" --out "$OUT" --sessions 1 \
    --capacity 20 --price 0 --title "Template session")
  python3 bench/seed_sql.py --template "$TEMPLATE" --count "$((N_SESSIONS - 1))" \
    --columns "$(psql_db -c "SELECT string_agg(column_name, ',' ORDER BY ordinal_position)
                             FROM information_schema.columns
                             WHERE table_schema = 'public' AND table_name = 'mentoring_sessions'")" \
    >"$OUT/seed.sql"
  psql_db -f "$OUT/seed.sql"
  python3 bench/seed_http.py --base "$BASE" --out "$OUT" --sessions "$CONTENDED_SESSIONS" \
    --capacity "$CONTENDED_CAPACITY" --price 0 --title "Contended session" >"$OUT/contended_wrk.txt"
  python3 bench/seed_http.py --base "$BASE" --out "$OUT" --sessions "$CONTENDED_SESSIONS" \
    --capacity "$CONTENDED_OHA_CAPACITY" --price 0 --title "Contended fixed-rate session" \
    >"$OUT/contended_oha.txt"
  psql_db -c "ANALYZE"
  psql_db -c "SELECT count(*) FROM mentoring_sessions" >"$OUT/session_count.txt"
  echo "sessions in the database: $(cat "$OUT/session_count.txt")" >&2
  [[ $(cat "$OUT/session_count.txt") -ge $N_SESSIONS ]] || die "seeding produced too few sessions"
  # Free catalogue sessions (10+ seats) for the spread booking runs, in random order; wrk
  # and oha book them with different learners. A random sample of all sessions for by-id.
  psql_db -c "SELECT id FROM mentoring_sessions WHERE price_amount_minor = 0
              AND capacity >= 10 AND title LIKE 'Bench session %' ORDER BY random()" >"$OUT/spread_wrk.txt"
  cp "$OUT/spread_wrk.txt" "$OUT/spread_oha.txt"
  psql_db -c "SELECT id FROM mentoring_sessions ORDER BY random() LIMIT 20000" >"$OUT/byid_ids.txt"
  sed 's|^|/api/v1/mentoring-sessions/|' "$OUT/byid_ids.txt" >"$OUT/byid_paths.txt"
  sed "s|^|$BASE/api/v1/mentoring-sessions/|" "$OUT/byid_ids.txt" >"$OUT/byid_urls.txt"
fi

# ---------------------------------------------------------------------------------------
# The SQL each read endpoint runs, as PostgreSQL logged it, against the SQL of the ceiling.
mark() { psql_db -c "SELECT 'lyceum-bench-mark:$1'" >/dev/null; }
if [[ -n "$MENTORING" && -n "$PG_LOG_OK" ]]; then
  log "capturing the SQL of one request per read endpoint"
  offset=$(stat -c %s "$PG_LOG")
  one_id=$(head -1 "$OUT/byid_ids.txt")
  mark server-discovery
  curl -fsS -o /dev/null "$BASE/api/v1/mentoring-sessions?limit=20"
  mark server-by-id
  curl -fsS -o /dev/null "$BASE/api/v1/mentoring-sessions/$one_id"
  mark ceiling-discovery
  "$CEILING" --database-url "$PG_URL/$DB" --workload discovery --once >/dev/null
  mark ceiling-by-id
  echo "$one_id" >"$OUT/one_id.txt"
  "$CEILING" --database-url "$PG_URL/$DB" --workload by-id --ids-file "$OUT/one_id.txt" --once >/dev/null
  mark end
  sleep 1
  tail -c +"$((offset + 1))" "$PG_LOG" >"$OUT/pg_capture.log"
  python3 bench/report.py sql-compare --db "$DB" --log "$OUT/pg_capture.log" >"$OUT/sql_compare.json" \
    || true
  cat "$OUT/sql_compare.json" >&2
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

check_bookings() { # after a contended run: no overbooking, counters equal live bookings
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
printf '%s\n' "$DB" >"$OUT/db_name"

if wanted healthz; then
  log "scenario healthz (trivial HTTP ceiling, no database)"
  echo /healthz >"$OUT/healthz_paths.txt"
  rate=$(peak_run healthz get "$THREADS" "$OUT/healthz_paths.txt")
  fixed_run healthz "$rate" 1 "$BASE/healthz"
fi

if [[ -n "$MENTORING" ]]; then
  if wanted discovery; then
    log "scenario discovery"
    echo "/api/v1/mentoring-sessions?limit=20" >"$OUT/discovery_paths.txt"
    rate=$(peak_run discovery get "$THREADS" "$OUT/discovery_paths.txt")
    fixed_run discovery "$rate" 1 "$BASE/api/v1/mentoring-sessions?limit=20"
  fi
  if wanted by-id; then
    log "scenario by-id"
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

  # ---------------------------------------------------------------------------------------
  log "SQL ceiling: the same statements through the same pool ($POOL connections), no HTTP"
  if wanted discovery; then
    settle
    "$CEILING" --database-url "$PG_URL/$DB" --workload discovery --pool "$POOL" \
      --concurrency "$CONNECTIONS" --seconds "$SECONDS_PER_RUN" | tee "$OUT/discovery.sql.json" >&2
  fi
  if wanted by-id; then
    settle
    "$CEILING" --database-url "$PG_URL/$DB" --workload by-id --ids-file "$OUT/byid_ids.txt" \
      --pool "$POOL" --concurrency "$CONNECTIONS" --seconds "$SECONDS_PER_RUN" \
      | tee "$OUT/by-id.sql.json" >&2
  fi
else
  SCENARIOS_MISSING=1
fi

# ---------------------------------------------------------------------------------------
log "report"
python3 bench/report.py report --out "$OUT" --doc "$DOC" \
  --seconds "$SECONDS_PER_RUN" --connections "$CONNECTIONS" --threads "$THREADS" \
  --sessions "$N_SESSIONS" --learners "$N_LEARNERS" --oha-learners "$OHA_LEARNERS" \
  --pool "$POOL" --contended "$CONTENDED_SESSIONS x $CONTENDED_CAPACITY seats (wrk), $CONTENDED_SESSIONS x $CONTENDED_OHA_CAPACITY seats (oha)" \
  ${MENTORING:+--mentoring}

[[ -z "$INVARIANTS_BROKEN" ]] || die "booking invariants are broken (see $OUT/checks.jsonl)"
[[ -z "$SCENARIOS_MISSING" ]] || die "the mentoring endpoints are missing: only the other scenarios were measured"
python3 bench/report.py verify --out "$OUT" || die "unexpected responses (see above)"
echo "bench: done" >&2
