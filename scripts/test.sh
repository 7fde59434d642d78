#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (rustup targets,
# wasm-bindgen-cli, Debian chromium, npm and PyPI packages into target/), then runs
# every stage and ends with one summary line. Usage: bash scripts/test.sh
#
# Tests build with the workspace's `ci` profile (release optimisation, no LTO, overflow
# checks and debug assertions in our own crates); the shipped artifacts (npm .wasm, filter
# .wasm) with their own profiles. One target/ folder.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CARGO_TERM_COLOR=never
# Every stage uses the CLI of this build (the parity, npm and www stages mint and compare with it).
export DRF_SSO_JWT_BIN="$ROOT/target/ci/drf-sso-jwt"

passed=0; failed=0; failed_names=(); times=()
stage() { # stage NAME COMMAND...
    local name=$1; shift
    echo; echo "==================== $name ===================="
    local t0=$SECONDS
    if "$@"; then
        passed=$((passed + 1)); echo "---- $name: ok ($((SECONDS - t0)) s)"
        times+=("$(printf '%5d s  ok    %s' $((SECONDS - t0)) "$name")")
    else
        failed=$((failed + 1)); failed_names+=("$name"); echo "---- $name: FAILED ($((SECONDS - t0)) s)"
        times+=("$(printf '%5d s  FAIL  %s' $((SECONDS - t0)) "$name")")
    fi
}

prerequisites() {
    rustup target add wasm32-unknown-unknown thumbv7em-none-eabihf || return 1
    rustup component add clippy rustfmt >/dev/null 2>&1 || true
    # openssl: the EC/Ed interop tests sign and verify with its command line.
    if ! command -v openssl >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl) || return 1
    fi
    if ! command -v chromium >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || return 1
    fi
    python3 -m venv --help >/dev/null 2>&1 || return 1
    command -v node >/dev/null && command -v npm >/dev/null
}

lint() {
    cargo fmt --all --check &&
    # The wasmtime test host is left out: checking wasmtime costs more than the host is worth.
    cargo clippy --workspace --exclude proxy-wasm-test-host --all-targets --all-features --profile ci -- -D warnings &&
    RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --all-features -p drf-sso-jwt
}

# A no_std target has no `std` crate at all: `cargo check` there proves the core needs none.
no_std_checks() {
    cargo check --lib -p drf-sso-jwt --no-default-features --target thumbv7em-none-eabihf &&
    cargo check --lib -p drf-sso-jwt --no-default-features --features ecdsa,eddsa --target thumbv7em-none-eabihf &&
    cargo check --lib -p drf-sso-jwt --no-default-features --target wasm32-unknown-unknown &&
    # The fuzz targets type-check on stable; libFuzzer itself is only built by cargo-fuzz
    # (nightly): a custom library path makes its build script skip the C++ compile.
    CUSTOM_LIBFUZZER_PATH="$ROOT/target/fuzz/none/libfuzzer.a" \
        cargo check --manifest-path fuzz/Cargo.toml --bins --target-dir target/fuzz
}

stage "prerequisites" prerequisites
stage "fmt, clippy -D warnings, rustdoc -D warnings" lint
stage "cargo test --workspace (core, CLI, Wycheproof, attacks, mutation, filter logic)" \
    cargo test --workspace --exclude proxy-wasm-test-host --all-features --profile ci
stage "no_std checks (thumbv7em, wasm32) and fuzz targets" no_std_checks
stage "npm package: build, pack, Node/Deno/workerd/Chromium, 1M long run" bash tests/npm/run.sh
# After the npm stage: the parity run also checks the packed wasm build in Node.
stage "parity with djangorestframework-sso (oracle + live server + wasm)" env PARITY_SIGN=1 PARITY_WASM=1 bash tests/parity/run.sh
stage "www inspector in headless Chromium" bash tests/www/run.sh
stage "Envoy proxy-wasm filter in a wasmtime host" bash tests/proxy/run.sh
stage "Envoy proxy-wasm filter in real Envoy 1.36.2 and 1.40.0" bash tests/envoy/run.sh
# After the npm and Envoy stages: reuses their tarball, tools and Envoy binary.
stage "edge session state: Django feed app, parity (SQLite, PostgreSQL), Envoy + Node + workerd" bash tests/feed/run.sh

echo
printf '%s\n' "${times[@]}"
if [ "$failed" -gt 0 ]; then echo "failed stages: ${failed_names[*]}"; fi
echo "stages: $passed passed, $failed failed in $SECONDS s"
[ "$failed" -eq 0 ]
