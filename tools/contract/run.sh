#!/usr/bin/env bash
# The API contract, checked against the running server and the clients people generate
# from it (docs/api.md explains the commands):
#   fuzz     starts `lyceum serve` on a fresh database, signs up an account per role and
#            runs Schemathesis (every check, all four phases, a fixed seed) against the
#            server's own /openapi.json, once per role (`make contract-long`);
#            options: --budget quick|long  --db sqlite|postgres
#                     --role anonymous|learner|mentor|admin|all  (repeatable)
#   clients  generates a Python client (openapi-python-client) and TypeScript types
#            (openapi-typescript) from docs/openapi.json, fails on any generator warning,
#            and type-checks tools/contract/client-check.ts against the types (`make clients`);
#   flow     starts a server on SQLite, generates the Python client from its /openapi.json,
#            installs it and runs tools/contract/flow.py, a booking from sign-up to payment
#            through that client alone (`make contract-flow`);
#   all      clients, flow, then fuzz with the quick budget on SQLite for every role: what
#            `make test` runs (`make contract`).
# Each subcommand exits non-zero on any finding. Reports, generated clients and server logs
# go to target/contract/ (CONTRACT_OUT to change it), replaced by the next run.
#
# The tools are pinned (requirements.txt, package-lock.json) and installed into git-ignored
# folders beside this script the first time, or again when a pin changes; after that the
# script works offline.
#
# The server: `cargo build --bin lyceum` (with the feature set `cargo test --workspace`
# resolves, as tools/openapi/check.sh does, so `make test` compiles it once), copied so a
# rebuild cannot swap it mid-run; LYCEUM_BIN=/path/to/lyceum uses that binary instead and
# builds nothing. PostgreSQL runs create a database `lyceum_contract_<random>` through
# CONTRACT_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432) and drop it at exit.
# CONTRACT_SEED changes the fuzzing seed (default 20260511).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
committed="$root/docs/openapi.json"
venv="$here/.venv"
modules="$here/node_modules"
CARGO="${CARGO:-cargo}"
out="${CONTRACT_OUT:-$root/target/contract}"
seed="${CONTRACT_SEED:-20260511}"
postgres_url="${CONTRACT_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
postgres_url="${postgres_url%/}"

export NO_UPDATE_NOTIFIER=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

say() { echo "contract: $*"; }
warn() { echo "contract: $*" >&2; }
fail() {
  echo "contract: $*" >&2
  exit 1
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/lyceum-contract.XXXXXX")"
server_pid=""
server_log=""
pg_database=""
cleanup() {
  local status=$?
  stop_server
  if [ -n "$pg_database" ]; then
    psql "$postgres_url/postgres" -q -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS \"$pg_database\" WITH (FORCE)" >/dev/null 2>&1 ||
      warn "could not drop the PostgreSQL database $pg_database"
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------
# Tools

# A stamp beside each install remembers which pins it was made from.
installed() { [ -f "$2" ] && cmp -s "$1" "$2"; }

ensure_python_tools() {
  if installed "$here/requirements.txt" "$venv/.lyceum-requirements.txt" &&
    [ -x "$venv/bin/st" ] && [ -x "$venv/bin/openapi-python-client" ]; then
    return
  fi
  command -v python3 >/dev/null || fail "python3 is missing (Debian: apt-get install python3-venv)"
  say "installing Schemathesis and openapi-python-client into tools/contract/.venv (pip, pinned in tools/contract/requirements.txt)"
  python3 -m venv --clear "$venv" || fail "python3 cannot create a virtualenv (Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet --no-input -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/.lyceum-requirements.txt"
}

ensure_node_tools() {
  if installed "$here/package-lock.json" "$modules/.lyceum-package-lock.json" &&
    [ -x "$modules/.bin/openapi-typescript" ] && [ -x "$modules/.bin/tsc" ]; then
    return
  fi
  command -v npm >/dev/null || fail "node and npm are missing (Debian: apt-get install nodejs npm)"
  say "installing openapi-typescript and TypeScript into tools/contract/node_modules (npm ci, pinned in tools/contract/package-lock.json)"
  (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  cp "$here/package-lock.json" "$modules/.lyceum-package-lock.json"
}

# The tools' own executables first (openapi-python-client runs ruff, installed beside it,
# on what it generates).
py_path() { echo "$venv/bin:$PATH"; }

# ---------------------------------------------------------------------------------------
# The server

lyceum=""
ensure_lyceum() {
  [ -n "$lyceum" ] && return
  local built
  if [ -n "${LYCEUM_BIN:-}" ]; then
    built="$LYCEUM_BIN"
    [ -x "$built" ] || fail "LYCEUM_BIN=$built is not an executable"
    say "server binary: $built (LYCEUM_BIN)"
  else
    say "building the server: $CARGO build --quiet --bin lyceum --features lyceum-ports/mocks"
    (cd "$root" && "$CARGO" build --quiet --bin lyceum --features lyceum-ports/mocks)
    built="${CARGO_TARGET_DIR:-$root/target}/debug/lyceum"
  fi
  lyceum="$tmp/lyceum"
  cp "$built" "$lyceum"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command (the binary) with the server settings of this run and no other LYCEUM_*
# variable of the caller's: `env` then execs it, so a background server's $! is its pid.
lyceum_env() {
  local unset=() name
  while IFS= read -r name; do unset+=(-u "$name"); done < <(compgen -e | grep '^LYCEUM_' || true)
  exec env "${unset[@]}" \
    LYCEUM_ENV=development \
    LYCEUM_BIND="127.0.0.1:$port" \
    LYCEUM_PUBLIC_URL="$base" \
    LYCEUM_DATABASE_URL="$database_url" \
    LYCEUM_JWT_SECRET="$jwt_secret" \
    LYCEUM_AUTH_RATE_LIMIT_PER_MINUTE=0 \
    LYCEUM_LOGIN_MAX_FAILURES=1000000 \
    LYCEUM_ACCESS_TOKEN_TTL_SECONDS=86400 \
    LYCEUM_LOG="info,sqlx=warn,sea_orm=warn" \
    NO_COLOR=1 \
    "$@"
}

# new_database sqlite|postgres: sets database_url to a database nobody else uses.
new_database() {
  case "$1" in
    sqlite)
      mkdir -p "$tmp/sqlite"
      database_url="sqlite:$tmp/sqlite/lyceum.sqlite?mode=rwc"
      say "database: SQLite in a temporary directory"
      ;;
    postgres)
      command -v psql >/dev/null || fail "psql is missing (Debian: apt-get install postgresql-client)"
      pg_database="lyceum_contract_$(python3 -c 'import secrets; print(secrets.token_hex(6))')"
      psql "$postgres_url/postgres" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$pg_database\"" >/dev/null ||
        fail "cannot create a database through $postgres_url (set CONTRACT_POSTGRES_URL)"
      database_url="$postgres_url/$pg_database"
      say "database: PostgreSQL $pg_database (dropped at exit)"
      ;;
    *) fail "unknown database '$1': sqlite or postgres" ;;
  esac
}

# start_server sqlite|postgres [log name]: a fresh database, a free port, `lyceum serve` in
# the background, then wait for /readyz. Sets base, port, server_pid, server_log.
start_server() {
  ensure_lyceum
  new_database "$1"
  jwt_secret="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
  mkdir -p "$out"
  server_log="$out/${2:-server-$1}.log"
  local attempt
  for attempt in 1 2 3; do
    port="$(free_port)"
    base="http://127.0.0.1:$port"
    # A subshell that execs env, which execs the server: one process, pid $!.
    (lyceum_env "$lyceum" serve) >"$server_log" 2>&1 &
    server_pid=$!
    local waited=0
    while [ "$waited" -lt 120 ]; do
      if curl -fsS -o /dev/null --max-time 2 "$base/readyz" 2>/dev/null; then
        say "server ready on $base (pid $server_pid, log ${server_log#"$root"/})"
        return
      fi
      if ! kill -0 "$server_pid" 2>/dev/null; then
        break
      fi
      sleep 0.5
      waited=$((waited + 1))
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      stop_server
      server_log_tail
      fail "the server did not become ready on $base within 60 s"
    fi
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    # Someone took the port between free_port and the bind: try another one.
    if grep -qi 'address already in use' "$server_log" && [ "$attempt" -lt 3 ]; then
      continue
    fi
    server_log_tail
    fail "the server exited during start-up"
  done
}

stop_server() {
  [ -n "$server_pid" ] || return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    local _
    for _ in $(seq 1 40); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

server_log_tail() {
  [ -n "$server_log" ] && [ -f "$server_log" ] || return 0
  echo "contract: last 40 lines of the server log (${server_log#"$root"/}):" >&2
  tail -n 40 "$server_log" | sed 's/^/  | /' >&2
}

# The server must still be up and answering (it did not die under the load, nor get a
# Ctrl-C meant for the whole run).
server_alive() {
  if ! kill -0 "$server_pid" 2>/dev/null; then
    server_log_tail
    fail "the server process died during the run"
  fi
  if ! curl -fsS -o /dev/null --max-time 10 "$base/healthz"; then
    server_log_tail
    fail "the server stopped answering /healthz during the run"
  fi
}

# ---------------------------------------------------------------------------------------
# Accounts: one per role, signed up through the API (learner, mentor) or `lyceum
# create-admin` (admin), then signed in; prints the access token.

password="Contract${RANDOM}x9"

api_json() { # method path [json body] -> body in $tmp/response, status on stdout
  local args=(-sS -o "$tmp/response" -w '%{http_code}' -X "$1" "$base$2" -H 'accept: application/json')
  if [ $# -ge 3 ]; then args+=(-H 'content-type: application/json' --data "$3"); fi
  curl "${args[@]}"
}

sign_in() { # login -> access token
  local status
  status="$(api_json POST /api/v1/auth/login "{\"login\":\"$1\",\"password\":\"$password\"}")"
  [ "$status" = 200 ] || {
    cat "$tmp/response" >&2
    fail "signing in as $1 answered $status, not 200"
  }
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["access_token"])' "$tmp/response"
}

account_token() { # role -> access token
  local role="$1" suffix status
  suffix="$(python3 -c 'import secrets; print(secrets.token_hex(3))')"
  local username="ct${role:0:5}$suffix" email="contract-$role-$suffix@example.com"
  case "$role" in
    learner | mentor)
      status="$(api_json POST /api/v1/auth/register \
        "{\"email\":\"$email\",\"username\":\"$username\",\"password\":\"$password\",\"first_name\":\"Contract\",\"last_name\":\"$role\",\"role\":\"$role\"}")"
      [ "$status" = 201 ] || {
        cat "$tmp/response" >&2
        fail "signing up a $role answered $status, not 201"
      }
      ;;
    admin)
      (lyceum_env env LYCEUM_ADMIN_PASSWORD="$password" "$lyceum" create-admin \
        --email "$email" --username "$username" --first-name Contract --last-name Admin) \
        >"$tmp/create-admin.log" 2>&1 </dev/null || {
        cat "$tmp/create-admin.log" >&2
        fail "lyceum create-admin failed"
      }
      ;;
    *) fail "no account for role $role" ;;
  esac
  sign_in "$username"
}

# ---------------------------------------------------------------------------------------
# fuzz

# Operations that end the caller's own sign-in (sign out, revoke a signed-in device,
# delete the account): run after everything else, in a pass of their own, so the rest of
# a role's run keeps its token.
self_ending=(logout revokeMyAuthSession deleteMe)

# Schemathesis exits 130 when Ctrl-C stopped it (and handles SIGINT itself, so bash
# would carry on): stop here too.
interrupted() {
  if [ "$1" -eq 130 ]; then
    warn "interrupted"
    exit 130
  fi
}

fuzz_usage() {
  fail "usage: tools/contract/run.sh fuzz [--budget quick|long] [--db sqlite|postgres] [--role anonymous|learner|mentor|admin|all]..."
}

# st_run name report-dir token args...: one Schemathesis run; its exit status is returned.
st_run() {
  local name="$1" dir="$2" token="$3"
  shift 3
  local args=(
    --config-file "$here/schemathesis.toml"
    run "$base/openapi.json"
    --url "$base"
    --checks all
    --phases "examples,coverage,fuzzing,stateful"
    --seed "$seed"
    --report "junit,json"
    --report-junit-path "$dir/junit.xml"
    --report-json-path "$dir/report.json"
    --no-color
  )
  if [ -n "$token" ]; then args+=(--header "Authorization: Bearer $token"); fi
  args+=("$@")
  say "$name: st run … --seed $seed $*"
  # Run inside the report folder: Schemathesis keeps its per-project state (a cache of
  # what the server answered, crash files for `st replay`) in ./.schemathesis/, so every
  # pass starts from none, as the seed alone decides, and leaves it beside its report.
  local status=0
  (cd "$dir" && PATH="$(py_path)" "$venv/bin/st" "${args[@]}") >"$dir/output.txt" 2>&1 || status=$?
  return "$status"
}

fuzz() {
  local budget=quick db=sqlite roles=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --budget) budget="${2:-}"; shift 2 || fuzz_usage ;;
      --db) db="${2:-}"; shift 2 || fuzz_usage ;;
      --role) roles+=("${2:-}"); shift 2 || fuzz_usage ;;
      *) fuzz_usage ;;
    esac
  done
  [ "${#roles[@]}" -gt 0 ] || roles=(all)
  local expanded=() role
  for role in "${roles[@]}"; do
    case "$role" in
      all) expanded+=(anonymous learner mentor admin) ;;
      anonymous | learner | mentor | admin) expanded+=("$role") ;;
      *) fuzz_usage ;;
    esac
  done
  # Each role once, in the order given.
  roles=()
  for role in "${expanded[@]}"; do
    [[ " ${roles[*]-} " == *" $role "* ]] || roles+=("$role")
  done

  # quick: what `make test` runs, about 45 s per role; long: about 10 minutes per role.
  local max_time max_examples
  case "$budget" in
    quick) max_time=40 max_examples=10 ;;
    long) max_time=570 max_examples=100 ;;
    *) fuzz_usage ;;
  esac
  case "$db" in sqlite | postgres) ;; *) fuzz_usage ;; esac

  ensure_python_tools
  local started=$SECONDS
  start_server "$db" "fuzz-$db-server"
  say "fuzzing as ${roles[*]} on $db with the $budget budget (--max-time $max_time --max-examples $max_examples per role, seed $seed)"

  local failed=() summary=() dir status token started_role
  for role in "${roles[@]}"; do
    started_role=$SECONDS
    dir="$out/fuzz-$db-$role"
    rm -rf "$dir"
    mkdir -p "$dir/last"
    token=""
    [ "$role" = anonymous ] || token="$(account_token "$role")"

    status=0
    local exclude=()
    if [ -n "$token" ]; then
      local op
      for op in "${self_ending[@]}"; do exclude+=(--exclude-operation-id "$op"); done
    fi
    st_run "$role" "$dir" "$token" --max-time "$max_time" --max-examples "$max_examples" "${exclude[@]}" || status=$?
    interrupted "$status"
    server_alive
    if [ -n "$token" ]; then
      # The token must have outlived the main pass, or most of it tested a signed-out caller.
      local still
      still="$(curl -sS -o /dev/null -w '%{http_code}' "$base/api/v1/me" -H "Authorization: Bearer $token" || true)"
      [ "$still" = 200 ] || warn "$role: GET /api/v1/me answered $still after the main pass: the account lost its sign-in during the run"
      local include=() last_status=0
      for op in "${self_ending[@]}"; do include+=(--include-operation-id "$op"); done
      st_run "$role (sign-out, device revocation, account deletion)" "$dir/last" "$token" \
        --max-examples 5 "${include[@]}" || last_status=$?
      interrupted "$last_status"
      server_alive
      [ "$status" -ne 0 ] || status=$last_status
    fi
    python3 "$here/summarize.py" "$role" "$dir" "$dir/last"
    summary+=("$(printf '%-10s %-6s %4ss' "$role" "$([ "$status" = 0 ] && echo ok || echo FAILED)" "$((SECONDS - started_role))")")
    if [ "$status" -ne 0 ]; then
      failed+=("$role")
      # Interrupted or broken runs have no summary worth reading: show the output's end.
      if ! grep -q 'FAILURES\|Failures:' "$dir/output.txt" "$dir/last/output.txt" 2>/dev/null; then
        tail -n 30 "$dir/output.txt" | sed 's/^/  | /' >&2
      fi
    fi
  done
  stop_server

  say "fuzzing on $db finished in $((SECONDS - started))s:"
  printf '  %s\n' "${summary[@]}"
  if [ "${#failed[@]}" -gt 0 ]; then
    server_log_tail
    fail "Schemathesis found problems as: ${failed[*]} (full output, JUnit XML and JSON reports: ${out#"$root"/}/fuzz-$db-<role>/)"
  fi
  say "no findings"
}

# ---------------------------------------------------------------------------------------
# clients

# Lines that mean a generator skipped or doubted part of the document.
warning_pattern='warn|unable to process|removal of|cannot|could not|not processed|not supported|unsupported|omitted|error|deprecated|✘|⚠'

# generate_python document output-dir [strict]: openapi-python-client; strict fails on any
# warning, otherwise they are only counted.
generate_python() {
  local document="$1" dest="$2" strict="${3:-}"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  local status=0 options=()
  [ -z "$strict" ] || options+=(--fail-on-warning)
  (cd "$tmp" && PATH="$(py_path)" "$venv/bin/openapi-python-client" generate \
    --path "$document" --config "$here/python-client.yaml" --meta pdm \
    --output-path "$dest" --overwrite "${options[@]}") >"$dest.log" 2>&1 || status=$?
  local findings
  findings="$(grep -Eic "$warning_pattern" "$dest.log" || true)"
  if [ "$status" -ne 0 ] || [ "$findings" -gt 0 ]; then
    if [ -n "$strict" ]; then
      python3 "$here/summarize.py" --python-client "$dest.log" >&2
      warn "openapi-python-client: exit status $status, $findings warning lines (full output: ${dest#"$root"/}.log)"
      return 1
    fi
    warn "openapi-python-client generated the client with $findings warning lines (exit status $status); \`run.sh clients\` lists them"
    [ -d "$dest" ] || return 1
  fi
  say "python client: ${dest#"$root"/} (openapi-python-client $("$venv/bin/python" -c 'from importlib.metadata import version; print(version("openapi-python-client"))'))"
}

clients() {
  ensure_python_tools
  ensure_node_tools
  local started=$SECONDS status=0
  local dir="$out/clients"
  rm -rf "$dir"
  mkdir -p "$dir"

  say "generating the Python client from docs/openapi.json (config tools/contract/python-client.yaml)"
  generate_python "$committed" "$dir/python" strict || status=1

  say "generating TypeScript types from docs/openapi.json (openapi-typescript $(node -p "require('$modules/openapi-typescript/package.json').version"))"
  mkdir -p "$dir/typescript"
  local ts_status=0
  # --default-non-nullable false: a field with a default (SessionIn.description) stays
  # optional, as the document says, instead of being required of whoever sends it. Run
  # from the output folder, so no redocly.yaml of the repository changes its validation.
  (cd "$dir/typescript" && "$modules/.bin/openapi-typescript" "$committed" \
    --default-non-nullable false -o lyceum-api.d.ts) >"$dir/typescript.log" 2>&1 || ts_status=$?
  # Its progress lines (✨ version, 🚀 written) are fine; anything else is a finding.
  if [ "$ts_status" -ne 0 ] || grep -Eiq "$warning_pattern" "$dir/typescript.log"; then
    sed 's/^/  | /' "$dir/typescript.log" | head -n 40 >&2
    warn "openapi-typescript: exit status $ts_status, or warnings above"
    status=1
  else
    say "typescript types: ${dir#"$root"/}/typescript/lyceum-api.d.ts, no warnings"
  fi
  if [ -f "$dir/typescript/lyceum-api.d.ts" ]; then
    cp "$here/client-check.ts" "$dir/typescript/client-check.ts"
    say "type-checking tools/contract/client-check.ts against them (tsc $(node -p "require('$modules/typescript/package.json').version") --noEmit --strict)"
    if ! (cd "$dir/typescript" && "$modules/.bin/tsc" --noEmit --strict \
      --target es2022 --module esnext --moduleResolution bundler client-check.ts) >"$dir/tsc.log" 2>&1; then
      sed 's/^/  | /' "$dir/tsc.log" | head -n 40 >&2
      warn "tsc: client-check.ts does not compile against the generated types"
      status=1
    else
      say "client-check.ts compiles against them"
    fi
  fi
  if [ "$status" -ne 0 ]; then
    fail "clients: findings above (outputs in ${dir#"$root"/}/) after $((SECONDS - started))s"
  fi
  say "clients: both generators ran without warnings and the TypeScript types compile (${SECONDS}s)"
}

# ---------------------------------------------------------------------------------------
# flow

flow() {
  ensure_python_tools
  local started=$SECONDS
  local dir="$out/flow"
  rm -rf "$dir"
  mkdir -p "$dir"
  start_server sqlite flow-server
  # The server's own document; CONTRACT_DOCUMENT=path tries a candidate one instead.
  local document="$dir/openapi.json"
  if [ -n "${CONTRACT_DOCUMENT:-}" ]; then
    cp "$CONTRACT_DOCUMENT" "$document"
    say "generating the Python client from $CONTRACT_DOCUMENT (CONTRACT_DOCUMENT)"
  else
    curl -fsS "$base/openapi.json" -o "$document"
    say "generating the Python client from $base/openapi.json"
  fi
  generate_python "$document" "$dir/python" || fail "flow: the Python client could not be generated"
  # Installed with pip from the generated project (its pdm-backend build, no index, no
  # dependencies fetched: pdm-backend, httpx and attrs are pinned in requirements.txt) into
  # a folder of this run that the tools' Python reads, so the pinned venv itself stays as
  # requirements.txt says.
  say "installing the generated client (pip install --no-index --no-build-isolation into ${dir#"$root"/}/site)"
  "$venv/bin/pip" install --quiet --no-input --no-index --no-build-isolation --no-deps \
    --target "$dir/site" "$dir/python" >"$dir/pip.log" 2>&1 || {
    cat "$dir/pip.log" >&2
    fail "flow: pip could not install the generated client"
  }
  local status=0
  (cd "$tmp" && PYTHONPATH="$dir/site" "$venv/bin/python" "$here/flow.py" "$base") || status=$?
  server_alive
  stop_server
  if [ "$status" -ne 0 ]; then
    server_log_tail
    fail "flow: failed after $((SECONDS - started))s (server log ${server_log#"$root"/})"
  fi
  say "flow: passed in $((SECONDS - started))s"
}

# ---------------------------------------------------------------------------------------

case "${1:-all}" in
  fuzz)
    shift
    fuzz "$@"
    ;;
  clients) clients ;;
  flow) flow ;;
  all)
    status=0
    # Every part runs, so one report shows all findings; the exit status is the worst one.
    part() {
      local part_status=0 part_started=$SECONDS
      bash "$0" "$@" || part_status=$?
      interrupted "$part_status"
      timings+=("$(printf '%-8s %-6s %4ss' "$1" "$([ "$part_status" = 0 ] && echo ok || echo FAILED)" "$((SECONDS - part_started))")")
      [ "$part_status" -eq 0 ] || status=1
    }
    timings=()
    part clients
    part flow
    part fuzz --budget quick --db sqlite --role all
    say "contract check parts:"
    printf '  %s\n' "${timings[@]}"
    if [ "$status" -ne 0 ]; then
      fail "the contract check found problems (above) in ${SECONDS}s"
    fi
    say "contract check passed in ${SECONDS}s"
    ;;
  *)
    fail "usage: tools/contract/run.sh [all|clients|flow|fuzz [--budget quick|long] [--db sqlite|postgres] [--role ROLE]...]"
    ;;
esac
