// Graphs, saved tensors, retained grads and modules are freed when the last handle goes:
// 1,000 training steps leave nothing behind (LeakSanitizer checks this test under the asan
// preset), and the resident memory of a 20,000-step loop stops growing after warm-up.
#include <fstream>

#include "support/check.hpp"

using ag::Tensor;

#if defined(__SANITIZE_ADDRESS__)
#define AG_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AG_UNDER_ASAN 1
#endif
#endif

namespace {

struct Net : ag::nn::Module {
  std::shared_ptr<ag::nn::RNN> rnn;
  std::shared_ptr<ag::nn::Linear> head;
  Net() {
    rnn = register_module("rnn", std::make_shared<ag::nn::RNN>(ag::nn::RNNOptions(4, 8).num_layers(2)));
    head = register_module("head", std::make_shared<ag::nn::Linear>(8, 4));
  }
};

// One training step, with every feature that keeps things alive across nodes: retain_grad,
// a retained graph backpropagated twice, a detached state.
void train_step(Net& net, ag::optim::Optimizer& opt, const Tensor& x, const Tensor& y) {
  opt.zero_grad();
  auto [out, h] = net.rnn->forward(x);
  out.retain_grad();
  Tensor loss = ag::nn::functional::mse_loss(net.head->forward(out), y);
  loss.backward(Tensor(), /*retain_graph=*/true);
  loss.backward();
  Tensor kept = h.detach();
  opt.step();
}

[[maybe_unused]] long resident_kib() {  // (unused when the RSS test is compiled out)
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4;  // 4 KiB pages
}

}  // namespace

TEST_CASE("1,000 training steps free everything they make") {
  ag::manual_seed(0);
  auto net = std::make_shared<Net>();
  ag::optim::Adam opt(net->parameters(), ag::optim::AdamOptions(1e-3));
  Tensor x = ag::randn({6, 3, 4}), y = ag::randn({6, 3, 4});
  for (int step = 0; step < 1000; ++step) train_step(*net, opt, x, y);
  CHECK(net->head->weight.grad().defined());
}

TEST_CASE("resident memory stops growing after warm-up over 20,000 steps") {
#ifdef AG_UNDER_ASAN
  MESSAGE("skipped under AddressSanitizer, whose quarantine holds freed memory on purpose");
#else
  ag::manual_seed(1);
  Net net;
  ag::optim::SGD opt(net.parameters(), ag::optim::SGDOptions(1e-3).momentum(0.9));
  Tensor x = ag::randn({6, 3, 4}), y = ag::randn({6, 3, 4});
  for (int step = 0; step < 2000; ++step) train_step(net, opt, x, y);
  const long warm = resident_kib();
  for (int step = 0; step < 18000; ++step) train_step(net, opt, x, y);
  const long end = resident_kib();
  CAPTURE(warm);
  CAPTURE(end);
  CHECK(end - warm < 256);  // KiB: no per-step growth (18,000 steps would show megabytes)
#endif
}
