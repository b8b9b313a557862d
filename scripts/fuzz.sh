#!/usr/bin/env bash
# Nightly-size fuzz of the language front end (lexer, parser, checker, compiler).
# Usage: scripts/fuzz.sh [CASES] [SEED]   (default 100000 cases, a fresh seed)
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
FUZZ_CASES=${1:-100000} FUZZ_SEED=${2:-$((RANDOM * 32768 + RANDOM))} node --test test/unit/fuzz.test.js
