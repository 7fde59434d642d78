#!/usr/bin/env bash
# Builds the npm package: two wasm variants (verify-only, verify+sign) with cargo +
# wasm-bindgen (--target web, one hand-written loader per runtime in src/), shrinks them
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
WASM_OPT_FLAGS=(${WASM_OPT_FLAGS:--Oz})
# SIMD128 (the Montgomery column sums use widening SIMD multiplies): +20% verifications/s in
# Node, measured (pkg/README.md). WASM_SIMD=0 builds the scalar code.
WASM_SIMD="${WASM_SIMD:-1}"
SIMD_OPT=()
if [ "$WASM_SIMD" = 1 ]; then export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+simd128"; SIMD_OPT=(--enable-simd); fi
log() { echo "[build] $*" >&2; }

if command -v rustup >/dev/null; then rustup target add "$TARGET" >/dev/null 2>&1 || true; fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (one time, a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" >&2
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
for variant in verify sign; do
  features=()
  [ "$variant" = sign ] && features=(--features sign)
  log "cargo rustc -p drf-sso-jwt-wasm ${features[*]} (profile $PROFILE)"
  # cdylib only here, so that native `cargo test --workspace` builds the bindings as an rlib.
  (cd "$ROOT" && cargo rustc --quiet -p drf-sso-jwt-wasm --lib --profile "$PROFILE" --target "$TARGET" "${features[@]}" --crate-type cdylib >&2)
  dir="$PKG/dist/$variant"
  wasm-bindgen --target web --out-name drf_sso_jwt --out-dir "$dir" "$ROOT/target/$TARGET/$PROFILE/drf_sso_jwt_wasm.wasm"
  rm -f "$dir"/*.d.ts
  f="$dir/drf_sso_jwt_bg.wasm"
  raw_bindgen=$(stat -c%s "$f")
  "$WASM_OPT" "${WASM_OPT_FLAGS[@]}" --strip-debug --strip-producers \
    --enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int \
    --enable-reference-types --enable-multivalue "${SIMD_OPT[@]}" "$f" -o "$f.opt"
  mv "$f.opt" "$f"
  raw=$(stat -c%s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  log "$variant: $raw bytes raw ($raw_bindgen before wasm-opt), $gz bytes gzip -9"
  printf '%s  "%s": {"raw": %d, "gzip": %d, "before_wasm_opt": %d, "wasm_opt": "%s", "profile": "%s", "simd128": %s}' \
    "$sep" "$variant" "$raw" "$gz" "$raw_bindgen" "${WASM_OPT_FLAGS[*]}" "$PROFILE" "$([ "$WASM_SIMD" = 1 ] && echo true || echo false)" >>"$sizes"
  sep=$',\n'
done
printf '\n}\n' >>"$sizes"

limit=$((120 * 1024))
verify_gz=$(gzip -9 -c "$PKG/dist/verify/drf_sso_jwt_bg.wasm" | wc -c)
if [ "$verify_gz" -ge "$limit" ]; then
  log "WARNING: verify-only wasm is $verify_gz bytes gzip, over the $limit-byte (120 KiB) budget"
  [ "${STRICT_SIZE:-}" = 1 ] && exit 1
fi

rm -f "$OUT"/drf-sso-jwt-*.tgz
tarball=$(cd "$PKG" && npm pack --silent --pack-destination "$OUT" | tail -n 1)
log "packed $OUT/$tarball"
echo "$OUT/$tarball"
