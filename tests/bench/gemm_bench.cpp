// GEMM throughput, in the line format of /work/shared/anchors/sgemm_bench.c so the two can be
// compared side by side: square float32 C = A·B (row-major, beta = 0) for N = 16 .. 2048 on 1
// and 2 threads; each round is a batch of calls lasting at least min_round_seconds, and the
// median, min and max over the rounds are printed.
//
//   ag_gemm_bench [rounds=7] [min_round_seconds=0.25] [--isa=auto|portable|avx2|avx512]
//                 [--sizes=16,32,...] [--threads=1,2] [--shapes]
//
// --shapes instead times the products of an RNN training step (forward, and the transposed
// operands of backward) as `shape impl=ag m=.. n=.. k=.. op=AB|AtB|ABt ...` lines.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ag/parallel.hpp"
#include "kernels/gemm.hpp"

namespace {

using ag::kernels::MatrixRef;

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<int> parse_list(const char* s) {
  std::vector<int> out;
  while (*s) {
    out.push_back(std::atoi(s));
    while (*s && *s != ',') ++s;
    if (*s == ',') ++s;
  }
  return out;
}

struct Stats {
  double median, min, max;
  long calls;
};

// Times `call` (flop floating-point operations per call) over `rounds` rounds.
template <class F>
Stats measure(const F& call, double flop, int rounds, double min_round) {
  long calls = 1;
  for (;;) {  // warm-up and calibration, as in sgemm_bench.c
    const double t0 = now_s();
    for (long c = 0; c < calls; ++c) call();
    const double dt = now_s() - t0;
    if (dt >= min_round * 0.5) {
      calls = static_cast<long>(calls * (min_round / dt)) + 1;
      break;
    }
    calls *= 2;
  }
  std::vector<double> g(rounds);
  for (int r = 0; r < rounds; ++r) {
    const double t0 = now_s();
    for (long c = 0; c < calls; ++c) call();
    g[r] = flop * calls / (now_s() - t0) * 1e-9;
  }
  std::sort(g.begin(), g.end());
  const double med = rounds % 2 ? g[rounds / 2] : 0.5 * (g[rounds / 2 - 1] + g[rounds / 2]);
  return {med, g.front(), g.back(), calls};
}

std::vector<float> random_matrix(int64_t elements, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  std::vector<float> v(static_cast<size_t>(elements));
  for (float& x : v) x = u(gen);
  return v;
}

void squares(const std::vector<int>& sizes, const std::vector<int>& threads, int rounds,
             double min_round) {
  for (int n : sizes) {
    const int64_t nn = int64_t{n} * n;
    std::vector<float> a = random_matrix(nn, 1), b = random_matrix(nn, 2), c(nn, 0.f);
    for (int t : threads) {
      ag::set_num_threads(t);
      auto call = [&] {
        ag::kernels::gemm(n, n, n, 1.f, {a.data(), n, 1}, {b.data(), n, 1}, 0.f, {c.data(), n, 1});
      };
      const Stats s = measure(call, 2.0 * n * n * double(n), rounds, min_round);
      std::printf(
          "matmul impl=ag n=%d threads=%d gflops_median=%.2f gflops_min=%.2f gflops_max=%.2f "
          "calls_per_round=%ld checksum=%.4f\n",
          n, t, s.median, s.min, s.max, s.calls, static_cast<double>(c[nn / 2]));
      std::fflush(stdout);
    }
  }
}

// RNN shapes: y = x·Wᵀ forward (A·Bᵀ with W row-major), x·W, and backward's Aᵀ·B (dW = dyᵀ·x).
void shapes(const std::vector<int>& threads, int rounds, double min_round) {
  struct Shape {
    int64_t m, n, k;
  };
  const Shape list[] = {{1, 6, 6},      {1, 100, 100},    {1, 512, 512},    {32, 128, 128},
                        {64, 512, 512}, {6400, 512, 256}, {6400, 256, 512}, {128, 128, 6400}};
  const char* ops[] = {"AB", "AtB", "ABt"};
  for (const Shape& s : list) {
    std::vector<float> a = random_matrix(s.m * s.k, 1), b = random_matrix(s.k * s.n, 2);
    std::vector<float> c(static_cast<size_t>(s.m * s.n), 0.f);
    for (int op = 0; op < 3; ++op) {
      // AB: A m x k row-major, B k x n row-major. AtB: A stored k x m. ABt: B stored n x k.
      const MatrixRef<const float> ar = op == 1 ? MatrixRef<const float>{a.data(), 1, s.m}
                                                : MatrixRef<const float>{a.data(), s.k, 1};
      const MatrixRef<const float> br = op == 2 ? MatrixRef<const float>{b.data(), 1, s.k}
                                                : MatrixRef<const float>{b.data(), s.n, 1};
      for (int t : threads) {
        ag::set_num_threads(t);
        auto call = [&] { ag::kernels::gemm(s.m, s.n, s.k, 1.f, ar, br, 0.f, {c.data(), s.n, 1}); };
        const Stats st = measure(call, 2.0 * s.m * s.n * double(s.k), rounds, min_round);
        std::printf(
            "shape impl=ag m=%lld n=%lld k=%lld op=%s threads=%d us_median=%.2f gflops_median=%.2f "
            "gflops_min=%.2f gflops_max=%.2f\n",
            static_cast<long long>(s.m), static_cast<long long>(s.n), static_cast<long long>(s.k),
            ops[op], t, 2.0 * s.m * s.n * double(s.k) / st.median * 1e-3, st.median, st.min,
            st.max);
        std::fflush(stdout);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 7;
  double min_round = 0.25;
  std::vector<int> sizes{16, 32, 64, 128, 256, 512, 1024, 2048}, threads{1, 2};
  bool rnn_shapes = false;
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    if (std::strncmp(arg, "--isa=", 6) == 0) {
      const std::string isa = arg + 6;
      using ag::kernels::GemmIsa;
      ag::kernels::set_gemm_isa(isa == "portable" ? GemmIsa::kPortable
                                : isa == "avx2"   ? GemmIsa::kAvx2
                                : isa == "avx512" ? GemmIsa::kAvx512
                                                  : GemmIsa::kAuto);
    } else if (std::strncmp(arg, "--sizes=", 8) == 0) {
      sizes = parse_list(arg + 8);
    } else if (std::strncmp(arg, "--threads=", 10) == 0) {
      threads = parse_list(arg + 10);
    } else if (std::strcmp(arg, "--shapes") == 0) {
      rnn_shapes = true;
    } else if (positional++ == 0) {
      rounds = std::max(1, std::atoi(arg));
    } else {
      min_round = std::atof(arg);
    }
  }
  const char* names[] = {"auto", "portable", "avx2", "avx512"};
  std::printf("# ag gemm kernels: %s; rounds=%d min_round_seconds=%.3f\n",
              names[static_cast<int>(ag::kernels::gemm_isa())], rounds, min_round);
  if (rnn_shapes)
    shapes(threads, rounds, min_round);
  else
    squares(sizes, threads, rounds, min_round);
  return 0;
}
