#!/usr/bin/env bash
# ag against libtorch, PyTorch and OpenBLAS on this machine, in one run: builds ag_bench and the
# anchor programs (../shared/anchors, or $AG_ANCHORS), runs them as separate processes
# interleaved REPS times (this kind of machine changes speed for seconds at a time), then
# writes summary.md (the tables of docs/performance.md) and performance.svg.
#
#   tests/bench/compare.sh            # 3 reps, about 25 minutes on 2 cores
#   tests/bench/compare.sh 1          # one rep
#
# Needs libtorch-dev, libopenblas-dev and python3-torch (apt-get install -y libtorch-dev
# libopenblas-dev python3-torch). Results: build/bench/results/<UTC stamp>/.
set -euo pipefail

reps=${1:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
anchors=$(cd "${AG_ANCHORS:-$root/../shared/anchors}" && pwd)
py=/usr/bin/python3  # Debian's python3-torch
out="$root/build/bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

echo "== building ag_bench and the anchors (log: $out/build.log)"
{
  cmake -S "$root" -B "$root/build/bench" -DCMAKE_BUILD_TYPE=Release -DAG_BUILD_EXAMPLES=OFF
  cmake --build "$root/build/bench" -j2 --target ag_bench
  cmake -S "$anchors" -B "$root/build/anchors" -DCMAKE_BUILD_TYPE=Release
  cmake --build "$root/build/anchors" -j2
} >"$out/build.log" 2>&1
ag="$root/build/bench/tests/bench/ag_bench"
lt="$root/build/anchors"

# An environment may pin OpenBLAS to older kernels (OPENBLAS_CORETYPE); unset, it picks the
# best for this CPU, as on a user's machine.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS OMP_NUM_THREADS

{
  echo "date_utc: $(date -u '+%Y-%m-%d %H:%M:%S')"
  lscpu | grep -E 'Model name|^CPU\(s\)|Thread\(s\)|Core\(s\)|L2|L3' || true
  "$lt/peak_flops" 3 100000000 | grep '^peak\|clock'
  dpkg -l python3-torch libtorch-dev libopenblas0-pthread g++-12 2>/dev/null | awk '/^ii/{print $2, $3}'
  g++ --version | head -1
} >"$out/env.txt" 2>&1

for rep in $(seq 1 "$reps"); do
  echo "== rep $rep/$reps $(date -u +%H:%M:%S)"
  "$ag" --threads 1 2 >"$out/ag.$rep.txt"
  "$lt/libtorch_rnn_bench" --threads 1 >"$out/lt_rnn.$rep.txt"
  # libtorch's best two-core setting: ATen on 1 thread, OpenBLAS on its default 2
  "$lt/libtorch_rnn_bench" --threads 1 --blas-threads default --configs large --variants rnn \
    >"$out/lt_rnn_2core.$rep.txt"
  "$lt/sgemm_bench" 7 0.25 >"$out/sgemm.$rep.txt"
  "$lt/libtorch_perop_bench" >"$out/lt_perop.$rep.txt"
  /usr/bin/time -f "memory impl=libtorch config=large peak_rss_kib=%M" \
    "$lt/libtorch_rnn_bench" --threads 1 --configs large --variants rnn --rounds 1 \
    --round-seconds 0.1 --min-steps 3 >/dev/null 2>"$out/lt_memory.$rep.txt"
  "$py" "$anchors/torch_rnn_bench.py" --threads 1 --variants rnn >"$out/py_rnn.$rep.txt"
done

"$py" "$root/tests/bench/summarize.py" "$out" >"$out/summary.md"
echo "== $out/summary.md, $out/performance.svg"
cat "$out/summary.md"
