#!/usr/bin/env bash
# Runs a command beside a throwaway Redis server.
#
#   scripts/with-redis.sh COMMAND [ARGS...]
#
# Installs redis-server from the system packages when it is missing (as
# root, or through sudo), starts it on a free loopback port in a temporary
# directory with no persistence, runs COMMAND with
#   OPENAI_WEBHOOKS_TEST_REDIS_URL=redis://127.0.0.1:PORT/
#   OPENAI_WEBHOOKS_REQUIRE_REDIS=1   (tests that need Redis fail, not skip)
# and stops the server and removes the directory when COMMAND ends. The exit
# status is COMMAND's. Tests that must kill and restart a server start their
# own from the same binary (tests/support/redis.rs).
set -euo pipefail

if ! command -v redis-server >/dev/null 2>&1; then
    echo "with-redis: redis-server not found; installing it from the system packages" >&2
    if [ "$(id -u)" = 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "with-redis: error: not root and no sudo; install redis-server (apt-get install redis-server)" >&2
        exit 1
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq redis-server >/dev/null
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/openai-webhooks-redis.XXXXXX")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
    --daemonize no --logfile "$dir/redis.log" &
pid=$!
stop() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$dir"
}
trap stop EXIT

for _ in $(seq 100); do
    if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
        break
    fi
    sleep 0.05
done
if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" != PONG ]; then
    echo "with-redis: error: redis-server did not start on 127.0.0.1:$port; its log:" >&2
    cat "$dir/redis.log" >&2 || true
    exit 1
fi
echo "with-redis: redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port" >&2

export OPENAI_WEBHOOKS_TEST_REDIS_URL="redis://127.0.0.1:$port/"
export OPENAI_WEBHOOKS_REQUIRE_REDIS=1
"$@"
