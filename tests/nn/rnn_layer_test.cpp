// nn::RNN runs each layer as one fused node; it must equal the per-step composition of
// RNNCell-style ops, values and gradients, and its outputs must report PyTorch's grad_fn names.
#include "support/check.hpp"

using ag::Tensor;

namespace {

// The same layer written step by step with plain ops, as the tutorial would.
Tensor composed_layer(const Tensor& x, const Tensor& h0, const ag::nn::RNN::Weights& w,
                      bool relu, bool reverse) {
  const int64_t T = x.size(0);
  std::vector<Tensor> hs(static_cast<size_t>(T));
  Tensor h = h0;
  for (int64_t i = 0; i < T; ++i) {
    const int64_t t = reverse ? T - 1 - i : i;
    Tensor pre = ag::matmul(h, w.w_hh.t()) + w.b_hh + (ag::matmul(x.select(0, t), w.w_ih.t()) + w.b_ih);
    h = relu ? ag::relu(pre) : ag::tanh(pre);
    hs[t] = h;
  }
  return ag::stack(hs, 0);
}

}  // namespace

TEST_CASE("the fused RNN layer equals the per-step composition, forward and backward") {
  for (bool relu : {false, true})
    for (bool reverse : {false, true}) {
      CAPTURE(relu);
      CAPTURE(reverse);
      ag::manual_seed(21);
      ag::nn::RNN rnn(ag::nn::RNNOptions(3, 4).nonlinearity(relu ? ag::kReLU : ag::kTanh)
                          .bidirectional(reverse));
      rnn.to(ag::kFloat64);
      const auto& w = rnn.weights[reverse ? 1 : 0];
      Tensor x = ag::randn({5, 2, 3}, ag::kFloat64).requires_grad_();
      Tensor h0 = ag::randn({reverse ? 2 : 1, 2, 4}, ag::kFloat64).requires_grad_();
      auto [out, h_n] = rnn.forward(x, h0);
      Tensor fused = out.narrow(2, reverse ? 4 : 0, 4);
      Tensor composed = composed_layer(x, h0.select(0, reverse ? 1 : 0), w, relu, reverse);
      test::check_close(fused, composed.to_vector<double>(), 1e-12, 1e-12);
      // Same gradients for every input of the layer.
      Tensor probe = ag::randn({5, 2, 4}, ag::kFloat64);
      auto g1 = ag::autograd::grad({(fused * probe).sum()}, {x, h0, w.w_ih, w.w_hh, w.b_ih, w.b_hh});
      auto g2 = ag::autograd::grad({(composed * probe).sum()}, {x, h0, w.w_ih, w.w_hh, w.b_ih, w.b_hh});
      for (size_t i = 0; i < g1.size(); ++i) {
        INFO("gradient ", i);
        test::check_close(g1[i], g2[i].to_vector<double>(), 1e-10, 1e-12);
      }
    }
}

TEST_CASE("nn::RNN outputs report PyTorch's grad_fn names") {
  ag::nn::RNN time_major(3, 4);
  auto [o1, h1] = time_major.forward(ag::zeros({5, 2, 3}));
  CHECK(o1.grad_fn_name() == "StackBackward0");
  CHECK(h1.grad_fn_name() == "StackBackward0");
  ag::nn::RNN batch_first(ag::nn::RNNOptions(3, 4).batch_first(true));
  CHECK(std::get<0>(batch_first.forward(ag::zeros({2, 5, 3}))).grad_fn_name() == "TransposeBackward1");
  ag::nn::RNN bidirectional(ag::nn::RNNOptions(3, 4).bidirectional(true).num_layers(2));
  CHECK(std::get<0>(bidirectional.forward(ag::zeros({5, 2, 3}))).grad_fn_name() == "CatBackward0");
  auto [o4, h4] = time_major.forward(ag::zeros({5, 3}));
  CHECK(o4.grad_fn_name() == "SqueezeBackward1");
  CHECK(h4.grad_fn_name() == "SqueezeBackward1");
  CHECK(ag::to_dot(o1).find("StackBackward0\\nfused RNN layer: tanh\\n[5, 2, 4]") != std::string::npos);
}

TEST_CASE("an RNN over zero time steps returns empty outputs and h0") {
  ag::nn::RNN rnn(3, 4);
  Tensor h0 = ag::ones({1, 2, 4});
  auto [out, h_n] = rnn.forward(ag::zeros({0, 2, 3}), h0);
  CHECK(out.shape() == std::vector<int64_t>{0, 2, 4});
  test::check_close(h_n, std::vector<double>(8, 1.0));
}
