#!/usr/bin/env python3
"""Prints the SQL that seeds COUNT mentoring sessions from one TEMPLATE session.

The template was created through the API, so every column the server fills in has a
value the server itself chose; the generated rows copy it and override only what makes a
session distinct (id, mentor, title, start, capacity, price, meeting URL, counters,
timestamps).
Columns this script does not know are copied from the template unchanged, so a new
column with a default keeps seeding working.

Half the sessions are free (price 0) with 10 to 50 seats: the spread booking runs use
them. Mentors are the benchmark mentors (usernames benchm*), in rotation; starts are
spread over the coming ~500 days.
"""
import argparse


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--template", required=True, help="id of the template session")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--columns", required=True, help="comma-separated column names in table order")
    args = p.parse_args()
    columns = [c for c in args.columns.split(",") if c]
    overrides = {
        "id": "gen_random_uuid()",
        "mentor_id": "(m.ids)[1 + i % array_length(m.ids, 1)]",
        "title": "'Bench session ' || i",
        "description": "'Benchmark session number ' || i || ', seeded in SQL from a template created through the API.'",
        "starts_at": "date_trunc('minute', now()) + interval '1 day' + i * interval '7 minutes'",
        "capacity": "10 + i % 41",
        "seats_taken": "0",
        "price_amount_minor": "CASE WHEN i % 2 = 0 THEN 0 ELSE 50000 + (i % 20) * 5000 END",
        "duration_minutes": "30 + (i % 4) * 15",
        # Unique: the template's room URL with a fresh random last segment.
        "meeting_url": "regexp_replace(t.meeting_url, '[^/]*$', '') || md5(i::text || random()::text)",
        "created_at": "now()",
        "updated_at": "now()",
    }
    # Derived columns, if the schema stores them.
    if "ends_at" in columns:
        overrides["ends_at"] = (
            "date_trunc('minute', now()) + interval '1 day' + i * interval '7 minutes'"
            " + (30 + (i % 4) * 15) * interval '1 minute'"
        )
    for counter in ("views", "view_count", "bookings_count", "booking_count",
                    "completed_bookings", "rating_count", "version"):
        if counter in columns and counter not in overrides:
            overrides[counter] = "t." + counter
    select = ",\n       ".join(overrides.get(c, "t." + c) for c in columns)
    print(f"""\\set ON_ERROR_STOP on
BEGIN;
INSERT INTO mentoring_sessions ({", ".join(columns)})
SELECT {select}
FROM generate_series(1, {args.count}) AS i
CROSS JOIN (SELECT * FROM mentoring_sessions WHERE id = '{args.template}') AS t
CROSS JOIN (SELECT array_agg(id ORDER BY username) AS ids FROM users
            WHERE username LIKE 'benchm%') AS m;
COMMIT;""")


if __name__ == "__main__":
    main()
