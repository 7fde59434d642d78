#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each) and prints the
# executions per target. Needs nightly and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
# New corpus units go to fuzz/target/corpus/<target> (ignored by git); the committed
# seeds in fuzz/corpus/<target> are only read. Crashes land in fuzz/artifacts/<target>.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(verify decode authorization_header settings keys ec_keys)
fi
cargo +nightly fuzz build >/dev/null
status=0
for t in "${TARGETS[@]}"; do
  work="target/corpus/$t"
  mkdir -p "$work" "corpus/$t"
  log="target/fuzz-$t.log"
  if cargo +nightly fuzz run "$t" "$work" "corpus/$t" -- \
      -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see fuzz/$log and fuzz/artifacts/$t)"
    status=1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  printf '%-22s %12s executions in %ss, coverage %s: %s\n' "$t" "${execs:-?}" "$SECONDS_PER_TARGET" "${cov:-?}" "$result"
done
exit $status
