// Exploding gradients: a relu RNN whose recurrent weight is 1.1 I runs 200 steps, so a
// gradient through time is multiplied by about 1.1^200 ≈ 2e8. Plain SGD blows up at once;
// with clip_grad_norm_ the same training stays finite and the loss falls.
#include <cmath>

#include "support/check.hpp"

using ag::Tensor;

namespace {

struct Model : ag::nn::Module {
  std::shared_ptr<ag::nn::RNN> rnn;
  std::shared_ptr<ag::nn::Linear> head;
  Model() {
    rnn = register_module("rnn", std::make_shared<ag::nn::RNN>(
                                     ag::nn::RNNOptions(2, 16).nonlinearity(ag::kReLU)));
    head = register_module("head", std::make_shared<ag::nn::Linear>(16, 1));
    std::vector<float> eye(16 * 16, 0.0f);
    for (int i = 0; i < 16; ++i) eye[i * 17] = 1.1f;
    ag::NoGradGuard no_grad;
    rnn->weights[0].w_hh.copy_(ag::from_vector(eye, {16, 16}));
  }
  Tensor forward(const Tensor& x) { return head->forward(std::get<0>(rnn->forward(x)).select(0, -1)); }
};

bool finite(const ag::nn::Module& m) {
  for (const Tensor& p : m.parameters())
    for (float v : p.to_vector<float>())
      if (!std::isfinite(v)) return false;
  return true;
}

// Trains 20 SGD steps; returns the losses (stops early once they are not finite).
std::vector<double> train(Model& model, const Tensor& x, const Tensor& y, double clip) {
  ag::optim::SGD opt(model.parameters(), ag::optim::SGDOptions(1e-3));
  std::vector<double> losses;
  for (int step = 0; step < 20; ++step) {
    opt.zero_grad();
    Tensor loss = ag::nn::functional::mse_loss(model.forward(x), y);
    losses.push_back(loss.item<double>());
    if (!std::isfinite(losses.back())) break;
    loss.backward();
    if (clip > 0) ag::nn::utils::clip_grad_norm_(model.parameters(), clip);
    opt.step();
  }
  return losses;
}

}  // namespace

TEST_CASE("200 steps with large recurrent weights: clipping keeps training finite") {
  ag::manual_seed(3);
  Tensor x = ag::rand({200, 4, 2}) * 0.1;
  Tensor y = ag::zeros({4, 1});

  ag::manual_seed(4);
  Model unclipped;
  {
    Tensor loss = ag::nn::functional::mse_loss(unclipped.forward(x), y);
    loss.backward();
    double norm = ag::nn::utils::clip_grad_norm_(unclipped.parameters(), 1e30);  // measure only
    CAPTURE(norm);
    CHECK(norm > 1e6);  // the gradient exploded
  }
  std::vector<double> plain = train(unclipped, x, y, 0.0);
  CHECK((!std::isfinite(plain.back()) || !finite(unclipped) || plain.back() > 1e6 * plain.front()));

  ag::manual_seed(4);
  Model clipped;
  std::vector<double> losses = train(clipped, x, y, 1.0);
  CAPTURE(losses.front());
  CAPTURE(losses.back());
  CHECK(losses.size() == 20);
  for (double l : losses) CHECK(std::isfinite(l));
  CHECK(finite(clipped));
  CHECK(losses.back() < losses.front());
}
