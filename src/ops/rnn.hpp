// The fused RNN ops behind ag::nn::RNN and ag::nn::RNNCell (internal).
#pragma once

#include "ag/nn/rnn.hpp"
#include "ag/tensor.hpp"

namespace ag::detail {

/// One layer, one direction, over a whole sequence: x [T, B, I], h0 [B, H] -> out [T, B, H],
///   out_t = act((h_prev Whhᵀ + bhh) + (x_t Wihᵀ + bih)),  h_prev = out of the previous step
/// processed (h0 first; `reverse` processes the last step first). One graph node does the
/// whole loop and its backward through time; its values equal the composition of the
/// per-step ops (tests/nn/rnn_layer_test.cpp checks this).
Tensor rnn_layer(const Tensor& x, const Tensor& h0, const Tensor& w_ih, const Tensor& w_hh,
                 const Tensor& b_ih, const Tensor& b_hh, Nonlinearity act, bool reverse);

/// One step: x [B, I], h [B, H] -> act((h Whhᵀ + bhh) + (x Wihᵀ + bih)) [B, H], as one node
/// named after the activation (TanhBackward0 or ReluBackward0, as PyTorch's cell reports).
Tensor rnn_cell(const Tensor& x, const Tensor& h, const Tensor& w_ih, const Tensor& w_hh,
                const Tensor& b_ih, const Tensor& b_hh, Nonlinearity act);

}  // namespace ag::detail
