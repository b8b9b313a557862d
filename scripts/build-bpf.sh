#!/usr/bin/env bash
# Builds bpf/estats.bpf.o reproducibly (same bytes in any directory with the
# same clang major): -fdebug-prefix-map strips the absolute path from BTF line
# info, llvm-strip -g drops DWARF. `--check` builds into a temp file and fails
# if it differs from the committed object.
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG=${CLANG:-clang}
STRIP=${LLVM_STRIP:-llvm-strip}
command -v "$CLANG" >/dev/null || { echo "build-bpf: clang not found (apt-get install -y clang llvm libbpf-dev)" >&2; exit 1; }
command -v "$STRIP" >/dev/null || STRIP=$(ls /usr/bin/llvm-strip-* 2>/dev/null | head -1)
[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "build-bpf: libbpf headers missing (apt-get install -y libbpf-dev)" >&2; exit 1; }
out=bpf/estats.bpf.o
[ "${1:-}" = "--check" ] && out=$(mktemp --suffix=.bpf.o)
"$CLANG" -g -O2 -target bpf -D__TARGET_ARCH_x86 -fdebug-prefix-map="$PWD"=. \
  -Wall -Werror -Wno-unused-function -I bpf -c bpf/estats.bpf.c -o "$out"
"$STRIP" -g "$out"
if [ "${1:-}" = "--check" ]; then
  if cmp -s "$out" bpf/estats.bpf.o; then echo "build-bpf: committed bpf/estats.bpf.o is up to date ($("$CLANG" --version | head -1))"; rm -f "$out"
  else echo "build-bpf: bpf/estats.bpf.o differs from a fresh build of bpf/estats.bpf.c: run npm run build:bpf and commit" >&2; rm -f "$out"; exit 1; fi
else
  echo "build-bpf: wrote $out ($(wc -c < "$out") bytes)"
fi
