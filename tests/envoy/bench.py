#!/usr/bin/env python3
"""Request rates through real Envoy (one worker), loopback only, bounded by wrk's -d:

  none       no authentication filter (Envoy's own ceiling on this machine)
  ours       the drf-sso-jwt filter (default cache of 1024 verified tokens)
  jwt_authn  envoy.filters.http.jwt_authn with the same key (the CLI's `jwks` as
             local_jwks) and a cache of 1024 verified tokens (jwt_cache_config)

each with one token repeated (cache hits) and with 4096 distinct tokens in turn (fresh:
every request an RSA-2048 verification). Routes answer with direct_response, so the
upstream costs nothing. Prints a Markdown table. Usage:

  bench.py --envoy BIN --wasm FILTER.wasm --cli drf-sso-jwt [--seconds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

LUA = r"""
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/me", {["Authorization"] = "JWT " .. tokens[(i % #tokens) + 1]})
end
"""


def mint_many(cli, n, workdir):
    """`n` distinct session tokens signed as the Django server would, in one CLI run."""
    m = H.Minter(cli, workdir)
    now = int(time.time())
    lines = "".join(json.dumps({"token": "session", "sid": f"s-{i}", "uid": f"u-{i}", "cid": "bench",
                                "email": f"user{i}@example.org", "iat": now}) + "\n" for i in range(n))
    out = subprocess.run([cli, "sign", "--settings", m.settings["myapp"], "--now", str(now)], input=lines,
                         capture_output=True, text=True, timeout=300, check=True)
    tokens = [json.loads(line)["token"] for line in out.stdout.splitlines()]
    assert len(tokens) == n, out.stderr
    return tokens


def jwt_authn(jwks: str) -> dict:
    return {"name": "envoy.filters.http.jwt_authn", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
        "providers": {"myapp": {
            "issuer": "myapp", "audiences": ["myapp"],
            "local_jwks": {"inline_string": jwks},
            "from_headers": [{"name": "authorization", "value_prefix": "JWT "}],
            "forward": True,
            "forward_payload_header": "x-sso-payload",
            "claim_to_headers": [{"header_name": "x-sso-uid", "claim_name": "uid"},
                                 {"header_name": "x-sso-sid", "claim_name": "sid"}],
            "jwt_cache_config": {"jwt_cache_size": 1024}}},
        "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "myapp"}}]}}


def wrk(port, seconds, connections, token=None, tokens_file=None, workdir="."):
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}/api/me"]
    env = dict(os.environ)
    if tokens_file:
        script = os.path.join(workdir, "tokens.lua")
        with open(script, "w") as f:
            f.write(LUA)
        args[1:1] = ["-s", script]
        env["BENCH_TOKENS"] = tokens_file
    elif token:
        args[1:1] = ["-H", f"Authorization: JWT {token}"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60, env=env).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"), "requests": total,
            "non2xx": int(non2xx.group(1)) if non2xx else 0}


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--envoy", required=True)
    ap.add_argument("--wasm", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--fresh", type=int, default=4096, help="distinct tokens in the fresh-token runs")
    a = ap.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="envoy-bench-")
    tokens = mint_many(a.cli, a.fresh + 1, workdir)
    same, fresh = tokens[0], tokens[1:]
    tokens_file = os.path.join(workdir, "tokens.txt")
    with open(tokens_file, "w") as f:
        f.write("\n".join(fresh) + "\n")
    jwks = subprocess.run([a.cli, "jwks", "--settings", os.path.join(H.KEYS, "settings.json")],
                          capture_output=True, text=True, check=True).stdout.strip()
    ok = {"direct_response": {"status": 200, "body": {"inline_string": "ok\n"}}}
    routes = [{"match": {"prefix": "/"}, **ok}]
    ours = {"name": "drf_sso_jwt", "typed_config": H.wasm_filter(a.wasm, H.plugin_config(allow_anonymous=False))}
    boot = H.bootstrap([H.listener("none", H.hcm("none", [], routes)),
                        H.listener("ours", H.hcm("ours", [ours], routes)),
                        H.listener("jwt_authn", H.hcm("jwt_authn", [jwt_authn(jwks)], routes))], [])
    envoy = H.Envoy(a.envoy, workdir, boot, concurrency=1, tag="bench")
    rows = []
    try:
        version = envoy.version().split("/")[1]
        for name in ("none", "ours", "jwt_authn"):
            port = envoy.ports[name]
            # Every 401 would be a broken benchmark: check one of each first.
            for t in (same, fresh[0]):
                r = H.request(port, "GET", "/api/me", [("authorization", f"JWT {t}")])
                assert r.status == 200, (name, r.status, r.body)
            modes = [("cache hits (one token)", {"token": same})]
            if name != "none":
                modes.append((f"fresh ({a.fresh} tokens in turn)", {"tokens_file": tokens_file}))
            for mode, kw in modes:
                wrk(port, 1, a.connections, workdir=workdir, **kw)  # V8 / caches warm-up
                before = envoy.stats()
                got = wrk(port, a.seconds, a.connections, workdir=workdir, **kw)
                after = envoy.stats()
                d = {k: after.get(k, 0) - before.get(k, 0) for k in after}
                if name == "ours":
                    got["cache"] = (d.get("wasmcustom.drf_sso_jwt.cache_hits", 0),
                                    d.get("wasmcustom.drf_sso_jwt.cache_misses", 0))
                elif name == "jwt_authn":
                    got["cache"] = (d.get("http.jwt_authn.jwt_authn.jwt_cache_hit", 0),
                                    d.get("http.jwt_authn.jwt_authn.jwt_cache_miss", 0))
                rows.append((name, mode, got))
                print(f"{name:10} {mode:28} {got}", flush=True)
    finally:
        envoy.stop()
        H.stop_all()
    print()
    print(f"Envoy {version}, 1 worker (--concurrency 1), wrk -t1 -c{a.connections} -d{a.seconds}s, loopback, "
          f"direct_response; {os.cpu_count()} cores shared by Envoy and wrk")
    print()
    print("| filter | tokens | requests/s | p50 | p99 | cache hits / misses | non-2xx |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name, mode, g in rows:
        cache = "%d / %d" % g["cache"] if "cache" in g else "–"
        print(f"| {name} | {mode} | {g['rps']:,.0f} | {g['p50']} | {g['p99']} | {cache} | {g['non2xx']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
