// ag::nn::functional: the stateless forms of the layers (torch.nn.functional).
//
//   namespace F = ag::nn::functional;
//   auto y = F::linear(x, W, b);          // x Wᵀ + b
//   auto z = F::dropout(y, 0.5, /*training=*/true);
#pragma once

#include "ag/nn/loss.hpp"
#include "ag/tensor.hpp"

namespace ag::nn::functional {

/// x Wᵀ + b for x [..., in], W [out, in], b [out] (b may be undefined).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

/// Zeroes each element with probability p and scales the rest by 1/(1-p) while training;
/// the identity otherwise. Draws its mask as PyTorch does, so a seed gives the same mask.
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true);

/// Rows of `weight` [num, dim] picked by int64 `indices` (any shape): result [..., dim].
/// The row `padding_idx` (if >= 0) gets no gradient, as in PyTorch.
Tensor embedding(const Tensor& indices, const Tensor& weight, int64_t padding_idx = -1);

}  // namespace ag::nn::functional
