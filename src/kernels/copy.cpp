// Copy with dtype conversion, and fill: the two kernels every layout change goes through.
#include <cstring>

#include "kernels/elementwise.hpp"

namespace ag::kernels {

void copy(const Tensor& dst, const Tensor& src) {
  if (dst.numel() == 0) return;  // (empty storages have no data pointer to hand to memcpy)
  if (dst.dtype() == src.dtype() && dst.numel() == src.numel() && dst.is_contiguous() &&
      src.is_contiguous()) {
    std::memcpy(dst.impl().data(), src.impl().data(), dst.numel() * element_size(dst.dtype()));
    return;
  }
  Shape sd = byte_strides(dst.strides(), element_size(dst.dtype()));
  Shape ss = byte_strides(broadcast_strides(src, dst.shape()), element_size(src.dtype()));
  dispatch(dst.dtype(), [&](auto d) {
    using D = decltype(d);
    dispatch(src.dtype(), [&](auto s) {
      using S = decltype(s);
      for_each_row<2>(dst.shape(), {dst.impl().data(), src.impl().data()}, {&sd, &ss},
                      [](Ptrs<2> p, int64_t n, Steps<2> st) {
                        if (st[0] == sizeof(D) && st[1] == sizeof(S)) {  // dense rows
                          D* to = reinterpret_cast<D*>(p[0]);
                          const S* from = reinterpret_cast<const S*>(p[1]);
                          for (int64_t i = 0; i < n; ++i) to[i] = static_cast<D>(from[i]);
                          return;
                        }
                        for (int64_t i = 0; i < n; ++i)
                          *reinterpret_cast<D*>(p[0] + i * st[0]) =
                              static_cast<D>(*reinterpret_cast<const S*>(p[1] + i * st[1]));
                      });
    });
  });
}

void fill(const Tensor& dst, double value) {
  Shape sd = byte_strides(dst.strides(), element_size(dst.dtype()));
  dispatch(dst.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T v = static_cast<T>(value);
    if (dst.is_contiguous()) {
      T* p = dst.data_ptr<T>();
      for (int64_t i = 0, n = dst.numel(); i < n; ++i) p[i] = v;
      return;
    }
    for_each_row<1>(dst.shape(), {dst.impl().data()}, {&sd}, [&](Ptrs<1> p, int64_t n, Steps<1> s) {
      for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
    });
  });
}

}  // namespace ag::kernels
