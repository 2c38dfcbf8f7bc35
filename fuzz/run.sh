#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each):
#   fuzz/run.sh [SECONDS] [TARGET...]
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP=1 unlocks them on the
# stable toolchain, and CARGO_CACHE_RUSTC_INFO=0 keeps cargo from reusing a
# failed check cached by an earlier plain build. Crashes land in
# fuzz/artifacts/<target>/; each one found becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(generate_bytes generate_mutated unwrap)
fi
export RUSTC_BOOTSTRAP=1 CARGO_CACHE_RUSTC_INFO=0
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
# Seed corpora: our schemas and the hostile set for the generator targets.
mkdir -p corpus/generate_bytes corpus/generate_mutated corpus/unwrap
cp ../schema/*.json ../schema/events/*.json ../codegen/fixtures/cases/*.json corpus/generate_bytes/ 2>/dev/null || true
find ../codegen/tests/hostile -type f ! -name '*.expected' ! -name '*.args' -size -32k -exec cp {} corpus/generate_bytes/ \;
for target in "${targets[@]}"; do
  echo "== $target: ${seconds}s"
  # No sanitizer by default: the code has no `unsafe`, and without ASan the
  # generator targets run several times faster. A stack overflow then ends
  # the run with a bare SIGSEGV and no saved input (libFuzzer's handler
  # cannot run on the exhausted stack); rerun that target with
  # FUZZ_SANITIZER=address, whose handler has its own stack and saves it.
  cargo fuzz run --sanitizer "${FUZZ_SANITIZER:-none}" "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1
done
