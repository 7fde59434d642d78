#!/usr/bin/env bash
# Request rates of the drf-sso-jwt filter through real Envoy, against no filter and against
# Envoy's own jwt_authn with the same key; cache hits and fresh tokens. Loopback only,
# each run bounded by wrk's duration. Not part of the test suite. Usage:
#
#   bash scripts/bench-envoy.sh            # Envoy 1.40.0, 5 s per run
#   ENVOY_VERSION=1.36.2 SECONDS_PER_RUN=10 bash scripts/bench-envoy.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
version=${ENVOY_VERSION:-1.40.0}
if ! command -v wrk >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
fi
ENVOY_VERSIONS=$version bash tests/envoy/run.sh --prepare-only
# shellcheck source=/dev/null
source target/envoy/paths.sh
python3 tests/envoy/bench.py --envoy "$root/target/envoy/$version/envoy/_bin/envoy" --wasm "$WASM" --cli "$CLI" \
    --seconds "${SECONDS_PER_RUN:-5}" --rounds "${ROUNDS:-3}" --connections "${CONNECTIONS:-16}"
