#!/usr/bin/env bash
# Builds the proxy-wasm filter (release, wasm32-unknown-unknown), prints its size, and
# runs the proxy-wasm host tests against it. Run from the repository root:
#
#   bash tests/proxy/run.sh
#
# Needs only rustup/cargo and crates.io. Both crates are standalone (their own
# [workspace]), so neither the filter's nor wasmtime's dependencies touch the core's.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

target=wasm32-unknown-unknown
if command -v rustup >/dev/null 2>&1; then
    if ! rustup target list --installed | grep -qx "$target"; then
        rustup target add "$target"
    fi
fi

echo "== building the filter (release, $target)"
start=$(date +%s)
# Not --locked: filter/Cargo.lock follows the core's dependencies, which the core may change.
cargo build --manifest-path filter/Cargo.toml --release --target "$target"
wasm="$root/filter/target/$target/release/drf_sso_jwt_filter.wasm"
echo "filter built in $(( $(date +%s) - start ))s"
size=$(wc -c <"$wasm")
echo "filter .wasm: $wasm"
echo "filter .wasm size: $size bytes ($(( (size + 1023) / 1024 )) KiB)"
# Budget 400 KiB: catches a dependency pulled into the filter by accident (e.g. the rsa
# crate's exponentiation behind the `cross-check` feature added ~120 KB).
if [ "$size" -gt $((400 * 1024)) ]; then
    echo "filter .wasm is $size bytes, over the 400 KiB budget"
    exit 1
fi

echo "== filter unit tests (native)"
cargo test --manifest-path filter/Cargo.toml

echo "== proxy-wasm host tests"
start=$(date +%s)
DRF_SSO_FILTER_WASM="$wasm" cargo test --manifest-path tests/proxy-host/Cargo.toml --locked -- --nocapture
echo "host tests built and ran in $(( $(date +%s) - start ))s"
