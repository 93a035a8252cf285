#!/usr/bin/env bash
# A short libFuzzer run of every target in tests/fuzz (make fuzz).
set -euo pipefail
cd "$(dirname "$0")/../.."
make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
