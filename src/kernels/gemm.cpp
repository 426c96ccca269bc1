// GEMM driver: picks the kernels for this CPU, puts the problem in a canonical orientation, and
// runs one of three paths (gemm_paths.cpp) over the register tiles of gemm_kernels.hpp.
//
//  * Orientation: C = A·B and Cᵀ = Bᵀ·Aᵀ are the same product, so the problem is transposed
//    (swapping strides, no copy) whenever that gives C unit column stride; tiles then load and
//    store C rows as vectors. Strides of size-1 dimensions are ignored.
//  * Dot path, for very thin products (at most dot_max rows or columns, e.g. a batch-1 x·Wᵀ)
//    whose A rows and B columns are both contiguous and k is at least kDotMinK: vector dot
//    products along k, so even a matrix-vector product runs at full vector width. Shorter
//    products take the tile paths, which sum each element in order with one fused multiply-add
//    per step as BLAS kernels do: small products (the tutorial's) then give PyTorch's bits.
//  * Direct path, when B and C have contiguous rows and C has few rows (or B is narrow and the
//    product small): tiles read A in place through its strides (a broadcast costs the same at
//    any stride) and B's rows in place, K cut into KC blocks. Nothing is copied, which is what
//    wins when packing B would cost about as much as it saves.
//  * Packed path (BLIS-style), everything else: K is cut into KC blocks; B's KC x NC block is
//    packed into panels of NR = 2 vectors of columns (element (p, j) at p * NR + j, transposed
//    views through register transposes), A's MC x KC block into panels of MR rows unless its
//    rows are contiguous already. Each MR x KC A panel stays in L1 while it meets every B panel
//    of the block, which stays in L2. The first K block applies beta, later ones accumulate.
//
// Threads split C's rows (or columns, whichever is longer) into contiguous ranges, never K; every
// element is summed in the same order by every tile shape and the path depends only on the
// problem, so results are bitwise the same for any thread count.
#include "kernels/gemm.hpp"

#include <atomic>

#include "ag/error.hpp"
#include "core/thread_pool.hpp"
#include "kernels/gemm_kernels.hpp"
#include "kernels/gemm_paths.hpp"

namespace ag::kernels {
namespace {

using gemm_detail::ceil_div;
using gemm_detail::KernelSet;
using gemm_detail::kPanelNv;
using gemm_detail::min64;
using gemm_detail::Problem;

// ---- kernel selection ---------------------------------------------------------------------

GemmIsa best_isa() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2 && __builtin_cpu_supports("avx512f")) return GemmIsa::kAvx512;
  if (avx2) return GemmIsa::kAvx2;
#endif
  return GemmIsa::kPortable;
}

GemmIsa detected_isa() {
  static const GemmIsa isa = best_isa();
  return isa;
}

std::atomic<GemmIsa> g_forced{GemmIsa::kAuto};

template <class T>
const KernelSet<T>& kernels() {
  GemmIsa isa = g_forced.load(std::memory_order_relaxed);
  if (isa == GemmIsa::kAuto) isa = detected_isa();
#if defined(__x86_64__)
  if (isa == GemmIsa::kAvx512) return gemm_detail::avx512_kernels(T());
  if (isa == GemmIsa::kAvx2) return gemm_detail::avx2_kernels(T());
#endif
  return gemm_detail::portable_kernels(T());
}

// ---- the problem ---------------------------------------------------------------------------

// Work (multiply-adds, ~100 us on one core) below which a product stays on the calling thread:
// waking a sleeping worker costs tens of microseconds on a virtual machine, and products a few
// times that size, spaced out by other work, were measured slower on two threads than on one.
// Back-to-back products this size or larger (an RNN's steps at batch 64, hidden 512) gain.
std::atomic<int64_t> g_parallel_macs{int64_t{1} << 24};
// Dot products shorter than this are summed in order by the tile paths (see the top).
constexpr int64_t kDotMinK = 32;
// The direct path (no packing) serves B and C with contiguous rows when C has at most
// kDirectRows rows (packing B would cost about as much as it saves), or B is at most
// kDirectCols wide (its rows close together) and C is short or the product small.
constexpr int64_t kDirectRows = 32;
constexpr int64_t kDirectCols = 512;
constexpr int64_t kDirectShortRows = 96;
constexpr int64_t kDirectMacs = int64_t{1} << 27;

template <class T>
void scale(const Problem<T>& p) {
  if (p.beta == T(1)) return;
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < p.n; ++j) {
      T& c = p.c.data[i * p.c.row_stride + j * p.c.col_stride];
      c = p.beta == T(0) ? T(0) : p.beta * c;
    }
}

template <class T>
Problem<T> transposed(const Problem<T>& p) {
  return {p.n,
          p.m,
          p.k,
          p.alpha,
          p.beta,
          {p.b.data, p.b.col_stride, p.b.row_stride},
          {p.a.data, p.a.col_stride, p.a.row_stride},
          {p.c.data, p.c.col_stride, p.c.row_stride}};
}

// Strides of size-1 dimensions never matter; setting them to 1 lets the path choice below see
// vectors as contiguous whichever way they are stored.
template <class T>
Problem<T> canonical(Problem<T> p) {
  if (p.m == 1) p.a.row_stride = p.c.row_stride = 1;
  if (p.n == 1) p.b.col_stride = p.c.col_stride = 1;
  if (p.k == 1) p.a.col_stride = p.b.row_stride = 1;
  const bool c_rows = p.c.col_stride == 1, c_cols = p.c.row_stride == 1;
  if (c_cols && !c_rows) return transposed(p);
  if (c_cols && c_rows) {
    // C is a vector: prefer the orientation whose B has contiguous rows, else one that allows
    // the dot path (A rows and B columns contiguous).
    if (p.b.col_stride != 1 && p.a.row_stride == 1) return transposed(p);
    if (p.n != 1 && p.m == 1 && p.a.col_stride == 1 && p.b.row_stride == 1) return transposed(p);
  }
  return p;
}

// ---- dispatch ------------------------------------------------------------------------------

// Runs body(i0, i1, j0, j1) over C split into up to `threads` ranges along its longer side, each
// a whole number of `unit_m` rows or `unit_n` columns.
template <class Body>
void split_2d(int64_t m, int64_t n, int64_t threads, int64_t unit_m, int64_t unit_n,
              const Body& body) {
  const bool split_m = m >= n;
  const int64_t unit = split_m ? unit_m : unit_n, len = split_m ? m : n;
  const int64_t units = ceil_div(len, unit);
  const int64_t tasks = min64(threads, units);
  detail::parallel_for(0, tasks, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t lo = min64(t * units / tasks * unit, len);
      const int64_t hi = min64((t + 1) * units / tasks * unit, len);
      if (split_m)
        body(lo, hi, int64_t{0}, n);
      else
        body(int64_t{0}, m, lo, hi);
    }
  });
}

template <class T>
void gemm_impl(Problem<T> p) {
  if (p.m <= 0 || p.n <= 0) return;
  if (p.k <= 0 || p.alpha == T(0)) return scale(p);
  p = canonical(p);
  const KernelSet<T>& ks = kernels<T>();
  const int64_t macs = p.m * p.n * p.k;
  const int64_t threads =
      macs >= g_parallel_macs.load(std::memory_order_relaxed) ? get_num_threads() : 1;
  const int64_t thin = p.m < p.n ? p.m : p.n;

  if (p.a.col_stride == 1 && p.b.row_stride == 1 && thin <= ks.dot_max &&
      p.k >= kDotMinK) {
    split_2d(p.m, p.n, threads, 8, 4, [&](int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
      gemm_detail::run_dot(ks, p, i0, i1, j0, j1);
    });
    return;
  }
  const bool direct = p.m <= kDirectRows ||
                      (p.n <= kDirectCols && (p.m <= kDirectShortRows || macs <= kDirectMacs));
  if (p.b.col_stride == 1 && p.c.col_stride == 1 && direct) {
    const int64_t nvb = gemm_detail::direct_block_nv(ks, p.m);
    const int64_t blocks = ceil_div(p.n, nvb * ks.lanes);
    detail::parallel_for(0, blocks, threads > 1 ? 1 : blocks, [&](int64_t b0, int64_t b1) {
      gemm_detail::run_direct(ks, p, nvb, b0, b1);
    });
    return;
  }
  split_2d(p.m, p.n, threads, ks.max_rows[kPanelNv], kPanelNv * ks.lanes,
           [&](int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
             gemm_detail::run_packed(ks, p, i0, i1, j0, j1);
           });
}

}  // namespace

void gemm(int64_t m, int64_t n, int64_t k, float alpha, MatrixRef<const float> a,
          MatrixRef<const float> b, float beta, MatrixRef<float> c) {
  gemm_impl<float>({m, n, k, alpha, beta, a, b, c});
}

void gemm(int64_t m, int64_t n, int64_t k, double alpha, MatrixRef<const double> a,
          MatrixRef<const double> b, double beta, MatrixRef<double> c) {
  gemm_impl<double>({m, n, k, alpha, beta, a, b, c});
}

bool gemm_isa_supported(GemmIsa isa) {
  switch (detected_isa()) {
    case GemmIsa::kAvx512:
      return true;
    case GemmIsa::kAvx2:
      return isa != GemmIsa::kAvx512;
    default:
      return isa == GemmIsa::kAuto || isa == GemmIsa::kPortable;
  }
}

void set_gemm_isa(GemmIsa isa) {
  AG_CHECK(gemm_isa_supported(isa),
           "set_gemm_isa: this CPU does not support the requested kernels");
  g_forced.store(isa, std::memory_order_relaxed);
}

int64_t set_gemm_parallel_threshold(int64_t macs) {
  AG_CHECK(macs >= 1, "set_gemm_parallel_threshold: expected a positive count, got ", macs);
  return g_parallel_macs.exchange(macs, std::memory_order_relaxed);
}

GemmIsa gemm_isa() {
  const GemmIsa isa = g_forced.load(std::memory_order_relaxed);
  return isa == GemmIsa::kAuto ? detected_isa() : isa;
}

}  // namespace ag::kernels
