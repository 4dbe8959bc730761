#!/usr/bin/env bash
# The API contract, reviewed like code: docs/openapi.json is committed, and this script
#   generate  rewrites it from the server (`make openapi`);
#   check     (default) regenerates it into a temporary file and fails on any difference
#             from the committed one, then validates it (openapi-spec-validator) and lints
#             it (Redocly CLI, rules in tools/openapi/redocly.yaml) (`make openapi-check`);
#   lint      lists every linter finding, warnings included (`make openapi-lint`).
# The validator and the linter are pinned here (requirements.txt, package-lock.json) and
# installed into git-ignored folders beside this script the first time, or again when a
# pin changes; after that the script works offline.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
committed="$root/docs/openapi.json"
venv="$here/.venv"
modules="$here/node_modules"
CARGO="${CARGO:-cargo}"
# The `servers` entry is the public URL; pin it so the document is the same on every machine.
public_url="http://127.0.0.1:8080"

# No telemetry and no update check from the linter: it must work offline.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1

say() { echo "openapi: $*"; }
fail() {
  echo "openapi: $*" >&2
  exit 1
}

# `lyceum openapi`, built from the workspace root with `lyceum-ports/mocks`: that is the
# feature set `cargo test --workspace` resolves for every crate the binary uses, so
# `make test` compiles them once, not once for this and again for the tests. Features
# change nothing in the document.
run_lyceum=(run --quiet --bin lyceum --features lyceum-ports/mocks -- openapi)

say_generating() {
  say "generating: $CARGO ${run_lyceum[*]} (LYCEUM_PUBLIC_URL=$public_url, other LYCEUM_* unset)"
}

# Prints the document on stdout, built from the current source with the same settings
# everywhere: every LYCEUM_* variable of the caller is dropped, the public URL is pinned.
generate() {
  local unset=()
  local name
  while IFS= read -r name; do unset+=(-u "$name"); done < <(compgen -e | grep '^LYCEUM_' || true)
  (cd "$root" && env "${unset[@]}" LYCEUM_PUBLIC_URL="$public_url" "$CARGO" "${run_lyceum[@]}")
}

# A stamp beside each install remembers which pins it was made from.
installed() { [ -f "$2" ] && cmp -s "$1" "$2"; }

ensure_validator() {
  if installed "$here/requirements.txt" "$venv/.lyceum-requirements.txt" && [ -x "$venv/bin/openapi-spec-validator" ]; then
    return
  fi
  command -v python3 >/dev/null || fail "python3 is missing (Debian: apt-get install python3-venv)"
  say "installing openapi-spec-validator into tools/openapi/.venv (pip, pinned in tools/openapi/requirements.txt)"
  python3 -m venv --clear "$venv" || fail "python3 cannot create a virtualenv (Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/.lyceum-requirements.txt"
}

ensure_linter() {
  if installed "$here/package-lock.json" "$modules/.lyceum-package-lock.json" && [ -x "$modules/.bin/redocly" ]; then
    return
  fi
  command -v npm >/dev/null || fail "node and npm are missing (Debian: apt-get install nodejs npm)"
  say "installing Redocly CLI into tools/openapi/node_modules (npm ci, pinned in tools/openapi/package-lock.json)"
  (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  cp "$here/package-lock.json" "$modules/.lyceum-package-lock.json"
}

redocly() {
  (cd "$root" && "$modules/.bin/redocly" lint docs/openapi.json --config tools/openapi/redocly.yaml --max-problems 100000 "$@")
}

validate() {
  ensure_validator
  say "validating docs/openapi.json against the OpenAPI 3.1 schema (openapi-spec-validator $("$venv/bin/python" -c 'from importlib.metadata import version; print(version("openapi-spec-validator"))'))"
  if ! "$venv/bin/openapi-spec-validator" "$committed" >"$tmp.validator" 2>&1; then
    head -n 40 "$tmp.validator" >&2
    fail "docs/openapi.json is not a valid OpenAPI document"
  fi
}

lint_summary() {
  ensure_linter
  say "linting docs/openapi.json (Redocly CLI $(node -p "require('$modules/@redocly/cli/package.json').version"), rules in tools/openapi/redocly.yaml); findings by rule:"
  if ! redocly --format=summary >"$tmp.lint" 2>&1; then
    grep -E '^(error|warning) ' "$tmp.lint" | sed 's/^/  /' >&2 || true
    echo "openapi: errors in docs/openapi.json (line:column):" >&2
    redocly --format=stylish 2>&1 | grep -E '^ +[0-9]+:[0-9]+ +error ' | head -n 40 >&2 || true
    fail "the linter found errors (all findings: make openapi-lint)"
  fi
  grep -E '^(error|warning) ' "$tmp.lint" | sed 's/^/  /' || true
  say "lint passed; the warnings are known contract defects (see tools/openapi/redocly.yaml; details: make openapi-lint)"
  say "contract check passed in ${SECONDS}s"
}

tmp="$(mktemp)"
trap 'rm -f "$tmp" "$tmp".*' EXIT

case "${1:-check}" in
  generate)
    say_generating
    generate >"$tmp"
    cat "$tmp" >"$committed"
    say "wrote docs/openapi.json"
    ;;
  check)
    [ -f "$committed" ] || fail "docs/openapi.json is missing: run \`make openapi\`"
    say_generating
    generate >"$tmp"
    if ! cmp -s "$committed" "$tmp"; then
      # The first 40 lines of the diff, each cut at 200 characters (descriptions are long).
      diff -u --label "docs/openapi.json (committed)" --label "docs/openapi.json (generated)" \
        "$committed" "$tmp" | head -n 40 | LC_ALL=C.UTF-8 sed -E 's/^(.{200}).+$/\1 […]/' >&2 || true
      fail "docs/openapi.json differs from what the server generates: run \`make openapi\` and commit the result"
    fi
    say "docs/openapi.json matches the server"
    validate
    lint_summary
    ;;
  lint)
    ensure_linter
    redocly --format=stylish || status=$?
    redocly --format=summary 2>&1 | grep -E '^(error|warning) ' || true
    exit "${status:-0}"
    ;;
  *)
    fail "usage: tools/openapi/check.sh [generate|check|lint]"
    ;;
esac
