// Training an RNN: backpropagation through time over the whole sequence, and truncated BPTT
// (the hidden state carried from chunk to chunk but detached), with SGD and Adam. The losses
// follow PyTorch's trajectory (tests/reference/make_training_cases.py).
#include "support/check.hpp"

using ag::Tensor;
namespace F = ag::nn::functional;

namespace {

struct Net : ag::nn::Module {
  std::shared_ptr<ag::nn::RNN> rnn;
  std::shared_ptr<ag::nn::Linear> head;
  Net() {
    rnn = register_module("rnn", std::make_shared<ag::nn::RNN>(
                                     ag::nn::RNNOptions(3, 5).num_layers(2).batch_first(true)));
    head = register_module("head", std::make_shared<ag::nn::Linear>(5, 2));
  }
  std::pair<Tensor, Tensor> forward(const Tensor& x, const Tensor& h = Tensor()) {
    auto [out, h_n] = rnn->forward(x, h);
    return {head->forward(out), h_n};
  }
};

template <class Optimizer>
std::vector<double> train_full(Net& net, Optimizer& opt, const Tensor& x, const Tensor& y) {
  std::vector<double> losses;
  for (int step = 0; step < 5; ++step) {
    opt.zero_grad();
    Tensor loss = F::mse_loss(net.forward(x).first, y);
    loss.backward();  // through all 6 time steps and both layers
    opt.step();
    losses.push_back(loss.item<double>());
  }
  return losses;
}

}  // namespace

TEST_CASE("full BPTT with SGD (momentum) follows PyTorch's losses") {
  ag::manual_seed(0);
  Net net;
  Tensor x = ag::randn({4, 6, 3}), y = ag::randn({4, 6, 2});
  ag::optim::SGD opt(net.parameters(), ag::optim::SGDOptions(0.1).momentum(0.9));
  test::check_close(ag::from_vector(train_full(net, opt, x, y)),
                    {0.825669587, 0.807372034, 0.789608717, 0.783420384, 0.783718407}, 1e-5);
  test::check_close(net.head->bias, {0.279179692, 0.154411286}, 1e-5);
}

TEST_CASE("full BPTT with Adam follows PyTorch's losses") {
  ag::manual_seed(0);
  Net net;
  Tensor x = ag::randn({4, 6, 3}), y = ag::randn({4, 6, 2});
  ag::optim::Adam opt(net.parameters(), ag::optim::AdamOptions(0.01));
  test::check_close(ag::from_vector(train_full(net, opt, x, y)),
                    {0.825669587, 0.799809515, 0.783145964, 0.772478402, 0.764782727}, 1e-5);
  test::check_close(net.head->bias, {0.212109104, 0.0730682537}, 1e-5);
}

TEST_CASE("truncated BPTT: chunks of 4 steps, hidden state detached between them") {
  ag::manual_seed(1);
  Net net;
  Tensor x = ag::randn({2, 12, 3}), y = ag::randn({2, 12, 2});
  ag::optim::SGD opt(net.parameters(), ag::optim::SGDOptions(0.05));
  std::vector<double> losses;
  for (int epoch = 0; epoch < 2; ++epoch) {
    Tensor h;  // zeros at the start of the sequence
    for (int64_t c = 0; c < 3; ++c) {
      Tensor xs = x.narrow(1, 4 * c, 4), ys = y.narrow(1, 4 * c, 4);
      opt.zero_grad();
      auto [out, h_n] = net.forward(xs, h);
      Tensor loss = F::mse_loss(out, ys);
      loss.backward();  // stops at the detached state: only this chunk's 4 steps
      opt.step();
      h = h_n.detach();
      losses.push_back(loss.item<double>());
    }
  }
  test::check_close(ag::from_vector(losses), {1.74815905, 0.996825337, 1.35508287, 1.56096339,
                                              0.941572189, 1.31624508},
                    1e-5);
}

TEST_CASE("detaching the hidden state cuts the gradient path to earlier chunks") {
  ag::manual_seed(2);
  Net net;
  Tensor x = ag::randn({1, 8, 3}).requires_grad_();
  auto [first, h] = net.forward(x.narrow(1, 0, 4));
  // Without detach the second chunk's loss reaches the first chunk's inputs ...
  Tensor loss = net.forward(x.narrow(1, 4, 4), h).first.sum();
  loss.backward();
  CHECK(ag::abs(x.grad().narrow(1, 0, 4)).sum().item<double>() > 0);
  // ... with detach it does not.
  x.set_grad(Tensor());
  Tensor loss2 = net.forward(x.narrow(1, 4, 4), h.detach()).first.sum();
  loss2.backward();
  CHECK(ag::abs(x.grad().narrow(1, 0, 4)).sum().item<double>() == 0);
  CHECK(ag::abs(x.grad().narrow(1, 4, 4)).sum().item<double>() > 0);
}
