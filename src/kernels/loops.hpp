// Strided iteration shared by the elementwise, conversion and reduction kernels.
//
// for_each_row walks K operands that share one logical shape (strides may be 0 for broadcast
// dimensions) and calls body(ptrs, n, strides) once per innermost row, with byte pointers and
// byte strides. Size-1 dimensions are dropped and dimensions that are contiguous for every
// operand are merged first, so a dense tensor is a single row of numel elements.
#pragma once

#include <array>
#include <cstdint>

#include "ag/shape.hpp"

namespace ag::kernels {

template <size_t K>
using Ptrs = std::array<char*, K>;
template <size_t K>
using Steps = std::array<int64_t, K>;

template <size_t K, class Body>
void for_each_row(const Shape& shape, Ptrs<K> ptr, const std::array<const Shape*, K>& byte_strides,
                  Body&& body) {
  detail::SmallVec<int64_t, 6> size;
  std::array<detail::SmallVec<int64_t, 6>, K> stride;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return;
    if (shape[d] == 1) continue;
    bool merge = !size.empty();
    for (size_t k = 0; k < K && merge; ++k)
      merge = stride[k].back() == (*byte_strides[k])[d] * shape[d];
    if (merge) {
      size.back() *= shape[d];
      for (size_t k = 0; k < K; ++k) stride[k].back() = (*byte_strides[k])[d];
    } else {
      size.push_back(shape[d]);
      for (size_t k = 0; k < K; ++k) stride[k].push_back((*byte_strides[k])[d]);
    }
  }
  Steps<K> inner{};
  if (size.empty()) {
    body(ptr, int64_t{1}, inner);
    return;
  }
  const int nd = static_cast<int>(size.size());
  for (size_t k = 0; k < K; ++k) inner[k] = stride[k][nd - 1];
  const int64_t n = size[nd - 1];
  detail::SmallVec<int64_t, 6> idx(nd, 0);
  for (;;) {
    body(ptr, n, inner);
    int d = nd - 2;
    for (; d >= 0; --d) {
      for (size_t k = 0; k < K; ++k) ptr[k] += stride[k][d];
      if (++idx[d] < size[d]) break;
      for (size_t k = 0; k < K; ++k) ptr[k] -= stride[k][d] * size[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/// Strides in bytes for a tensor's element strides.
inline Shape byte_strides(const Shape& strides, size_t elem) {
  Shape b(strides.size());
  for (size_t i = 0; i < strides.size(); ++i) b[i] = strides[i] * static_cast<int64_t>(elem);
  return b;
}

}  // namespace ag::kernels
