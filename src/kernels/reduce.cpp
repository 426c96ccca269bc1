// Reduction kernels.
#include "kernels/reduce.hpp"

#include <cmath>
#include <vector>

#include "core/make.hpp"
#include "kernels/elementwise.hpp"

namespace ag::kernels {

void sum_into(const Tensor& out, const Tensor& x) {
  const int64_t n_out = out.numel();
  std::vector<double> acc;  // only float32 needs the wider accumulator
  dispatch_floating(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using Acc = std::conditional_t<std::is_same_v<T, float>, double, T>;
    Acc* a;
    if constexpr (std::is_same_v<T, float>) {
      acc.assign(static_cast<size_t>(n_out), 0.0);
      a = acc.data();
    } else {
      a = out.data_ptr<T>();
      std::fill(a, a + n_out, T(0));
    }
    const T* px = x.data_ptr<T>();
    if (n_out == 1 && x.is_contiguous()) {  // everything into one number
      Acc s = 0;
      for (int64_t i = 0, n = x.numel(); i < n; ++i) s += px[i];
      a[0] = s;
    } else {
      // Walk x; the accumulator has stride 0 along reduced dims.
      Shape sa(x.dim(), 0);
      Shape cs = detail::contiguous_strides(out.shape());
      for (int64_t d = 0; d < x.dim(); ++d)
        sa[d] = out.shape()[d] == 1 ? 0 : cs[d] * static_cast<int64_t>(sizeof(Acc));
      Shape sx = byte_strides(x.strides(), sizeof(T));
      for_each_row<2>(x.shape(), {reinterpret_cast<char*>(a), (char*)px}, {&sa, &sx},
                      [](Ptrs<2> p, int64_t n, Steps<2> s) {
                        if (s[0] == 0) {
                          Acc t = 0;
                          for (int64_t i = 0; i < n; ++i)
                            t += *reinterpret_cast<const T*>(p[1] + i * s[1]);
                          *reinterpret_cast<Acc*>(p[0]) += t;
                        } else if (s[0] == sizeof(Acc) && s[1] == sizeof(T)) {
                          Acc* o = reinterpret_cast<Acc*>(p[0]);
                          const T* v = reinterpret_cast<const T*>(p[1]);
                          for (int64_t i = 0; i < n; ++i) o[i] += v[i];
                        } else {
                          for (int64_t i = 0; i < n; ++i)
                            *reinterpret_cast<Acc*>(p[0] + i * s[0]) +=
                                *reinterpret_cast<const T*>(p[1] + i * s[1]);
                        }
                      });
    }
    if constexpr (std::is_same_v<T, float>) {
      float* o = out.data_ptr<float>();
      for (int64_t i = 0; i < n_out; ++i) o[i] = static_cast<float>(a[i]);
    }
  });
}

void max_along(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim) {
  // Visit every position of the other dims (dim pinned to 0) and scan along dim from there.
  const int64_t n = x.shape()[dim];
  const int64_t step = x.strides()[dim];
  Shape rest = x.shape();
  rest[dim] = 1;
  int64_t* pi = indices.data_ptr<int64_t>();
  dispatch_floating(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* pv = values.data_ptr<T>();
    const T* px = x.data_ptr<T>();
    Shape sx = byte_strides(x.strides(), sizeof(T));
    sx[dim] = 0;
    int64_t k = 0;  // values and indices are filled in row-major order
    for_each_row<1>(rest, {(char*)px}, {&sx},
                    [&](Ptrs<1> p, int64_t m, Steps<1> s) {
                      for (int64_t r = 0; r < m; ++r) {
                        const T* row = reinterpret_cast<const T*>(p[0] + r * s[0]);
                        T best = row[0];
                        int64_t arg = 0;
                        for (int64_t j = 1; j < n && !std::isnan(static_cast<double>(best)); ++j) {
                          T v = row[j * step];
                          if (v > best || std::isnan(static_cast<double>(v))) {
                            best = v;
                            arg = j;
                          }
                        }
                        pv[k] = best;
                        pi[k] = arg;
                        ++k;
                      }
                    });
  });
}

}  // namespace ag::kernels

namespace ag::kernels {

void scatter_along(const Tensor& dst, const Tensor& src, const Tensor& idx, int64_t dim) {
  const Shape& shape = dst.shape();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= shape[d];
  for (int64_t d = dim + 1; d < dst.dim(); ++d) inner *= shape[d];
  const int64_t n = dst.dim() == 0 ? 1 : shape[dim];
  const int64_t* pi = idx.data_ptr<int64_t>();
  dispatch(dst.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* pd = dst.data_ptr<T>();
    const T* ps = src.data_ptr<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t k = o * inner + i;
        pd[(o * n + pi[k]) * inner + i] = ps[k];
      }
  });
}

}  // namespace ag::kernels
