#!/usr/bin/env python3
"""The edge's full verdict against the Django server's, in process: drf-sso 0.8.1's own
`JWTAuthentication.authenticate` (decode_jwt_token + authenticate_payload on the database)
and `drf-sso-jwt authenticate --state <document>` (the core with the session-state document
the drf_sso_feed app built from that database at the same instant), for the same headers.

Each profile (drf-sso settings) runs in a worker process of its own (drf-sso binds its
settings at import), on SQLite, and with --postgres on PostgreSQL too. A worker builds a
database of sessions and users in every state the verdict depends on (active, re-issued,
revoked, revoked for later, revoked before the list's horizon, deleted, of a deleted user,
of an inactive user, without last_issued_at), signs tokens as the server would issue them
(iat, exp from the settings' lifetimes) and variants of their claims (sid spellings, uid
types, iat types, values the server's lookup cannot take), and compares the verdicts at
three times. Cases the snapshot cannot know (a sid of no row, a uid that is not the
session's user for a session the document does not list, a token without iat of a session
without last_issued_at) must differ exactly as the README says; everything else must be
equal: same payload, same DRF detail, and a rejection wherever the server fails (HTTP 500).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
ISSUER_DIR = os.path.join(ROOT, "tests", "parity", "issuer")
KEYS = os.path.join(ROOT, "keys")
T0 = 1_800_000_000  # the worker's "now" (frozen)

PROFILES = {
    # drf-sso's defaults: SESSION_EXPIRATION None, so no horizon (every revoked session listed).
    "default": {},
    # Bounded lifetimes: sessions revoked / re-issued before the horizon are left out.
    "bounded": {"SESSION_EXPIRATION": 3600, "AUTHORIZATION_EXPIRATION": 300},
    "no_issued_at_check": {"VERIFY_TOKEN_ISSUED_AT": False},
    "no_session_check": {"VERIFY_SESSION_TOKEN": False},
}


def profile_settings(name):
    s = json.load(open(os.path.join(KEYS, "settings.json")))
    s["KEY_STORE_ROOT"] = KEYS
    s.update(PROFILES[name])
    return s


# ---------------------------------------------------------------- worker (inside Django)

def worker(args):
    sys.path.insert(0, ISSUER_DIR)
    os.environ["DJANGO_SETTINGS_MODULE"] = "issuer.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import RequestFactory
    from freezegun import freeze_time
    from rest_framework.exceptions import AuthenticationFailed
    import jwt
    from rest_framework_sso.authentication import JWTAuthentication
    from rest_framework_sso.keys import get_private_key_and_key_id
    from rest_framework_sso.models import SessionToken
    from rest_framework_sso.settings import api_settings

    from drf_sso_feed.documents import build_state_document

    call_command("migrate", verbosity=0)
    User = get_user_model()
    at = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc)  # noqa: E731
    sess_exp = api_settings.SESSION_EXPIRATION
    auth_exp = api_settings.AUTHORIZATION_EXPIRATION
    key, kid = get_private_key_and_key_id(issuer="myapp")

    def user(name, active=True):
        return User.objects.create(username=name, is_active=active)

    def login(u, t, client="web"):
        """ObtainSessionTokenView's new session at time t (last_issued_at then created_at)."""
        with freeze_time(at(t)):
            s = SessionToken(user=u, client_id=client, created_by=u)
            s.last_issued_at = at(t).replace(microsecond=0)
            s.save()
        return s

    def reissue(s, t):
        with freeze_time(at(t)):
            s.last_issued_at = at(t).replace(microsecond=0)
            s.save(update_fields=["ip_address", "user_agent", "version", "last_issued_at"])

    def revoke(s, t):
        s.revoked_at = at(t)
        s.save(update_fields=["revoked_at"])

    alice, bob, carol, dave = user("alice"), user("bob"), user("carol", active=False), user("dave")
    sessions = {
        "active": login(alice, T0 - 100),
        "reissued": login(alice, T0 - 200, "app"),
        "revoked": login(alice, T0 - 1000, "tv"),
        "revoked_later": login(alice, T0 - 100, "watch"),
        "revoked_long_ago": login(alice, T0 - 8000, "old"),
        "deleted": login(bob, T0 - 100),
        "of_deleted_user": login(dave, T0 - 100),
        "of_inactive_user": login(carol, T0 - 100),
        "bob": login(bob, T0 - 100, "phone"),
    }
    with freeze_time(at(T0 - 300)):
        no_last = SessionToken.objects.create(user=bob, client_id="api", created_by=bob)  # authorize view: no last_issued_at
    sessions["no_last_issued_at"] = no_last
    reissue(sessions["reissued"], T0 - 50)
    revoke(sessions["revoked"], T0 - 10.5)
    revoke(sessions["revoked_later"], T0 + 30.25)
    revoke(sessions["revoked_long_ago"], T0 - 7200)
    info = {k: (s.pk, s.user_id, s.last_issued_at) for k, s in sessions.items()}
    with freeze_time(at(T0 - 20)):
        sessions["deleted"].delete()
        dave.delete()

    def token(payload):
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})

    def base(kind, sid, uid, iat):
        p = {"token": kind, "sid": str(sid), "cid": "", "uid": uid, "email": "", "iss": "myapp",
             "aud": ["myapp"], "iat": iat}
        life = sess_exp if kind == "session" else auth_exp
        if life is not None:
            p["exp"] = iat + int(life.total_seconds())
        return p

    cases = []  # (name, payload, expectation): "exact" or the documented difference

    def add(name, payload, expect="exact"):
        cases.append((name, payload, expect))

    for name, (sid, uid, last) in info.items():
        issued = [int(last.timestamp())] if last is not None else [T0 - 300]
        if name == "reissued":
            issued = [T0 - 200, T0 - 120, T0 - 50, T0 - 49]  # before / after the re-issue at T0-50
        for iat in issued:
            for kind in ("session", "auth"):
                p = base(kind, sid, uid, iat)
                tag = f"{name}/{kind}/iat{iat - T0}"
                add(tag, p)
                add(tag + "/iat-float", {**p, "iat": iat + 0.5})
                if kind == "auth":  # the lookups' spellings once per token time
                    add(tag + "/sid-hex", {**p, "sid": sid.hex})
                    add(tag + "/sid-upper-braces", {**p, "sid": "{" + str(sid).upper() + "}"})
                    add(tag + "/sid-urn", {**p, "sid": sid.urn})
                    add(tag + "/sid-int", {**p, "sid": sid.int})
                    add(tag + "/uid-str", {**p, "uid": f" {uid} "})
                    add(tag + "/uid-float", {**p, "uid": uid + 0.75})
                no_iat = {k: v for k, v in p.items() if k != "iat"}
                if last is None and api_settings.VERIFY_SESSION_TOKEN and api_settings.VERIFY_TOKEN_ISSUED_AT \
                        and name not in ("deleted", "of_deleted_user"):
                    # The snapshot does not list this session: the edge takes last_issued_at as set.
                    add(tag + "/no-iat", no_iat, "edge_superseded")
                    add(tag + "/iat-str", {**p, "iat": str(iat)}, "edge_lookup_error")
                else:
                    add(tag + "/no-iat", no_iat)
                    add(tag + "/iat-str", {**p, "iat": str(iat)})
                if last is None and api_settings.VERIFY_SESSION_TOKEN and api_settings.VERIFY_TOKEN_ISSUED_AT \
                        and name not in ("deleted", "of_deleted_user"):
                    # iat 1, below the floor the edge takes for unlisted sessions.
                    add(tag + "/iat-true", {**p, "iat": True}, "edge_superseded")
                else:
                    add(tag + "/iat-true", {**p, "iat": True})
    # Values the server's lookup cannot take (HTTP 500) or no row can have.
    sid, uid, last = info["active"]
    p = base("auth", sid, uid, int(last.timestamp()))
    for v in ["s-1", 1.5, ["x"], {"a": 1}, -1, "urn:uuid:" + "0" * 31, str(sid) + "0"]:
        add(f"bad-sid/{json.dumps(v)}", {**p, "sid": v})
    for v in ["u-1", [1], {"a": 1}, 2 ** 70, "1e3"]:
        add(f"bad-uid/{json.dumps(v)}", {**p, "uid": v})
    # What no snapshot can know: Django refuses, the edge accepts (README: what is not exact).
    vst = api_settings.VERIFY_SESSION_TOKEN
    add("unknown-sid", {**p, "sid": str(uuid.UUID(int=12345))}, "edge_accepts" if vst else "exact")
    add("sid-true", {**p, "sid": True}, "edge_accepts" if vst else "exact")
    bob_sid, bob_uid, _ = info["bob"]
    add("foreign-uid-unlisted", {**base("auth", bob_sid, uid, T0 - 100)}, "edge_accepts" if vst else "exact")
    # A listed session with another user's id: known.
    rsid, _, rlast = info["revoked_later"]
    add("foreign-uid-listed", base("auth", rsid, bob_uid, int(rlast.timestamp())))
    add("unknown-uid", {**p, "uid": 999}, "edge_accepts")

    out = {"profile": args.profile[0], "backend": "postgresql" if os.environ.get("PARITY_POSTGRES") else "sqlite",
           "times": {}}
    factory = RequestFactory()
    tokens = [(n, token(pl), e) for n, pl, e in cases]
    for t in (T0, T0 + 31, T0 + 400):
        with freeze_time(at(t)):
            doc = build_state_document()
            django_verdicts = []
            for name, tok, _ in tokens:
                req = factory.get("/", HTTP_AUTHORIZATION=f"JWT {tok}")
                try:
                    _user, creds = JWTAuthentication().authenticate(req)
                    django_verdicts.append({"ok": True, "payload": creds.payload})
                except AuthenticationFailed as e:
                    django_verdicts.append({"ok": False, "detail": str(e.detail)})
                except Exception as e:  # the server answers HTTP 500
                    django_verdicts.append({"ok": False, "server_error": type(e).__name__})
        out["times"][str(t)] = {"doc": doc, "django": django_verdicts}
    out["cases"] = [(n, tok, e) for n, tok, e in tokens]
    json.dump(out, sys.stdout)


# ---------------------------------------------------------------- driver

def compare(result, cli, settings_path, workdir):
    failures, counts = [], {}
    tag = f"{result['profile']}-{result['backend']}-{os.getpid()}-{id(result)}"
    names = [c[0] for c in result["cases"]]
    for t, r in result["times"].items():
        doc_path = os.path.join(workdir, f"state-{tag}-{t}.jws")
        with open(doc_path, "w") as f:
            f.write(r["doc"])
        lines = "".join(json.dumps(f"JWT {tok}") + "\n" for _, tok, _ in result["cases"])
        p = subprocess.run([cli, "authenticate", "--settings", settings_path, "--now", t, "--state", doc_path],
                           input=lines.encode(), capture_output=True, timeout=120)
        edge = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
        if len(edge) != len(names):
            return [f"CLI exit {p.returncode}: {p.stderr.decode()[:500]}"], counts
        for (name, _, expect), d, e in zip(result["cases"], r["django"], edge):
            key = f"{expect}:{'ok' if d['ok'] else d.get('detail', 'HTTP 500')}"
            counts[key] = counts.get(key, 0) + 1
            if expect == "exact":
                if d["ok"]:
                    good = e["ok"] and e.get("payload") == d["payload"]
                elif "server_error" in d:
                    good = not e["ok"]
                else:
                    good = not e["ok"] and e["detail"] == d["detail"]
            elif d == {"ok": True, "payload": e.get("payload")} if e["ok"] else \
                    (not d["ok"] and ("server_error" in d or d.get("detail") == e["detail"])):
                good = True  # a documented difference that this case does not show
            elif expect == "edge_accepts":
                # Django finds no row; the edge takes unlisted sessions and users to exist.
                good = (not d["ok"] and d.get("detail") == "Invalid token." and e["ok"]) or \
                       (d == {"ok": True, "payload": e.get("payload")})
            elif expect == "edge_superseded":
                good = (d["ok"] and not e["ok"] and e["code"] == "superseded") or \
                       (not d["ok"] and not e["ok"] and d.get("detail") == e["detail"])
            elif expect == "edge_lookup_error":
                good = (d["ok"] and not e["ok"] and e["code"] == "session_lookup_error") or \
                       (not d["ok"] and not e["ok"] and ("server_error" in d or d.get("detail") == e["detail"]))
            else:
                good = False
            if not good:
                failures.append(f"{result['profile']}/{result['backend']} t={t} {name} [{expect}]: "
                                f"django={json.dumps(d)[:200]} edge={json.dumps(e)[:200]}")
    return failures, counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("DRF_SSO_JWT_BIN") or os.path.join(ROOT, "target", "ci", "drf-sso-jwt"))
    ap.add_argument("--profile", action="append")
    ap.add_argument("--postgres", action="store_true", help="also run every profile on PostgreSQL")
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--workdir")
    args = ap.parse_args()
    if args.worker:
        return worker(args)

    profiles = args.profile or list(PROFILES)
    own = args.workdir is None
    workdir = args.workdir or tempfile.mkdtemp(prefix="feed-parity-")
    os.makedirs(workdir, exist_ok=True)
    backends = [None]
    pg = None
    if args.postgres:
        sys.path.insert(0, HERE)
        import pg as pgmod

        pg = pgmod.Postgres().start()
        backends.append(pg)
    all_failures, total = [], 0
    # Every profile on each backend with the database building the rows (FAST_SQL), and the
    # ORM path (other databases) on SQLite for the two list shapes.
    runs = [(None, prof, True) for prof in profiles]
    # PostgreSQL: its own SQL for both list shapes (and its own integer and UUID lookups).
    runs += [(b, prof, True) for b in backends[1:] for prof in profiles
             if prof in ("default", "bounded")]
    runs += [(None, prof, False) for prof in ("default", "bounded") if prof in profiles]
    def one(run):
        backend, prof, fast = run
        settings_path = os.path.join(workdir, f"settings-{prof}.json")
        with open(settings_path, "w") as f:
            json.dump(profile_settings(prof), f)
        # SQLite commits on tmpfs where there is one (the server's verdicts write last_used_at).
        shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else workdir
        db_dir = tempfile.mkdtemp(prefix="feed-parity-db-", dir=shm)
        env = dict(os.environ, PARITY_SSO_SETTINGS=settings_path, PARITY_DB_DIR=db_dir,
                   PARITY_FEED=json.dumps({"FAST_SQL": fast}))
        env.pop("PARITY_POSTGRES", None)
        if backend is not None:
            name = f"feed_{prof}"
            backend.create_database(name)
            env["PARITY_POSTGRES"] = json.dumps(backend.django(name))
        p = subprocess.run([sys.executable, __file__, "--worker", "--profile", prof], env=env,
                           capture_output=True, timeout=600)
        shutil.rmtree(db_dir, ignore_errors=True)
        if p.returncode != 0:
            return None, [f"worker {prof}: exit {p.returncode}\n{p.stderr.decode()[-3000:]}"], {}, fast
        result = json.loads(p.stdout)
        return (result, *compare(result, args.bin, settings_path, workdir), fast)

    try:
        # Two workers at a time (the machine's two cores); results printed in order.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for result, failures, counts, fast in pool.map(one, runs):
                all_failures += failures
                if result is None:
                    continue
                n = sum(counts.values())
                total += n
                print(f"{result['profile']:20s} {result['backend'] + ('' if fast else '/orm'):14s} {n:4d} verdicts: " +
                      ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    finally:
        if pg is not None:
            pg.stop()
    if own and not all_failures:
        shutil.rmtree(workdir, ignore_errors=True)
    for f in all_failures[:40]:
        print("FAIL", f)
    print(f"feed parity: {total} verdicts compared, {len(all_failures)} failures")
    return 1 if all_failures else 0


if __name__ == "__main__":
    sys.exit(main() or 0)
