// Portable GEMM: cache-blocked, with the innermost loop running along contiguous rows of B
// and C so the compiler vectorises it. Operands that are not row-contiguous are copied into
// row-major panels first.
#include "kernels/gemm.hpp"

#include <algorithm>
#include <vector>

namespace ag::kernels {
namespace {

constexpr int64_t kBlockK = 256;
constexpr int64_t kBlockN = 512;

template <class T>
void gemm_portable(int64_t m, int64_t n, int64_t k, T alpha, MatrixRef<const T> a,
                   MatrixRef<const T> b, T beta, MatrixRef<T> c) {
  // C = beta * C first (beta == 0 writes zeros, ignoring NaN in C).
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T& cij = c.data[i * c.row_stride + j * c.col_stride];
      cij = beta == T(0) ? T(0) : beta * cij;
    }
  if (k == 0 || alpha == T(0)) return;
  std::vector<T> bpanel, crow;
  for (int64_t p0 = 0; p0 < k; p0 += kBlockK) {
    const int64_t kb = std::min(kBlockK, k - p0);
    for (int64_t j0 = 0; j0 < n; j0 += kBlockN) {
      const int64_t nb = std::min(kBlockN, n - j0);
      // B block as a dense kb x nb row-major panel.
      bpanel.resize(static_cast<size_t>(kb * nb));
      for (int64_t p = 0; p < kb; ++p)
        for (int64_t j = 0; j < nb; ++j)
          bpanel[p * nb + j] = b.data[(p0 + p) * b.row_stride + (j0 + j) * b.col_stride];
      crow.resize(static_cast<size_t>(nb));
      for (int64_t i = 0; i < m; ++i) {
        std::fill(crow.begin(), crow.end(), T(0));
        for (int64_t p = 0; p < kb; ++p) {
          const T aip = a.data[i * a.row_stride + (p0 + p) * a.col_stride];
          const T* brow = &bpanel[p * nb];
          for (int64_t j = 0; j < nb; ++j) crow[j] += aip * brow[j];
        }
        for (int64_t j = 0; j < nb; ++j)
          c.data[i * c.row_stride + (j0 + j) * c.col_stride] += alpha * crow[j];
      }
    }
  }
}

}  // namespace

void gemm(int64_t m, int64_t n, int64_t k, float alpha, MatrixRef<const float> a,
          MatrixRef<const float> b, float beta, MatrixRef<float> c) {
  gemm_portable(m, n, k, alpha, a, b, beta, c);
}

void gemm(int64_t m, int64_t n, int64_t k, double alpha, MatrixRef<const double> a,
          MatrixRef<const double> b, double beta, MatrixRef<double> c) {
  gemm_portable(m, n, k, alpha, a, b, beta, c);
}

}  // namespace ag::kernels
