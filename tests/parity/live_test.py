#!/usr/bin/env python3
"""Live test: tokens issued by a real djangorestframework-sso server are accepted by the Rust CLI.

1. migrates a fresh SQLite DB (temp dir) and creates the test users;
2. starts `manage.py runserver 127.0.0.1:<free port> --noreload` with PRIVATE_KEYS myapp ->
   myapp-20200410.pem, logs in at /session/ for several users and client ids and exchanges each
   session token at /authorize/ (Authorization: JWT <session token>);
3. stops it and restarts with PARITY_PRIVATE_KEY=myapp-20180101.pem (key rotation) and repeats;
4. runs every token through `drf-sso-jwt verify --settings keys/settings.json --now <now>` and
   `authenticate` ("JWT <token>") and asserts: all accepted, header and payload equal (type- and
   key-order-strict) to the in-process oracle's verdict and to PyJWT's unverified decode.
The server is always stopped by PID (try/finally + atexit + SIGTERM/SIGINT handlers).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from oracle import KEYS_DIR, REPO_ROOT, Oracle, load_settings_file  # noqa: E402
from run_parity import strict_diff, short  # noqa: E402

ISSUER_DIR = os.path.join(HERE, "issuer")
SETTINGS_JSON = os.path.join(KEYS_DIR, "settings.json")
DEFAULT_BIN = os.environ.get("DRF_SSO_JWT_BIN") or os.path.join(REPO_ROOT, "target", "release", "drf-sso-jwt")

LOGINS = [("alice", "alice-pw-1", "web"), ("alice", "alice-pw-1", ""), ("bob", "bob-pw-2", "mobile-ü"),
          ("carol", "carol-pw-3", "web"), ("dmitri", "dmitri-pw-4", "cli")]

_servers: list[subprocess.Popen] = []


def _stop_all():
    while _servers:
        proc = _servers.pop()
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # own process group: runserver only
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _on_signal(signum, _frame):
    _stop_all()
    sys.exit(128 + signum)


atexit.register(_stop_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, check=True):
    return subprocess.run([sys.executable, os.path.join(ISSUER_DIR, "manage.py"), *args], env=env, cwd=ISSUER_DIR,
                          check=check, capture_output=True, text=True)


def start_server(env, log_path):
    port = free_port()
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        [sys.executable, os.path.join(ISSUER_DIR, "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env, cwd=ISSUER_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    _servers.append(proc)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early (code {proc.returncode}); see {log_path}")
        try:
            post(base + "/session/", {})
            return proc, base
        except urllib.error.HTTPError:
            return proc, base  # 400 for an empty login: it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer within 30 s; see {log_path}")


def stop_server(proc):
    if proc in _servers:
        _servers.remove(proc)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def post(url, data, token=None):
    req = urllib.request.Request(url, data=json.dumps(data).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "User-Agent": "parity-live-test"})
    if token:
        req.add_header("Authorization", f"JWT {token}")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read().decode())


def issue_tokens(base):
    out = []
    for username, password, client_id in LOGINS:
        session = post(base + "/session/", {"username": username, "password": password, "client_id": client_id})["token"]
        auth = post(base + "/authorize/", {}, token=session)["token"]
        out.append(("session", username, client_id, session))
        out.append(("auth", username, client_id, auth))
    # a rejected exchange, to prove the server really verifies: tampered session token
    bad = out[0][3][:-4] + ("AAAA" if not out[0][3].endswith("AAAA") else "BBBB")
    try:
        post(base + "/authorize/", {}, token=bad)
        raise AssertionError("server accepted a tampered session token")
    except urllib.error.HTTPError as exc:
        assert exc.code == 401, exc.code
    return out


def run_cli(binary, mode, lines, now):
    proc = subprocess.run([binary, mode, "--settings", SETTINGS_JSON, "--now", str(now)],
                          input="".join(l + "\n" for l in lines).encode(), capture_output=True, timeout=60)
    outs = [json.loads(l) for l in proc.stdout.decode().splitlines() if l.strip()]
    if len(outs) != len(lines):
        raise AssertionError(f"{mode}: exit {proc.returncode}, {len(outs)} outputs for {len(lines)} inputs; "
                             f"stderr {proc.stderr.decode()[:400]}")
    return outs, proc.returncode


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--skip-rust", action="store_true", help="only check the server and the oracle")
    args = ap.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="parity-live-")
    env = dict(os.environ, PARITY_DB_DIR=workdir, PARITY_SSO_SETTINGS=SETTINGS_JSON, PYTHONUNBUFFERED="1",
               DJANGO_SETTINGS_MODULE="issuer.settings")
    log_path = os.path.join(workdir, "server.log")
    t0 = time.time()
    manage(env, "migrate", "-v0")
    manage(env, "create_parity_users")

    tokens = []
    try:
        for key_file in ("myapp-20200410.pem", "myapp-20180101.pem"):
            env_k = dict(env, PARITY_PRIVATE_KEY=key_file)
            proc, base = start_server(env_k, log_path)
            try:
                for kind, user, cid, tok in issue_tokens(base):
                    tokens.append((key_file, kind, user, cid, tok))
            finally:
                stop_server(proc)
    except Exception:
        print(f"server log ({log_path}):")
        try:
            print(open(log_path, encoding="utf-8", errors="replace").read()[-3000:])
        except OSError:
            pass
        raise
    finally:
        _stop_all()
    now = int(time.time())
    print(f"issued {len(tokens)} tokens from 2 server runs (key rotation) in {time.time() - t0:.1f}s")

    failures = []
    oracle = Oracle()
    oracle.use_settings("settings.json", load_settings_file(SETTINGS_JSON))
    with oracle.frozen(now):
        expected = [oracle.verify(t[4]) for t in tokens]
    kids = set()
    for t, e in zip(tokens, expected):
        raw = oracle.decode_raw(t[4])
        if not e["ok"]:
            failures.append(f"oracle rejects server token {t[:4]}: {e}")
            continue
        kids.add(e["header"].get("kid"))
        d = strict_diff(raw, e["payload"], "payload")
        if d:
            failures.append(f"oracle payload != PyJWT decode for {t[:4]}: {d}")
    if kids != {"myapp-20200410", "myapp-20180101"}:
        failures.append(f"expected tokens from both keys, got kids {sorted(map(str, kids))}")

    passed = 0
    if not args.skip_rust:
        if not os.path.exists(args.bin):
            failures.append(f"Rust CLI not found at {args.bin}")
        else:
            verify, rc_v = run_cli(args.bin, "verify", [t[4] for t in tokens], now)
            auth, rc_a = run_cli(args.bin, "authenticate", [json.dumps("JWT " + t[4]) for t in tokens], now)
            if rc_v != 0 or rc_a != 0:
                failures.append(f"exit codes verify={rc_v} authenticate={rc_a}, expected 0")
            for t, e, v, a in zip(tokens, expected, verify, auth):
                ok = True
                for mode, r in (("verify", v), ("authenticate", a)):
                    if r.get("ok") is not True:
                        failures.append(f"{mode} rejected {t[:4]}: {short(r, 300)}")
                        ok = False
                        continue
                    if e["ok"]:
                        d = strict_diff(e["header"], r.get("header"), "header") or strict_diff(
                            e["payload"], r.get("payload"), "payload")
                        if d:
                            failures.append(f"{mode} {t[:4]}: {d}")
                            ok = False
                passed += ok
    else:
        passed = len(tokens)

    for f in failures:
        print("FAIL:", f)
    print(f"live: {len(tokens)} server tokens, {passed} passed, {len(tokens) - passed} failed"
          + (" (Rust skipped)" if args.skip_rust else "") + f"; {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
