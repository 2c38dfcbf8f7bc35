#!/usr/bin/env bash
# Every test of the workspace, with the Redis server the deduplication tests
# need (installed when missing, started and stopped by with-redis.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-redis.sh cargo test --workspace --all-features "$@"
