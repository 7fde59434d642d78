#!/usr/bin/env bash
# Benchmarks, one run, the same tokens and keys for every contender: OpenSSL's raw
# RSA-2048 / P-256 / Ed25519 verify (the references), the native core, the wasm package in
# Node, Bun, Deno, headless Chromium and workerd against jose in the same runtime, Node
# crypto, and drf-sso's own decode_jwt_token in Python; cold starts (Node, workerd); wasm
# sizes. Prints medians, ratios and the targets of issue 17. Usage: bash scripts/bench.sh
# (after bash tests/npm/run.sh, which installs Bun, Deno, playwright-core and miniflare under
# target/npm-tools; without them those rows are left out).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/target/bench"; mkdir -p "$OUT"

cargo build --release -q
TOKEN=$(target/release/drf-sso-jwt issue --settings keys/settings.json --type auth \
    --sid '"5f0c8a3e-9d1b-4c2a-8e7f-0a1b2c3d4e5f"' --uid 42 --cid web-app --email ada@example.com)
echo "token: ${#TOKEN} bytes, RS256, RSA-2048 (keys/myapp-20200410.pem)"
# ES256 (P-256) and EdDSA (Ed25519) tokens minted by the CLI from the test keys.
for fam in ES256:test-only-ec-p256.pem EdDSA:test-only-ed25519.pem; do
  alg=${fam%%:*}; key=${fam#*:}; up=$(echo "$alg" | tr a-z A-Z)
  cat > "$OUT/settings-$alg.json" <<JSON
{"IDENTITY": "myapp", "SESSION_AUDIENCE": ["myapp"], "AUTHORIZATION_AUDIENCE": ["myapp"],
 "ENCODE_ALGORITHM": "$alg", "DECODE_ALGORITHMS": ["$alg"], "ACCEPTED_ISSUERS": ["myapp"],
 "AUTHORIZATION_EXPIRATION": 3600, "KEY_STORE_ROOT": "$ROOT/keys",
 "PUBLIC_KEYS": {"myapp": "$key"}, "PRIVATE_KEYS": {"myapp": "$key"}}
JSON
  tok=$(target/release/drf-sso-jwt issue --settings "$OUT/settings-$alg.json" --type auth \
      --sid '"5f0c8a3e-9d1b-4c2a-8e7f-0a1b2c3d4e5f"' --uid 42 --cid web-app --email ada@example.com)
  export "BENCH_${up}_TOKEN=$tok" "BENCH_${up}_SETTINGS=$OUT/settings-$alg.json" "BENCH_${up}_KEY=$key"
  echo "token: ${#tok} bytes, $alg (keys/$key)"
done

# OpenSSL right before and right after the native run; the reference is their mean, so a
# change of machine load during the native run shows as a spread rather than a skewed ratio.
openssl_rate() { openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048/ {printf "%d", $NF}'; }
echo "openssl speed -seconds 3 rsa2048 ..."
ossl_before=$(openssl_rate)
echo "native core ..."
BENCH_TOKEN="$TOKEN" BENCH_NOW="$(date +%s)" cargo bench -q --bench native 2>/dev/null | tail -1 > "$OUT/native.json"
echo "openssl speed -seconds 3 rsa2048 (again) ..."
ossl_after=$(openssl_rate)
echo "openssl speed -seconds 3 ecdsap256 ed25519 ..."
ossl_p256=$(openssl speed -seconds 3 ecdsap256 2>/dev/null | awk '/256 bits ecdsa \(nistp256\)/ {printf "%d", $NF}')
ossl_ed25519=$(openssl speed -seconds 3 ed25519 2>/dev/null | awk '/EdDSA \(Ed25519\)/ {printf "%d", $NF}')
echo "{\"openssl_rsa2048_verify_per_s\":$(( (ossl_before + ossl_after) / 2 )),\"openssl_before\":$ossl_before,\"openssl_after\":$ossl_after,\"openssl_p256_verify_per_s\":${ossl_p256:-0},\"openssl_ed25519_verify_per_s\":${ossl_ed25519:-0}}" > "$OUT/openssl.json"

echo "wasm package + jose + node crypto ..."
TARBALL=$(ls -t target/npm/drf-sso-jwt-*.tgz 2>/dev/null | head -1 || true)
if [ -z "$TARBALL" ]; then bash pkg/build.sh >/dev/null; TARBALL=$(ls -t target/npm/drf-sso-jwt-*.tgz | head -1); fi
mkdir -p "$OUT/node"
( cd "$OUT/node" && [ -f package.json ] || npm init -y >/dev/null ) 
( cd "$OUT/node" && npm install --no-audit --no-fund --silent "$ROOT/$TARBALL" jose@6 >/dev/null )
cp bench/node_bench.mjs "$OUT/node/"  # ESM resolves packages next to the script
( cd "$OUT/node" && BENCH_ROOT="$ROOT" node node_bench.mjs "$TOKEN" ) > "$OUT/node.json"
# The same duels (wasm vs jose, one runtime at a time) in Bun and Deno.
TOOLS="$ROOT/target/npm-tools/node_modules/.bin"
for rt in bun deno; do
  [ -x "$TOOLS/$rt" ] || { echo "($rt not installed: bash tests/npm/run.sh installs it)"; echo '{}' > "$OUT/$rt.json"; continue; }
  echo "wasm package + jose in $rt ..."
  case $rt in
    bun) cmd=("$TOOLS/bun" node_bench.mjs) ;;
    deno) cmd=("$TOOLS/deno" run -A node_bench.mjs) ;;
  esac
  ( cd "$OUT/node" && BENCH_ROOT="$ROOT" BENCH_QUICK=1 "${cmd[@]}" "$TOKEN" ) |
    python3 -c "import json,sys; d=json.load(sys.stdin); print(json.dumps({'$rt:'+k: v for k, v in d.items()}))" > "$OUT/$rt.json"
done
# Headless Chromium and workerd (miniflare): bench/runtimes_bench.mjs, with the tools the npm
# tests installed (playwright-core, miniflare, esbuild under target/npm-tools).
if [ -d "$ROOT/target/npm-tools/node_modules/playwright-core" ] && [ -d "$ROOT/target/npm-tools/node_modules/miniflare" ]; then
  echo "wasm package + jose in headless Chromium and workerd ..."
  cp bench/runtimes_bench.mjs "$ROOT/target/npm-tools/"
  ( cd "$ROOT/target/npm-tools" && BENCH_TOKEN="$TOKEN" node runtimes_bench.mjs "$OUT/node" "$ROOT" ) > "$OUT/runtimes.json"
else
  echo "(Chromium and workerd rows need bash tests/npm/run.sh first)"; echo '{}' > "$OUT/runtimes.json"
fi
# Cold start in workerd (bench/cold_workerd.mjs: fresh workerd processes, and fresh isolates in
# one), merged into runtimes.json; it needs miniflare and esbuild only.
if [ -d "$ROOT/target/npm-tools/node_modules/miniflare" ] && [ -d "$ROOT/target/npm-tools/node_modules/esbuild" ]; then
  echo "cold start in workerd ..."
  cp bench/cold_workerd.mjs "$ROOT/target/npm-tools/"
  ( cd "$ROOT/target/npm-tools" && BENCH_TOKEN="$TOKEN" node cold_workerd.mjs "$OUT/node" "$ROOT" ) > "$OUT/workerd-cold.json"
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d.update(json.load(open(sys.argv[2]))); json.dump(d, open(sys.argv[1], "w"))' "$OUT/runtimes.json" "$OUT/workerd-cold.json"
else
  echo "(the workerd cold start needs bash tests/npm/run.sh first)"
fi

echo "drf-sso decode_jwt_token (Python) ..."
VENV="$ROOT/target/parity-venv"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r tests/parity/issuer/requirements.txt; fi
"$VENV/bin/python" bench/pyjwt_bench.py "$TOKEN" > "$OUT/python.json"

sizes=$(for v in verify verify-all sign; do f=pkg/dist/$v/drf_sso_jwt_bg.wasm; [ -f "$f" ] && printf '"%s_wasm_bytes":%d,"%s_wasm_gzip_bytes":%d,' "$v" "$(wc -c < "$f")" "$v" "$(gzip -9c "$f" | wc -c)"; done)
echo "{${sizes%,}}" > "$OUT/sizes.json"

python3 - "$OUT" <<'PY'
import json, sys, os, platform
d = {}
for f in ("openssl", "native", "node", "bun", "deno", "runtimes", "python", "sizes"):
    d.update(json.load(open(os.path.join(sys.argv[1], f + ".json"))))
ref = d["openssl_rsa2048_verify_per_s"]
rows = [
    ("OpenSSL raw RSA-2048 verify (reference)", "openssl_rsa2048_verify_per_s"),
    ("native: full token verification", "native_full_verify_per_s"),
    ("native: RS256 signature only (fast path)", "native_rs256_fast_path_per_s"),
    ("native: RS256 signature only (mulx rows)", "native_rs256_mulx_kernel_per_s"),
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
print("fast path: " + ("AVX-512 IFMA kernel" if d.get("native_ifma") else "mulx rows (no AVX-512 IFMA here)"))
print(f"{'what':48} {'per second':>12} {'x OpenSSL':>10}")
for name, k in rows:
    if k in d:
        print(f"{name:48} {d[k]:>12,} {d[k] / ref:>10.3f}")
print()
def ratio(a, b):
    return d[a] / d[b] if d.get(a) and d.get(b) else None
# workerd's cold starts are differences against an empty worker: no ratio unless both are > 0.
def cold_ratio(a, b):
    return d[a] / d[b] if d.get(a, 0) > 0 and d.get(b, 0) > 0 else None
def show(x, fmt="{:.2f}x"):
    return fmt.format(x) if x is not None else "n/a"

print("ES256 (P-256) and EdDSA (Ed25519), full token verification:")
print(f"{'what':48} {'per second':>12} {'x OpenSSL':>10}")
for fam, ref_key in (("es256", "openssl_p256_verify_per_s"), ("eddsa", "openssl_ed25519_verify_per_s")):
    for name, k in ((f"OpenSSL raw {fam} verify (reference)", ref_key),
                    (f"native: full {fam} verification", f"native_{fam}_full_verify_per_s"),
                    (f"wasm in Node: full {fam} verification", f"wasm_{fam}_full_verify_per_s"),
                    (f"jose jwtVerify {fam}, key imported once", f"jose_{fam}_jwtVerify_key_once_per_s")):
        if d.get(k):
            print(f"{name:48} {d[k]:>12,} {show(ratio(k, ref_key), '{:>10.3f}')}")
print()
print("per runtime, fresh verification (no cache): wasm / jose in the same runtime")
print(f"{'runtime':10} {'RS256':>16} {'ES256':>16} {'EdDSA':>16}")
for rt, pre in (("node", ""), ("bun", "bun:"), ("deno", "deno:"), ("chromium", "chromium:"), ("workerd", "workerd:")):
    cells = []
    for w, j in (("wasm_full_verify_per_s", "jose_jwtVerify_key_once_per_s"),
                 ("wasm_es256_full_verify_per_s", "jose_es256_jwtVerify_key_once_per_s"),
                 ("wasm_eddsa_full_verify_per_s", "jose_eddsa_jwtVerify_key_once_per_s")):
        r = ratio(pre + w, pre + j)
        cells.append(f"{d[pre + w]:,}/{d[pre + j]:,}={r:.2f}x" if r else "n/a")
    print(f"{rt:10} " + " ".join(f"{c:>16}" for c in cells))
print("(Chromium: timed in the page; workerd: a request verifying 300 tokens, timed from outside, less an empty one)")
print()
print("targets (issue 17):")
rows = [
    ("native full / OpenSSL raw RSA-2048", ratio("native_full_verify_per_s", "openssl_rsa2048_verify_per_s"), ">= 1.0x"),
    ("portable kernel / OpenSSL (signature alone)", ratio("native_rs256_portable_kernel_per_s", "openssl_rsa2048_verify_per_s"), ">= 0.8x"),
    ("wasm fresh / jose in Node", ratio("wasm_full_verify_per_s", "jose_jwtVerify_key_once_per_s"), ">= 2.0x"),
    ("wasm fresh / jose in Bun", ratio("bun:wasm_full_verify_per_s", "bun:jose_jwtVerify_key_once_per_s"), ">= 1.5x"),
    ("wasm fresh / jose in Deno", ratio("deno:wasm_full_verify_per_s", "deno:jose_jwtVerify_key_once_per_s"), ">= 1.5x"),
    ("wasm fresh / jose in workerd", ratio("workerd:wasm_full_verify_per_s", "workerd:jose_jwtVerify_key_once_per_s"), ">= 1.5x"),
    ("wasm fresh / jose in Chromium", ratio("chromium:wasm_full_verify_per_s", "chromium:jose_jwtVerify_key_once_per_s"), ">= 1.5x"),
    ("cold start Node: wasm / jose", ratio("cold_start_wasm_ms", "cold_start_jose_ms"), "<= 0.5x"),
    ("cold start workerd: wasm / jose", cold_ratio("workerd:cold_start_wasm_ms", "workerd:cold_start_jose_ms"), "<= 0.5x"),
    ("cold start workerd isolate: wasm / jose", cold_ratio("workerd:cold_isolate_wasm_ms", "workerd:cold_isolate_jose_ms"), "reported"),
    ("native ES256 / openssl speed ecdsap256", ratio("native_es256_full_verify_per_s", "openssl_p256_verify_per_s"), "reported"),
    ("native EdDSA / openssl speed ed25519", ratio("native_eddsa_full_verify_per_s", "openssl_ed25519_verify_per_s"), "reported"),
    ("wasm ES256 / jose in Node", ratio("wasm_es256_full_verify_per_s", "jose_es256_jwtVerify_key_once_per_s"), "reported"),
    ("wasm EdDSA / jose in Node", ratio("wasm_eddsa_full_verify_per_s", "jose_eddsa_jwtVerify_key_once_per_s"), "reported"),
    ("native full / drf-sso decode_jwt_token", ratio("native_full_verify_per_s", "pyjwt_decode_jwt_token_per_s"), "reported"),
]
for name, r, target in rows:
    print(f"  {name:46} = {show(r):>8}  (target {target})")
if "cold_start_wasm_ms" in d:
    print(f"  cold start Node: wasm {d['cold_start_wasm_ms']} ms vs jose {d['cold_start_jose_ms']} ms")
if "workerd:cold_start_wasm_ms" in d:
    print(f"  cold start workerd: wasm {d['workerd:cold_start_wasm_ms']} ms vs jose {d['workerd:cold_start_jose_ms']} ms"
          f" over an empty worker ({d['workerd:cold_start_empty_ms']} ms: a fresh workerd process, its first request)")
if "workerd:cold_isolate_wasm_ms" in d:
    print(f"  cold start workerd isolate: wasm {d['workerd:cold_isolate_wasm_ms']} ms vs jose {d['workerd:cold_isolate_jose_ms']} ms"
          f" over an empty worker ({d['workerd:cold_isolate_empty_ms']} ms: a new isolate in a running workerd, its first request)")
for v in ("verify", "verify-all", "sign"):
    if f"{v}_wasm_bytes" in d:
        print(f"  {v} wasm: {d[v + '_wasm_bytes']:,} bytes raw, {d[v + '_wasm_gzip_bytes']:,} gzip -9" + ("  (target <= 80 KiB = 81,920 gzip)" if v == "verify" else ""))
json.dump(d, open(os.path.join(sys.argv[1], "results.json"), "w"), indent=1)
PY
