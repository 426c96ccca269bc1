// The three ways the GEMM driver (gemm.cpp) runs a canonical product C = alpha A·B + beta C over
// one ISA's kernels, each on a sub-block of C so the caller can hand sub-blocks to threads:
//
//  * run_dot: dot products along k, for A with contiguous rows and B with contiguous columns.
//  * run_direct: register tiles reading A (any strides) and B and C (contiguous rows) in place.
//  * run_packed: register tiles over packed A and B blocks (BLIS-style), any strides.
#pragma once

#include <cstdint>

#include "kernels/gemm.hpp"
#include "kernels/gemm_kernels.hpp"

namespace ag::kernels::gemm_detail {

/// One product: C = alpha * A·B + beta * C, A m x k, B k x n.
template <class T>
struct Problem {
  int64_t m, n, k;
  T alpha, beta;
  MatrixRef<const T> a, b;
  MatrixRef<T> c;
};

inline int64_t min64(int64_t x, int64_t y) { return x < y ? x : y; }
inline int64_t ceil_div(int64_t x, int64_t y) { return (x + y - 1) / y; }

/// C[i0:i1, j0:j1] by ks.dot; requires A's column stride and B's row stride to be 1.
template <class T>
void run_dot(const KernelSet<T>& ks, const Problem<T>& p, int64_t i0, int64_t i1, int64_t j0,
             int64_t j1);

/// Vectors per column block of the direct path: wide blocks for few rows keep enough
/// accumulators in flight.
template <class T>
int64_t direct_block_nv(const KernelSet<T>& ks, int64_t m) {
  if (m <= ks.max_rows[8]) return 8;
  if (m <= ks.max_rows[4]) return 4;
  return kPanelNv;
}

/// Column blocks [jb0, jb1) of nvb vectors (see direct_block_nv) of C; requires B's and C's
/// column strides to be 1.
template <class T>
void run_direct(const KernelSet<T>& ks, const Problem<T>& p, int64_t nvb, int64_t jb0, int64_t jb1);

/// C[i0:i1, j0:j1] from packed blocks; any strides.
template <class T>
void run_packed(const KernelSet<T>& ks, const Problem<T>& p, int64_t i0, int64_t i1, int64_t j0,
                int64_t j1);

}  // namespace ag::kernels::gemm_detail
