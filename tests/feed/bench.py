#!/usr/bin/env python3
"""Session-state feed at scale: fills a drf-sso database with N sessions (SQLite and
PostgreSQL), then measures building the signed session-state document (the queries, the
JSON, the signature), its size (raw, gzip -9), and the edge's cost of taking it
(`drf-sso-jwt authenticate --state`, which verifies and indexes it), for two settings:
drf-sso's defaults (`SESSION_EXPIRATION: None`: no horizon, every revoked and re-issued
session is listed) and bounded lifetimes (`SESSION_EXPIRATION` 1 day: only what happened
within the last day + 5 min + 1 min margin).

The data, per N sessions: N/5 users (2% inactive, 0.2% deleted: tombstones); sessions
created uniformly over the last 90 days, last_issued_at at creation; 20% re-issued once
later (recorded as re-issued); 10% revoked (uniformly between creation and now), 0.5%
revoked for a time in the next 7 days; 1% deleted outright (tombstones).

Not part of the test suite (the 1M runs take minutes); `--sizes 2000` is what the suite runs.

  target/parity-venv/bin/python tests/feed/bench.py --sizes 10000,100000,1000000 --json out.json
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
ISSUER_DIR = os.path.join(ROOT, "tests", "parity", "issuer")
NOW = 1_800_000_000
DAY = 86400


def worker(args):
    sys.path.insert(0, ISSUER_DIR)
    os.environ["DJANGO_SETTINGS_MODULE"] = "issuer.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from rest_framework_sso.settings import api_settings

    from drf_sso_feed import documents

    n = args.n
    call_command("migrate", verbosity=0)
    rnd = random.Random(n)
    at = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc)  # noqa: E731
    users = max(1, n // 5)
    t_load = time.perf_counter()
    pg = connection.vendor == "postgresql"

    user_rows = [(i, "!", None, False, f"user{i}", "", "", "", False, rnd.random() >= 0.02, at(NOW - 100 * DAY))
                 for i in range(1, users + 1)]
    sessions, reissued, deleted_sessions = [], [], []
    for _ in range(n):
        sid = uuid.UUID(int=rnd.getrandbits(128), version=4)
        uid = rnd.randint(1, users)
        created = NOW - rnd.uniform(0, 90 * DAY)
        last = float(int(created))
        if rnd.random() < 0.20:
            last = float(int(rnd.uniform(created, NOW)))
            reissued.append((sid, at(last)))
        r = rnd.random()
        revoked = None
        if r < 0.10:
            revoked = at(rnd.uniform(max(created, last), NOW))
        elif r < 0.105:
            revoked = at(NOW + rnd.uniform(0, 7 * DAY))
        sessions.append((sid, uid, "web", None, "bench", None, None, at(last), uid, at(created), revoked))
    for _ in range(n // 100):
        deleted_sessions.append((uuid.UUID(int=rnd.getrandbits(128), version=4), rnd.randint(1, users),
                                 at(NOW - rnd.uniform(0, 90 * DAY))))
    deleted_users = [(users + 1 + i, at(NOW - rnd.uniform(0, 90 * DAY))) for i in range(max(1, users // 500))]

    user_cols = "id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined"
    sess_cols = ("id, user_id, client_id, ip_address, user_agent, last_used_at, version, last_issued_at, "
                 "created_by_id, created_at, revoked_at")
    tables = [("auth_user", user_cols, user_rows),
              ("rest_framework_sso_sessiontoken", sess_cols, sessions),
              ("drf_sso_feed_reissuedsession", "session_id, reissued_at", reissued),
              ("drf_sso_feed_deletedsession", "session_id, user_id, deleted_at", deleted_sessions),
              ("drf_sso_feed_deleteduser", "user_id, deleted_at", deleted_users)]
    with transaction.atomic(), connection.cursor() as c:
        for table, cols, rows in tables:
            if pg:
                with c.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
                    for row in rows:
                        cp.write_row(row)
            else:
                conv = [tuple(v.hex if isinstance(v, uuid.UUID) else
                              str(v.astimezone(datetime.timezone.utc).replace(tzinfo=None))
                              if isinstance(v, datetime.datetime) else v
                              for v in row) for row in rows]
                c.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(cols.split(',')))})", conv)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    load_s = time.perf_counter() - t_load

    out = {"backend": connection.vendor, "n": n, "users": users, "load_s": round(load_s, 1), "profiles": {}}
    for profile, expiration in (("default", None), ("bounded", datetime.timedelta(days=1))):
        api_settings.SESSION_EXPIRATION = expiration  # the object every drf-sso module shares
        times, cpu, doc = [], [], None
        # `now` is given (freezegun would freeze the benchmark's own clock too). CPU time is
        # this process's (with SQLite: the queries too), less sensitive to a loaded machine.
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            doc = documents.build_state_document(now=at(NOW))
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        # Where the time goes, once: the queries and rows alone.
        with transaction.atomic():
            t0 = time.perf_counter()
            payload = documents.state_payload(now=at(NOW))
            payload_s = time.perf_counter() - t0
        raw = doc.encode()
        path = os.path.join(args.workdir, f"state-{connection.vendor}-{n}-{profile}.jws")
        with open(path, "wb") as f:
            f.write(raw)
        out["profiles"][profile] = {
            "build_s_median": round(statistics.median(times), 3),
            "build_s_all": [round(t, 3) for t in times],
            "build_cpu_s_median": round(statistics.median(cpu), 3),
            "queries_and_rows_s": round(payload_s, 3),
            "bytes": len(raw),
            "gzip_bytes": len(gzip.compress(raw, 9)),
            "sessions": len(json.loads(payload["sessions"])),
            "deleted_sessions": len(payload["deleted_sessions"]),
            "inactive_users": len(payload["inactive_users"]),
            "deleted_users": len(payload["deleted_users"]),
            "document": path,
        }
    json.dump(out, sys.stdout)


def edge_load(cli, settings_path, doc, repeat=3):
    """Seconds the CLI needs to start and take the document, minus its start without one."""
    def run(extra):
        t0 = time.perf_counter()
        subprocess.run([cli, "authenticate", "--settings", settings_path, "--now", str(NOW + 1), *extra],
                       input=b"null\n", check=True, capture_output=True)
        return time.perf_counter() - t0
    base = min(run([]) for _ in range(repeat))
    with_doc = min(run(["--state", doc]) for _ in range(repeat))
    return round(with_doc - base, 3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--workdir")
    ap.add_argument("--bin", default=os.environ.get("DRF_SSO_JWT_BIN") or os.path.join(ROOT, "target", "ci", "drf-sso-jwt"))
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--n", type=int)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    workdir = args.workdir or tempfile.mkdtemp(prefix="feed-bench-")
    os.makedirs(workdir, exist_ok=True)
    settings = json.load(open(os.path.join(ROOT, "keys", "settings.json")))
    settings["KEY_STORE_ROOT"] = os.path.join(ROOT, "keys")
    settings_path = os.path.join(workdir, "settings.json")
    json.dump(settings, open(settings_path, "w"))
    sys.path.insert(0, HERE)
    import pg as pgmod

    results = []
    server = None
    try:
        for backend in args.backends.split(","):
            if backend == "postgresql" and server is None:
                server = pgmod.Postgres().start()
            for n in [int(x) for x in args.sizes.split(",")]:
                env = dict(os.environ, PARITY_SSO_SETTINGS=settings_path,
                           PARITY_DB_DIR=tempfile.mkdtemp(prefix=f"db-{n}-", dir=workdir))
                env.pop("PARITY_POSTGRES", None)
                if backend == "postgresql":
                    server.create_database(f"bench_{n}")
                    env["PARITY_POSTGRES"] = json.dumps(server.django(f"bench_{n}"))
                p = subprocess.run([sys.executable, __file__, "--worker", "--n", str(n), "--repeat", str(args.repeat),
                                    "--workdir", workdir], env=env, capture_output=True)
                if p.returncode != 0:
                    print(p.stderr.decode()[-3000:], file=sys.stderr)
                    return 1
                r = json.loads(p.stdout)
                for prof in r["profiles"].values():
                    prof["edge_load_s"] = edge_load(args.bin, settings_path, prof.pop("document"))
                results.append(r)
                for name, prof in r["profiles"].items():
                    print(f"{r['backend']:10s} {n:>8d} sessions {name:8s}: build {prof['build_s_median']:7.3f} s "
                          f"(cpu {prof['build_cpu_s_median']:.3f} s) "
                          f"(queries+rows {prof['queries_and_rows_s']:.3f} s), {prof['bytes']:>10,d} bytes, "
                          f"gzip {prof['gzip_bytes']:>9,d}, listed {prof['sessions']:>7,d} sessions "
                          f"{prof['deleted_sessions']:>6,d} deleted {prof['inactive_users']:>5,d} inactive; "
                          f"edge load {prof['edge_load_s']:.3f} s", flush=True)
    finally:
        if server is not None:
            server.stop()
    if args.json:
        json.dump(results, open(args.json, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main() or 0)
