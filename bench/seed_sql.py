#!/usr/bin/env python3
"""Prints the SQL that seeds mentoring sessions FIRST .. FIRST+COUNT-1 from one TEMPLATE.

The template was created through the API, so every column the server fills in has a
value the server itself chose; the generated rows copy it and override only what makes a
session distinct (id, mentor, title, start, capacity, price, meeting URL, counters,
timestamps).
Columns this script does not know are copied from the template unchanged, so a new
column with a default keeps seeding working.

Session number i gets the id `session_id_sql(i)`: shaped like the server's UUIDv7 ids
(a millisecond prefix that grows with i, so the index grows at its right edge as it does
in production), and computable from i in SQL, which lets a pgbench script name a random
seeded session with `\\set` (bench/report.py, `pgbench-script`).

Even-numbered sessions are free (price 0) with 10 to 50 seats: the spread booking runs
use them. Mentors are the benchmark mentors (usernames benchm*) but the first, whose
sessions are created through the API, in rotation; starts are 7 minutes apart, so a later
top-up (--first) never changes the first page of upcoming sessions. Sessions last 30 to
60 minutes, so with 9 or more mentors in rotation no mentor is in two sessions at once
(the server refuses that for sessions created through the API).
"""
import argparse

# Millisecond prefix of seeded session ids (2023-11-14): older than any id the server
# makes, so seeded sessions never collide with sessions created through the API.
ID_EPOCH_MS = 1_700_000_000_000


def session_id_sql(n):
    """SQL expression of seeded session number `n` (an SQL expression of type bigint)."""
    return (f"(lpad(to_hex({ID_EPOCH_MS} + ({n})), 12, '0') || '70008' "
            f"|| lpad(to_hex({n}), 15, '0'))::uuid")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--template", required=True, help="id of the template session")
    p.add_argument("--first", type=int, default=1, help="number of the first seeded session")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--columns", required=True, help="comma-separated column names in table order")
    args = p.parse_args()
    columns = [c for c in args.columns.split(",") if c]
    overrides = {
        "id": session_id_sql("i"),
        "mentor_id": "(m.ids)[1 + i % array_length(m.ids, 1)]",
        "title": "'Bench session ' || i",
        "description": "'Benchmark session number ' || i || ', seeded in SQL from a template created through the API.'",
        "starts_at": "date_trunc('minute', now()) + interval '1 day' + i * interval '7 minutes'",
        "capacity": "10 + i % 41",
        "seats_taken": "0",
        "price_amount_minor": "CASE WHEN i % 2 = 0 THEN 0 ELSE 50000 + (i % 20) * 5000 END",
        "duration_minutes": "30 + (i % 3) * 15",
        # Unique: the template's room URL with a fresh random last segment.
        "meeting_url": "regexp_replace(t.meeting_url, '[^/]*$', '') || md5(i::text || random()::text)",
        "created_at": "now()",
        "updated_at": "now()",
    }
    # Derived columns, if the schema stores them.
    if "ends_at" in columns:
        overrides["ends_at"] = (
            "date_trunc('minute', now()) + interval '1 day' + i * interval '7 minutes'"
            " + (30 + (i % 3) * 15) * interval '1 minute'"
        )
    for counter in ("views", "view_count", "bookings_count", "booking_count",
                    "completed_bookings", "rating_count", "version"):
        if counter in columns and counter not in overrides:
            overrides[counter] = "t." + counter
    select = ",\n       ".join(overrides.get(c, "t." + c) for c in columns)
    last = args.first + args.count - 1
    print(f"""\\set ON_ERROR_STOP on
BEGIN;
INSERT INTO mentoring_sessions ({", ".join(columns)})
SELECT {select}
FROM generate_series({args.first}::bigint, {last}::bigint) AS i
CROSS JOIN (SELECT * FROM mentoring_sessions WHERE id = '{args.template}') AS t
CROSS JOIN (SELECT array_agg(id ORDER BY username) AS ids FROM users
            WHERE username LIKE 'benchm%' AND username <> 'benchm00000') AS m;
COMMIT;""")


if __name__ == "__main__":
    main()
