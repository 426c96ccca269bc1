// After any ag::Error thrown from forward, backward, an optimiser step or a load, the model's
// parameters (and gradients) and the previous checkpoint file are exactly as they were.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/check.hpp"

using ag::Tensor;

namespace {

struct Net : ag::nn::Module {
  std::shared_ptr<ag::nn::RNN> rnn;
  std::shared_ptr<ag::nn::Linear> head;
  Net() {
    rnn = register_module("rnn", std::make_shared<ag::nn::RNN>(ag::nn::RNNOptions(3, 5).batch_first(true)));
    head = register_module("head", std::make_shared<ag::nn::Linear>(5, 2));
  }
  Tensor forward(const Tensor& x) { return head->forward(std::get<0>(rnn->forward(x))); }
};

using Snapshot = std::vector<std::vector<double>>;

Snapshot values(const ag::nn::Module& m) {
  Snapshot s;
  for (const Tensor& p : m.parameters()) s.push_back(p.to_vector<double>());
  return s;
}
Snapshot grads(const ag::nn::Module& m) {
  Snapshot s;
  for (const Tensor& p : m.parameters())
    s.push_back(p.grad().defined() ? p.grad().to_vector<double>() : std::vector<double>{});
  return s;
}

std::string bytes_of(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

Tensor loss_of(Net& net, const Tensor& x) { return ag::nn::functional::mse_loss(net.forward(x), ag::zeros({2, 4, 2})); }

}  // namespace

TEST_CASE("a failed forward changes nothing") {
  ag::manual_seed(0);
  Net net;
  Snapshot before = values(net);
  CHECK_THROWS_AS(net.forward(ag::zeros({2, 4, 7})), ag::Error);
  CHECK(values(net) == before);
}

TEST_CASE("a failed backward leaves every gradient as it was") {
  ag::manual_seed(1);
  Net net;
  Tensor x = ag::randn({2, 4, 3});
  Tensor loss = loss_of(net, x);
  loss.backward();
  Snapshot g = grads(net);
  CHECK_THROWS_AS(loss.backward(), ag::Error);  // the graph was freed
  CHECK(grads(net) == g);

  // An error in the middle of backward (the RNN saved its weight, which is then updated in
  // place, as an optimiser step before backward would): the head's nodes have already run,
  // but no leaf has been touched, because leaves get their gradients after every other node.
  net.zero_grad(/*set_to_none=*/true);
  Tensor l2 = loss_of(net, x);
  {
    ag::NoGradGuard no_grad;
    net.rnn->weights[0].w_hh.mul_(0.5);
  }
  CHECK_THROWS_AS(l2.backward(), ag::Error);
  for (const Tensor& p : net.parameters()) CHECK_FALSE(p.grad().defined());
}

TEST_CASE("a failed optimiser step updates no parameter") {
  ag::manual_seed(2);
  Net net;
  ag::optim::Adam opt(net.parameters(), ag::optim::AdamOptions(0.1));
  Tensor x = ag::randn({2, 4, 3});
  loss_of(net, x).backward();
  opt.step();  // Adam now keeps float32 state
  net.to(ag::kFloat64);  // a mistake: the optimiser was made before the conversion
  loss_of(net, x.to(ag::kFloat64)).backward();
  Snapshot before = values(net);
  CHECK_THROWS_WITH_AS(opt.step(),
                       "Adam: the state kept for parameter 0 'rnn.weight_ih_l0' (shape [5, 3]) is float32 "
                       "[5, 3] (was "
                       "the model converted with to() after the optimiser was made? make the "
                       "optimiser afterwards). Nothing was updated",
                       ag::Error);
  CHECK(values(net) == before);
}

TEST_CASE("failed loads and saves keep the model and the previous checkpoint") {
  const auto dir = std::filesystem::temp_directory_path() / "ag_state_intact_test";
  std::filesystem::create_directories(dir);
  const std::string good = (dir / "good.safetensors").string();
  const std::string bad = (dir / "bad.safetensors").string();
  ag::manual_seed(3);
  Net net;
  net.save(good);
  const std::string saved = bytes_of(good);
  Snapshot before = values(net);

  std::ofstream(bad, std::ios::binary) << std::string("\x10\0\0\0\0\0\0\0{\"a\":", 13);
  CHECK_THROWS_AS(net.load(bad), ag::Error);  // malformed file
  CHECK(values(net) == before);

  Net other;
  ag::nn::Linear wrong(5, 3);  // same names, wrong shapes
  wrong.save(bad);
  CHECK_THROWS_AS(other.head->load(bad), ag::Error);

  // A save that fails (an undefined tensor) leaves the old checkpoint byte for byte.
  CHECK_THROWS_AS(ag::save_safetensors(good, {{"x", Tensor()}}), ag::Error);
  CHECK(bytes_of(good) == saved);
  net.load(good);
  CHECK(values(net) == before);
  std::filesystem::remove_all(dir);
}
