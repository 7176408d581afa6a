#!/usr/bin/env bash
# Runs node's test runner over the given test files (default: every *.test.ts under src/ and test/).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then mapfile -t files < <(find src test -name '*.test.ts' -not -path '*/node_modules/*' | sort); else files=("$@"); fi
exec node --import tsx --test --test-concurrency=1 "${files[@]}"
