#!/usr/bin/env bash
# Builds the `fuzz` preset (clang, libFuzzer, ASan + UBSan) and runs each fuzz target for N
# seconds (default 30) on a temporary copy of its seed corpus, so the committed corpus is never
# modified. Exits non-zero if any target crashes, reports a mismatch, a sanitizer error, a leak
# or a timeout; the inputs that did are kept in build/fuzz/crashes/<target>/. CI calls this.
#
#   tests/fuzz/run.sh             # 30 s per target
#   tests/fuzz/run.sh 600         # 10 minutes per target
#   FUZZ_TARGETS=ops tests/fuzz/run.sh 120
#
# Longer campaigns, minimising a crash and turning it into a regression test: docs/fuzzing.md.
set -euo pipefail

seconds=${1:-30}
targets=${FUZZ_TARGETS:-"safetensors ops"}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

if ! command -v clang++ >/dev/null; then
  echo "run.sh: clang++ not found (the fuzz preset needs clang and libclang-rt-dev)" >&2
  exit 2
fi

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

work=$(mktemp -d "${TMPDIR:-/tmp}/ag-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
crashes="$root/build/fuzz/crashes"

status=0
for target in $targets; do
  bin="build/fuzz/tests/fuzz/${target}_fuzz"
  dir="$work/$target"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp tests/fuzz/corpus/"$target"/* "$dir/corpus/"
  args=(-max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$dir/artifacts/")
  [[ -f "tests/fuzz/$target.dict" ]] && args+=(-dict="tests/fuzz/$target.dict")
  [[ "$target" == ops ]] && args+=(-max_len=512)

  echo "== $target: ${seconds}s"
  if ASAN_OPTIONS="abort_on_error=1:detect_leaks=1" \
     UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
     "$bin" "${args[@]}" "$dir/corpus" >"$dir/log" 2>&1; then
    grep -E '^#[0-9]+ +DONE|^stat::(number_of_executed_units|average_exec_per_sec)' "$dir/log" || true
  else
    status=1
    echo "== $target FAILED; the end of its log:"
    tail -n 80 "$dir/log"
    mkdir -p "$crashes/$target"
    cp "$dir"/artifacts/* "$crashes/$target/" 2>/dev/null || true
    echo "== the failing inputs are in $crashes/$target/ (reproduce: $bin <file>)"
  fi
done
exit $status
