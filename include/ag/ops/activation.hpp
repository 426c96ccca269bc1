// Activations: tanh, sigmoid, relu, softmax, log_softmax.
//
//   h = ag::tanh(ag::matmul(x, Wx.t()) + ag::matmul(h, Wh.t()) + b);   // the RNN cell
//   p = ag::softmax(logits, -1);
#pragma once

#include "ag/tensor.hpp"

namespace ag {

Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
/// exp(x) / sum(exp(x)) along dim, computed stably (the maximum is subtracted first).
Tensor softmax(const Tensor& x, int64_t dim);
/// x - log(sum(exp(x))) along dim, computed stably.
Tensor log_softmax(const Tensor& x, int64_t dim);

}  // namespace ag
