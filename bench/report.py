#!/usr/bin/env python3
"""Reads the raw outputs of bench/run.sh and reports them (standard library only).

  report.py half-rate WRK_JSON           print 50 % of the wrk peak, in requests/s
  report.py capture --db DB --log F …    turn the statements PostgreSQL logged while the
                                         server answered a request per endpoint into
                                         pgbench scripts; check that another request ran
                                         the same statements and that the sql-ceiling runs
                                         them
  report.py pgbench-tps FILE             print the tps of one pgbench output (or fail)
  report.py report --out DIR --doc MD …  print the results, write DIR/summary.json (the
                                         chart's input) and rewrite the latest-results
                                         section of the document; with --before LABEL also
                                         the before section, which later runs leave alone.
                                         The run's settings are kept in DIR/settings.json:
                                         `report --out DIR --doc MD` alone regenerates the
                                         latest section from a run's raw outputs
  report.py verify --out DIR             fail on responses no scenario should produce
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seed_sql import session_id_sql  # noqa: E402  (same folder)

BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"
BEFORE_BEGIN = "<!-- bench:before:begin -->"
BEFORE_END = "<!-- bench:before:end -->"

# name, title, data size, statuses a scenario may answer with, pgbench script of its
# statements (the database limit D for the same work), or None.
SCENARIOS = [
    ("discovery", "Session discovery list (`GET /mentoring-sessions?limit=20`)", "small",
     {"200"}, "discovery"),
    ("discovery-1m", "Session discovery list", "large", {"200"}, "discovery-1m"),
    ("by-id", "One session by id (`GET /mentoring-sessions/{id}`)", "small", {"200"}, "by-id"),
    ("by-id-1m", "One session by id", "large", {"200"}, "by-id-1m"),
    ("book-spread", "Booking, spread over many sessions (`POST …/{id}/bookings`)", "small",
     {"201"}, "booking"),
    ("book-contended", "Booking, contended on 5 sessions", "small",
     {"201", "409", "409:booking.session_full", "409:booking.duplicate"}, None),
    ("login", "Login (`POST /auth/login`, argon2id)", "small", {"200"}, None),
]
HEALTHZ = ("healthz", "Trivial HTTP, no database (`GET /healthz`)", "—", {"200"}, None)
# Runs that are not scenarios of their own: discovery at a fixed rate while a login flood
# (wrk on POST /auth/login) runs.
FLOOD = [("discovery-flood", "Discovery at a fixed rate during a login flood", "small",
          {"200"}, None),
         ("login-flood", "The login flood itself", "small", {"200"}, None)]
# oha picks URLs at random, so a fixed-rate spread run may draw the same session twice
# for its learner: the second answer is a legitimate 409 duplicate (status only in oha).
OHA_EXTRA = {"book-spread": {"409"}}
# pgbench scripts: name, what it runs, the endpoint whose captured statements it replays.
PGBENCH = [
    ("discovery", "discovery's statements, {small} sessions"),
    ("by-id", "by-id's statements, {small} sessions"),
    ("booking", "a booking request's statements (transactions as captured)"),
    ("booking-tx", "the booking transaction alone (BEGIN … COMMIT)"),
    ("discovery-1m", "discovery's statements, {large} sessions"),
    ("by-id-1m", "by-id's statements, {large} sessions"),
]

# Targets (issue 9, "The benchmark becomes the judge").
TARGET_OF_C = 0.5          # session by id and discovery: peak ≥ 0.5 of C
TARGET_BOOKING_OF_D = 0.6  # booking spread: peak ≥ 0.6 of the pgbench booking figure
TARGET_P99_MS = 10.0       # p99 at 50 % of the peak, every scenario
TARGET_FLAT = 0.8          # peak at 1M ÷ peak at 100k sessions, discovery and by-id
TARGET_FLOOD = 2.0         # discovery's p99 during a login flood ≤ 2 × without


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_text(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def half_rate(args):
    peak = load_json(args.wrk_json)
    if not peak or not peak.get("rps"):
        sys.exit(f"no wrk result in {args.wrk_json}")
    print(max(1, int(peak["rps"] / 2)))


# ---------------------------------------------------------------------------------------
# The statement capture: PostgreSQL logs every statement of the benchmark database
# (log_statement = 'all', Debian's log_line_prefix '%m [%p] %q%u@%d '); bench/run.sh
# writes markers (`SELECT 'lyceum-bench-mark:NAME'`) between requests.
STATEMENT = re.compile(r"^\S+ \S+ \S+ \[\d+\] \S*@(\S+) ([A-Z]+):  (.*)$")
PARAM = re.compile(r"\$(\d+) = (?:NULL|'((?:[^']|'')*)')(?:, |$)", re.S)
PLACEHOLDER = re.compile(r"\$(\d+)(?!\d)")


def parse_params(text):
    return {int(m.group(1)): None if m.group(2) is None else m.group(2).replace("''", "'")
            for m in PARAM.finditer(text or "")}


def parse_log(path, db):
    """Statements (sql, {n: value}) per marked section, for database `db`."""
    sections, current, last = {}, None, None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("\t") and last is not None:  # a message's next line
                entry, field = last
                entry[field] += "\n" + line[1:]
                continue
            last = None
            m = STATEMENT.match(line)
            if not m or m.group(1) != db:
                continue
            kind, text = m.group(2), m.group(3)
            if kind == "DETAIL":
                if current is not None and sections[current] and text.startswith("parameters: "):
                    entry = sections[current][-1]
                    entry[1] = text[len("parameters: "):]
                    last = (entry, 1)
                continue
            if kind != "LOG":
                continue
            marker = re.search(r"lyceum-bench-mark:([a-z0-9-]+)", text)
            if marker:
                current = marker.group(1)
                sections[current] = []
                continue
            stmt = re.match(r"^(?:execute [^:]*|statement): (.*)$", text, re.S)
            if stmt is None or current is None:  # connection messages and the like
                continue
            entry = [stmt.group(1), None]
            sections[current].append(entry)
            last = (entry, 0)
    return {name: [(sql, parse_params(params)) for sql, params in entries]
            for name, entries in sections.items()}


def normalise(sql):
    return re.sub(r"\s+", " ", sql).strip()


def insert_ids(sql):
    """Placeholders that give the `id` column of the rows an INSERT … VALUES adds."""
    m = re.match(r"\s*INSERT\s+INTO\s+\S+\s*\(([^)]*)\)\s*VALUES\s*", sql, re.I | re.S)
    if not m:
        return set()
    columns = [c.strip().strip('"').lower() for c in m.group(1).split(",")]
    if "id" not in columns:
        return set()
    j, rest, i, found = columns.index("id"), sql[m.end():], 0, set()
    while i < len(rest) and rest[i] == "(":
        depth, items, cur, k = 0, [], "", i
        while k < len(rest):
            ch = rest[k]
            k += 1
            if ch == "(":
                depth += 1
                if depth == 1:
                    continue
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    items.append(cur.strip())
                    break
            elif ch == "," and depth == 1:
                items.append(cur.strip())
                cur = ""
                continue
            cur += ch
        p = re.fullmatch(r"\$(\d+)", items[j]) if j < len(items) else None
        if p:
            found.add(int(p.group(1)))
        while k < len(rest) and rest[k] in " ,\n":
            k += 1
        i = k
    return found


def uuid_array(values):
    return "('{" + ",".join(values) + "}'::uuid[])"


def fresh_id_sql(slot):
    """A new id per transaction, time-ordered like the server's UUIDv7: the run's start
    in milliseconds, the id's place in the script, and a number unique per transaction."""
    return (f"(lpad(to_hex(:t0::bigint), 12, '0') || '7{slot:03x}8' "
            f"|| lpad(to_hex(:seq::bigint), 15, '0'))::uuid")


def pgbench_script(endpoint, statements, roles, learners):
    """A pgbench script running `statements` (one request's, as captured), with the
    values the request was about varied per transaction and every other parameter kept
    as a parameter (`:cN`, defined with -D). Returns (script, {name: value}, shape)."""
    role_sql = {
        "session": session_id_sql(":s::bigint"),
        "learner": uuid_array([u for u, _ in learners]) + "[:l::int]",
        "auth": uuid_array([a for _, a in learners]) + "[:l::int]",
    }
    fresh, consts, used = {}, {}, set()
    for sql, params in statements:
        for n in sorted(insert_ids(sql)):
            v = params.get(n)
            if v is not None and v not in roles and v not in fresh:
                fresh[v] = len(fresh) + 1
    body = []
    for sql, params in statements:
        def sub(m):
            n = int(m.group(1))
            if n not in params:
                raise SystemExit(f"{endpoint}: no logged value for ${n} of: {sql}")
            v = params[n]
            if v is None:
                return "NULL"
            if v in roles:
                used.add(roles[v])
                return role_sql[roles[v]]
            if v in fresh:
                used.add("fresh")
                return fresh_id_sql(fresh[v])
            if v not in consts:
                consts[v] = f"c{len(consts) + 1}"
            return ":" + consts[v]
        body.append(PLACEHOLDER.sub(sub, normalise(sql)) + ";")
    header = [f"-- {endpoint}: the {len(statements)} statement(s) PostgreSQL logged while the "
              "server answered one request, in order (bench/run.sh, report.py capture).",
              "-- :cN are the request's own parameter values (pgbench -D); ids that vary "
              "per transaction are computed from pgbench variables."]
    counter = "fresh" in used or ("session" in used and endpoint.startswith("booking"))
    if counter:
        header += ["\\set k :k + 1", "\\set seq :k * :nclients + :client_id"]
    if "session" in used:
        if endpoint.startswith("booking"):
            # Free seeded sessions are the even ones; with nfree coprime with the number
            # of clients, a client never asks twice for one session (as wrk's script).
            header.append("\\set s 2 * (1 + :seq % :nfree)")
        else:
            header.append("\\set s random(1, :nsessions)")
    if {"learner", "auth"} & used:
        header.append("\\set l :client_id + 1")
    script = "\n".join(header + body) + "\n"
    shape = PLACEHOLDER.sub("?", "\n".join(body))
    return script, {name: value for value, name in consts.items()}, re.sub(
        r":c\d+", ":c", shape)


def transaction_of(statements, table="bookings"):
    """The BEGIN … COMMIT block that inserts into `table` (else the first block)."""
    blocks, block = [], None
    for sql, params in statements:
        head = normalise(sql).upper()
        if head.startswith("BEGIN") or head.startswith("START TRANSACTION"):
            block = [(sql, params)]
        elif block is not None:
            block.append((sql, params))
            if head.startswith("COMMIT"):
                blocks.append(block)
                block = None
    for b in blocks:
        if any(re.match(rf'\s*INSERT\s+INTO\s+"?{table}"?\s', s, re.I) for s, _ in b):
            return b
    return blocks[0] if blocks else []


def write_script(outdir, name, script, defs):
    with open(os.path.join(outdir, f"{name}.sql"), "w") as f:
        f.write(script)
    # NUL-separated NAME=VALUE for `pgbench -D` (values may hold any character but NUL).
    with open(os.path.join(outdir, f"{name}.defs"), "wb") as f:
        for name_, value in defs.items():
            f.write(f"{name_}={value}".encode() + b"\0")


def capture(args):
    sections = parse_log(args.log, args.db)
    roles = load_json(args.roles) or {}
    learners = []
    with open(args.learners) as f:
        for line in f:
            if line.strip():
                user, auth = line.split()
                learners.append((user, auth))
    os.makedirs(args.scripts, exist_ok=True)
    result = {}
    for endpoint in ("discovery", "by-id", "booking"):
        attempts = sorted((k for k in sections if k.startswith(f"server-{endpoint}-")),
                          key=lambda k: int(k.rsplit("-", 1)[1]))
        entry = {"attempts": len(attempts), "statements": None, "repeat_identical": False,
                 "ceiling_same": None, "script": None, "problem": None}
        result[endpoint] = entry
        if not attempts or not any(sections[name] for name in attempts):
            entry["problem"] = "no statements captured"
            continue
        made = {}
        for name in attempts:
            try:
                made[name] = pgbench_script(endpoint, sections[name], roles.get(name, {}),
                                            learners)
            except SystemExit as e:
                entry["problem"] = str(e)
                break
        if entry["problem"]:
            continue
        # The first request may warm a cache, and a background job's statement may slip
        # into one request's capture: the script is the latest request whose statements
        # another request repeated exactly.
        shapes = [made[name][2] for name in attempts]
        chosen = next((name for i, name in reversed(list(enumerate(attempts)))
                       if shapes.count(shapes[i]) > 1), attempts[-1])
        entry["repeat_identical"] = shapes.count(made[chosen][2]) > 1
        entry["chosen"] = chosen
        entry["shapes_per_request"] = [len(sections[name]) for name in attempts]
        first = sections[chosen]
        entry["statements"] = len(first)
        entry["server"] = [{"sql": s, "parameters": p} for s, p in first]
        # Every mapped value must have been found: otherwise the script would replay one
        # fixed session or learner.
        missing = [v for v, role in roles.get(chosen, {}).items()
                   if not any(v in p.values() for _, p in first)]
        if missing:
            entry["problem"] = f"values not among the parameters: {missing}"
        script, defs, _ = made[chosen]
        write_script(args.scripts, endpoint, script, defs)
        entry["script"] = os.path.join(args.scripts, f"{endpoint}.sql")
        if endpoint == "booking":
            tx = transaction_of(first)
            if tx:
                tx_script, tx_defs, _ = pgbench_script("booking-tx", tx,
                                                       roles.get(chosen, {}), learners)
                write_script(args.scripts, "booking-tx", tx_script, tx_defs)
                entry["transaction_statements"] = len(tx)
        ceiling = sections.get(f"ceiling-{endpoint}")
        if ceiling is not None:
            entry["ceiling"] = [{"sql": s, "parameters": p} for s, p in ceiling]
            entry["ceiling_same"] = bool(ceiling) and [normalise(s) for s, _ in first] == [
                normalise(s) for s, _ in ceiling]
    print(json.dumps(result, indent=2))


# ---------------------------------------------------------------------------------------
def pgbench_result(path):
    text = read_text(path)
    if not text:
        return None
    tps = re.search(r"^tps = ([\d.]+) \(without initial connection time\)", text, re.M)
    failed = re.search(r"^number of failed transactions: (\d+)", text, re.M)
    done = re.search(r"^number of transactions actually processed: (\d+)", text, re.M)
    latency = re.search(r"^latency average = ([\d.]+) ms", text, re.M)
    aborted = "Run was aborted" in text or "client " in text and " aborted " in text
    return {
        "tps": float(tps.group(1)) if tps and not aborted else None,
        "transactions": int(done.group(1)) if done else None,
        "failed": int(failed.group(1)) if failed else None,
        "latency_ms": float(latency.group(1)) if latency else None,
        "aborted": aborted,
    }


def pgbench_tps(args):
    r = pgbench_result(args.file)
    if not r or r["tps"] is None or r["aborted"] or r["failed"]:
        sys.exit(f"pgbench did not complete: {args.file}")
    print(f"{r['tps']:.0f}")


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
        rate = float(read_text(os.path.join(out, f"{name}.rate")))
    except ValueError:
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
    for name, title, size, expected, pgb in [HEALTHZ] + SCENARIOS + FLOOD:
        results[name] = {
            "title": title,
            "size": size,
            "wrk": load_json(os.path.join(out, f"{name}.wrk.json")),
            "oha": oha_result(out, name),
            "pgbench": pgb,
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


def machine(pg_url, out):
    model = run("lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1")
    load = read_text(os.path.join(out, "loadavg_start.txt")).split()
    try:  # the run's start, from its folder's name (bench/run.sh names it in UTC)
        when = datetime.datetime.strptime(os.path.basename(out.rstrip("/")), "%Y%m%d_%H%M%S")
    except ValueError:
        when = datetime.datetime.now(datetime.timezone.utc)
    rows = [
        ("Date", when.strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", f"{model} — {run('nproc')} logical CPUs (`nproc`)"),
        ("Memory", run("free -h | awk '/^Mem:/ {print $2}'") + " total (`free -h`)"),
        ("OS", run(". /etc/os-release && echo \"$PRETTY_NAME\"") + ", kernel " + run("uname -r")),
        ("PostgreSQL", run(f"psql -X -At '{pg_url}/postgres' -c 'SHOW server_version'")
         + " on 127.0.0.1, same machine, default configuration"),
        ("Rust", run("rustc --version")),
        ("Load generators", run("wrk -v 2>&1 | head -1 | cut -d' ' -f1-2") + "; "
         + run("oha --version") + "; " + run("pgbench --version")),
    ]
    if len(load) >= 3:
        rows.append(("Load before the run", f"{load[0]} / {load[1]} / {load[2]} (1, 5, 15 min "
                     "load average; above 0 means other work shared the machine)"))
    return rows


def short_count(n):
    """100000 → 100k, 1000000 → 1M."""
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if n >= div and n % (div // 10) == 0:
            return f"{n / div:g}{unit}"
    return f"{n:,}"


def met(ok):
    if ok is None:
        return "not measured"
    return "met" if ok else "**not met**"


def summarise(args):
    """Every figure of the run, as the report and the chart use them."""
    results = collect(args.out)
    pgb = {name: pgbench_result(os.path.join(args.out, f"{name}.pgbench.txt"))
           for name, _ in PGBENCH}
    h = (results["healthz"]["wrk"] or {}).get("rps")
    rows = []
    sizes = {"small": short_count(args.sessions), "large": short_count(args.sessions_large)}
    for name, title, size, _, script in SCENARIOS:
        size = sizes.get(size, size)
        r = results[name]
        o = r["oha"] or {}
        peak = (r["wrk"] or {}).get("rps")
        d = (pgb.get(script) or {}).get("tps") if script else None
        c = 1 / (1 / h + 1 / d) if h and d else None
        rows.append({
            "name": name, "title": title, "size": size, "peak": peak,
            "rate": o.get("target_rate"), "p50_ms": o.get("p50_ms"), "p99_ms": o.get("p99_ms"),
            "d": d, "c": c,
            "of_c": peak / c if peak and c else None,
            "of_d": peak / d if peak and d else None,
            # The rate the target asks for, if the scenario has one.
            "goal": (TARGET_OF_C * c if name in ("discovery", "by-id") and c else
                     TARGET_BOOKING_OF_D * d if name == "book-spread" and d else None),
        })
    by = {row["name"]: row for row in rows}
    flood = (results["discovery-flood"]["oha"] or {})
    login_flood = results["login-flood"]["wrk"] or {}
    return {
        "sizes": sizes,
        "healthz": {"peak": h, "p50_ms": (results["healthz"]["oha"] or {}).get("p50_ms"),
                    "p99_ms": (results["healthz"]["oha"] or {}).get("p99_ms")},
        "pgbench": pgb,
        "scenarios": rows,
        "flood": {"p99_ms": flood.get("p99_ms"), "p50_ms": flood.get("p50_ms"),
                  "rate": flood.get("target_rate"), "login_rps": login_flood.get("rps"),
                  "alone_p99_ms": by["discovery"]["p99_ms"]},
        "flat": {name: (by[f"{name}-1m"]["peak"] / by[name]["peak"]
                        if by[f"{name}-1m"]["peak"] and by[name]["peak"] else None)
                 for name in ("discovery", "by-id")},
    }, results


def targets(summary):
    by = {row["name"]: row for row in summary["scenarios"]}
    small, large = summary["sizes"]["small"], summary["sizes"]["large"]
    out = []
    for name, label in (("by-id", "Session by id"), ("discovery", "Discovery")):
        v = by[name]["of_c"]
        out.append((f"{label}: peak ≥ {TARGET_OF_C} of C ({small} sessions)", fmt(v, 2),
                    None if v is None else v >= TARGET_OF_C))
    v = by["book-spread"]["of_d"]
    out.append((f"Booking spread: peak ≥ {TARGET_BOOKING_OF_D} of the pgbench booking figure",
                fmt(v, 2), None if v is None else v >= TARGET_BOOKING_OF_D))
    for row in summary["scenarios"]:
        v = row["p99_ms"]
        out.append((f"p99 < {TARGET_P99_MS:g} ms at 50 % of the peak: "
                    f"{row['name'].removesuffix('-1m')}, {row['size']} sessions",
                    fmt(v, 2, " ms"), None if v is None else v < TARGET_P99_MS))
    for name, label in (("discovery", "Discovery"), ("by-id", "Session by id")):
        v = summary["flat"][name]
        out.append((f"{label}: peak at {large} ÷ peak at {small} sessions ≥ {TARGET_FLAT}",
                    fmt(v, 2),
                    None if v is None else v >= TARGET_FLAT))
    f = summary["flood"]
    ratio = f["p99_ms"] / f["alone_p99_ms"] if f["p99_ms"] and f["alone_p99_ms"] else None
    out.append((f"Login flood: discovery's p99 at most {TARGET_FLOOD:g} × its p99 without",
                f"{fmt(f['p99_ms'], 2, ' ms')} vs {fmt(f['alone_p99_ms'], 2, ' ms')} "
                f"(× {fmt(ratio, 2)})", None if ratio is None else ratio <= TARGET_FLOOD))
    return out


def section(args, summary, results, heading, chart, kept=False):
    checks = []
    try:
        with open(os.path.join(args.out, "checks.jsonl")) as f:
            checks = [json.loads(line) for line in f if line.strip()]
    except OSError:
        pass
    compare = load_json(os.path.join(args.out, "capture.json")) or {}
    fill = read_text(os.path.join(args.out, "contended_fill.txt"))
    ceiling = {name: load_json(os.path.join(args.out, f"{name}.sql.json"))
               for name in ("discovery", "by-id")}
    h = summary["healthz"]

    lines = ["", heading, ""]
    if kept:
        lines += ["Kept as it is by later runs, which rewrite only \"Latest results\": the "
                  "figures the changes that follow are measured against.", ""]
    lines.append(f"Produced by `make bench`; raw outputs in `target/bench/"
                 f"{os.path.basename(args.out.rstrip('/'))}/`.")
    load = read_text(os.path.join(args.out, "loadavg_start.txt")).split()
    cpus = os.cpu_count() or 1
    if load and float(load[0]) >= 0.5:
        lines += ["", f"**Measured while other work shared the machine** (1-minute load "
                  f"average {load[0]} on {cpus} CPUs before the run): every figure, ceilings "
                  "included, is lower and noisier than on a quiet machine; the ratios to the "
                  "ceilings of the same run are the figures to compare."]
    lines += ["", "### Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine(args.pg_url, args.out)]
    lines += ["", "### Settings", "",
              f"- Each run lasts {args.seconds} s; wrk uses {args.threads} threads and "
              f"{args.connections} connections; oha uses the same number of connections in "
              f"total; pgbench uses {args.pgbench_clients} clients and {args.threads} threads "
              "(`-M prepared`).",
              f"- Server pool: {args.pool} connections (`LYCEUM_DB_MAX_CONNECTIONS`).",
              f"- Data: {args.sessions:,} mentoring sessions, then {args.sessions_large:,} for "
              f"the {summary['sizes']['large']} rows; {args.learners} learners for the wrk booking runs, "
              f"{args.oha_learners} more (one per oha process) for the fixed-rate booking "
              f"runs and {args.pgbench_clients} more (one per pgbench client) for the pgbench "
              f"booking runs; contended sessions: {args.contended}.",
              f"- Login flood: wrk with {args.flood_connections} connections on "
              "`POST /auth/login` while discovery's fixed-rate run is measured again.",
              ""]

    lines += ["### Ceilings", "",
              "H is the `/healthz` peak; D is pgbench running the statements the endpoint ran "
              "for one request (captured from PostgreSQL's log); C = 1 / (1/H + 1/D) is what "
              "the endpoint could reach if the API added nothing but a trivial request to "
              "the database's work.", "",
              "| Ceiling | Rate | p50 at 50 % | p99 at 50 % |", "|---|---:|---:|---:|",
              f"| H: trivial HTTP, no database (`GET /healthz`, wrk) | "
              f"{fmt(h['peak'], 0, ' req/s')} | {fmt(h['p50_ms'], 2, ' ms')} | "
              f"{fmt(h['p99_ms'], 2, ' ms')} |"]
    for name, what in PGBENCH:
        r = summary["pgbench"].get(name)
        if r and (r["aborted"] or r["failed"]):
            value = f"**failed** ({r['failed'] or 0} failed transactions{', aborted' if r['aborted'] else ''})"
        else:
            value = fmt(r and r["tps"], 0, " tps")
        lines.append(f"| D: pgbench, {what.format(**summary['sizes'])} | {value} | — | — |")
    for name in ("discovery", "by-id"):
        s = ceiling[name]
        if s:
            d = (summary["pgbench"].get(name) or {}).get("tps")
            share = (f" ({s['ops_per_sec'] / d:.2f} of D)"
                     if d and s.get("ops_per_sec") is not None else "")
            lines.append(f"| `sql-ceiling`: {name}'s statements through the server's adapters "
                         f"and pool, no HTTP ({summary['sizes']['small']}) | {fmt(s.get('ops_per_sec'), 0, ' ops/s')}"
                         f"{share} | — | — |")

    lines += ["", "### Scenarios", "",
              "Peak from wrk; p50 and p99 from oha at a fixed 50 % of that peak.", "",
              "| Scenario | Sessions | Peak | p50 | p99 | D | C | Peak ÷ C | Peak ÷ D |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in summary["scenarios"]:
        lines.append(
            f"| {row['title']} | {row['size']} | {fmt(row['peak'], 0, ' req/s')} | "
            f"{fmt(row['p50_ms'], 2, ' ms')} | {fmt(row['p99_ms'], 2, ' ms')} | "
            f"{fmt(row['d'], 0) if row['d'] else '—'} | {fmt(row['c'], 0) if row['c'] else '—'} | "
            f"{fmt(row['of_c'], 2) if row['of_c'] else '—'} | "
            f"{fmt(row['of_d'], 2) if row['of_d'] else '—'} |")
    f = summary["flood"]
    lines += ["", f"Discovery during the login flood, at the same fixed rate "
              f"({fmt(f['rate'], 0, ' req/s')}): p50 {fmt(f['p50_ms'], 2, ' ms')}, p99 "
              f"{fmt(f['p99_ms'], 2, ' ms')} (without: p99 {fmt(f['alone_p99_ms'], 2, ' ms')}); "
              f"the flood itself got {fmt(f['login_rps'], 0, ' logins/s')}."]

    lines += ["", "### Targets", "", "| Target | Figure | Result |", "|---|---:|---|"]
    lines += [f"| {t} | {v} | {met(ok)} |" for t, v, ok in targets(summary)]
    lines += ["", f"![Each scenario's peak beside its ceilings, and its p50 and p99 at half "
              f"the peak]({chart})"]

    lines += ["", "Responses by status (peak run / fixed-rate run):", ""]
    for name, *_ in [HEALTHZ] + SCENARIOS + FLOOD:
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
        achieved = o.get("achieved_rate")
        lines.append(f"- {name}: {statuses_text(w.get('statuses')) or '—'} / "
                     f"{statuses_text(o.get('statuses')) or '—'}"
                     f"{' (achieved %.0f req/s)' % achieved if achieved else ''}{extra}")
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
    for endpoint in ("discovery", "by-id", "booking"):
        c = compare.get(endpoint)
        if not c or not c.get("statements"):
            lines.append(f"- Statements of {endpoint}: not captured"
                         f"{' (' + c['problem'] + ')' if c and c.get('problem') else ''}.")
            continue
        text = (f"- Statements of {endpoint}: {c['statements']} per request"
                + (f" ({c['transaction_statements']} in the booking transaction)"
                   if c.get("transaction_statements") else "")
                + "; " + (f"another of the {c['attempts']} captured requests ran the same"
                          if c["repeat_identical"] else
                          f"**no two of the {c['attempts']} captured requests ran the same "
                          "statements** (see `capture.json`)"))
        counts = c.get("shapes_per_request") or []
        if len(set(counts)) > 1:
            text += f" (statements per request, in order: {', '.join(map(str, counts))})"
        if c.get("ceiling_same") is not None:
            text += ("; `sql-ceiling` runs the same" if c["ceiling_same"] else
                     "; `sql-ceiling` runs **different** statements (its figure is not "
                     "comparable until `bench/ceiling/src/queries.rs` follows)")
        if c.get("problem"):
            text += f"; **{c['problem']}**"
        lines.append(text + ".")
    if not args.mentoring:
        lines += ["", "The mentoring endpoints did not answer, so the session and booking "
                  "scenarios and the pgbench ceilings are **not measured** in this run."]
    return "\n".join(lines) + "\n"


def replace_section(doc, begin, end, text):
    block = f"{begin}\n{text}\n{end}"
    if begin in doc and end in doc:
        return doc[:doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    return doc.rstrip("\n") + "\n\n" + block + "\n"


SETTINGS_INT = ("--seconds", "--connections", "--threads", "--sessions", "--sessions-large",
                "--learners", "--oha-learners", "--pool", "--pgbench-clients",
                "--flood-connections")


def settings(args):
    """Fills the settings not given from the run's settings.json, and keeps them there."""
    path = os.path.join(args.out, "settings.json")
    kept = load_json(path) or {}
    names = [f[2:].replace("-", "_") for f in SETTINGS_INT] + ["contended", "mentoring"]
    for name in names:
        if getattr(args, name) is None:
            setattr(args, name, kept.get(name))
    missing = [n for n in names if getattr(args, n) is None and n != "mentoring"]
    if missing:
        sys.exit(f"settings missing (not given, not in {path}): {', '.join(missing)}")
    args.mentoring = bool(args.mentoring)
    with open(path, "w") as f:
        json.dump({n: getattr(args, n) for n in names}, f, indent=2)


def report(args):
    settings(args)
    summary, results = summarise(args)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    latest = section(args, summary, results, "## Latest results", args.chart)
    print(latest)
    print("\nTargets:", file=sys.stderr)
    for t, v, ok in targets(summary):
        print(f"  {met(ok).replace('*', ''):>12}  {t}: {v}", file=sys.stderr)
    if args.doc == "/dev/null":
        return
    try:
        doc = open(args.doc).read()
    except OSError:
        doc = "# Performance\n\nSee `bench/run.sh`.\n"
    doc = replace_section(doc, BEGIN, END, latest)
    if args.before:
        before = section(args, summary, results, f"## {args.before}", args.before_chart,
                         kept=True)
        doc = replace_section(doc, BEFORE_BEGIN, BEFORE_END, before)
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
    for name, _ in PGBENCH:
        r = pgbench_result(os.path.join(args.out, f"{name}.pgbench.txt"))
        if r and (r["aborted"] or r["failed"] or r["tps"] is None):
            bad.append(f"pgbench {name}: did not complete ({r})")
    for name, _, _, _, script in SCENARIOS:
        if script and results[name]["wrk"] and not pgbench_result(
                os.path.join(args.out, f"{script}.pgbench.txt")):
            bad.append(f"{name}: measured without its pgbench ceiling (see capture.json)")
    for line in bad:
        print("unexpected:", line, file=sys.stderr)
    sys.exit(1 if bad else 0)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    h = sub.add_parser("half-rate")
    h.add_argument("wrk_json")
    c = sub.add_parser("capture")
    c.add_argument("--db", required=True)
    c.add_argument("--log", required=True)
    c.add_argument("--roles", required=True,
                   help="JSON {section: {value: session|learner|auth}}")
    c.add_argument("--learners", required=True,
                   help="one 'user_id auth_session_id' line per pgbench client")
    c.add_argument("--scripts", required=True, help="folder for the pgbench scripts")
    t = sub.add_parser("pgbench-tps")
    t.add_argument("file")
    r = sub.add_parser("report")
    r.add_argument("--out", required=True)
    r.add_argument("--doc", required=True)
    r.add_argument("--chart", default="performance.svg", help="chart path, relative to the doc")
    r.add_argument("--before", help="also write the before section, under this heading")
    r.add_argument("--before-chart", default="performance-before.svg")
    r.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    # The run's settings; bench/run.sh passes them, and they are kept in DIR/settings.json,
    # so that `report --out DIR --doc MD` alone regenerates the section from raw outputs.
    for flag in SETTINGS_INT:
        r.add_argument(flag, type=int)
    r.add_argument("--contended")
    r.add_argument("--mentoring", action="store_true", default=None)
    v = sub.add_parser("verify")
    v.add_argument("--out", required=True)
    args = p.parse_args()
    {"half-rate": half_rate, "capture": capture, "pgbench-tps": pgbench_tps,
     "report": report, "verify": verify}[args.command](args)


if __name__ == "__main__":
    main()
