#!/usr/bin/env bash
# Builds the npm package: three wasm modules with cargo +
# wasm-bindgen (--target web, one hand-written loader per runtime in src/): `verify` (RSA
# only: what an RSA key store loads), `verify-all` (every algorithm: loaded for EC/Ed keys)
# and `sign` (every algorithm + Issuer). Shrinks them
# with wasm-opt from the npm `binaryen` package, assembles pkg/dist/ and runs `npm pack`.
# Prints the tarball path on the last line of stdout. Run from anywhere.
set -euo pipefail
PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$PKG")"
TOOLS="$ROOT/target/npm-tools"
OUT="$ROOT/target/npm"
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0
TARGET=wasm32-unknown-unknown
# The workspace's `wasm` profile (opt-level s; measured: with wasm-opt -Oz the smallest, see
# README.md). PROFILE=... picks another one for experiments.
PROFILE="${PROFILE:-wasm}"
# -Oz to a fixed point, with --low-memory-unused (the first 1 KiB of memory is never addressed:
# rustc's wasm32 layout puts the 1 MiB stack there, its top at 1 MiB, and the data above it, so
# only a stack within 1 KiB of overflowing could reach it; binaryen may then fold small constant
# offsets into loads and stores). Measured against a single -Oz (gzip -9, eec1f8f): verify
# -732 B, verify-all -858 B, sign -1,478 B; about 20 s more wasm-opt time in all; Node
# verifications/s 0-5% lower in paired runs (run-to-run noise is about as large). WASM_OPT_FLAGS=-Oz
# gives the single pass back.
WASM_OPT_FLAGS=(${WASM_OPT_FLAGS:---low-memory-unused -Oz --converge})
# SIMD128 (the Montgomery column sums use widening SIMD multiplies): +20% verifications/s in
# Node, measured (pkg/README.md). WASM_SIMD=0 builds the scalar code.
WASM_SIMD="${WASM_SIMD:-1}"
SIMD_OPT=()
if [ "$WASM_SIMD" = 1 ]; then export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+simd128"; SIMD_OPT=(--enable-simd); fi
log() { echo "[build] $*" >&2; }

if command -v rustup >/dev/null; then rustup target add "$TARGET" >/dev/null 2>&1 || true; fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (one time, about two minutes)"
  # Only the `wasm-bindgen` binary, without TLS (no ring) and unoptimised: measured 140 s of
  # CPU against 280+ s for the default release install; it then takes 0.6 s instead of 0.15 s
  # per module, with identical output.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --debug --no-default-features --bin wasm-bindgen >&2
fi
WASM_OPT="$TOOLS/node_modules/.bin/wasm-opt"
if [ ! -x "$WASM_OPT" ] || ! grep -q "\"version\": \"$BINARYEN_VERSION\"" "$TOOLS/node_modules/binaryen/package.json" 2>/dev/null; then
  log "installing binaryen@$BINARYEN_VERSION (npm) into $TOOLS"
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"private":true}' >"$TOOLS/package.json"
  (cd "$TOOLS" && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION" >&2)
fi

rm -rf "$PKG/dist"
mkdir -p "$PKG/dist" "$OUT"
sizes="$PKG/dist/sizes.json"
echo "{" >"$sizes"
sep=""
for variant in verify verify-all sign; do
  case "$variant" in
    verify) features=() ;;
    verify-all) features=(--features all-algorithms) ;;
    sign) features=(--features sign) ;;
  esac
  log "cargo rustc -p drf-sso-jwt-wasm ${features[*]} (profile $PROFILE)"
  # cdylib only here, so that native `cargo test --workspace` builds the bindings as an rlib.
  (cd "$ROOT" && cargo rustc --quiet -p drf-sso-jwt-wasm --lib --profile "$PROFILE" --target "$TARGET" "${features[@]}" --crate-type cdylib >&2)
  dir="$PKG/dist/$variant"
  wasm-bindgen --target web --out-name drf_sso_jwt --out-dir "$dir" "$ROOT/target/$TARGET/$PROFILE/drf_sso_jwt_wasm.wasm"
  rm -f "$dir"/*.d.ts
  # The entries always hand the glue its .wasm (src/*.js): drop the glue's own fallback URL, so
  # bundlers do not emit the file a second time for it (and `import.meta` leaves the glue).
  sed -i "s|module_or_path = new URL('drf_sso_jwt_bg.wasm', import.meta.url);|throw new Error('drf-sso-jwt: no .wasm given');|" "$dir/drf_sso_jwt.js"
  if grep -q 'import\.meta' "$dir/drf_sso_jwt.js"; then log "the glue still refers to import.meta"; exit 1; fi
  # A module compiled in another realm (Next.js's Edge sandbox compiles `?module` imports outside
  # it) fails `instanceof WebAssembly.Module`: test the brand by its tag instead of recompiling.
  sed -i "s|if (!(module instanceof WebAssembly.Module)) {|if (Object.prototype.toString.call(module) !== '[object WebAssembly.Module]') {|" "$dir/drf_sso_jwt.js"
  if grep -q 'module instanceof WebAssembly.Module)) {' "$dir/drf_sso_jwt.js"; then log "the glue's initSync check was not rewritten"; exit 1; fi
  f="$dir/drf_sso_jwt_bg.wasm"
  raw_bindgen=$(stat -c%s "$f")
  "$WASM_OPT" "${WASM_OPT_FLAGS[@]}" --strip-debug --strip-producers \
    --enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int \
    --enable-reference-types --enable-multivalue "${SIMD_OPT[@]}" "$f" -o "$f.opt"
  mv "$f.opt" "$f"
  raw=$(stat -c%s "$f")
  # The same bytes as a JS module (base64) for the `node` + `webpack` entry (src/node-webpack*.js).
  printf '// The .wasm next to this file, base64: generated by pkg/build.sh.\nexport default "%s";\n' "$(base64 -w0 "$f")" >"$dir/drf_sso_jwt_bg.wasm.base64.js"
  gz=$(gzip -9 -c "$f" | wc -c)
  log "$variant: $raw bytes raw ($raw_bindgen before wasm-opt), $gz bytes gzip -9"
  printf '%s  "%s": {"raw": %d, "gzip": %d, "before_wasm_opt": %d, "wasm_opt": "%s", "profile": "%s", "simd128": %s}' \
    "$sep" "$variant" "$raw" "$gz" "$raw_bindgen" "${WASM_OPT_FLAGS[*]}" "$PROFILE" "$([ "$WASM_SIMD" = 1 ] && echo true || echo false)" >>"$sizes"
  sep=$',\n'
done
printf '\n}\n' >>"$sizes"

# Budgets (gzip -9), checked again by tests/npm/run.sh: what an RSA key store loads, and the rest.
over=""
for b in verify:86000 verify-all:190000 sign:268000; do
  gz=$(gzip -9 -c "$PKG/dist/${b%%:*}/drf_sso_jwt_bg.wasm" | wc -c)
  if [ "$gz" -gt "${b#*:}" ]; then log "WARNING: ${b%%:*} wasm is $gz bytes gzip, over its ${b#*:}-byte budget"; over=1; fi
done
[ -n "$over" ] && [ "${STRICT_SIZE:-}" = 1 ] && exit 1

rm -f "$OUT"/drf-sso-jwt-*.tgz
tarball=$(cd "$PKG" && npm pack --silent --pack-destination "$OUT" | tail -n 1)
log "packed $OUT/$tarball"
echo "$OUT/$tarball"
