#!/usr/bin/env python3
"""Request rates through real Envoy (one worker), loopback only, bounded by wrk's -d:

  none       no authentication filter (Envoy's own ceiling on this machine)
  ours_skip  the drf-sso-jwt filter with a `skip` rule for every path (wasm plumbing only)
  ours_bare  the drf-sso-jwt filter setting no claim or payload header (verification only)
  ours       the drf-sso-jwt filter (default cache of 1024 verified tokens, 6-7 headers set)
  jwt_authn  envoy.filters.http.jwt_authn with the same key (the CLI's `jwks` as
             local_jwks) and a cache of 1024 verified tokens (jwt_cache_config)

each with one token repeated (cache hits) and with 4096 distinct tokens in turn (fresh:
every request an RSA-2048 verification). Routes answer with direct_response, so the
upstream costs nothing. The cases run in interleaved rounds; prints a Markdown table of
medians, with Envoy's CPU time per request (from /proc: less sensitive than the request
rate to other load on a shared machine). Usage:

  bench.py --envoy BIN --wasm FILTER.wasm --cli drf-sso-jwt [--seconds 5] [--rounds 3] [--connections 16]
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


def cpu_seconds(pid) -> float:
    """User + system CPU time of process `pid` so far (all its threads)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--envoy", required=True)
    ap.add_argument("--wasm", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--fresh", type=int, default=4096, help="distinct tokens in the fresh-token runs")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="envoy-bench-")
    load0 = " ".join(open("/proc/loadavg").read().split()[:3])
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
    # The same module with one `skip` rule for every path: the cost of the wasm plumbing
    # (contexts, header map, forged-header scan) without any token work.
    skip = {"name": "drf_sso_jwt", "typed_config": H.wasm_filter(a.wasm, H.plugin_config(
        rules=[{"prefix": "/", "requirement": "skip"}], stat_prefix="skip"), vm_id="skip")}
    # Verification without any header to set: what the seven claim/payload headers cost.
    bare = {"name": "drf_sso_jwt", "typed_config": H.wasm_filter(a.wasm, H.plugin_config(
        allow_anonymous=False, claim_headers={}, payload_header=None, stat_prefix="bare"), vm_id="bare")}
    boot = H.bootstrap([H.listener("none", H.hcm("none", [], routes)),
                        H.listener("ours_skip", H.hcm("ours_skip", [skip], routes)),
                        H.listener("ours_bare", H.hcm("ours_bare", [bare], routes)),
                        H.listener("ours", H.hcm("ours", [ours], routes)),
                        H.listener("jwt_authn", H.hcm("jwt_authn", [jwt_authn(jwks)], routes))], [])
    envoy = H.Envoy(a.envoy, workdir, boot, concurrency=1, tag="bench")
    cases = []
    for name in ("none", "ours_skip", "ours_bare", "ours", "jwt_authn"):
        cases.append((name, "cache hits (one token)" if name not in ("none", "ours_skip") else "one token, not read",
                      {"token": same}))
        if name in ("ours", "jwt_authn"):
            cases.append((name, f"fresh ({a.fresh} tokens in turn)", {"tokens_file": tokens_file}))
    results = {(n, m): [] for n, m, _ in cases}
    caches = {(n, m): [0, 0] for n, m, _ in cases}
    counters = {"ours": ("wasmcustom.drf_sso_jwt.cache_hits", "wasmcustom.drf_sso_jwt.cache_misses"),
                "ours_bare": ("wasmcustom.bare.cache_hits", "wasmcustom.bare.cache_misses"),
                "jwt_authn": ("http.jwt_authn.jwt_authn.jwt_cache_hit", "http.jwt_authn.jwt_authn.jwt_cache_miss")}
    try:
        version = envoy.version().split("/")[1]
        for name in ("none", "ours_skip", "ours_bare", "ours", "jwt_authn"):
            # Every 401 would be a broken benchmark: check one of each first, then warm up (V8, caches).
            for t in (same, fresh[0]):
                r = H.request(envoy.ports[name], "GET", "/api/me", [("authorization", f"JWT {t}")])
                assert r.status == 200, (name, r.status, r.body)
        for name, mode, kw in cases:
            wrk(envoy.ports[name], 1, a.connections, workdir=workdir, **kw)
        # Rounds interleave the cases, so load from elsewhere on the machine hits them alike.
        for rnd in range(a.rounds):
            for name, mode, kw in cases:
                before = envoy.stats()
                cpu0 = cpu_seconds(envoy.proc.pid)
                got = wrk(envoy.ports[name], a.seconds, a.connections, workdir=workdir, **kw)
                got["cpu_us"] = (cpu_seconds(envoy.proc.pid) - cpu0) / got["requests"] * 1e6
                after = envoy.stats()
                assert got["non2xx"] == 0, (name, mode, got)
                if name in counters:
                    for i, k in enumerate(counters[name]):
                        caches[(name, mode)][i] += after.get(k, 0) - before.get(k, 0)
                results[(name, mode)].append(got)
                print(f"round {rnd + 1}: {name:10} {mode:28} {got['rps']:9.0f} req/s  p99 {got['p99']:>8}  "
                      f"Envoy CPU {got['cpu_us']:6.1f} µs/request", flush=True)
    finally:
        envoy.stop()
        H.stop_all()
    print()
    print(f"Envoy {version}, 1 worker (--concurrency 1), wrk -t1 -c{a.connections}, {a.rounds} interleaved rounds "
          f"of {a.seconds} s, loopback, direct_response; {os.cpu_count()} cores shared by Envoy, wrk and "
          f"whatever else runs (load average before: {load0})")
    print()
    print("| filter | tokens | requests/s (median) | min – max | Envoy CPU µs/request (median) | p99 | cache hits / misses |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name, mode, _ in cases:
        rs = results[(name, mode)]
        rps = sorted(g["rps"] for g in rs)
        p99 = sorted(rs, key=lambda g: g["rps"])[len(rs) // 2]["p99"]
        cache = "%d / %d" % tuple(caches[(name, mode)]) if name in counters else "–"
        cpu = sorted(g["cpu_us"] for g in rs)[len(rs) // 2]
        print(f"| {name} | {mode} | {rps[len(rps) // 2]:,.0f} | {rps[0]:,.0f} – {rps[-1]:,.0f} | {cpu:.1f} | {p99} "
              f"| {cache} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
