// The contract between the GEMM driver (gemm.cpp, gemm_paths.cpp) and its per-ISA kernels
// (gemm_portable.cpp, gemm_avx2.cpp, gemm_avx512.cpp): register tiles, dot-product blocks and a
// transposing B packer, plus the block sizes tuned for them.
//
// A tile kernel computes an R x cols block of C from k steps of rank-1 updates: each step
// broadcasts R elements of A and loads NV vectors (one row of B, `cols` <= NV * lanes wide, the
// last vector masked). A is addressed through its two strides, so the same kernel reads a packed
// A panel (row stride 1, column stride MR), a column-major A, or a row-major A in place; B's row
// is contiguous (a packed panel, or B itself when its column stride is 1).
//
// Every C element is accumulated in the same order (p = 0, 1, ..., k-1, one multiply-add each,
// fused on x86) whatever the tile shape, and combined with C the same way, so the result does not
// depend on how the driver splits C into tiles or between threads.
#pragma once

#include <cstdint>

namespace ag::kernels::gemm_detail {

/// Arguments of one tile call.
template <class T>
struct TileArgs {
  int64_t k;
  const T* a;  ///< A(i, p) = a[i * rsa + p * csa]
  int64_t rsa, csa;
  const T* b;  ///< B(p, j) = b[p * rsb + j], j < cols
  int64_t rsb;
  int64_t cols;   ///< valid columns, 1 <= cols <= NV * lanes
  T alpha, beta;  ///< C = alpha * AB + beta * C; beta == 0 never reads C
  T* c;           ///< C(i, j) = c[i * rsc + j]
  int64_t rsc;
};

template <class T>
using TileFn = void (*)(const TileArgs<T>&);

/// Arguments of a block of dot products, for C = A·B when k is contiguous in both A's rows and
/// B's columns: C(i, j) = alpha * dot(a + i * rsa, b + j * csb) + beta * C(i, j) for i < rows,
/// j < cols, with C(i, j) = c[i * rsc + j * csc]. Each dot is accumulated vector by vector in
/// order and reduced the same way whatever the tile shape.
template <class T>
struct DotArgs {
  int64_t k, rows, cols;
  const T* a;
  int64_t rsa;
  const T* b;
  int64_t csb;
  T alpha, beta;
  T* c;
  int64_t rsc, csc;
};

template <class T>
using DotFn = void (*)(const DotArgs<T>&);

/// Packs B(p, j) = b[p + j * csb] (columns contiguous along k) for p < kc, j < nc into panels
/// of NR = kPanelNv * lanes columns: panel jr / NR at dst + jr * kc, element (p, j) at
/// p * NR + j.
template <class T>
using PackFn = void (*)(T* dst, const T* b, int64_t csb, int64_t kc, int64_t nc);

constexpr int kMaxNv = 8;      ///< vectors per tile row
constexpr int kMaxRows = 16;   ///< rows per tile
constexpr int kMaxLanes = 16;  ///< elements per vector
constexpr int kPanelNv = 2;    ///< vectors per packed B panel (NR = kPanelNv * lanes)

/// One ISA's kernels for element type T, and the block sizes the driver uses with them.
template <class T>
struct KernelSet {
  const char* name;
  int lanes;                         ///< elements per vector
  int max_rows[kMaxNv + 1];          ///< tile rows available with NV vectors (0: none);
                                     ///< MR = max_rows[kPanelNv]
  TileFn<T> unit[kMaxNv][kMaxRows];  ///< [NV-1][R-1], requires rsa == 1
  TileFn<T> any[kMaxNv][kMaxRows];   ///< [NV-1][R-1], any A strides
  DotFn<T> dot;                      ///< a block of dot products (any rows and columns)
  int64_t dot_max;                   ///< dot path for products at most this thin
  PackFn<T> pack_bt;                 ///< B panels from a B with contiguous columns
  int64_t kc, mc, nc;                ///< packed path: K block, M block, N block
};

const KernelSet<float>& portable_kernels(float);
const KernelSet<double>& portable_kernels(double);
#if defined(__x86_64__)
const KernelSet<float>& avx2_kernels(float);
const KernelSet<double>& avx2_kernels(double);
const KernelSet<float>& avx512_kernels(float);
const KernelSet<double>& avx512_kernels(double);
#endif

}  // namespace ag::kernels::gemm_detail
