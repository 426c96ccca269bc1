// General matrix multiply on strided operands (BLIS-style: every operand has a row stride
// and a column stride, in elements), so transposed views need no copy.
//
//   C[i, j] = alpha * sum_p A[i, p] * B[p, j] + beta * C[i, j]
// With beta == 0, C is only written (its old contents, even NaN, are ignored).
// Large products run on ag's thread pool (ag/parallel.hpp); the result is bitwise the same for
// any thread count. See gemm.cpp for the blocking scheme.
#pragma once

#include <cstdint>

namespace ag::kernels {

/// A strided matrix: element (i, j) at data[i * row_stride + j * col_stride].
template <class T>
struct MatrixRef {
  T* data;
  int64_t row_stride;
  int64_t col_stride;
};

/// C = alpha * A·B + beta * C for A m x k, B k x n, C m x n, any strides (C must not overlap A
/// or B). beta == 0 ignores C's old contents.
void gemm(int64_t m, int64_t n, int64_t k, float alpha, MatrixRef<const float> a,
          MatrixRef<const float> b, float beta, MatrixRef<float> c);
void gemm(int64_t m, int64_t n, int64_t k, double alpha, MatrixRef<const double> a,
          MatrixRef<const double> b, double beta, MatrixRef<double> c);

/// Which kernels gemm runs: kAuto picks the best the CPU supports (AVX-512, else AVX2 + FMA,
/// else portable); the others force one path, for tests and benchmarks.
enum class GemmIsa { kAuto, kPortable, kAvx2, kAvx512 };

/// True when `isa` can run on this CPU (kAuto and kPortable always can).
bool gemm_isa_supported(GemmIsa isa);

/// Forces every later gemm call in the process onto `isa` (kAuto restores the default).
/// Throws ag::Error when the CPU does not support it.
void set_gemm_isa(GemmIsa isa);

/// The kernels gemm currently runs (never kAuto).
GemmIsa gemm_isa();

/// Products of at least this many multiply-adds are split between threads (default 2^24).
/// Tests lower it to run the threaded paths on small products; returns the previous value.
int64_t set_gemm_parallel_threshold(int64_t macs);

}  // namespace ag::kernels
