// Elementwise loops: out = f(a) and out = f(a, b) over strided, broadcast operands.
//
// The functor is a template parameter, so each op compiles to a plain loop the compiler can
// vectorise; dense operands take a flat loop without any index arithmetic.
#pragma once

#include <cstdint>

#include "ag/tensor.hpp"
#include "kernels/loops.hpp"

namespace ag::kernels {

/// Calls f with a value of the C++ type behind `d` (float, double or int64_t).
template <class F>
decltype(auto) dispatch(Dtype d, F&& f) {
  switch (d) {
    case Dtype::Float32: return f(float{});
    case Dtype::Float64: return f(double{});
    case Dtype::Int64: break;
  }
  return f(int64_t{});
}

/// Like dispatch, for kernels that only exist for float and double (callers have already
/// refused int64 with a clear message).
template <class F>
decltype(auto) dispatch_floating(Dtype d, F&& f) {
  if (d == Dtype::Float64) return f(double{});
  return f(float{});
}

/// Element strides of `t` viewed with shape `out` (NumPy broadcasting: 0 where t is broadcast).
inline Shape broadcast_strides(const Tensor& t, const Shape& out) {
  Shape s(out.size(), 0);
  const Shape& ts = t.shape();
  size_t lead = out.size() - ts.size();
  for (size_t i = 0; i < ts.size(); ++i) s[lead + i] = ts[i] == 1 ? 0 : t.strides()[i];
  return s;
}

/// out[i] = f(a[i]); a has out's shape and dtype T, any strides; out is any layout.
template <class T, class F>
void map1(const Tensor& out, const Tensor& a, F f) {
  T* o = out.data_ptr<T>();
  const T* x = a.data_ptr<T>();
  if (out.is_contiguous() && a.is_contiguous()) {
    const int64_t n = out.numel();
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
    return;
  }
  Shape so = byte_strides(out.strides(), sizeof(T)), sa = byte_strides(a.strides(), sizeof(T));
  for_each_row<2>(out.shape(), {reinterpret_cast<char*>(o), (char*)x}, {&so, &sa},
                  [&](Ptrs<2> p, int64_t n, Steps<2> s) {
                    for (int64_t i = 0; i < n; ++i)
                      *reinterpret_cast<T*>(p[0] + i * s[0]) =
                          f(*reinterpret_cast<const T*>(p[1] + i * s[1]));
                  });
}

/// out = f(a, b) with a, b broadcast to out's shape; all of dtype T; out any layout
/// (in-place ops pass self as out and a).
template <class T, class F>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  T* o = out.data_ptr<T>();
  const T* x = a.data_ptr<T>();
  const T* y = b.data_ptr<T>();
  const int64_t n = out.numel();
  const bool dense = out.is_contiguous();
  const bool a_full = dense && a.is_contiguous() && a.numel() == n;
  const bool b_full = dense && b.is_contiguous() && b.numel() == n;
  if (a_full && b_full) {
    if (o == x) {  // in place: written apart, as out and a overlapping defeats vectorisation
      for (int64_t i = 0; i < n; ++i) o[i] = f(o[i], y[i]);
      return;
    }
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
    return;
  }
  if (a_full && b.numel() == 1) {
    const T v = *y;
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], v);
    return;
  }
  if (b_full && a.numel() == 1) {
    const T v = *x;
    for (int64_t i = 0; i < n; ++i) o[i] = f(v, y[i]);
    return;
  }
  const Shape& shape = out.shape();
  Shape so = byte_strides(out.strides(), sizeof(T));
  Shape sa = byte_strides(broadcast_strides(a, shape), sizeof(T));
  Shape sb = byte_strides(broadcast_strides(b, shape), sizeof(T));
  for_each_row<3>(shape, {reinterpret_cast<char*>(o), (char*)x, (char*)y}, {&so, &sa, &sb},
                  [&](Ptrs<3> p, int64_t m, Steps<3> s) {
                    T* po = reinterpret_cast<T*>(p[0]);
                    const T* pa = reinterpret_cast<const T*>(p[1]);
                    const T* pb = reinterpret_cast<const T*>(p[2]);
                    constexpr int64_t e = sizeof(T);
                    if (s[0] == e && s[1] == e && s[2] == e) {
                      for (int64_t i = 0; i < m; ++i) po[i] = f(pa[i], pb[i]);
                    } else if (s[0] == e && s[1] == e && s[2] == 0) {
                      const T v = *pb;
                      for (int64_t i = 0; i < m; ++i) po[i] = f(pa[i], v);
                    } else if (s[0] == e && s[1] == 0 && s[2] == e) {
                      const T v = *pa;
                      for (int64_t i = 0; i < m; ++i) po[i] = f(v, pb[i]);
                    } else {
                      for (int64_t i = 0; i < m; ++i)
                        *reinterpret_cast<T*>(p[0] + i * s[0]) =
                            f(*reinterpret_cast<const T*>(p[1] + i * s[1]),
                              *reinterpret_cast<const T*>(p[2] + i * s[2]));
                    }
                  });
}

/// Copies src into dst (src broadcasts to dst's shape; any strides), converting the element type.
void copy(const Tensor& dst, const Tensor& src);
/// Sets every element of dst (any strides) to value.
void fill(const Tensor& dst, double value);

}  // namespace ag::kernels
