// Views and shape changes: transpose, permute, unsqueeze, squeeze, select, narrow, slice,
// reshape, view, flatten, expand, contiguous, clone, cat, stack.
//
// Views share storage with their input; gradients flow back through them to the base.
//   x.select(1, i)       // the tutorial's x[:, i]
//   ag::stack(steps, 1)  // [B, H] x T  ->  [B, T, H]
#pragma once

#include <vector>

#include "ag/tensor.hpp"

namespace ag {

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
/// Transpose of a tensor with at most 2 dims.
Tensor t(const Tensor& x);
Tensor permute(const Tensor& x, const Shape& dims);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor squeeze(const Tensor& x);
Tensor select(const Tensor& x, int64_t dim, int64_t index);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
/// New shape with the same elements; one size may be -1. A view when the strides allow it,
/// a copy otherwise.
Tensor reshape(const Tensor& x, const Shape& shape);
/// Like reshape, but refuses (ag::Error) when a view is impossible.
Tensor view(const Tensor& x, const Shape& shape);
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
/// Repeats size-1 dims (and adds leading dims) without copying; -1 keeps a size.
Tensor expand(const Tensor& x, const Shape& shape);
Tensor contiguous(const Tensor& x);
Tensor clone(const Tensor& x);
/// Joins tensors along an existing dim.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
/// Joins tensors along a new dim.
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);

}  // namespace ag
