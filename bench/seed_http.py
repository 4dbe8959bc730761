#!/usr/bin/env python3
"""Benchmark seeding through the HTTP API (standard library only).

Registers mentors and learners, signs every one of them in, and writes to OUT:
  learner_tokens.txt  one access token per line (all learners)
  login_bodies.txt    one login JSON body per line (all learners)
  mentor_token.txt    the first mentor's access token
With --sessions, creates mentoring sessions through POST /api/v1/mentoring-sessions as
the first mentor, one hour apart, and prints their ids, one per line.
"""
import argparse
import concurrent.futures
import datetime
import json
import sys
import urllib.error
import urllib.request

PASSWORD = "BenchPass2026"


def call(base, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        raw = err.read()
        try:
            return err.code, json.loads(raw)
        except ValueError:
            return err.code, raw.decode(errors="replace")


def username(kind, i):
    return f"bench{kind}{i:05d}"  # 11 characters, starts with a letter


def register(base, kind, i):
    name = username(kind, i)
    status, body = call(base, "POST", "/api/v1/auth/register", {
        "email": f"{name}@bench.lyceum.test",
        "username": name,
        "password": PASSWORD,
        "first_name": "Bench",
        "last_name": kind.capitalize(),
        "role": "mentor" if kind == "m" else "learner",
    })
    if status != 201:
        raise SystemExit(f"register {name}: HTTP {status}: {body}")


def login(base, kind, i):
    status, body = call(base, "POST", "/api/v1/auth/login",
                        {"login": username(kind, i), "password": PASSWORD})
    if status != 200:
        raise SystemExit(f"login {username(kind, i)}: HTTP {status}: {body}")
    return body["access_token"]


def users(args):
    jobs = [("m", i) for i in range(args.mentors)] + [("l", i) for i in range(args.learners)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda job: register(args.base, *job), jobs))
        tokens = list(pool.map(lambda job: login(args.base, *job), jobs))
    mentor_tokens, learner_tokens = tokens[:args.mentors], tokens[args.mentors:]
    with open(f"{args.out}/learner_tokens.txt", "w") as f:
        f.write("\n".join(learner_tokens) + "\n")
    with open(f"{args.out}/mentor_token.txt", "w") as f:
        f.write(mentor_tokens[0] + "\n")
    with open(f"{args.out}/login_bodies.txt", "w") as f:
        for i in range(args.learners):
            f.write(json.dumps({"login": username("l", i), "password": PASSWORD}) + "\n")


def sessions(args):
    token = open(f"{args.out}/mentor_token.txt").read().strip()
    start = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
             + datetime.timedelta(hours=args.offset_hours))
    for i in range(args.sessions):
        status, body = call(args.base, "POST", "/api/v1/mentoring-sessions", {
            "title": f"{args.title} {i}",
            "description": "Benchmark session created through the API.",
            "duration_minutes": 60,
            "price": {"amount_minor": args.price, "currency": "INR"},
            "capacity": args.capacity,
            "starts_at": (start + datetime.timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }, token)
        if status != 201:
            sys.stderr.write(f"create session: HTTP {status}: {body}\n")
            raise SystemExit(3)
        print(body["id"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--mentors", type=int, default=10)
    p.add_argument("--learners", type=int, default=200)
    p.add_argument("--sessions", type=int)
    p.add_argument("--capacity", type=int, default=50)
    p.add_argument("--price", type=int, default=0)
    p.add_argument("--title", default="Bench session")
    # Sessions start one hour apart from 2 days + OFFSET hours on: the first mentor may not
    # be in two sessions at once, so each batch needs its own hours.
    p.add_argument("--offset-hours", type=int, default=0)
    args = p.parse_args()
    if args.sessions is None:
        users(args)
    else:
        sessions(args)


if __name__ == "__main__":
    main()
