#!/usr/bin/env python3
"""Edge session state end to end: the repository's Django issuer (drf-sso 0.8.1 + the
drf_sso_feed app, `manage.py runserver` on 127.0.0.1) asked directly and behind real Envoy,
and the same tokens at every edge that keeps a session state from its feed:

  django        the issuer's own /test/me/ (JWTAuthentication.authenticate in full)
  envoy+django  /test/me/ through Envoy: the filter first, then Django
  envoy         /edge/me through Envoy to an echo upstream: the filter's verdict alone
  node          a Node service (packed npm tarball, SessionFeed on a timer; policy refuse)
  workerd       a Worker in workerd via miniflare (SessionFeed.sync per request)

Steps: log in and use the tokens; log out (the session revoked); log in again on the same
client (the session re-issued: older tokens superseded); deactivate a user; rotate a key
(published first, then signing with it: the documents are then signed by the new key too);
finally stop Django: the documents age past their max_age and the edges with policy
`refuse` answer 503 while the `stateless` one verifies without session checks. After each
change at Django the edges must give Django's verdict once their feed has refreshed; the
time until they do is measured and reported (report JSON). No timing is asserted beyond a
generous deadline. Every process binds 127.0.0.1 and is stopped by its PID (harness)."""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "envoy"))
import harness  # noqa: E402
from harness import KEYS, ISSUER_DIR, Echo, Envoy, free_port, spawn, stop, wait_for  # noqa: E402

INTERVAL = 0.5  # seconds between feed rounds at every edge
MAX_AGE = 6  # the documents' max_age (short, so the staleness step stays short)
DEADLINE = 20.0  # seconds an edge may take to agree (generous: a shared, loaded machine)
OLD_KEYS = {"myapp": ["myapp-20200410.pem"], "otherapp": "otherapp-2024.pem"}
PUBLISHED = {"myapp": ["myapp-20200410.pem", "myapp-20180101.pem"], "otherapp": "otherapp-2024.pem"}
ROTATED = {"myapp": ["myapp-20180101.pem", "myapp-20200410.pem"], "otherapp": "otherapp-2024.pem"}


class Django:
    def __init__(self, python, workdir, public_keys, private_key, tag):
        self.env = dict(os.environ, PARITY_DB_DIR=workdir, PYTHONUNBUFFERED="1",
                        PARITY_SSO_SETTINGS=os.path.join(KEYS, "settings.json"),
                        PARITY_PUBLIC_KEYS=json.dumps(public_keys), PARITY_PRIVATE_KEY=private_key,
                        PARITY_TEST_VIEWS="1",
                        PARITY_FEED=json.dumps({"CACHE_SECONDS": 0.2, "MAX_AGE": MAX_AGE}),
                        DJANGO_SETTINGS_MODULE="issuer.settings")
        manage = [python, os.path.join(ISSUER_DIR, "manage.py")]
        if not os.path.exists(os.path.join(workdir, "db.sqlite3")):
            for cmd in (["migrate", "-v0"], ["create_parity_users"]):
                subprocess.run(manage + cmd, env=self.env, cwd=ISSUER_DIR, check=True, capture_output=True, timeout=120)
        self.port = getattr(self, "port", None) or free_port()
        self.start(manage, tag, workdir)

    def start(self, manage, tag, workdir):
        self.log_path = os.path.join(workdir, f"django-{tag}.log")
        self.proc = spawn(manage + ["runserver", f"127.0.0.1:{self.port}", "--noreload"], self.log_path,
                          env=self.env, cwd=ISSUER_DIR)

        def answers():
            if self.proc.poll() is not None:
                raise AssertionError(f"Django exited: {open(self.log_path).read()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/sso/state/", timeout=5).read()
                return True
            except urllib.error.HTTPError:
                return True
        wait_for("the Django issuer", answers, 60, 0.1)

    def stop(self):
        stop(self.proc)


def http(base, method, path, token=None, body=None, timeout=10):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    if token:
        req.add_header("Authorization", f"JWT {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def verdict(status, body):
    """'ok', the DRF detail of a 401, or 'unavailable' (503)."""
    if status == 200:
        return "ok"
    if status == 503:
        return "unavailable"
    try:
        return json.loads(body)["detail"]
    except (ValueError, KeyError, TypeError):
        return f"HTTP {status}"


def claims(token):
    seg = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


class Run:
    def __init__(self, args):
        self.args = args
        self.work = args.workdir
        os.makedirs(self.work, exist_ok=True)
        self.db_dir = os.path.join(self.work, "db")
        os.makedirs(self.db_dir, exist_ok=True)
        self.delays = []  # (step, edge, seconds)
        self.checks = 0
        self.failures = []

    # ---- the parties --------------------------------------------------------------------
    def django(self, public_keys, private_key, tag):
        d = Django.__new__(Django)
        if getattr(self, "dj", None) is not None:
            d.port = self.dj.port  # same address: the edges' feeds keep pointing at it
        d.__init__(self.args.python, self.db_dir, public_keys, private_key, tag)
        self.dj = d
        self.base = f"http://127.0.0.1:{d.port}"

    def start_edges(self):
        plugin = harness.plugin_config(public_keys=OLD_KEYS, allow_anonymous=True, feed={
            "cluster": "django", "authority": "127.0.0.1", "state_path": "/sso/state/", "keys_path": "/sso/jwks/",
            "interval_ms": int(INTERVAL * 1000), "timeout_ms": 2000, "policy": "refuse"})
        self.echo = Echo()
        routes = [{"match": {"prefix": "/edge/"}, "route": {"cluster": "echo"}},
                  {"match": {"prefix": "/"}, "route": {"cluster": "django"}}]
        boot = harness.bootstrap(
            [harness.listener("ingress", harness.hcm("ingress", [{"name": "drf_sso_jwt", "typed_config":
                                                                    harness.wasm_filter(self.args.wasm, plugin)}],
                                                     routes, os.path.join(self.work, "access.log")))],
            [harness.cluster("django", self.dj.port), harness.cluster("echo", self.echo.port)])
        # Two workers: two VMs, each with its own feed and state.
        self.envoy = Envoy(self.args.envoy, self.work, boot, concurrency=2, tag="envoy")
        self.envoy_base = f"http://127.0.0.1:{self.envoy.ports['ingress']}"
        config = {"settings": plugin["settings"], "keys": plugin["keys"], "interval": INTERVAL,
                  "stateUrl": f"{self.base}/sso/state/", "keysUrl": f"{self.base}/sso/jwks/"}
        cfg_path = os.path.join(self.work, "consumer.json")
        json.dump(config, open(cfg_path, "w"))
        self.node_base = self.consumer("node", [self.args.node, os.path.join(self.args.node_dir, "node-server.mjs")], cfg_path)
        self.workerd_base = self.consumer("workerd", [self.args.node, os.path.join(self.args.node_dir, "workerd-server.mjs")], cfg_path)

    def consumer(self, tag, cmd, cfg_path):
        port_file = os.path.join(self.work, f"{tag}.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        proc = spawn(cmd + [cfg_path, port_file], os.path.join(self.work, f"{tag}.log"), cwd=self.args.node_dir)

        def port():
            if proc.poll() is not None:
                raise AssertionError(f"{tag} exited: {open(os.path.join(self.work, f'{tag}.log')).read()[-2000:]}")
            return open(port_file).read().strip() if os.path.exists(port_file) else None
        return f"http://127.0.0.1:{wait_for(tag, port, 60)}"

    # ---- verdicts -------------------------------------------------------------------------
    def edges(self, token):
        return {
            "envoy+django": verdict(*http(self.envoy_base, "GET", "/test/me/", token)),
            "envoy": verdict(*http(self.envoy_base, "GET", "/edge/me", token)),
            "node": verdict(*http(self.node_base, "GET", "/api", token)),
            "workerd": verdict(*http(self.workerd_base, "GET", "/api", token)),
        }

    def django_verdict(self, token):
        return verdict(*http(self.base, "GET", "/test/me/", token))

    def agree(self, step, tokens, t0, expect=None):
        """Polls every edge until its verdict on every token is Django's (for 3 rounds in a row:
        Envoy's two workers fetch on their own), recording the delay from t0 per edge."""
        want = {name: self.django_verdict(tok) for name, tok in tokens.items()}
        if expect is not None and want != expect:
            self.failures.append(f"{step}: Django says {want}, the test expected {expect}")
        done, streak = {}, {}
        while time.monotonic() - t0 < DEADLINE:
            for edge in ("envoy+django", "envoy", "node", "workerd"):
                if edge in done:
                    continue
                got = {name: self.edges(tok)[edge] for name, tok in tokens.items()}
                if got == want:
                    streak[edge] = streak.get(edge, 0) + 1
                    first = streak.get(edge + "@", time.monotonic())
                    streak.setdefault(edge + "@", first)
                    if streak[edge] >= 3:
                        done[edge] = first - t0
                else:
                    streak[edge] = 0
                    streak.pop(edge + "@", None)
                    self.last = (edge, got)
            if len(done) == 4:
                break
            time.sleep(0.05)
        self.checks += 1
        for edge in ("envoy+django", "envoy", "node", "workerd"):
            if edge in done:
                self.delays.append((step, edge, round(max(done[edge], 0.0), 3)))
            else:
                self.failures.append(f"{step}: {edge} did not agree with Django {want} within {DEADLINE} s "
                                     f"(last: {getattr(self, 'last', None)})")
        print(f"{step:28s} django {json.dumps(want)}  delays " +
              ", ".join(f"{e} {d:.2f}s" for s, e, d in self.delays if s == step), flush=True)

    def login(self, user, password, client):
        st, body = http(self.base, "POST", "/session/", body={"username": user, "password": password, "client_id": client})
        assert st == 200, (st, body)
        session = json.loads(body)["token"]
        st, body = http(self.base, "POST", "/authorize/", session, body={})
        assert st == 200, (st, body)
        return session, json.loads(body)["token"]

    # ---- the scenario ---------------------------------------------------------------------
    def run(self):
        self.django(OLD_KEYS, "myapp-20200410.pem", "1")
        self.start_edges()
        s1, a1 = self.login("alice", "alice-pw-1", "web")
        self.agree("log in, use", {"session": s1, "auth": a1}, time.monotonic(), {"session": "ok", "auth": "ok"})

        t0 = time.monotonic()
        st, _ = http(self.base, "POST", "/test/logout/", s1, body={})
        assert st == 200
        self.agree("log out (revoke)", {"session": s1, "auth": a1}, t0,
                   {"session": "Invalid token.", "auth": "Invalid token."})

        s2, a2 = self.login("bob", "bob-pw-2", "app")
        self.agree("second user logs in", {"session": s2, "auth": a2}, time.monotonic(), {"session": "ok", "auth": "ok"})
        while int(time.time()) <= claims(s2)["iat"]:
            time.sleep(0.05)  # iat has whole seconds: the next login must be a later second
        t0 = time.monotonic()
        s3, a3 = self.login("bob", "bob-pw-2", "app")
        assert claims(s3)["sid"] == claims(s2)["sid"], "the same client's session is re-issued"
        self.agree("log in again (supersede)", {"old session": s2, "old auth": a2, "new session": s3}, t0,
                   {"old session": "Token has been superseded.", "old auth": "Token has been superseded.",
                    "new session": "ok"})

        s4, a4 = self.login("carol", "carol-pw-3", "web")
        t0 = time.monotonic()
        st, _ = http(self.base, "POST", "/test/deactivate/", body={"username": "carol"})
        assert st == 200
        self.agree("deactivate the user", {"session": s4, "auth": a4}, t0,
                   {"session": "User inactive or deleted.", "auth": "User inactive or deleted."})

        # Key rotation. A token signed by the next key (kid myapp-20180101), for a live session.
        s5, _ = self.login("dmitri", "dmitri-pw-4", "cli")
        c = claims(s5)
        minter = harness.Minter(self.args.cli, self.work)
        k = minter.issue("auth", signer="myapp-2018", uid=c["uid"], sid=c["sid"])
        self.agree("new key, not yet published", {"next key": k}, time.monotonic(),
                   {"next key": "Unauthorized token signing key."})
        self.dj.stop()
        self.django(PUBLISHED, "myapp-20200410.pem", "2")
        t0 = time.monotonic()  # Django answers with the published key from here on
        self.agree("rotate 1: publish the key", {"next key": k}, t0, {"next key": "ok"})
        self.dj.stop()
        self.django(ROTATED, "myapp-20180101.pem", "3")
        s6, a6 = self.login("dmitri", "dmitri-pw-4", "cli-2")
        assert json.loads(base64.urlsafe_b64decode(s6.split(".")[0] + "==="))["kid"] == "myapp-20180101"
        t0 = time.monotonic()
        st, _ = http(self.base, "POST", "/test/logout/", s6, body={})
        assert st == 200
        # The documents are now signed by the new key: the edges must still take them.
        self.agree("rotate 2: sign with it, revoke", {"session": s6, "auth": a6, "next key": k}, t0,
                   {"session": "Invalid token.", "auth": "Invalid token.", "next key": "ok"})

        # The feed stops: documents age out (max_age), then each edge's policy.
        s7, a7 = self.login("alice", "alice-pw-1", "late")
        self.agree("before the feed stops", {"auth": a7}, time.monotonic(), {"auth": "ok"})
        stats_before = self.envoy.stats()
        self.dj.stop()
        t0 = time.monotonic()
        deadline = t0 + MAX_AGE + DEADLINE
        stale_at = {}
        while time.monotonic() < deadline and len(stale_at) < 3:
            for edge, base, path in (("envoy", self.envoy_base, "/edge/me"), ("node", self.node_base, "/api"),
                                     ("workerd", self.workerd_base, "/api")):
                if edge not in stale_at and verdict(*http(base, "GET", path, a7)) == "unavailable":
                    stale_at[edge] = round(time.monotonic() - t0, 2)
            time.sleep(0.1)
        stateless = verdict(*http(self.node_base, "GET", "/api-stateless", a7))
        print(f"{'feed stopped (max_age ' + str(MAX_AGE) + ' s)':28s} 503 after " +
              ", ".join(f"{e} {s:.2f}s" for e, s in stale_at.items()) + f"; stateless edge: {stateless}", flush=True)
        if len(stale_at) < 3:
            self.failures.append(f"not every edge refused with 503 after max_age: {stale_at}")
        if stateless != "ok":
            self.failures.append(f"the stateless edge answered {stateless}, not ok")
        body = json.loads(http(self.envoy_base, "GET", "/edge/me", a7)[1] or b"{}")
        if body.get("detail") != "Session state unavailable.":
            self.failures.append(f"Envoy's 503 body: {body}")
        stats = self.envoy.stats()
        feed_stats = {k.split("drf_sso_jwt.", 1)[1]: v for k, v in stats.items() if ".feed." in k}
        for name in ("feed.state_updates", "feed.keys_updates", "feed.state_fetch_failures"):
            if not feed_stats.get(name):
                self.failures.append(f"Envoy counter {name} is {feed_stats.get(name)}")
        if stats.get("wasmcustom.drf_sso_jwt.denied.state_unavailable", 0) < 1:
            self.failures.append("no denied.state_unavailable counted")
        node_status = json.loads(http(self.node_base, "GET", "/status")[1])
        self.report = {
            "interval_s": INTERVAL, "max_age_s": MAX_AGE, "cache_seconds": 0.2,
            "envoy": self.envoy.version(),
            "delays": [{"step": s, "edge": e, "seconds": d} for s, e, d in self.delays],
            "stale_after_s": stale_at, "envoy_feed_stats": feed_stats,
            "envoy_feed_stats_before_stop": {k.split("drf_sso_jwt.", 1)[1]: v for k, v in stats_before.items() if ".feed." in k},
            "node_feed_status": node_status["refuse"],
        }

    def close(self):
        for name in ("envoy",):
            if getattr(self, name, None) is not None:
                getattr(self, name).stop()
        if getattr(self, "echo", None) is not None:
            self.echo.close()
        harness.stop_all()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wasm", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--python", required=True, help="the venv python with Django and drf-sso")
    ap.add_argument("--envoy", required=True)
    ap.add_argument("--node", default="node")
    ap.add_argument("--node-dir", required=True, help="scratch project with the tarball, miniflare, esbuild and the consumers")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--report")
    args = ap.parse_args()
    for k in ("wasm", "cli", "python", "envoy", "node_dir", "workdir"):
        setattr(args, k, os.path.abspath(getattr(args, k)))
    r = Run(args)
    try:
        r.run()
    finally:
        r.close()
    ds = [d for _, _, d in r.delays]
    by_edge = {}
    for s, e, d in r.delays:
        by_edge.setdefault(e, []).append(d)
    summary = {e: {"median": round(statistics.median(v), 3), "max": max(v)} for e, v in by_edge.items()}
    print("propagation delay (s) per edge: " + ", ".join(f"{e} median {v['median']:.2f} max {v['max']:.2f}" for e, v in summary.items()))
    if args.report and hasattr(r, "report"):
        r.report["summary"] = summary
        json.dump(r.report, open(args.report, "w"), indent=1)
    for f in r.failures:
        print("FAIL", f)
    print(f"feed e2e: {r.checks} steps, {len(ds)} edge convergences, {len(r.failures)} failures")
    return 1 if r.failures else 0


if __name__ == "__main__":
    sys.exit(main())
