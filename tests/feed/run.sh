#!/usr/bin/env bash
# Edge session state (issue 18), from the repository root or anywhere:
#   app     the drf_sso_feed Django app in process (views, ETag, commands, signals, prune,
#           the key set = `drf-sso-jwt jwks`)
#   parity  Django's own JWTAuthentication.authenticate vs the core with the session-state
#           document, SQLite and PostgreSQL (Debian's, started on 127.0.0.1 and stopped by PID)
#   bench   the feed benchmark, small (2,000 sessions; the 10k/100k/1M runs are not part of the
#           suite: `python tests/feed/bench.py`)
#   e2e     Django directly and behind real Envoy 1.40.0, a Node service and a Worker in workerd
#           (packed npm tarball): log in, log out, supersede, deactivate, rotate a key, feed
#           stopped; the propagation delays go to target/feed-e2e/report.json
# Reuses what the other stages build and install: the parity venv (plus psycopg), the CLI
# ($DRF_SSO_JWT_BIN), the filter .wasm, target/envoy/1.40.0, the npm tarball and target/npm-tools
# (miniflare, esbuild); anything missing is prepared here first.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
HERE="$ROOT/tests/feed"
t0=$SECONDS
VENV="$ROOT/target/parity-venv"
PY="$VENV/bin/python"
BIN="${DRF_SSO_JWT_BIN:-$ROOT/target/ci/drf-sso-jwt}"
ENVOY_VERSION=1.40.0
ENVOY="$ROOT/target/envoy/$ENVOY_VERSION/envoy/_bin/envoy"
NODE_DIR="$ROOT/target/feed-node"
declare -A TIME STATUS
failed=0
step() { # name command...
  local name=$1; shift
  echo "== $name =="
  local s=$SECONDS
  if "$@"; then STATUS[$name]=ok; else STATUS[$name]=FAIL; failed=1; fi
  TIME[$name]=$((SECONDS - s))
}

prepare() {
  # The parity venv (same pinned requirements and stamp as tests/parity/run.sh), plus psycopg.
  local req="$ROOT/tests/parity/issuer/requirements.txt" stamp="$VENV/.parity-requirements.sha256"
  [ -x "$PY" ] || python3 -m venv "$VENV" || return 1
  if [ "$(cat "$stamp" 2>/dev/null)" != "$(sha256sum "$req" | cut -d' ' -f1)" ] || ! "$PY" -c "import rest_framework_sso, freezegun" 2>/dev/null; then
    "$PY" -m pip install -q --disable-pip-version-check -r "$req" || return 1
    sha256sum "$req" | cut -d' ' -f1 >"$stamp"
  fi
  if ! "$PY" -c "import psycopg" 2>/dev/null; then
    "$PY" -m pip install -q --disable-pip-version-check -r "$HERE/requirements.txt" || return 1
  fi
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) || return 1
  fi
  [ -x "$BIN" ] || cargo build --profile ci -q -p drf-sso-jwt-cli || return 1
  # The filter and Envoy (no-ops when the Envoy stage ran), the npm tarball (the npm stage's).
  if [ ! -x "$ENVOY" ] || [ ! -f "$ROOT/target/wasm32-unknown-unknown/filter/drf_sso_jwt_filter.wasm" ]; then
    ENVOY_VERSIONS=$ENVOY_VERSION bash "$ROOT/tests/envoy/run.sh" --prepare-only || return 1
  else
    cargo build -q -p drf-sso-jwt-filter --profile filter --target wasm32-unknown-unknown || return 1
  fi
  local tarball
  tarball=$(ls -t "$ROOT"/target/npm/drf-sso-jwt-*.tgz 2>/dev/null | head -1)
  if [ -z "$tarball" ]; then tarball=$(bash "$ROOT/pkg/build.sh" | tail -n 1) || return 1; fi
  # A scratch project: the tarball as npm installs it, the consumers, miniflare and esbuild
  # (the npm stage's pinned copies when present).
  mkdir -p "$NODE_DIR/node_modules"
  [ -f "$NODE_DIR/package.json" ] || echo '{"private":true,"type":"module"}' >"$NODE_DIR/package.json"
  cp "$HERE"/consumers/* "$NODE_DIR/"
  local tools="$ROOT/target/npm-tools/node_modules"
  if [ -d "$tools/miniflare" ] && [ -d "$tools/esbuild" ]; then
    for m in miniflare esbuild; do rm -rf "${NODE_DIR:?}/node_modules/$m"; ln -s "$tools/$m" "$NODE_DIR/node_modules/$m"; done
  elif [ ! -d "$NODE_DIR/node_modules/miniflare" ]; then
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error --no-save miniflare@4.20260730.0 esbuild@0.28.1) || return 1
  fi
  if ! cmp -s "$tarball" "$NODE_DIR/.tarball" 2>/dev/null || [ ! -f "$NODE_DIR/node_modules/drf-sso-jwt/package.json" ]; then
    rm -rf "$NODE_DIR/node_modules/drf-sso-jwt" "$NODE_DIR/_pkg" && mkdir -p "$NODE_DIR/_pkg" &&
      tar -xzf "$tarball" -C "$NODE_DIR/_pkg" && mv "$NODE_DIR/_pkg/package" "$NODE_DIR/node_modules/drf-sso-jwt" &&
      cp "$tarball" "$NODE_DIR/.tarball" || return 1
  fi
}

step prepare prepare
if [ "${STATUS[prepare]}" = ok ]; then
  step app "$PY" "$HERE/app_test.py" --bin "$BIN"
  step parity "$PY" "$HERE/parity_test.py" --bin "$BIN" --postgres --workdir "$ROOT/target/feed-parity"
  step bench "$PY" "$HERE/bench.py" --sizes 2000 --repeat 1 --bin "$BIN" --workdir "$ROOT/target/feed-bench-small"
  rm -rf "$ROOT/target/feed-e2e" "$ROOT/target/feed-parity" "$ROOT/target/feed-bench-small"
  step e2e "$PY" "$HERE/e2e_test.py" --wasm "$ROOT/target/wasm32-unknown-unknown/filter/drf_sso_jwt_filter.wasm" \
    --cli "$BIN" --python "$PY" --envoy "$ENVOY" --node-dir "$NODE_DIR" --workdir "$ROOT/target/feed-e2e" \
    --report "$ROOT/target/feed-e2e/report.json"
fi
echo
echo "== session-state feed summary =="
for s in prepare app parity bench e2e; do
  [ -n "${STATUS[$s]:-}" ] && printf '%-8s %-4s %4ss\n' "$s" "${STATUS[$s]}" "${TIME[$s]}"
done
echo "feed stage: $((SECONDS - t0))s"
exit $failed
