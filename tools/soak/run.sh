#!/usr/bin/env bash
# `make soak`: builds the release server and the soak driver, runs the scenarios named on
# the command line (default: all) against PostgreSQL on 127.0.0.1, and writes their
# results into docs/reliability.md between the "soak results" markers. See that document.
#
# Knobs (environment): SOAK_PG_URL (default postgres://postgres@127.0.0.1:5432),
# SOAK_BOOKINGS, SOAK_KILLS, SOAK_STREAMS, SOAK_SIGN_INS (scenario sizes), SOAK_DOC
# (default docs/reliability.md; /dev/null leaves the document alone).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
CARGO=${CARGO:-cargo}
DOC=${SOAK_DOC:-$ROOT/docs/reliability.md}
STAMP=$(date +%Y%m%d_%H%M%S)
export SOAK_OUT=$ROOT/target/soak/$STAMP
export SOAK_SERVER_BIN=$ROOT/target/release/lyceum
mkdir -p "$SOAK_OUT"

for tool in psql pg_ctlcluster prlimit; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is required" >&2; exit 1; }
done
pg_isready -h 127.0.0.1 -p 5432 -q || {
  version=$(ls /etc/postgresql | head -n1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
}

$CARGO build --release -p lyceum-server -p lyceum-soak
status=0
"$ROOT/target/release/lyceum-soak" "$@" || status=$?

if [[ -f "$SOAK_OUT/results.md" && "$DOC" != /dev/null ]]; then
  python3 - "$DOC" "$SOAK_OUT/results.md" "$(date -u +%Y-%m-%d)" "$(nproc)" "$*" <<'PY'
import sys, re
doc, results, day, cores, which = sys.argv[1:]
text = open(doc).read()
body = open(results).read()
section = (f"<!-- soak results: written by `make soak`, do not edit by hand -->\n"
           f"Last run {day} on {cores} cores ({which or 'all scenarios'}).\n\n{body}"
           f"<!-- end of soak results -->")
new = re.sub(r"<!-- soak results:.*?<!-- end of soak results -->", lambda _: section, text, flags=re.S)
open(doc, "w").write(new)
PY
  echo "soak: results in $SOAK_OUT/results.md and $DOC" >&2
fi
exit $status
