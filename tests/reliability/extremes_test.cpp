// Numerical safety at the extremes: activations and softmaxes at ±1e4 and with float32
// subnormals stay finite and equal PyTorch's values and gradients. (The losses have the same
// checks in tests/ops/loss_test.cpp.)
#include "support/check.hpp"

using ag::Tensor;

namespace {
const std::vector<double> kInputs = {1e4, -1e4, 1e-40, -1e-40, 0.0, 20.0, -20.0, 88.0, -88.0, -104.0};
}

TEST_CASE("sigmoid and tanh at ±1e4, ±88 and on subnormals match PyTorch and stay finite") {
  Tensor x = test::f32(kInputs, {10});
  Tensor y = ag::sigmoid(x);
  y.sum().backward();
  // torch.sigmoid(x), x.grad (float32)
  test::check_close(y, {1.0, 0.0, 0.5, 0.5, 0.5, 1.0, 2.06115369216775e-09, 1.0, 6.054601485195952e-39, 0.0},
                    1e-6, 0);
  test::check_close(x.grad(), {0.0, 0.0, 0.25, 0.25, 0.25, 0.0, 2.06115369216775e-09, 0.0,
                               6.054601485195952e-39, 0.0},
                    1e-6, 0);
  Tensor x2 = test::f32(kInputs, {10});
  Tensor t = ag::tanh(x2);
  t.sum().backward();
  test::check_close(t, {1.0, -1.0, 9.99994610111476e-41, -9.99994610111476e-41, 0.0, 1.0, -1.0, 1.0,
                        -1.0, -1.0},
                    1e-6, 0);
  test::check_close(x2.grad(), {0, 0, 1, 1, 1, 0, 0, 0, 0, 0}, 0, 0);
}

TEST_CASE("softmax and log_softmax at ±1e4 and on subnormals match PyTorch") {
  const std::vector<double> z = {1e4, -1e4, 0.0, 1e-40, 2e-40, -1e-40, -1e4, -1e4, -1e4};
  Tensor w = ag::tensor({{1.0, 2.0, 3.0}, {-1.0, 0.5, 2.0}, {1.0, 1.0, -1.0}});
  Tensor a = test::f32(z, {3, 3});
  Tensor s = ag::softmax(a, 1);
  (s * w).sum().backward();
  const double third = 0.3333333432674408;
  test::check_close(s, {1, 0, 0, third, third, third, third, third, third}, 1e-6, 0);
  test::check_close(a.grad(), {0, 0, 0, -0.5, 0, 0.5, 0.2222222089767456, 0.2222222089767456,
                               -0.444444477558136},
                    1e-6, 1e-7);
  Tensor b = test::f32(z, {3, 3});
  Tensor l = ag::log_softmax(b, 1);
  (l * w).sum().backward();
  const double lt = -1.0986123085021973;
  test::check_close(l, {0, -20000, -10000, lt, lt, lt, lt, lt, lt}, 1e-6, 0);
  test::check_close(b.grad(), {-5, 2, 3, -1.5, 2.9802322387695312e-08, 1.5, 0.6666666865348816,
                               0.6666666865348816, -1.3333332538604736},
                    1e-6, 1e-7);
}
