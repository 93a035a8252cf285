#!/usr/bin/env bash
# A short libFuzzer run of every target in tests/fuzz (make fuzz); the
# targets build two at a time first.
set -euo pipefail
cd "$(dirname "$0")/../.."
make -j2 fuzz-build
make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
