#!/usr/bin/env bash
# Benchmarks, one run on one token and key: OpenSSL's raw RSA-2048 verify (the
# reference), the native core, the wasm package in Node, jose, Node crypto, and
# drf-sso's own decode_jwt_token in Python; cold starts; wasm sizes.
# Prints a table of medians and ratios. Usage: bash scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/target/bench"; mkdir -p "$OUT"

cargo build --release -q
TOKEN=$(target/release/drf-sso-jwt issue --settings keys/settings.json --type auth \
    --sid '"5f0c8a3e-9d1b-4c2a-8e7f-0a1b2c3d4e5f"' --uid 42 --cid web-app --email ada@example.com)
echo "token: ${#TOKEN} bytes, RS256, RSA-2048 (keys/myapp-20200410.pem)"

# OpenSSL right before and right after the native run; the reference is their mean, so a
# change of machine load during the native run shows as a spread rather than a skewed ratio.
openssl_rate() { openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048/ {printf "%d", $NF}'; }
echo "openssl speed -seconds 3 rsa2048 ..."
ossl_before=$(openssl_rate)
echo "native core ..."
BENCH_TOKEN="$TOKEN" BENCH_NOW="$(date +%s)" cargo bench -q --bench native 2>/dev/null | tail -1 > "$OUT/native.json"
echo "openssl speed -seconds 3 rsa2048 (again) ..."
ossl_after=$(openssl_rate)
echo "{\"openssl_rsa2048_verify_per_s\":$(( (ossl_before + ossl_after) / 2 )),\"openssl_before\":$ossl_before,\"openssl_after\":$ossl_after}" > "$OUT/openssl.json"

echo "wasm package + jose + node crypto ..."
TARBALL=$(ls -t target/npm/drf-sso-jwt-*.tgz 2>/dev/null | head -1 || true)
if [ -z "$TARBALL" ]; then bash pkg/build.sh >/dev/null; TARBALL=$(ls -t target/npm/drf-sso-jwt-*.tgz | head -1); fi
mkdir -p "$OUT/node"
( cd "$OUT/node" && [ -f package.json ] || npm init -y >/dev/null ) 
( cd "$OUT/node" && npm install --no-audit --no-fund --silent "$ROOT/$TARBALL" jose@6 >/dev/null )
cp bench/node_bench.mjs "$OUT/node/"  # ESM resolves packages next to the script
( cd "$OUT/node" && BENCH_ROOT="$ROOT" node node_bench.mjs "$TOKEN" ) > "$OUT/node.json"

echo "drf-sso decode_jwt_token (Python) ..."
VENV="$ROOT/target/parity-venv"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r tests/parity/issuer/requirements.txt; fi
"$VENV/bin/python" bench/pyjwt_bench.py "$TOKEN" > "$OUT/python.json"

sizes=$(for v in verify sign; do f=pkg/dist/$v/drf_sso_jwt_bg.wasm; [ -f "$f" ] && printf '"%s_wasm_bytes":%d,"%s_wasm_gzip_bytes":%d,' "$v" "$(wc -c < "$f")" "$v" "$(gzip -9c "$f" | wc -c)"; done)
echo "{${sizes%,}}" > "$OUT/sizes.json"

python3 - "$OUT" <<'PY'
import json, sys, os, platform
d = {}
for f in ("openssl", "native", "node", "python", "sizes"):
    d.update(json.load(open(os.path.join(sys.argv[1], f + ".json"))))
ref = d["openssl_rsa2048_verify_per_s"]
rows = [
    ("OpenSSL raw RSA-2048 verify (reference)", "openssl_rsa2048_verify_per_s"),
    ("native: full token verification", "native_full_verify_per_s"),
    ("native: RS256 signature only (fast path)", "native_rs256_fast_path_per_s"),
    ("native: RS256 signature only (portable kernel)", "native_rs256_portable_kernel_per_s"),
    ("native: RS256 signature only (rsa crate)", "native_rs256_rsa_crate_per_s"),
    ("native: cache hit", "native_cache_hit_per_s"),
    ("wasm in Node: full verification (no cache)", "wasm_full_verify_per_s"),
    ("wasm in Node: cache hit", "wasm_cache_hit_per_s"),
    ("wasm in Node: cache hit, token as a new string", "wasm_cache_hit_new_string_per_s"),
    ("jose jwtVerify, key imported once", "jose_jwtVerify_key_once_per_s"),
    ("jose jwtVerify, importSPKI per call", "jose_jwtVerify_import_per_call_per_s"),
    ("Node crypto.verify, KeyObject", "node_crypto_verify_per_s"),
    ("drf-sso decode_jwt_token (PyJWT)", "pyjwt_decode_jwt_token_per_s"),
]
print(f"\nOpenSSL reference: mean of {d['openssl_before']:,} (before the native run) and {d['openssl_after']:,} (after)")
print(f"machine: {os.cpu_count()} cores, {platform.machine()}, {platform.platform()}")
print(f"{'what':48} {'per second':>12} {'x OpenSSL':>10}")
for name, k in rows:
    if k in d:
        print(f"{name:48} {d[k]:>12,} {d[k] / ref:>10.3f}")
print()
def ratio(a, b):
    return f"{d[a] / d[b]:.2f}x" if a in d and b in d else "n/a"
print("targets:")
print(f"  native full / OpenSSL            = {ratio('native_full_verify_per_s', 'openssl_rsa2048_verify_per_s')}  (target >= 0.6x)")
print(f"  wasm fresh / jose (key once)     = {ratio('wasm_full_verify_per_s', 'jose_jwtVerify_key_once_per_s')}  (target >= 1.0x)")
print(f"  wasm cache hit / wasm fresh      = {ratio('wasm_cache_hit_per_s', 'wasm_full_verify_per_s')}  (target >= 50x)")
if "cold_start_wasm_ms" in d:
    print(f"  cold start: wasm {d['cold_start_wasm_ms']} ms vs jose {d['cold_start_jose_ms']} ms  (target: wasm <= jose)")
for v in ("verify", "sign"):
    if f"{v}_wasm_bytes" in d:
        print(f"  {v} wasm: {d[v + '_wasm_bytes']:,} bytes raw, {d[v + '_wasm_gzip_bytes']:,} gzip -9")
json.dump(d, open(os.path.join(sys.argv[1], "results.json"), "w"), indent=1)
PY
