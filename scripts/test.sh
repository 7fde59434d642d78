#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (rustup targets,
# wasm-bindgen-cli, Debian chromium, npm and PyPI packages into target/), then runs
# every stage and ends with one summary line. Usage: bash scripts/test.sh
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CARGO_TERM_COLOR=never

passed=0; failed=0; failed_names=()
stage() { # stage NAME COMMAND...
    local name=$1; shift
    echo; echo "==================== $name ===================="
    local t0=$SECONDS
    if "$@"; then
        passed=$((passed + 1)); echo "---- $name: ok ($((SECONDS - t0)) s)"
    else
        failed=$((failed + 1)); failed_names+=("$name"); echo "---- $name: FAILED ($((SECONDS - t0)) s)"
    fi
}

prerequisites() {
    rustup target add wasm32-unknown-unknown thumbv7em-none-eabihf || return 1
    if ! command -v chromium >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || return 1
    fi
    python3 -m venv --help >/dev/null 2>&1 || return 1
    command -v node >/dev/null && command -v npm >/dev/null
}

no_std_builds() {
    cargo build --lib --no-default-features --target thumbv7em-none-eabihf &&
    cargo build --lib --no-default-features --target wasm32-unknown-unknown
}

stage "prerequisites" prerequisites
stage "cargo test (core, CLI, Wycheproof, attacks, mutation)" cargo test --release
stage "no_std builds (thumbv7em, wasm32)" no_std_builds
stage "release CLI and benchmark harness (built, not run)" cargo build --release --bins --benches
stage "npm package: build, pack, Node/Deno/workerd/Chromium, 1M long run" bash tests/npm/run.sh
# After the npm stage: the parity run also checks the packed wasm build in Node.
stage "parity with djangorestframework-sso (oracle + live server + wasm)" env PARITY_SIGN=1 PARITY_WASM=1 bash tests/parity/run.sh
stage "www inspector in headless Chromium" bash tests/www/run.sh
stage "Envoy proxy-wasm filter in a wasmtime host" bash tests/proxy/run.sh
stage "Envoy proxy-wasm filter in real Envoy 1.36.2 and 1.40.0" bash tests/envoy/run.sh

echo
if [ "$failed" -gt 0 ]; then echo "failed stages: ${failed_names[*]}"; fi
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
