// Softmax and log-softmax, forward and backward, along one dim.
//
// NOTE: the maximum of each row is subtracted before exp, so large inputs (1e4) do not
// overflow; log_softmax never takes the log of a softmax (which underflows to log 0).
#include "kernels/softmax.hpp"

#include <cmath>

#include "kernels/elementwise.hpp"

namespace ag::kernels {
namespace {

struct Rows {
  int64_t outer = 1, n = 1, inner = 1;
};

Rows rows_of(const Tensor& x, int64_t dim) {
  Rows r;
  if (x.dim() == 0) return r;
  for (int64_t d = 0; d < dim; ++d) r.outer *= x.shape()[d];
  r.n = x.shape()[dim];
  for (int64_t d = dim + 1; d < x.dim(); ++d) r.inner *= x.shape()[d];
  return r;
}

}  // namespace

void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) {
  if (x.numel() == 0) return;  // (a dim of size 0 still has rows, on a null data pointer)
  const Rows r = rows_of(x, dim);
  dispatch_floating(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data_ptr<T>();
    T* po = out.data_ptr<T>();
    for (int64_t o = 0; o < r.outer; ++o)
      for (int64_t i = 0; i < r.inner; ++i) {
        const T* a = px + o * r.n * r.inner + i;
        T* b = po + o * r.n * r.inner + i;
        const int64_t s = r.inner;
        T m = -INFINITY;
        for (int64_t j = 0; j < r.n; ++j) m = std::max(m, a[j * s]);
        if (std::isinf(m)) m = 0;  // all -inf (or +inf present): keep exp's result meaningful
        double sum = 0;  // accumulated wider than float: rows can be long
        for (int64_t j = 0; j < r.n; ++j) {
          T e = std::exp(a[j * s] - m);
          sum += static_cast<double>(e);
          if (!log) b[j * s] = e;
        }
        if (log) {
          // NOTE: (x - max) - log(sum), in this order as PyTorch: x - (max + log(sum)) would
          // round max + log(sum) to float32's spacing at |max| (1e-3 at 1e4) and lose that much.
          const T log_sum = static_cast<T>(std::log(sum));
          for (int64_t j = 0; j < r.n; ++j) b[j * s] = (a[j * s] - m) - log_sum;
        } else {
          const T inv = static_cast<T>(1.0 / sum);
          for (int64_t j = 0; j < r.n; ++j) b[j * s] *= inv;
        }
      }
  });
}

void softmax_backward(const Tensor& dx, const Tensor& dy, const Tensor& y, int64_t dim, bool log) {
  if (y.numel() == 0) return;  // as in softmax
  const Rows r = rows_of(y, dim);
  dispatch_floating(y.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* py = y.data_ptr<T>();
    const T* pg = dy.data_ptr<T>();
    T* pd = dx.data_ptr<T>();
    for (int64_t o = 0; o < r.outer; ++o)
      for (int64_t i = 0; i < r.inner; ++i) {
        const int64_t base = o * r.n * r.inner + i, s = r.inner;
        T acc = 0;
        if (log) {
          // y = x - lse(x):  dx = g - softmax(x) * sum(g)
          for (int64_t j = 0; j < r.n; ++j) acc += pg[base + j * s];
          for (int64_t j = 0; j < r.n; ++j)
            pd[base + j * s] = pg[base + j * s] - std::exp(py[base + j * s]) * acc;
        } else {
          // y = softmax(x):  dx = y * (g - sum(g * y))
          for (int64_t j = 0; j < r.n; ++j) acc += pg[base + j * s] * py[base + j * s];
          for (int64_t j = 0; j < r.n; ++j)
            pd[base + j * s] = py[base + j * s] * (pg[base + j * s] - acc);
        }
      }
  });
}

}  // namespace ag::kernels
