#!/usr/bin/env bash
# tcp-estats benchmarks: one command runs them all.
#
#   sudo scripts/bench/run.sh [--quick] [--only b1,b3,...] [--tool DIR | --rev REV]
#                             [--scale-sizes 0,10000,100000] [--kcost-rounds N]
#                             [--workload-cpu N|none] [--keep-tmp]
#
# --tool DIR: benchmark an already built tree (DIR/bin/tcp-estats.js,
# DIR/dist, DIR/bpf/estats.bpf.o) instead of a fresh snapshot of this one.
# --rev REV: benchmark a git revision of this repository (git archive REV,
# built with tsc; its committed bpf/estats.bpf.o) instead of the work tree:
# run.sh --rev HEAD~1 and run.sh --rev HEAD give a before/after pair.
# --quick: a laptop-size run (< 5 minutes); without it the full run (< 30 minutes).
# Writes docs/bench-results/<date>-<mode>.json and .md and prints the table.
#
# What it does:
#  1. builds a snapshot of the tool into a temp dir (tsc of src/ + bin/ + the
#     committed bpf/estats.bpf.o; node_modules linked), so edits made to the
#     tree while the benchmarks run do not change what is measured;
#  2. compiles the C workloads (bulk, churn, pingpong, idle, rusage) with gcc;
#  3. runs scripts/bench/bench.mjs, which creates network namespaces
#     tebench*, runs every benchmark (each process bounded in time) and
#     deletes them again.
# Needs: root, gcc, node >= 20, bpftool, iproute2 (ip, ss), util-linux
# (nsenter, taskset); bpftrace for the comparisons (apt-get install -y bpftrace).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MODE=()
ONLY=()
KEEP=0
TOOLDIR=""
REV=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=(--quick) ;;
    --only) ONLY=(--only "$2"); shift ;;
    --keep-tmp) KEEP=1 ;;
    --tool) TOOLDIR="$(cd "$2" && pwd)"; shift ;;
    --rev) REV="$2"; shift ;;
    --scale-sizes) ONLY+=(--scale-sizes "$2"); shift ;;
    --workload-cpu) ONLY+=(--workload-cpu "$2"); shift ;;
    --kcost-rounds) ONLY+=(--kcost-rounds "$2"); shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "run.sh: run as root (the benchmarks load eBPF and create network namespaces)" >&2; exit 1; }
for c in gcc node bpftool ip ss nsenter taskset; do
  command -v "$c" >/dev/null || { echo "run.sh: $c not found" >&2; exit 1; }
done

TMP="$(mktemp -d /tmp/tes-bench.XXXXXX)"
cleanup() { [ "$KEEP" = 1 ] && echo "temp dir kept: $TMP" >&2 || rm -rf "$TMP"; }
trap cleanup EXIT

mkdir -p "$TMP/bin"
if [ -n "$TOOLDIR" ]; then
  echo "[run.sh] using the tool in $TOOLDIR" >&2
  TOOL="$TOOLDIR"
else
  TOOL="$TMP/tool"
  mkdir -p "$TOOL/bpf"
  if [ -n "$REV" ]; then
    echo "[run.sh] building git revision $REV in $TOOL" >&2
    git -C "$ROOT" archive "$REV" | tar -x -C "$TOOL"
    ln -s "$ROOT/node_modules" "$TOOL/node_modules"
    ( cd "$TOOL" && node node_modules/typescript/bin/tsc -p tsconfig.json --sourceMap false )
  else
    echo "[run.sh] building the tool snapshot of the work tree in $TOOL" >&2
    cp -r "$ROOT/bin" "$ROOT/package.json" "$TOOL/"
    cp "$ROOT/bpf/estats.bpf.o" "$TOOL/bpf/"
    ln -s "$ROOT/node_modules" "$TOOL/node_modules"
    ( cd "$ROOT" && node node_modules/typescript/bin/tsc -p tsconfig.json --outDir "$TOOL/dist" --sourceMap false ) || {
      echo "[run.sh] tsc failed on the current tree; using the existing dist/ instead" >&2
      rm -rf "$TOOL/dist"; cp -r "$ROOT/dist" "$TOOL/dist"
    }
  fi
  # the bundle the bin runs (scripts/bundle.mjs), where the tree has one
  if [ -f "$TOOL/dist/cli.js" ] && [ -f "$ROOT/scripts/bundle.mjs" ]; then
    ( cd "$TOOL" && node -e "import('esbuild').then(e => e.build({ entryPoints: ['dist/cli.js'], bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['koffi'], outfile: 'dist/tcp-estats.mjs', logLevel: 'warning', banner: { js: \"import { createRequire as __r } from 'module'; const require = __r(import.meta.url);\" } }))" ) || echo "[run.sh] bundling failed: measuring the unbundled dist/" >&2
  fi
  # a tree whose bpf/estats.bpf.o does not match its sources cannot be measured
  node "$TOOL/bin/tcp-estats.js" -f json -d 0.2s -e 'where dport == 9 print SmoothedRTT' >/dev/null 2>"$TMP/smoke.err" || {
    echo "[run.sh] the tool does not start:" >&2; cat "$TMP/smoke.err" >&2
    echo "[run.sh] (a half-edited tree? try --rev HEAD)" >&2; exit 1
  }
fi

echo "[run.sh] compiling the workloads" >&2
for t in bulk churn pingpong idle rusage; do
  gcc -O2 -Wall -o "$TMP/bin/$t" "$HERE/$t.c"
done
# the synthetic event source of b4 (needs clang and libbpf-dev; b4 says so when missing)
if command -v clang >/dev/null && [ -f /usr/include/bpf/libbpf.h ]; then
  clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -I "$ROOT/bpf" -c "$HERE/gen.bpf.c" -o "$TMP/bin/gen.bpf.o" &&
    gcc -O2 -Wall -o "$TMP/bin/gen" "$HERE/gen.c" -lbpf || echo "[run.sh] the synthetic generator did not build: b4 runs without it" >&2
fi

node "$HERE/bench.mjs" "${MODE[@]}" "${ONLY[@]}" --tool "$TOOL" --bin "$TMP/bin" --tmp "$TMP" --out "$ROOT/docs/bench-results" --src "$ROOT" ${REV:+--rev "$REV"}
