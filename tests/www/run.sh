#!/usr/bin/env bash
# One command for the inspector page: build www/ (package tarball → www/vendor, examples)
# and run the browser test. Prints "N passed, M failed"; exits non-zero on any failure.
#   tests/www/run.sh                    build + test
#   SKIP_WWW_BUILD=1 tests/www/run.sh   test the www/vendor already there
#   UPDATE_SCREENSHOT=1 tests/www/run.sh   also refresh www/screenshot.png
# Screenshots of each state: target/www-screenshots/.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
export ROOT
PW_DIR="$ROOT/target/www-test"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

fail() { echo "tests/www/run.sh: $*"; echo "0 passed, 1 failed"; exit 1; }

# --- tools: node/npm, Debian chromium -----------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null || fail "cannot install node/npm"
fi
if [ ! -x "$CHROMIUM" ]; then
    echo "installing chromium (Debian package)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
        || fail "cannot apt-get install chromium"
    CHROMIUM=/usr/bin/chromium
fi
export CHROMIUM

# --- playwright-core in a scratch dir (never committed) --------------------------------------
if [ ! -f "$PW_DIR/node_modules/playwright-core/package.json" ]; then
    mkdir -p "$PW_DIR"
    [ -f "$PW_DIR/package.json" ] || echo '{"name":"www-test","private":true}' > "$PW_DIR/package.json"
    (cd "$PW_DIR" && npm install --no-audit --no-fund playwright-core@1 >/dev/null) || fail "npm install playwright-core failed"
fi
export PLAYWRIGHT_DIR="$PW_DIR"

# --- native CLI (mints the fixtures) ------------------------------------------------------
BIN="${DRF_SSO_JWT_BIN:-$ROOT/target/release/drf-sso-jwt}"
if [ -z "${DRF_SSO_JWT_BIN:-}" ]; then
    cargo build --release --quiet --bin drf-sso-jwt || fail "cargo build --release failed"
fi
[ -x "$BIN" ] || fail "CLI not found at $BIN"
export DRF_SSO_JWT_BIN="$BIN"

# --- build www/ -------------------------------------------------------------------------------
if [ "${SKIP_WWW_BUILD:-0}" != 1 ]; then
    bash "$ROOT/www/build.sh" || fail "www/build.sh failed"
fi
[ -f "$ROOT/www/vendor/sso.js" ] || fail "www/vendor/sso.js missing: run www/build.sh"

# --- the test: pure-JS helpers of app.js, then the page in chromium -------------------------
node "$ROOT/tests/www/inspector.test.mjs"
