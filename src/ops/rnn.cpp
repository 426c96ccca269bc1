// The fused RNN ops: one graph node for a layer's whole time loop, and one for a single cell
// step.
//
// A composed step records ~5 nodes (select, matmul, transpose, add, tanh) and its backward does
// a small product per step for each weight. These nodes run the same arithmetic
// (kernels/rnn.cpp), the weight gradients coming from one product over all steps: the layer's
// own, or, for a loop of cells, the engine's (BackwardContext::defer_product).
// User loops (the tutorial's MyRNNcell) still build the step-by-step graph; these are fusions
// users never see, except as one box in a graph picture.
#include "ops/rnn.hpp"

#include "ag/factory.hpp"
#include "ag/ops/linalg.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/rnn.hpp"

namespace ag::detail {
namespace {

// Runs the kernels over x viewed as [l.steps * l.batch, l.input] and records the node; `out`
// and every gradient keep the shapes of the tensors they belong to.
Tensor fused_rnn(const kernels::RnnLayer& l, const Shape& out_shape, const char* name,
                 const char* note, const Tensor& x, const Tensor& h0, const Tensor& w_ih,
                 const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  // Dense operands for the kernels: contiguous ones as they are, others copied (off the graph).
  auto dense = [](const Tensor& t) {
    return !t.defined() || t.is_contiguous() ? t : alias(t).contiguous();
  };
  Tensor xc = dense(x), hc = dense(h0), wi = dense(w_ih), wh = dense(w_hh);
  Tensor out = empty(out_shape, x.dtype());
  kernels::rnn_forward(l, out, xc, hc, wi, wh, dense(b_ih), dense(b_hh));
  record(out, name, {x, h0, w_ih, w_hh, b_ih, b_hh}, {xc, hc, wi, wh, out},
         [l](const BackwardContext& c) -> Grads {
           Tensor x = c.saved(0), h0 = c.saved(1), w_ih = c.saved(2), w_hh = c.saved(3);
           Tensor out = c.saved(4);
           const Dtype dt = out.dtype();
           kernels::RnnGrads g;
           if (c.needs(0)) g.dx = empty(x.shape(), dt);
           if (c.needs(1)) g.dh0 = empty(h0.shape(), dt);
           if (c.needs(4) || c.needs(5)) g.db = empty({l.hidden}, dt);
           if (l.steps == 0 || l.batch == 0) {  // nothing ran: every gradient is zero
             for (Tensor* t : {&g.dx, &g.dh0, &g.db})
               if (t->defined()) kernels::fill(*t, 0.0);
             return {g.dx, g.dh0, c.needs(2) ? zeros(w_ih.shape(), dt) : Tensor(),
                     c.needs(3) ? zeros(w_hh.shape(), dt) : Tensor(), g.db, g.db};
           }
           // A cell (one step) hands its weight gradients dpreᵀ·x and dpreᵀ·h to the engine,
           // which sums a loop's steps in one product (BackwardContext::defer_product).
           const bool cell = l.steps == 1;
           if (!cell && c.needs(2)) g.dw_ih = empty(w_ih.shape(), dt);
           if (!cell && c.needs(3)) g.dw_hh = empty(w_hh.shape(), dt);
           if (cell && (c.needs(2) || c.needs(3))) g.dpre = empty({l.batch, l.hidden}, dt);
           kernels::rnn_backward(l, c.grad.contiguous(), out, x, h0, w_ih, w_hh, g);
           if (cell) {  // (a one-step layer too: its x is [1, B, I])
             const Tensor x2 = x.view({l.batch, l.input});
             if (c.needs(2) && !c.defer_product(2, g.dpre, x2)) g.dw_ih = mm(g.dpre.t(), x2);
             if (c.needs(3) && !c.defer_product(3, g.dpre, h0)) g.dw_hh = mm(g.dpre.t(), h0);
           }
           return {g.dx, g.dh0, g.dw_ih, g.dw_hh, g.db, g.db};
         });
  if (out.impl().grad_fn) out.impl().grad_fn->note = note;
  return out;
}

}  // namespace

Tensor rnn_layer(const Tensor& x, const Tensor& h0, const Tensor& w_ih, const Tensor& w_hh,
                 const Tensor& b_ih, const Tensor& b_hh, Nonlinearity act, bool reverse) {
  const kernels::RnnLayer l{x.size(0), x.size(1), x.size(2), w_hh.size(0), act == kReLU, reverse};
  static const char* const notes[2][2] = {
      {"fused RNN layer: tanh", "fused RNN layer: tanh, reverse"},
      {"fused RNN layer: relu", "fused RNN layer: relu, reverse"}};
  // PyTorch's layer ends with stack(outputs): its output shows StackBackward0.
  return fused_rnn(l, {l.steps, l.batch, l.hidden}, "StackBackward0", notes[l.relu][reverse], x,
                   h0, w_ih, w_hh, b_ih, b_hh);
}

Tensor rnn_cell(const Tensor& x, const Tensor& h, const Tensor& w_ih, const Tensor& w_hh,
                const Tensor& b_ih, const Tensor& b_hh, Nonlinearity act) {
  const kernels::RnnLayer l{1, x.size(0), x.size(1), w_hh.size(0), act == kReLU, false};
  // PyTorch's cell ends with its activation, so its output shows that op's name.
  return fused_rnn(l, {l.batch, l.hidden}, l.relu ? "ReluBackward0" : "TanhBackward0",
                   l.relu ? "fused RNN cell: relu" : "fused RNN cell: tanh", x, h, w_ih, w_hh,
                   b_ih, b_hh);
}

}  // namespace ag::detail
