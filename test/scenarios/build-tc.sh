#!/usr/bin/env bash
# Compile the scenario tc programs (test/scenarios/tc/*.bpf.c) into OUTDIR.
#   build-tc.sh OUTDIR
# Prints one line per object: NAME PATH. The objects are build products of
# the test run (a temp dir), never committed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build-tc.sh OUTDIR}"
mkdir -p "$out"
clang="${CLANG:-clang}"
arch_inc="/usr/include/$(uname -m)-linux-gnu"
for src in "$here"/tc/*.bpf.c; do
  name="$(basename "$src" .bpf.c)"
  "$clang" -O2 -g -target bpf -Wall -Werror \
    -I"$here/tc" ${arch_inc:+-I"$arch_inc"} \
    -c "$src" -o "$out/$name.o"
  echo "$name $out/$name.o"
done
