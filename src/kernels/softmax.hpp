// Softmax kernels along one dim of a contiguous tensor viewed as [outer, n, inner].
#pragma once

#include "ag/tensor.hpp"

namespace ag::kernels {

/// out = softmax(x) (log_softmax when `log`) along dim; x and out contiguous, same shape.
void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log);
/// dx from y = softmax(x) (or log_softmax) and dy along dim; all contiguous.
void softmax_backward(const Tensor& dx, const Tensor& dy, const Tensor& y, int64_t dim, bool log);

}  // namespace ag::kernels
