// The backward engine: accumulation, graph release, version checks, detach, no-grad mode,
// retain_grad, in-place history, deep chains, autograd::grad, and the misuse messages.
#include "support/check.hpp"

using ag::Tensor;
using test::check_close;
using test::f32;

TEST_CASE("gradients accumulate across backward calls, as in PyTorch") {
  Tensor x = f32({1, 2, 3}, {3});
  (x * x).sum().backward();
  check_close(x.grad(), {2, 4, 6});
  (x * 3.0).sum().backward();
  check_close(x.grad(), {5, 7, 9});
}

TEST_CASE("a value used several times gets the sum of its gradients (the BPTT case)") {
  // h_t = tanh(w * h_{t-1}) for 5 steps with one shared w, like Wh in an RNN.
  Tensor w = f32({0.5}, {1});
  Tensor h = ag::full({1}, 0.9);
  for (int t = 0; t < 5; ++t) h = ag::tanh(w * h);
  h.sum().backward();
  // PyTorch: w = torch.tensor([0.5], requires_grad=True); h = torch.tensor([0.9])
  //          for _ in range(5): h = torch.tanh(w * h);  h.sum().backward(); w.grad
  check_close(w.grad(), {0.24791947});
}

TEST_CASE("a second backward through freed saved tensors fails unless retain_graph") {
  Tensor x = f32({0.5, -1.0}, {2});
  Tensor y = ag::tanh(x).sum();
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();  // the saved output is still there
  check_close(x.grad(), {2 * (1 - std::pow(std::tanh(0.5), 2)), 2 * (1 - std::pow(std::tanh(-1.0), 2))});
  CHECK_THROWS_WITH_AS(y.backward(),
                       "TanhBackward0: trying to backward through the graph a second time (or to "
                       "use saved tensors after they were freed). Saved tensors are freed by "
                       "backward(); call backward(grad, /*retain_graph=*/true) to keep them.",
                       ag::Error);
}

TEST_CASE("nodes without saved tensors can be backpropagated twice, as in PyTorch") {
  Tensor a = f32({1, 2}, {2});
  Tensor y = (a + a).sum();
  y.backward();
  y.backward();
  check_close(a.grad(), {4, 4});
}

TEST_CASE("modifying a saved tensor in place makes backward fail, naming the op") {
  Tensor x = f32({0.5, -1.0}, {2});
  Tensor y = ag::tanh(x);  // saves its output
  Tensor z = y.sum();
  y.add_(1.0);
  CHECK_THROWS_WITH_AS(z.backward(),
                       "one of the tensors needed for gradient computation has been modified by "
                       "an in-place operation: the float32 tensor of shape [2] saved by "
                       "TanhBackward0 is at version 1; expected version 0 instead",
                       ag::Error);
}

TEST_CASE("in-place ops on a leaf that requires grad are refused outside NoGradGuard") {
  Tensor w = f32({1, 2}, {2});
  CHECK_THROWS_WITH_AS(w.add_(1.0),
                       "add_: a leaf tensor that requires grad (shape [2]) is being used in an "
                       "in-place operation; do it inside ag::NoGradGuard",
                       ag::Error);
  CHECK_THROWS_WITH_AS(w.zero_(),
                       "fill_: a leaf tensor that requires grad (shape [2]) is being used in an "
                       "in-place operation; do it inside ag::NoGradGuard",
                       ag::Error);
  {
    ag::NoGradGuard no_grad;
    w.mul_(3.0);
    w.add_(ag::ones({2}), 0.5);
  }
  check_close(w, {3.5, 6.5});
  CHECK(w.requires_grad());
  CHECK(w.is_leaf());
}

TEST_CASE("in-place ops on a non-leaf keep the history right") {
  Tensor x = f32({1, 2}, {2});
  Tensor y = x * 2.0;
  y.add_(1.0);  // y = 2x + 1
  CHECK(y.grad_fn_name() == "AddBackward0");
  y.mul_(y * 1.0);  // y = (2x + 1)^2 ; dy/dx = 4 (2x + 1)
  CHECK(y.grad_fn_name() == "MulBackward0");
  y.sum().backward();
  check_close(x.grad(), {12, 20});
  check_close(y, {9, 25});
}

TEST_CASE("y.mul_(y) on a non-leaf fails at backward, as in PyTorch") {
  Tensor x = f32({1, 2}, {2});
  Tensor y = x * 2.0;
  y.mul_(y);  // the saved `other` is y itself, which this very op overwrote
  CHECK_THROWS_WITH_AS(y.sum().backward(),
                       "one of the tensors needed for gradient computation has been modified by "
                       "an in-place operation: the float32 tensor of shape [2] saved by "
                       "MulBackward0 is at version 1; expected version 0 instead",
                       ag::Error);
}

TEST_CASE("copy_ into a non-leaf sends the gradient to the source only") {
  Tensor a = f32({1, 2}, {2});
  Tensor b = f32({5, 7}, {2});
  Tensor y = a * 3.0;
  y.copy_(b);
  (y * 2.0).sum().backward();
  CHECK_FALSE(a.grad().defined());
  check_close(b.grad(), {2, 2});
}

TEST_CASE("detach and NoGradGuard stop recording") {
  Tensor x = f32({1, 2}, {2});
  Tensor d = x.detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.is_leaf());
  d.add_(1.0);  // shares storage with x
  check_close(x, {2, 3});
  {
    ag::NoGradGuard no_grad;
    Tensor y = x * 2.0;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn_name().empty());
    CHECK_FALSE(ag::is_grad_enabled());
  }
  CHECK(ag::is_grad_enabled());
  CHECK((x * 2.0).requires_grad());
}

TEST_CASE("retain_grad keeps a non-leaf's gradient") {
  Tensor x = f32({0.5, 1.5}, {2});
  Tensor h = x * 2.0;
  h.retain_grad();
  CHECK(h.retains_grad());
  Tensor y = ag::tanh(h);
  y.retain_grad();
  (y * y).sum().backward();
  check_close(y.grad(), {2 * std::tanh(1.0), 2 * std::tanh(3.0)});
  check_close(h.grad(), {2 * std::tanh(1.0) * (1 - std::pow(std::tanh(1.0), 2)),
                         2 * std::tanh(3.0) * (1 - std::pow(std::tanh(3.0), 2))});
  Tensor plain = x * 3.0;  // not retained: no gradient kept
  plain.sum().backward();
  CHECK_FALSE(plain.grad().defined());
}

TEST_CASE("a 100,000-step chain backpropagates and is freed without recursion") {
  Tensor a = f32({1.0}, {1});
  Tensor y = a;
  for (int i = 0; i < 100000; ++i) y = y * 1.0 + 0.0;
  y.sum().backward();
  check_close(a.grad(), {1.0});
  y = Tensor();  // frees 200,000 nodes
  CHECK(a.grad().defined());
}

TEST_CASE("autograd::grad returns gradients without touching grad()") {
  Tensor x = f32({1, 2, 3}, {3});
  Tensor w = f32({0.5, 0.5, 0.5}, {3});
  Tensor unused = f32({1}, {1});
  Tensor y = (x * x * w).sum();
  std::vector<Tensor> g = ag::autograd::grad({y}, {x}, {}, /*retain_graph=*/true);
  check_close(g[0], {1, 2, 3});
  CHECK_FALSE(x.grad().defined());
  CHECK_FALSE(w.grad().defined());
  CHECK_THROWS_WITH_AS(ag::autograd::grad({y}, {unused}, {}, true),
                       "autograd::grad: input 0 of shape [1] was not used in the graph of the "
                       "outputs; pass allow_unused=true to get an undefined gradient instead",
                       ag::Error);
  std::vector<Tensor> g2 = ag::autograd::grad({y}, {w, unused}, {}, true, /*allow_unused=*/true);
  check_close(g2[0], {1, 4, 9});
  CHECK_FALSE(g2[1].defined());
}

TEST_CASE("backward misuse is reported clearly") {
  Tensor x = f32({1, 2}, {2});
  Tensor y = x * 2.0;
  CHECK_THROWS_WITH_AS(y.backward(),
                       "backward: grad can be implicitly created only for scalar outputs, but the "
                       "tensor has shape [2]; pass a gradient of that shape",
                       ag::Error);
  CHECK_THROWS_WITH_AS(y.backward(ag::ones({3})),
                       "backward: gradient of shape [3] does not match the tensor's shape [2]",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({1}).backward(),
                       "backward: element 0 of tensors does not require grad and does not have a "
                       "grad_fn",
                       ag::Error);
  y.backward(ag::from_vector(std::vector<float>{1, -1}, {2}));
  check_close(x.grad(), {2, -2});
}

TEST_CASE("requires_grad_ misuse is reported clearly") {
  Tensor x = f32({1, 2}, {2});
  Tensor y = x * 2.0;
  CHECK_THROWS_WITH_AS(y.requires_grad_(false),
                       "requires_grad_: you can only change requires_grad flags of leaf "
                       "variables; this tensor was made by MulBackward0. Use detach() to get a "
                       "leaf that does not require grad",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::from_vector(std::vector<int64_t>{1, 2}).requires_grad_(),
                       "requires_grad_: only float32 and float64 tensors can require gradients, "
                       "not int64 (shape [2])",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({2}).retain_grad(),
                       "retain_grad: can't retain_grad on a tensor that has requires_grad=false "
                       "(shape [2])",
                       ag::Error);
}

TEST_CASE("gradients flowing into float32 inputs of a float64 result come back as float32") {
  Tensor a = f32({1, 2}, {2});
  Tensor b = ag::from_vector(std::vector<double>{3, 4}).requires_grad_();
  Tensor y = a * b;
  CHECK(y.dtype() == ag::kFloat64);
  y.sum().backward();
  CHECK(a.grad().dtype() == ag::kFloat32);
  CHECK(b.grad().dtype() == ag::kFloat64);
  check_close(a.grad(), {3, 4});
  check_close(b.grad(), {1, 2});
}

TEST_CASE("a graph outliving its leaf does not write to freed memory") {
  Tensor y;
  {
    Tensor w = f32({1, 2}, {2});
    y = (w * w).sum();
  }
  y.backward();  // the leaf is gone; its gradient is dropped
  CHECK(y.defined());
}

TEST_CASE("DetectAnomalyGuard names the backward that produced NaN and its forward op") {
  Tensor x = f32({0.0, 1.0}, {2});
  {
    ag::DetectAnomalyGuard detect;
    CHECK(ag::is_anomaly_enabled());
    Tensor y = ag::sqrt(x).sum();  // d sqrt(x)/dx = 1 / (2 sqrt(x)) is inf at 0
    CHECK_THROWS_WITH_AS(y.backward(),
                         "anomaly detected: function 'SqrtBackward0' returned inf values in its "
                         "0th output (shape [2]); the node was created by the forward op sqrt of "
                         "[2] (float32)",
                         ag::Error);
    Tensor z = (ag::log(x) * 0.0).sum();  // -inf * 0 = nan in MulBackward0's other input
    CHECK_THROWS_WITH_AS(z.backward(),
                         "anomaly detected: function 'LogBackward0' returned nan values in its "
                         "0th output (shape [2]); the node was created by the forward op log of "
                         "[2] (float32)",
                         ag::Error);
  }
  CHECK_FALSE(ag::is_anomaly_enabled());
  Tensor y = ag::sqrt(x).sum();
  y.backward();  // without the guard the inf goes through, as in PyTorch
  CHECK(std::isinf(x.grad().to_vector<double>()[0]));
}

namespace {

// Weight gradients of a 4-step loop of RNNCells (float64), the loss a weighted sum of the states.
std::vector<Tensor> cell_loop_grads(ag::nn::RNNCell& cell, const Tensor& xs) {
  cell.zero_grad();
  Tensor h, loss = ag::zeros({}, ag::TensorOptions().dtype(ag::kFloat64));
  for (int64_t t = 0; t < xs.size(0); ++t) {
    h = cell.forward(xs.select(0, t), h);
    loss = loss + (h * static_cast<double>(t + 1)).sum();
  }
  loss.backward();
  return {cell.weight_ih.grad().clone(), cell.weight_hh.grad().clone()};
}

}  // namespace

TEST_CASE("a loop of cells sums its weight gradients in one deferred product") {
  ag::manual_seed(3);
  ag::nn::RNNCell cell(3, 4);
  cell.to(ag::kFloat64);
  const Tensor xs = ag::randn({4, 2, 3}, ag::TensorOptions().dtype(ag::kFloat64));
  const std::vector<Tensor> deferred = cell_loop_grads(cell, xs);
  std::vector<Tensor> per_step;
  {
    ag::DetectAnomalyGuard anomaly;  // defers nothing: each step's product is summed by itself
    per_step = cell_loop_grads(cell, xs);
  }
  // The same terms, added in another order: equal to rounding.
  for (size_t i = 0; i < 2; ++i)
    check_close(deferred[i], per_step[i].to_vector<double>(), 1e-12, 1e-14);
}

TEST_CASE("autograd::grad leaves no deferred weight gradient behind") {
  ag::manual_seed(4);
  ag::nn::RNNCell cell(3, 4);
  const Tensor xs = ag::randn({3, 2, 3});
  const std::vector<Tensor> want = cell_loop_grads(cell, xs);
  cell.zero_grad();
  Tensor x0 = xs.select(0, 0).detach().requires_grad_();
  Tensor h = cell.forward(x0);
  for (int64_t t = 1; t < 3; ++t) h = cell.forward(xs.select(0, t), h);
  ag::autograd::grad({h.sum()}, {x0});  // weights not asked for: their products are dropped
  const Tensor g = cell.weight_ih.grad();  // zeroed above, untouched since
  CHECK((!g.defined() || ag::abs(g).sum().item<double>() == 0));
  const std::vector<Tensor> again = cell_loop_grads(cell, xs);
  for (size_t i = 0; i < 2; ++i) CHECK(again[i].to_vector<float>() == want[i].to_vector<float>());
}
