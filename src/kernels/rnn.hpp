// One RNN layer over a whole sequence, forward and backward (backpropagation through time),
// for one direction. All tensors are contiguous; x is [T*B, I], h0 and the states [B, H].
#pragma once

#include "ag/tensor.hpp"

namespace ag::kernels {

struct RnnLayer {
  int64_t steps, batch, input, hidden;
  bool relu;     // tanh otherwise
  bool reverse;  // runs from the last step to the first
};

/// out [T, B, H] = h_t for every step:  h_t = act((h_prev Whhᵀ + bhh) + (x_t Wihᵀ + bih)).
/// Biases may be undefined.
void rnn_forward(const RnnLayer& l, const Tensor& out, const Tensor& x, const Tensor& h0,
                 const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh);

/// Gradients from d out (all steps): the undefined outputs are skipped. db is one tensor for
/// both biases (their gradients are equal). A defined dpre [T * B, H] receives d pre, the
/// gradient before the activation (what the weight gradients are products of).
struct RnnGrads {
  Tensor dx, dh0, dw_ih, dw_hh, db, dpre;
};
void rnn_backward(const RnnLayer& l, const Tensor& dout, const Tensor& out, const Tensor& x,
                  const Tensor& h0, const Tensor& w_ih, const Tensor& w_hh, RnnGrads& g);

}  // namespace ag::kernels
