// Reduction kernels: sums into a keepdim-shaped output, and max/argmax along one dim.
#pragma once

#include "ag/tensor.hpp"

namespace ag::kernels {

/// out (contiguous, x's rank, size 1 on reduced dims) = sum of x over those dims.
/// float32 sums are accumulated in float64.
void sum_into(const Tensor& out, const Tensor& x);

/// Along `dim` of x: largest value (NaN counts as largest) and its first index.
/// values/indices are contiguous with x's shape except size 1 at dim.
void max_along(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim);

}  // namespace ag::kernels

namespace ag::kernels {

/// dst[..., idx[...], ...] = src[...] along dim: the backward of max along a dim.
/// dst is contiguous and zero-filled; src and idx are contiguous with dst's shape except 1 at dim.
void scatter_along(const Tensor& dst, const Tensor& src, const Tensor& idx, int64_t dim);

}  // namespace ag::kernels
