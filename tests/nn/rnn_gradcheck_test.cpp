// Backpropagation through time proved numerically: float64 gradcheck of RNNCell and RNN over
// several time steps, with respect to every parameter, the input and the initial state.
#include "support/check.hpp"

using ag::Tensor;

namespace {

// gradcheck perturbs the tensors it is given in place, so the module's own parameters are
// passed as inputs and the function reads them through the module.
template <class M, class F>
void check_module(M& module, std::vector<Tensor> extra, F forward) {
  std::vector<Tensor> inputs = module.parameters();
  for (Tensor& t : extra) inputs.push_back(t);
  test::check_gradients([&](const std::vector<Tensor>&) { return forward(); }, inputs);
}

Tensor f64_randn(const ag::Shape& shape) { return ag::randn(shape, ag::kFloat64).requires_grad_(); }

}  // namespace

TEST_CASE("RNNCell passes gradcheck over 4 steps (tanh and relu)") {
  for (ag::Nonlinearity act : {ag::kTanh, ag::kReLU}) {
    ag::manual_seed(11);
    ag::nn::RNNCell cell(ag::nn::RNNCellOptions(3, 4).nonlinearity(act));
    cell.to(ag::kFloat64);
    Tensor x = f64_randn({4, 2, 3}), h0 = f64_randn({2, 4});
    check_module(cell, {x, h0}, [&] {
      Tensor h = h0;
      for (int64_t t = 0; t < 4; ++t) h = cell.forward(x.select(0, t), h);
      return h;
    });
  }
}

TEST_CASE("RNN (2 layers, bidirectional, batch_first) passes gradcheck, tanh and relu") {
  for (ag::Nonlinearity act : {ag::kTanh, ag::kReLU}) {
    ag::manual_seed(12);
    ag::nn::RNN rnn(ag::nn::RNNOptions(3, 4)
                        .num_layers(2)
                        .bidirectional(true)
                        .batch_first(true)
                        .nonlinearity(act));
    rnn.to(ag::kFloat64);
    Tensor x = f64_randn({2, 5, 3}), h0 = f64_randn({4, 2, 4});
    check_module(rnn, {x, h0}, [&] {
      auto [out, h_n] = rnn.forward(x, h0);
      return ag::cat({out.flatten(), h_n.flatten()}, 0);
    });
  }
}

TEST_CASE("RNN without bias, unbatched, passes gradcheck") {
  ag::manual_seed(13);
  ag::nn::RNN rnn(ag::nn::RNNOptions(2, 3).num_layers(2).bias(false));
  rnn.to(ag::kFloat64);
  Tensor x = f64_randn({6, 2});
  check_module(rnn, {x}, [&] { return std::get<0>(rnn.forward(x)); });
}

TEST_CASE("RNN over a single time step passes gradcheck (its layers take the one-step path)") {
  ag::manual_seed(14);
  ag::nn::RNN rnn(ag::nn::RNNOptions(3, 4).num_layers(2).bidirectional(true));
  rnn.to(ag::kFloat64);
  Tensor x = f64_randn({1, 2, 3}), h0 = f64_randn({4, 2, 4});
  check_module(rnn, {x, h0}, [&] {
    auto [out, h_n] = rnn.forward(x, h0);
    return ag::cat({out.flatten(), h_n.flatten()}, 0);
  });
}
