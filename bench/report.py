#!/usr/bin/env python3
"""Reads the raw outputs of bench/run.sh and reports them (standard library only).

  report.py half-rate WRK_JSON          print 50 % of the wrk peak, in requests/s
  report.py sql-compare --db DB --log F compare the SQL the server ran with the ceiling's
  report.py report --out DIR --doc MD … print the results and rewrite the results
                                        section of docs/performance.md
  report.py verify --out DIR            fail on responses no scenario should produce
"""
import argparse
import datetime
import glob
import json
import os
import re
import sqlite3
import subprocess
import sys

BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"

# name, title, SQL ceiling file (read scenarios), statuses a scenario may answer with.
SCENARIOS = [
    ("discovery", "Session discovery list (`GET /mentoring-sessions?limit=20`)", "discovery",
     {"200"}),
    ("by-id", "One session by id (`GET /mentoring-sessions/{id}`, 20,000 ids)", "by-id",
     {"200"}),
    ("book-spread", "Booking, spread over many sessions (`POST …/{id}/bookings`)", None,
     {"201"}),
    ("book-contended", "Booking, contended on 5 sessions", None,
     {"201", "409", "409:booking.session_full", "409:booking.duplicate"}),
    ("login", "Login (`POST /auth/login`, argon2id)", None, {"200"}),
]
HEALTHZ = ("healthz", "Trivial HTTP, no database (`GET /healthz`)", None, {"200"})
# oha picks URLs at random, so a fixed-rate spread run may draw the same session twice
# for its learner: the second answer is a legitimate 409 duplicate (status only in oha).
OHA_EXTRA = {"book-spread": {"409"}}


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def half_rate(args):
    peak = load_json(args.wrk_json)
    if not peak or not peak.get("rps"):
        sys.exit(f"no wrk result in {args.wrk_json}")
    print(max(1, int(peak["rps"] / 2)))


# ---------------------------------------------------------------------------------------
STATEMENT = re.compile(r"^\S+ \S+ \S+ \[\d+\] \S*@(\S+) (LOG|DETAIL):  (.*)$")


def parse_log(path, db):
    """Statements per marked section, for database `db`."""
    sections, current, last = {}, None, None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("\t") and last is not None:
                last[0] += " " + line.strip()
                continue
            m = STATEMENT.match(line)
            last = None
            if not m or m.group(1) != db:
                continue
            kind, text = m.group(2), m.group(3)
            if kind == "DETAIL":
                if current is not None and sections[current] and text.startswith("parameters:"):
                    sections[current][-1][1] = text[len("parameters: "):]
                continue
            marker = re.search(r"lyceum-bench-mark:([a-z-]+)", text)
            if marker:
                current = marker.group(1)
                sections[current] = []
                continue
            stmt = re.match(r"^(?:execute [^:]*|statement): (.*)$", text)
            if stmt is None:  # connection messages and the like
                continue
            sql = stmt.group(1)
            if current is not None:
                entry = [sql, None]
                sections[current].append(entry)
                last = entry
    return sections


def normalise(sql):
    return re.sub(r"\s+", " ", sql).strip()


def sql_compare(args):
    sections = parse_log(args.log, args.db)
    result = {}
    for endpoint in ("discovery", "by-id"):
        server = [s for s in sections.get("server-" + endpoint, [])]
        ceiling = [s for s in sections.get("ceiling-" + endpoint, [])]
        result[endpoint] = {
            "same_sql": [normalise(s) for s, _ in server] == [normalise(s) for s, _ in ceiling]
            and bool(server),
            "server": [{"sql": s, "parameters": p} for s, p in server],
            "ceiling": [{"sql": s, "parameters": p} for s, p in ceiling],
        }
    print(json.dumps(result, indent=2))


# ---------------------------------------------------------------------------------------
def percentile(sorted_values, q):
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(q / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def oha_result(out, name):
    dbs = sorted(glob.glob(os.path.join(out, f"{name}.oha.*.db")))
    if not dbs:
        return None
    durations, statuses, first, last = [], {}, None, None
    for path in dbs:
        conn = sqlite3.connect(path)
        for start, end, duration, status in conn.execute(
                "SELECT coalesce(start_latency_correction, start), end, duration, status FROM oha"):
            durations.append(duration)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            first = start if first is None else min(first, start)
            last = end if last is None else max(last, end)
        conn.close()
    errors = {}
    for path in glob.glob(os.path.join(out, f"{name}.oha.*.json")):
        data = load_json(path) or {}
        for key, n in (data.get("errorDistribution") or {}).items():
            errors[key] = errors.get(key, 0) + n
    durations.sort()
    rate = None
    try:
        rate = float(open(os.path.join(out, f"{name}.rate")).read())
    except (OSError, ValueError):
        pass
    return {
        "target_rate": rate,
        "processes": len(dbs),
        "responses": len(durations),
        "achieved_rate": len(durations) / (last - first) if durations and last > first else None,
        "p50_ms": percentile(durations, 50) * 1000 if durations else None,
        "p99_ms": percentile(durations, 99) * 1000 if durations else None,
        "statuses": statuses,
        "errors": errors,
    }


def collect(out):
    results = {}
    for name, title, sql, expected in [HEALTHZ] + SCENARIOS:
        wrk = load_json(os.path.join(out, f"{name}.wrk.json"))
        results[name] = {
            "title": title,
            "wrk": wrk,
            "oha": oha_result(out, name),
            "sql": load_json(os.path.join(out, f"{sql}.sql.json")) if sql else None,
            "expected": expected,
        }
    return results


def fmt(value, digits=0, suffix=""):
    if value is None:
        return "not measured"
    return f"{value:,.{digits}f}{suffix}"


def statuses_text(statuses):
    if not statuses:
        return ""
    return ", ".join(f"{k}: {v:,}" for k, v in sorted(statuses.items()))


def run(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              timeout=20).stdout.strip()
    except Exception:  # noqa: BLE001 - a missing tool only blanks one line of the report
        return ""


def machine(pg_url):
    model = run("lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1")
    return [
        ("Date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", f"{model} — {run('nproc')} logical CPUs (`nproc`)"),
        ("Memory", run("free -h | awk '/^Mem:/ {print $2}'") + " total (`free -h`)"),
        ("OS", run(". /etc/os-release && echo \"$PRETTY_NAME\"") + ", kernel " + run("uname -r")),
        ("PostgreSQL", run(f"psql -X -At '{pg_url}/postgres' -c 'SHOW server_version'")
         + " on 127.0.0.1, same machine, default configuration"),
        ("Rust", run("rustc --version")),
        ("Load generators", run("wrk -v 2>&1 | head -1 | cut -d' ' -f1-2") + "; "
         + run("oha --version")),
    ]


def report(args):
    results = collect(args.out)
    healthz = results["healthz"]
    http_ceiling = (healthz["wrk"] or {}).get("rps")
    checks = []
    try:
        with open(os.path.join(args.out, "checks.jsonl")) as f:
            checks = [json.loads(line) for line in f if line.strip()]
    except OSError:
        pass
    compare = load_json(os.path.join(args.out, "sql_compare.json")) or {}
    fill = ""
    try:
        fill = open(os.path.join(args.out, "contended_fill.txt")).read().strip()
    except OSError:
        pass

    lines = [BEGIN, "", "## Latest results", ""]
    lines.append(f"Produced by `make bench`; raw outputs in `target/bench/{os.path.basename(args.out.rstrip('/'))}/`.")
    lines += ["", "### Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine(args.pg_url)]
    lines += ["", "### Settings", "",
              f"- Each run lasts {args.seconds} s; wrk uses {args.threads} threads and "
              f"{args.connections} connections; oha uses the same number of connections in total.",
              f"- Server pool: {args.pool} connections (`LYCEUM_DB_MAX_CONNECTIONS`); the SQL "
              f"ceiling uses the same pool size and {args.connections} concurrent tasks.",
              f"- Data: {args.sessions:,} mentoring sessions, {args.learners} learners for the "
              f"wrk booking runs and {args.oha_learners} more (one per oha process) for the "
              f"fixed-rate booking runs; contended sessions: {args.contended}.",
              ""]

    lines += ["### Ceilings", "",
              "| Ceiling | Peak (wrk) | p50 at 50 % | p99 at 50 % |", "|---|---:|---:|---:|"]
    oha = healthz["oha"] or {}
    lines.append(f"| {healthz['title']} | {fmt(http_ceiling, 0, ' req/s')} | "
                 f"{fmt(oha.get('p50_ms'), 2, ' ms')} | {fmt(oha.get('p99_ms'), 2, ' ms')} |")
    for name in ("discovery", "by-id"):
        sql = results[name]["sql"]
        lines.append(f"| Same SQL as {name}, same pool, no HTTP (`sql-ceiling`) | "
                     f"{fmt(sql and sql.get('ops_per_sec'), 0, ' ops/s')} | — | — |")
    lines += ["", "### API scenarios", "",
              "| Scenario | Peak (wrk) | Rate for latency (oha) | p50 | p99 | Peak ÷ SQL ceiling | Peak ÷ HTTP ceiling |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for name, *_ in SCENARIOS:
        r = results[name]
        peak = (r["wrk"] or {}).get("rps")
        o = r["oha"] or {}
        sql_rate = (r["sql"] or {}).get("ops_per_sec")
        if name not in ("discovery", "by-id"):
            sql_ratio = "—"
        else:
            sql_ratio = fmt(peak / sql_rate, 2) if peak and sql_rate else "not measured"
        http_ratio = fmt(peak / http_ceiling, 3) if peak and http_ceiling else "not measured"
        lines.append(f"| {r['title']} | {fmt(peak, 0, ' req/s')} | "
                     f"{fmt(o.get('target_rate'), 0, ' req/s')} | {fmt(o.get('p50_ms'), 2, ' ms')} | "
                     f"{fmt(o.get('p99_ms'), 2, ' ms')} | {sql_ratio} | {http_ratio} |")
    lines += ["", "Responses by status (peak run / fixed-rate run):", ""]
    for name, *_ in [HEALTHZ] + SCENARIOS:
        r = results[name]
        if not r["wrk"] and not r["oha"]:
            lines.append(f"- {name}: not measured")
            continue
        w = r["wrk"] or {}
        o = r["oha"] or {}
        extra = ""
        if o.get("errors"):
            extra = f"; oha errors: {o['errors']}"
        sock = {k: v for k, v in (w.get("socket_errors") or {}).items() if v}
        if sock:
            extra += f"; wrk socket errors: {sock}"
        lines.append(f"- {name}: {statuses_text(w.get('statuses'))} / "
                     f"{statuses_text(o.get('statuses'))}"
                     f"{' (achieved %.0f req/s)' % o['achieved_rate'] if o.get('achieved_rate') else ''}{extra}")
    lines += ["", "### Checks", ""]
    if checks:
        for c in checks:
            ok = c["overbooked_sessions"] == 0 and c["counter_mismatches"] == 0 and c["duplicate_live_bookings"] == 0
            lines.append(f"- After {c['after']}: {'passed' if ok else '**FAILED**'} — "
                         f"{c['overbooked_sessions']} sessions over capacity, "
                         f"{c['counter_mismatches']} seat counters different from their live "
                         f"bookings, {c['duplicate_live_bookings']} duplicate live bookings.")
        if fill:
            lines.append(f"- Contended sessions after both runs: {fill} seats taken.")
    else:
        lines.append("- Booking invariants: not checked (no booking run).")
    for endpoint in ("discovery", "by-id"):
        c = compare.get(endpoint)
        if c is None:
            lines.append(f"- SQL of {endpoint}: not compared.")
        elif c["same_sql"]:
            lines.append(f"- SQL of {endpoint}: the ceiling runs the same "
                         f"{len(c['server'])} statement(s) the server ran for one request.")
        else:
            lines.append(f"- SQL of {endpoint}: **differs** from the server's — the SQL "
                         f"ratio is not comparable until `bench/ceiling/src/queries.rs` is "
                         f"updated (see `sql_compare.json`).")
    if not args.mentoring:
        lines += ["", "The mentoring endpoints did not answer, so the session and booking "
                  "scenarios and the SQL ceiling are **not measured** in this run."]
    lines += ["", END]
    section = "\n".join(lines)
    print(section)

    if args.doc == "/dev/null":
        return
    try:
        doc = open(args.doc).read()
    except OSError:
        doc = None
    if doc and BEGIN in doc and END in doc:
        doc = doc[:doc.index(BEGIN)] + section + doc[doc.index(END) + len(END):]
    elif doc:
        doc = doc.rstrip("\n") + "\n\n" + section + "\n"
    else:
        doc = "# Performance\n\nSee `bench/run.sh`.\n\n" + section + "\n"
    with open(args.doc, "w") as f:
        f.write(doc)
    print(f"\nwrote {args.doc}", file=sys.stderr)


def verify(args):
    results = collect(args.out)
    bad = []
    for name, r in results.items():
        expected = r["expected"]
        w = r["wrk"] or {}
        o = r["oha"] or {}
        for key, n in (w.get("statuses") or {}).items():
            if key not in expected:
                bad.append(f"{name} (wrk): {n} × {key}")
        for key, n in (w.get("socket_errors") or {}).items():
            if n and key != "timeout":
                bad.append(f"{name} (wrk): {n} socket {key} errors")
        for key, n in (o.get("statuses") or {}).items():
            if key not in expected and key not in OHA_EXTRA.get(name, set()):
                bad.append(f"{name} (oha): {n} × {key}")
        for key, n in (o.get("errors") or {}).items():
            bad.append(f"{name} (oha): {n} × {key}")
    for line in bad:
        print("unexpected:", line, file=sys.stderr)
    sys.exit(1 if bad else 0)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    h = sub.add_parser("half-rate")
    h.add_argument("wrk_json")
    c = sub.add_parser("sql-compare")
    c.add_argument("--db", required=True)
    c.add_argument("--log", required=True)
    r = sub.add_parser("report")
    r.add_argument("--out", required=True)
    r.add_argument("--doc", required=True)
    r.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    for flag in ("--seconds", "--connections", "--threads", "--sessions", "--learners",
                 "--oha-learners", "--pool"):
        r.add_argument(flag, type=int, required=True)
    r.add_argument("--contended", required=True)
    r.add_argument("--mentoring", action="store_true")
    v = sub.add_parser("verify")
    v.add_argument("--out", required=True)
    args = p.parse_args()
    {"half-rate": half_rate, "sql-compare": sql_compare, "report": report,
     "verify": verify}[args.command](args)


if __name__ == "__main__":
    main()
