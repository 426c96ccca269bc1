// The fused RNN layer: one node for a layer's whole time loop.
//
// A composed loop records ~5 nodes per step (select, matmul, transpose, add, tanh) and its
// backward does a small product per step for each weight. This node runs the same arithmetic
// (kernels/rnn.cpp) and computes the weight gradients with one product over all steps. The
// step-by-step graph is still what RNNCell and user loops build; this is a fusion users
// never see, except as one box in a graph picture.
#include "ops/rnn.hpp"

#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/rnn.hpp"

namespace ag::detail {

Tensor rnn_layer(const Tensor& x, const Tensor& h0, const Tensor& w_ih, const Tensor& w_hh,
                 const Tensor& b_ih, const Tensor& b_hh, Nonlinearity act, bool reverse) {
  const kernels::RnnLayer l{x.size(0), x.size(1), x.size(2), w_hh.size(0), act == kReLU, reverse};
  auto dense = [](const Tensor& t) { return t.defined() ? alias(t).contiguous() : t; };
  Tensor xc = dense(x), hc = dense(h0), wi = dense(w_ih), wh = dense(w_hh);
  Tensor out = empty({l.steps, l.batch, l.hidden}, x.dtype());
  kernels::rnn_forward(l, out, xc, hc, wi, wh, dense(b_ih), dense(b_hh));
  // PyTorch's layer ends with stack(outputs): its output shows StackBackward0.
  record(out, "StackBackward0", {x, h0, w_ih, w_hh, b_ih, b_hh}, {xc, hc, wi, wh, out},
         [l](const BackwardContext& c) -> Grads {
           Tensor x = c.saved(0), h0 = c.saved(1), w_ih = c.saved(2), w_hh = c.saved(3);
           Tensor out = c.saved(4);
           const Dtype dt = out.dtype();
           kernels::RnnGrads g;
           if (c.needs(0)) g.dx = empty({l.steps, l.batch, l.input}, dt);
           if (c.needs(1)) g.dh0 = empty({l.batch, l.hidden}, dt);
           if (c.needs(2)) g.dw_ih = empty({l.hidden, l.input}, dt);
           if (c.needs(3)) g.dw_hh = empty({l.hidden, l.hidden}, dt);
           if (c.needs(4) || c.needs(5)) g.db = empty({l.hidden}, dt);
           if (l.steps == 0 || l.batch == 0) {  // nothing ran: every gradient is zero
             for (Tensor* t : {&g.dx, &g.dh0, &g.dw_ih, &g.dw_hh, &g.db})
               if (t->defined()) kernels::fill(*t, 0.0);
           } else {
             kernels::rnn_backward(l, c.grad.contiguous(), out, x, h0, w_ih, w_hh, g);
           }
           return {g.dx, g.dh0, g.dw_ih, g.dw_hh, g.db, g.db};
         });
  if (out.impl().grad_fn) {
    static const char* const notes[2][2] = {{"fused RNN layer: tanh", "fused RNN layer: tanh, reverse"},
                                            {"fused RNN layer: relu", "fused RNN layer: relu, reverse"}};
    out.impl().grad_fn->note = notes[act == kReLU][reverse];
  }
  return out;
}

}  // namespace ag::detail
