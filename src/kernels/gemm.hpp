// General matrix multiply on strided operands (BLIS-style: every operand has a row stride
// and a column stride, in elements), so transposed views need no copy.
//
//   C[i, j] = alpha * sum_p A[i, p] * B[p, j] + beta * C[i, j]
// With beta == 0, C is only written (its old contents, even NaN, are ignored).
#pragma once

#include <cstdint>

namespace ag::kernels {

template <class T>
struct MatrixRef {
  T* data;
  int64_t row_stride;
  int64_t col_stride;
};

void gemm(int64_t m, int64_t n, int64_t k, float alpha, MatrixRef<const float> a,
          MatrixRef<const float> b, float beta, MatrixRef<float> c);
void gemm(int64_t m, int64_t n, int64_t k, double alpha, MatrixRef<const double> a,
          MatrixRef<const double> b, double beta, MatrixRef<double> c);

}  // namespace ag::kernels
