#!/usr/bin/env bash
# Single entry point of the Python parity harness. Call from the repo root after
# `cargo build --release`:   tests/parity/run.sh [extra run_parity.py args]
#
# Env: DRF_SSO_JWT_BIN  Rust CLI (default target/release/drf-sso-jwt)
#      PARITY_SIGN      auto (default: skip sign parity only if the CLI answers "unknown command sign"),
#                       1 (always run it), 0 (never)
#      PARITY_LIVE      1 (default) run live_test.py against a real runserver; 0 to skip
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
VENV="$ROOT/target/parity-venv"
REQ="$ROOT/tests/parity/issuer/requirements.txt"
BIN="${DRF_SSO_JWT_BIN:-$ROOT/target/release/drf-sso-jwt}"
export DRF_SSO_JWT_BIN="$BIN"

# --- venv (reused; pip only when the pinned requirements changed) ---------------------------
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" || { echo "cannot create $VENV"; exit 2; }
fi
STAMP="$VENV/.parity-requirements.sha256"
WANT=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ] || \
   ! "$VENV/bin/python" -c "import rest_framework_sso, jwt, freezegun, pem, cryptography, django" 2>/dev/null; then
    echo "installing pinned requirements into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ" || { echo "pip install failed"; exit 2; }
    echo "$WANT" > "$STAMP"
fi
PY="$VENV/bin/python"

if [ ! -x "$BIN" ]; then
    echo "Rust CLI not found at $BIN; run 'cargo build --release' first (or set DRF_SSO_JWT_BIN)"
    exit 2
fi

# --- sign parity switch -----------------------------------------------------------------------
SIGN_ARGS=()
case "${PARITY_SIGN:-auto}" in
    0) SIGN_ARGS=(--skip-sign) ;;
    1) ;;
    *)
        if printf '' | "$BIN" sign --settings "$ROOT/keys/settings.json" --now 0 2>&1 >/dev/null \
                | grep -qi "unknown command"; then
            echo "NOTE: $BIN has no 'sign' command: SIGN PARITY SKIPPED (set PARITY_SIGN=1 to force)"
            SIGN_ARGS=(--skip-sign)
        fi ;;
esac

rc=0
# Seconds per part, printed at the end.
TIMES=(); T0=$SECONDS
mark() { TIMES+=("$1 $((SECONDS - T0)) s"); T0=$SECONDS; }
# Key files as the server reads them: the server's own loaders over generated files, then
# the Rust reader over the same bytes (tests/pem_files.rs; same cargo flags as scripts/test.sh,
# so its build is reused).
echo "=== pem_cases.py + tests/pem_files.rs (key files as pem 23.1 + cryptography read them) ==="
PEM_CORPUS="$ROOT/target/parity/pem_corpus.json"
if "$PY" "$ROOT/tests/parity/pem_cases.py" --out "$PEM_CORPUS"; then
    DRF_SSO_PEM_CORPUS="$PEM_CORPUS" PEM_CORPUS_REQUIRED=1 cargo test -q --workspace \
        --exclude proxy-wasm-test-host --all-features --profile ci --test pem_files -- --nocapture || rc=1
else
    rc=1
fi
mark "key files"
echo "=== run_parity.py ==="
"$PY" -W ignore "$ROOT/tests/parity/run_parity.py" --bin "$BIN" "${SIGN_ARGS[@]}" "$@" || rc=1
mark "run_parity"
echo "=== cache_check.py (verified-token cache == fresh verification) ==="
"$PY" "$ROOT/tests/parity/cache_check.py" || rc=1
mark "cache check"
# The packed npm build over the same corpus (PARITY_WASM=1 requires it; else when a tarball exists).
TARBALL=$(ls -t "$ROOT"/target/npm/drf-sso-jwt-*.tgz 2>/dev/null | head -1 || true)
if [ -n "$TARBALL" ]; then
    echo "=== wasm_check.mjs (packed wasm build in Node == native CLI) ==="
    NODE_DIR="$ROOT/target/parity-node"
    mkdir -p "$NODE_DIR"
    ( cd "$NODE_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } &&
      npm install --no-audit --no-fund --silent "$TARBALL" &&
      cp "$ROOT/tests/parity/wasm_check.mjs" . &&
      node wasm_check.mjs "$ROOT" "$BIN" 2>/dev/null ) || rc=1
    mark "wasm check"
elif [ "${PARITY_WASM:-0}" = "1" ]; then
    echo "PARITY_WASM=1 but no npm tarball in target/npm (run tests/npm/run.sh or pkg/build.sh first)"; rc=1
fi
if [ "${PARITY_LIVE:-1}" != "0" ]; then
    echo "=== live_test.py ==="
    "$PY" -W ignore "$ROOT/tests/parity/live_test.py" --bin "$BIN" || rc=1
    mark "live server"
fi
echo "parity parts: $(IFS=,; echo "${TIMES[*]}" | sed 's/,/, /g')"
if [ $rc -eq 0 ]; then echo "PARITY OK"; else echo "PARITY FAILED"; fi
exit $rc
