// RNNCell and RNN. Each step follows PyTorch's SimpleCell: h' = act((h Whhᵀ + bhh) + (x Wihᵀ +
// bih)). An RNNCell step is one fused node (ops/rnn.cpp), so a loop of cells is backpropagated
// through time by the engine's ordinary backward over the unrolled loop; an RNN layer is one
// node for all its steps, whose input part comes from one matrix product done up front.
#include "ag/nn/rnn.hpp"

#include <cmath>

#include "ag/autograd.hpp"
#include "ag/factory.hpp"
#include "ag/nn/functional.hpp"
#include "ag/ops/activation.hpp"
#include "ag/ops/shape.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"
#include "ops/rnn.hpp"
#include "nn/python_repr.hpp"

namespace ag::nn {
namespace {

void init_uniform(Module& m, int64_t hidden_size) {
  NoGradGuard no_grad;
  const double stdv = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  for (Tensor& p : m.parameters(/*recurse=*/false)) p.uniform_(-stdv, stdv);
}

const char* nonlinearity_name(Nonlinearity n) { return n == kTanh ? "tanh" : "relu"; }

// [T, B, ...] -> [B, T, ...]. PyTorch's C++ RNN transposes its batch_first output with the
// overload that reports TransposeBackward1, so printed outputs agree.
Tensor batch_major(const Tensor& out) {
  Tensor v = ag::detail::alias(out).transpose(0, 1);
  record(v, "TransposeBackward1", {out}, {}, [](const BackwardContext& c) -> Grads {
    return {c.grad.transpose(0, 1)};
  });
  return v;
}

void check_sizes(int64_t input_size, int64_t hidden_size, const char* op) {
  AG_CHECK(hidden_size > 0, op, ": hidden_size must be greater than zero, got ", hidden_size);
  AG_CHECK(input_size >= 0, op, ": input_size must be non-negative, got ", input_size);
}

}  // namespace

// ---- RNNCell ---------------------------------------------------------------------------------

RNNCell::RNNCell(int64_t input_size, int64_t hidden_size)
    : RNNCell(RNNCellOptions(input_size, hidden_size)) {}

RNNCell::RNNCell(const RNNCellOptions& o) : options(o) {
  check_sizes(o.input_size(), o.hidden_size(), "RNNCell");
  const int64_t in = o.input_size(), hidden = o.hidden_size();
  weight_ih = register_parameter("weight_ih", empty({hidden, in}));
  weight_hh = register_parameter("weight_hh", empty({hidden, hidden}));
  if (o.bias()) {
    bias_ih = register_parameter("bias_ih", empty({hidden}));
    bias_hh = register_parameter("bias_hh", empty({hidden}));
  }
  reset_parameters();
}

void RNNCell::reset_parameters() { init_uniform(*this, options.hidden_size()); }

Tensor RNNCell::forward(const Tensor& x, const Tensor& h) const {
  ag::detail::check_floating(x, "RNNCell");
  AG_CHECK(x.dim() == 1 || x.dim() == 2, "RNNCell: expected input to be 1-D or 2-D, got ",
           x.dim(), "-D tensor of shape ", x.shape(), " instead");
  AG_CHECK(x.size(-1) == options.input_size(), "RNNCell: input has inconsistent input_size: got ",
           x.size(-1), ", expected ", options.input_size());
  AG_CHECK(x.dtype() == weight_ih.dtype(), "RNNCell: input is ", dtype_name(x.dtype()),
           " but the parameters are ", dtype_name(weight_ih.dtype()));
  const bool batched = x.dim() == 2;
  Tensor input = batched ? x : x.unsqueeze(0);
  const int64_t batch = input.size(0), hidden = options.hidden_size();
  Tensor hx = h.defined() ? (batched ? h : h.unsqueeze(0)) : zeros({batch, hidden}, x.dtype());
  AG_CHECK(hx.dim() == 2 && hx.size(1) == hidden && hx.size(0) == batch,
           "RNNCell: hidden state of shape ", h.shape(), " does not match input of shape ",
           x.shape(), ": expected ", batched ? Shape{batch, hidden} : Shape{hidden});
  Tensor out = ag::detail::rnn_cell(input, hx, weight_ih, weight_hh, bias_ih, bias_hh,
                                    options.nonlinearity());
  return batched ? out : out.squeeze(0);
}

std::string RNNCell::extra_repr() const {
  std::string s = std::to_string(options.input_size()) + ", " + std::to_string(options.hidden_size());
  if (!options.bias()) s += ", bias=False";
  if (options.nonlinearity() != kTanh) s += std::string(", nonlinearity=") + nonlinearity_name(options.nonlinearity());
  return s;
}

// ---- RNN -------------------------------------------------------------------------------------

RNN::RNN(const RNNOptions& o) : options(o) {
  check_sizes(o.input_size(), o.hidden_size(), "RNN");
  AG_CHECK(o.num_layers() >= 1, "RNN: num_layers must be at least 1, got ", o.num_layers());
  AG_CHECK(o.dropout() >= 0 && o.dropout() <= 1,
           "RNN: dropout should be a number in range [0, 1] representing the probability of an "
           "element being zeroed, got ",
           o.dropout());
  const int64_t dirs = o.bidirectional() ? 2 : 1, hidden = o.hidden_size();
  for (int64_t layer = 0; layer < o.num_layers(); ++layer) {
    const int64_t in = layer == 0 ? o.input_size() : hidden * dirs;
    for (int64_t d = 0; d < dirs; ++d) {
      const std::string suffix = "_l" + std::to_string(layer) + (d == 1 ? "_reverse" : "");
      Weights w;
      w.w_ih = register_parameter("weight_ih" + suffix, empty({hidden, in}));
      w.w_hh = register_parameter("weight_hh" + suffix, empty({hidden, hidden}));
      if (o.bias()) {
        w.b_ih = register_parameter("bias_ih" + suffix, empty({hidden}));
        w.b_hh = register_parameter("bias_hh" + suffix, empty({hidden}));
      }
      weights.push_back(w);
    }
  }
  reset_parameters();
}

void RNN::reset_parameters() { init_uniform(*this, options.hidden_size()); }

std::tuple<Tensor, Tensor> RNN::forward(const Tensor& x, const Tensor& h0) {
  ag::detail::check_floating(x, "RNN");
  AG_CHECK(x.dim() == 2 || x.dim() == 3, "RNN: expected input to be 2-D or 3-D, got ", x.dim(),
           "-D tensor of shape ", x.shape(), " instead");
  AG_CHECK(x.size(-1) == options.input_size(), "RNN: input.size(-1) must be equal to input_size. "
           "Expected ", options.input_size(), ", got ", x.size(-1));
  AG_CHECK(x.dtype() == weights[0].w_ih.dtype(), "RNN: input is ", dtype_name(x.dtype()),
           " but the parameters are ", dtype_name(weights[0].w_ih.dtype()));
  const bool batched = x.dim() == 3;
  const int64_t dirs = options.bidirectional() ? 2 : 1, layers = options.num_layers();
  const int64_t hidden = options.hidden_size();
  // Time-major [T, B, input] from here on.
  Tensor input = !batched ? x.unsqueeze(1) : options.batch_first() ? x.transpose(0, 1) : x;
  const int64_t steps = input.size(0), batch = input.size(1);
  const Shape h_shape = batched ? Shape{layers * dirs, batch, hidden} : Shape{layers * dirs, hidden};
  if (h0.defined()) {
    AG_CHECK(h0.shape() == h_shape, "RNN: expected hidden size ", h_shape, ", got ", h0.shape());
    AG_CHECK(h0.dtype() == x.dtype(), "RNN: hidden state is ", dtype_name(h0.dtype()),
             " but the input is ", dtype_name(x.dtype()));
  }
  Tensor hx = !h0.defined() ? zeros({layers * dirs, batch, hidden}, x.dtype())
                            : (batched ? h0 : h0.unsqueeze(1));

  std::vector<Tensor> finals;
  for (int64_t layer = 0; layer < layers; ++layer) {
    std::vector<Tensor> outputs;
    for (int64_t d = 0; d < dirs; ++d) {
      const Weights& w = weights[layer * dirs + d];
      Tensor h = hx.select(0, layer * dirs + d);
      // The whole time loop of this layer and direction as one fused op (ops/rnn.cpp).
      Tensor out = ag::detail::rnn_layer(input, h, w.w_ih, w.w_hh, w.b_ih, w.b_hh,
                                         options.nonlinearity(), /*reverse=*/d == 1);
      finals.push_back(steps == 0 ? h : out.select(0, d == 1 ? 0 : steps - 1));
      outputs.push_back(out);
    }
    input = dirs == 2 ? cat(outputs, 2) : outputs[0];
    if (layer + 1 < layers && options.dropout() > 0 && is_training())
      input = functional::dropout(input, options.dropout(), true);
  }
  Tensor h_n = stack(finals, 0);
  Tensor output = input;
  if (!batched) return {output.squeeze(1), h_n.squeeze(1)};
  if (options.batch_first()) output = batch_major(output);
  return {output, h_n};
}

std::string RNN::extra_repr() const {
  std::string s = std::to_string(options.input_size()) + ", " + std::to_string(options.hidden_size());
  if (options.num_layers() != 1) s += ", num_layers=" + std::to_string(options.num_layers());
  if (!options.bias()) s += ", bias=False";
  if (options.batch_first()) s += ", batch_first=True";
  if (options.dropout() != 0) s += ", dropout=" + python_float(options.dropout());
  if (options.bidirectional()) s += ", bidirectional=True";
  return s;
}

}  // namespace ag::nn
