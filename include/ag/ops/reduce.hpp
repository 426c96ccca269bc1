// Reductions: sum, mean, max, argmax, and sum_to_size (the backward of broadcasting).
//
//   ag::sum(x)                    // 0-dim tensor
//   ag::sum(x, 1, /*keepdim=*/true)
//   auto [values, indices] = ag::max(logits, 1);
#pragma once

#include <tuple>

#include "ag/tensor.hpp"

namespace ag {

/// Sum of all elements (a 0-dim tensor).
Tensor sum(const Tensor& x);
/// Sum over one dim; keepdim leaves it as size 1.
Tensor sum(const Tensor& x, int64_t dim, bool keepdim = false);
/// Sum over several dims.
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, int64_t dim, bool keepdim = false);
/// Largest element (a 0-dim tensor); the gradient is shared evenly among ties.
Tensor max(const Tensor& x);
/// Largest values along dim and their int64 indices, like torch.max(x, dim).
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
/// Flat index of the largest element (int64, 0-dim); first one on ties.
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);
/// Sums `x` down to `shape` (which x's shape must broadcast from): what broadcasting's
/// backward needs.
Tensor sum_to_size(const Tensor& x, const Shape& shape);

}  // namespace ag
