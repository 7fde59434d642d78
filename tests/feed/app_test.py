#!/usr/bin/env python3
"""The drf_sso_feed app itself, in process (the issuer project, SQLite): the views (ETag and
304, the build cache, SECRET, methods, content type), the commands (stdout, atomic files),
the signal receivers (re-issue, deletions, cascades), `prune`, the key-set document against
`drf-sso-jwt jwks` (same keys, same members), and that the core takes both documents.
Run with the parity venv's python: `python tests/feed/app_test.py --bin target/ci/drf-sso-jwt`."""

from __future__ import annotations

import argparse
import base64
import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
ISSUER_DIR = os.path.join(ROOT, "tests", "parity", "issuer")
KEYS = os.path.join(ROOT, "keys")

failures = []
checks = 0


def check(what, cond, detail=""):
    global checks
    checks += 1
    if not cond:
        failures.append(f"{what} {detail}")


def payload_of(jws):
    seg = jws.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def header_of(jws):
    seg = jws.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("DRF_SSO_JWT_BIN") or os.path.join(ROOT, "target", "ci", "drf-sso-jwt"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="feed-app-")
    os.environ.update(PARITY_DB_DIR=work, DJANGO_SETTINGS_MODULE="issuer.settings",
                      PARITY_SSO_SETTINGS=os.path.join(KEYS, "settings.json"),
                      PARITY_FEED=json.dumps({"CACHE_SECONDS": 30, "MAX_AGE": 60}))
    sys.path.insert(0, ISSUER_DIR)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.utils import timezone
    from rest_framework_sso.models import SessionToken
    from rest_framework_sso.settings import api_settings

    from drf_sso_feed import documents, views
    from drf_sso_feed.models import DeletedSession, DeletedUser, ReissuedSession

    call_command("migrate", verbosity=0)
    User = get_user_model()
    c = Client()

    # Views: ETag, 304, the per-process build cache, content type, methods.
    r = c.get("/sso/state/")
    check("state 200", r.status_code == 200, r.status_code)
    check("content type", r["Content-Type"] == "application/jose", r["Content-Type"])
    check("cache-control", r["Cache-Control"] == "public, max-age=30", r["Cache-Control"])
    etag = r["ETag"]
    doc = r.content.decode()
    check("state typ", header_of(doc) == {"alg": "RS256", "kid": "myapp-20200410", "typ": "drf-sso-state+jwt"}, header_of(doc))
    r2 = c.get("/sso/state/")
    check("built once per CACHE_SECONDS", r2.content.decode() == doc and r2["ETag"] == etag)
    r3 = c.get("/sso/state/", HTTP_IF_NONE_MATCH=f'"x", {etag}')
    check("304 on a matching If-None-Match", r3.status_code == 304 and r3.content == b"" and r3["ETag"] == etag, r3.status_code)
    check("POST refused", c.post("/sso/state/").status_code == 405)
    check("HEAD answered", c.head("/sso/jwks/").status_code == 200)
    views.clear_cache()
    r4 = c.get("/sso/state/")
    check("a new build has a new sequence", payload_of(r4.content.decode())["seq"] > payload_of(doc)["seq"])

    # SECRET: only the bearer gets the documents; then Cache-Control private.
    with override_settings(DRF_SSO_FEED={"SECRET": "s3cret", "CACHE_SECONDS": 30}):
        check("secret: 401 without", c.get("/sso/jwks/").status_code == 401)
        check("secret: 401 wrong", c.get("/sso/jwks/", HTTP_AUTHORIZATION="Bearer nope").status_code == 401)
        r = c.get("/sso/jwks/", HTTP_AUTHORIZATION="Bearer s3cret")
        check("secret: 200 with", r.status_code == 200 and r["Cache-Control"].startswith("private"), r.status_code)

    # Signals: a re-issue (drf-sso's update_fields save), a full save that changes nothing,
    # deletions (one session; a user and, by cascade, their sessions).
    alice = User.objects.create(username="a1")
    bob = User.objects.create(username="b1")
    s = SessionToken.objects.create(user=alice, last_issued_at=timezone.now().replace(microsecond=0))
    check("creation is no re-issue", not ReissuedSession.objects.filter(session_id=s.pk).exists())
    s.save()
    check("a full save without change is no re-issue", not ReissuedSession.objects.filter(session_id=s.pk).exists())
    s.last_issued_at += datetime.timedelta(seconds=5)
    s.save(update_fields=["ip_address", "user_agent", "version", "last_issued_at"])
    check("re-issue recorded", ReissuedSession.objects.filter(session_id=s.pk).exists())
    s.last_used_at = timezone.now()
    s.save(update_fields=["last_used_at"])
    check("use is no re-issue", ReissuedSession.objects.count() == 1)
    s2 = SessionToken.objects.create(user=alice)
    s2_pk = s2.pk
    s2.delete()
    check("deleted session recorded", DeletedSession.objects.filter(session_id=s2_pk, user_id=alice.pk).exists())
    s3_pk = SessionToken.objects.create(user=bob).pk
    bob_pk = bob.pk
    bob.delete()
    check("deleted user recorded", DeletedUser.objects.filter(user_id=bob_pk).exists())
    check("cascaded session recorded", DeletedSession.objects.filter(session_id=s3_pk).exists())

    p = documents.state_payload()
    listed = {row[0] for row in json.loads(p["sessions"])}
    check("re-issued session listed (no horizon)", s.pk.hex in listed, listed)
    check("deleted sessions listed", {s2_pk.hex, s3_pk.hex} <= set(p["deleted_sessions"]), p["deleted_sessions"])
    check("deleted user listed", bob_pk in p["deleted_users"])
    check("floor", p["last_issued_at_floor"] == int(SessionToken.objects.exclude(last_issued_at=None).order_by("last_issued_at")[0].last_issued_at.timestamp()))

    # prune: nothing without a lifetime bound; with one, what is older than the horizon.
    check("prune without a bound", documents.prune() == 0)
    api_settings.SESSION_EXPIRATION = datetime.timedelta(seconds=60)
    try:
        later = timezone.now() + datetime.timedelta(seconds=60 + 300 + 60 + 1)
        check("prune after the horizon", documents.prune(now=later) == 4, ReissuedSession.objects.count())
        check("pruned", not (ReissuedSession.objects.exists() or DeletedSession.objects.exists() or DeletedUser.objects.exists()))
    finally:
        api_settings.SESSION_EXPIRATION = None

    # Commands: stdout, and an atomic file.
    out = io.StringIO()
    call_command("write_jwks", stdout=out)
    jwks_doc = out.getvalue().strip()
    path = os.path.join(work, "state.jws")
    call_command("write_session_state", "--output", path, "--prune", stderr=io.StringIO())
    state_doc = open(path).read().strip()
    check("command file", payload_of(state_doc)["iss"] == "myapp" and not any(f.startswith(".drf-sso-feed-") for f in os.listdir(work)))

    # The key set equals `drf-sso-jwt jwks` for the same settings, and carries PUBLIC_KEYS.
    jp = payload_of(jwks_doc)
    cli = json.loads(subprocess.run([args.bin, "jwks", "--settings", os.path.join(KEYS, "settings.json")],
                                    capture_output=True, check=True).stdout)
    check("keys = drf-sso-jwt jwks", jp["keys"] == cli["keys"], (jp["keys"], cli["keys"]))
    check("public_keys", jp["public_keys"] == api_settings.PUBLIC_KEYS)
    check("jwks typ", header_of(jwks_doc)["typ"] == "drf-sso-jwks+jwt")

    # The core takes both (the CLI, with the documents, at their time).
    for name, text in (("keys.jws", jwks_doc), ("state.jws", state_doc)):
        open(os.path.join(work, name), "w").write(text)
    r = subprocess.run([args.bin, "authenticate", "--settings", os.path.join(KEYS, "settings.json"),
                        "--now", str(payload_of(state_doc)["iat"] + 1), "--keys-doc", os.path.join(work, "keys.jws"),
                        "--state", os.path.join(work, "state.jws")], input=b"null\n", capture_output=True)
    check("the core takes both documents", r.returncode == 0, r.stderr.decode())
    # A document is refused once older than its max_age, and a state document is no key set.
    r = subprocess.run([args.bin, "authenticate", "--settings", os.path.join(KEYS, "settings.json"),
                        "--now", str(payload_of(state_doc)["iat"] + 61), "--state", os.path.join(work, "state.jws")],
                       input=b"null\n", capture_output=True)
    check("stale document refused", r.returncode == 2 and b"max_age" in r.stderr, r.stderr.decode())
    r = subprocess.run([args.bin, "authenticate", "--settings", os.path.join(KEYS, "settings.json"),
                        "--now", str(payload_of(state_doc)["iat"] + 1), "--keys-doc", os.path.join(work, "state.jws")],
                       input=b"null\n", capture_output=True)
    check("a state document is no key set", r.returncode == 2 and b"typ" in r.stderr, r.stderr.decode())

    shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL", f)
    print(f"feed app: {checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
