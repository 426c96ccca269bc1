// The optimisers against PyTorch 1.13 (foreach=False): loss trajectories on a small
// least-squares problem, bit-exact steps from hand-set gradients, zero_grad, in-place updates,
// strided parameters, defaults, and the messages for bad options and parameters.
// PyTorch's numbers come from tests/reference/make_optim_cases.py (optim_cases.inc).
#include <ag/optim/adam.hpp>
#include <ag/optim/adamw.hpp>
#include <ag/optim/optimizer.hpp>
#include <ag/optim/rmsprop.hpp>
#include <ag/optim/sgd.hpp>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "support/check.hpp"

using ag::Tensor;
using ag::optim::Adam;
using ag::optim::AdamOptions;
using ag::optim::AdamW;
using ag::optim::AdamWOptions;
using ag::optim::Optimizer;
using ag::optim::RMSprop;
using ag::optim::RMSpropOptions;
using ag::optim::SGD;
using ag::optim::SGDOptions;
using test::check_close;
using test::f32;

namespace {

using Factory = std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)>;

/// An optimiser of type Opt with the given options, built later on the case's parameters.
template <class Opt, class Options>
Factory make(Options options) {
  return [options](std::vector<Tensor> params) -> std::unique_ptr<Optimizer> {
    return std::make_unique<Opt>(std::move(params), options);
  };
}

struct TrajectoryCase {
  std::string name;
  ag::Dtype dtype;
  Factory make;
  std::vector<double> losses, W, b;  // PyTorch's 5 losses, then W and b after the 5th step
};

struct FixedStep {
  double lr;                   // set before the step
  bool has_g1, has_g2;         // whether p1, p2 get a gradient this step
  std::vector<double> p1, p2;  // PyTorch's parameters after the step
};

struct FixedGradCase {
  std::string name;
  ag::Dtype dtype;
  Factory make;
  std::vector<FixedStep> steps;
};

#include "optim_cases.inc"

// The least-squares problem of make_optim_cases.py.
const std::vector<double> kW0 = {0.5, -0.3, 0.8, 0.2, -0.6, 0.4};
const std::vector<double> kB0 = {0.1, -0.2, 0.05};
const std::vector<double> kX = {1.0, 2.0, -1.5, 0.5, 0.3, -0.7, 2.0, 1.0};
const std::vector<double> kY = {0.5, -1.0, 0.2, 1.0, 0.3, -0.4, -0.2, 0.6, 0.9, 0.7, -0.5, 1.1};
// The fixed-gradient problem: make_optim_cases.py's formulas for the starting values of p1
// [4, 5] (salt 1) and p2 [8] (salt 2) and their gradients at step k, with the same double
// operations, so rounding them to the dtype gives what PyTorch was given.
std::vector<double> start_values(int n, int salt) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = ((13 * i + salt) % 17 - 8) / 4.0;
  return v;
}

std::vector<double> grad_values(int n, int k, int salt) {
  std::vector<double> g(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    g[static_cast<size_t>(i)] = ((37 * i + 11 * k + salt) % 23 - 11) / 7.0;
  if (salt == 1)
    g.back() = (k + 1) * 3e-8;  // tiny: eps matters
  else
    g.front() = 0.0;
  return g;
}

/// Every element of `t` is `expected` rounded to t's dtype: the same bits as PyTorch.
void check_exact(const Tensor& t, const std::vector<double>& expected) {
  std::vector<double> got = t.to_vector<double>();
  REQUIRE(got.size() == expected.size());
  const bool f32 = t.dtype() == ag::kFloat32;
  for (size_t i = 0; i < got.size(); ++i) {
    const double want = f32 ? static_cast<double>(static_cast<float>(expected[i])) : expected[i];
    char msg[96];
    std::snprintf(msg, sizeof msg, "element %zu: got %.17g, PyTorch %.17g", i, got[i], want);
    INFO(msg);
    CHECK(got[i] == want);
  }
}

Tensor leaf(const std::vector<double>& values, const ag::Shape& shape, ag::Dtype dtype) {
  return ag::from_vector(values, shape, dtype).requires_grad_();
}

uint32_t version(const Tensor& t) { return t.impl().storage->version; }

}  // namespace

TEST_CASE("optimisers follow PyTorch's loss trajectory on a least-squares problem") {
  REQUIRE(kTrajectoryCases.size() == 16);
  for (const TrajectoryCase& c : kTrajectoryCases) {
    const std::string label = c.name + " in " + ag::dtype_name(c.dtype);
    INFO(label);
    Tensor W = leaf(kW0, {3, 2}, c.dtype), b = leaf(kB0, {3}, c.dtype);
    const Tensor x = ag::from_vector(kX, {4, 2}, c.dtype), y = ag::from_vector(kY, {4, 3}, c.dtype);
    std::unique_ptr<Optimizer> opt = c.make({W, b});
    std::vector<double> losses;
    for (int i = 0; i < 5; ++i) {
      opt->zero_grad();
      Tensor loss = (ag::matmul(x, W.t()) + b - y).pow(2.0).mean();
      loss.backward();
      opt->step();
      losses.push_back(loss.item<double>());
    }
    // The forward and backward passes are ag's own, so agreement is to rounding, not bits.
    const double rtol = c.dtype == ag::kFloat32 ? 1e-6 : 1e-12;
    const double atol = c.dtype == ag::kFloat32 ? 1e-7 : 1e-14;
    check_close(ag::from_vector(losses), c.losses, rtol, atol);
    check_close(W, c.W, rtol, atol);
    check_close(b, c.b, rtol, atol);
  }
}

TEST_CASE("given PyTorch's gradients, every step gives PyTorch's parameters bit for bit") {
  // Also covers: a parameter without a gradient is skipped (p2 until step 3, p1 at step 4) and
  // gets its state (Adam's step count, SGD's first momentum copy) from its first gradient;
  // set_lr between steps acts as param_groups[0]['lr'] = ...
  REQUIRE(kFixedGradCases.size() == 16);
  for (const FixedGradCase& c : kFixedGradCases) {
    const std::string label = c.name + " in " + ag::dtype_name(c.dtype);
    INFO(label);
    Tensor p1 = leaf(start_values(20, 1), {4, 5}, c.dtype);
    Tensor p2 = leaf(start_values(8, 2), {8}, c.dtype);
    std::unique_ptr<Optimizer> opt = c.make({p1, p2});
    REQUIRE(c.steps.size() == 6);
    for (int k = 0; k < 6; ++k) {
      const FixedStep& s = c.steps[static_cast<size_t>(k)];
      INFO("after step ", k + 1);
      opt->set_lr(s.lr);
      CHECK(opt->lr() == s.lr);
      p1.set_grad(s.has_g1 ? ag::from_vector(grad_values(20, k, 1), {4, 5}, c.dtype) : Tensor());
      p2.set_grad(s.has_g2 ? ag::from_vector(grad_values(8, k, 2), {8}, c.dtype) : Tensor());
      opt->step();
      check_exact(p1, s.p1);
      check_exact(p2, s.p2);
    }
  }
}

TEST_CASE("zero_grad zeroes gradients in place, or drops them with set_to_none") {
  Tensor w = f32({1, 2}, {2});
  Tensor unused = f32({3}, {1});
  SGD opt({w, unused}, 0.5);
  (w * w).sum().backward();
  const Tensor g = w.grad();
  opt.zero_grad();
  CHECK(w.grad().is_same(g));  // the same buffer, reused by the next backward
  check_close(g, {0, 0}, 0, 0);
  CHECK_FALSE(unused.grad().defined());
  (w * w).sum().backward();
  CHECK(w.grad().is_same(g));
  check_close(g, {2, 4}, 0, 0);

  opt.zero_grad(/*set_to_none=*/true);
  CHECK_FALSE(w.grad().defined());
  opt.step();  // nothing has a gradient: nothing moves
  check_close(w, {1, 2}, 0, 0);
}

TEST_CASE("step updates parameters in place and bumps their version as an in-place op") {
  Tensor w = f32({1, -2}, {2});
  Tensor idle = f32({5}, {1});  // no gradient: untouched
  Adam opt({w, idle}, AdamOptions(0.1));
  CHECK(opt.parameters().size() == 2);
  CHECK(opt.parameters()[0].is_same(w));
  Tensor loss = (w * w).sum();  // saves w for backward
  loss.backward(Tensor(), /*retain_graph=*/true);
  const float* data = w.data_ptr<float>();
  const uint32_t before = version(w), idle_before = version(idle);
  opt.step();
  CHECK(w.data_ptr<float>() == data);
  CHECK(version(w) == before + 1);
  CHECK(version(idle) == idle_before);
  check_close(w, {0.9, -1.9}, 1e-6, 0);  // Adam's first step moves each weight by lr
  // As in PyTorch, the graph that saved w before the step can no longer be backpropagated.
  CHECK_THROWS_AS(loss.backward(), ag::Error);
}

TEST_CASE("strided parameters and gradients are updated in place like dense ones") {
  // A [2, 3] leaf viewing a [3, 2] buffer transposed, and a transposed gradient.
  Tensor base = ag::from_vector(std::vector<float>{0.5, 0.0, -1.25, -0.75, 2.0, 1.5}, {3, 2});
  Tensor strided = base.t().detach().requires_grad_();
  REQUIRE_FALSE(strided.is_contiguous());
  Tensor dense = leaf(strided.to_vector<double>(), {2, 3}, ag::kFloat32);
  const std::vector<double> g = {0.3, -0.2, 0.1, 0.7, -0.4, 0.05};
  auto opt_strided = std::make_unique<RMSprop>(std::vector<Tensor>{strided},
                                               RMSpropOptions(0.01).momentum(0.9).centered(true));
  auto opt_dense = std::make_unique<RMSprop>(std::vector<Tensor>{dense},
                                             RMSpropOptions(0.01).momentum(0.9).centered(true));
  for (int step = 0; step < 3; ++step) {
    strided.set_grad(ag::from_vector(g, {3, 2}, ag::kFloat32).t());
    dense.set_grad(ag::from_vector(g, {3, 2}, ag::kFloat32).t().contiguous());
    opt_strided->step();
    opt_dense->step();
  }
  check_exact(strided, dense.to_vector<double>());
  check_exact(base.t(), dense.to_vector<double>());  // written through to the viewed buffer
  CHECK(dense.to_vector<double>() != std::vector<double>{0.5, -1.25, 2.0, 0.0, -0.75, 1.5});
}

TEST_CASE("options default as in PyTorch 1.13") {
  const SGDOptions sgd(0.1);
  CHECK(sgd.lr() == 0.1);
  CHECK(sgd.momentum() == 0);
  CHECK(sgd.dampening() == 0);
  CHECK(sgd.weight_decay() == 0);
  CHECK_FALSE(sgd.nesterov());

  const AdamOptions adam;
  CHECK(adam.lr() == 1e-3);
  CHECK(adam.betas() == std::tuple<double, double>{0.9, 0.999});
  CHECK(adam.eps() == 1e-8);
  CHECK(adam.weight_decay() == 0);
  CHECK_FALSE(adam.amsgrad());

  const AdamWOptions adamw;
  CHECK(adamw.lr() == 1e-3);
  CHECK(adamw.betas() == std::tuple<double, double>{0.9, 0.999});
  CHECK(adamw.eps() == 1e-8);
  CHECK(adamw.weight_decay() == 1e-2);
  CHECK_FALSE(adamw.amsgrad());

  const RMSpropOptions rmsprop;
  CHECK(rmsprop.lr() == 1e-2);
  CHECK(rmsprop.alpha() == 0.99);
  CHECK(rmsprop.eps() == 1e-8);
  CHECK(rmsprop.weight_decay() == 0);
  CHECK(rmsprop.momentum() == 0);
  CHECK_FALSE(rmsprop.centered());

  // The optimisers keep what they were given.
  Tensor w = f32({1}, {1});
  CHECK(Adam({w}).options().betas() == std::tuple<double, double>{0.9, 0.999});
  CHECK(SGD({w}, SGDOptions(0.1).momentum(0.8)).options().momentum() == 0.8);
  CHECK(RMSprop({w}, RMSpropOptions().centered(true)).options().centered());
  CHECK(AdamW({w}).lr() == 1e-3);
}

TEST_CASE("invalid options are refused with PyTorch's checks") {
  Tensor w = f32({1, 2}, {2});
  CHECK_THROWS_WITH_AS(SGD({w}, -0.1), "SGD: invalid learning rate: -0.1 (must be >= 0)",
                       ag::Error);
  CHECK_THROWS_WITH_AS(SGD({w}, SGDOptions(0.1).momentum(-0.5)),
                       "SGD: invalid momentum value: -0.5 (must be >= 0)", ag::Error);
  CHECK_THROWS_WITH_AS(SGD({w}, SGDOptions(0.1).weight_decay(-1)),
                       "SGD: invalid weight_decay value: -1 (must be >= 0)", ag::Error);
  CHECK_THROWS_WITH_AS(SGD({w}, SGDOptions(0.1).nesterov(true)),
                       "SGD: Nesterov momentum requires a momentum and zero dampening (got "
                       "momentum 0, dampening 0)",
                       ag::Error);
  CHECK_THROWS_WITH_AS(SGD({w}, SGDOptions(0.1).nesterov(true).momentum(0.9).dampening(0.1)),
                       "SGD: Nesterov momentum requires a momentum and zero dampening (got "
                       "momentum 0.9, dampening 0.1)",
                       ag::Error);
  CHECK_NOTHROW(SGD({w}, SGDOptions(0.1).nesterov(true).momentum(0.9)));
  CHECK_NOTHROW(SGD({w}, SGDOptions(0).dampening(-0.5)));  // PyTorch does not check dampening

  CHECK_THROWS_WITH_AS(Adam({w}, AdamOptions(NAN)),
                       "Adam: invalid learning rate: nan (must be >= 0)", ag::Error);
  CHECK_THROWS_WITH_AS(Adam({w}, AdamOptions().eps(-1e-8)),
                       "Adam: invalid epsilon value: -1e-08 (must be >= 0)", ag::Error);
  CHECK_THROWS_WITH_AS(Adam({w}, AdamOptions().betas({1.0, 0.999})),
                       "Adam: invalid beta parameter at index 0: 1 (must be in [0, 1))",
                       ag::Error);
  CHECK_THROWS_WITH_AS(Adam({w}, AdamOptions().betas({0.9, -0.1})),
                       "Adam: invalid beta parameter at index 1: -0.1 (must be in [0, 1))",
                       ag::Error);
  CHECK_THROWS_WITH_AS(Adam({w}, AdamOptions().weight_decay(-0.1)),
                       "Adam: invalid weight_decay value: -0.1 (must be >= 0)", ag::Error);
  CHECK_NOTHROW(Adam({w}, AdamOptions().betas({0.0, 0.0})));
  CHECK_THROWS_WITH_AS(AdamW({w}, AdamWOptions(-1)),
                       "AdamW: invalid learning rate: -1 (must be >= 0)", ag::Error);
  CHECK_THROWS_WITH_AS(AdamW({w}, AdamWOptions().betas({0.9, 1.5})),
                       "AdamW: invalid beta parameter at index 1: 1.5 (must be in [0, 1))",
                       ag::Error);

  CHECK_THROWS_WITH_AS(RMSprop({w}, RMSpropOptions().alpha(-0.5)),
                       "RMSprop: invalid alpha value: -0.5 (must be >= 0)", ag::Error);
  CHECK_THROWS_WITH_AS(RMSprop({w}, RMSpropOptions().momentum(-0.1)),
                       "RMSprop: invalid momentum value: -0.1 (must be >= 0)", ag::Error);
  CHECK_THROWS_WITH_AS(RMSprop({w}, RMSpropOptions().eps(-1)),
                       "RMSprop: invalid epsilon value: -1 (must be >= 0)", ag::Error);
  CHECK_THROWS_WITH_AS(RMSprop({w}, RMSpropOptions().weight_decay(-2)),
                       "RMSprop: invalid weight_decay value: -2 (must be >= 0)", ag::Error);
  CHECK_NOTHROW(RMSprop({w}, RMSpropOptions().alpha(1.5)));  // PyTorch allows alpha > 1

  SGD sgd({w}, 0.1);
  CHECK_THROWS_WITH_AS(sgd.set_lr(-1), "SGD: invalid learning rate: -1 (must be >= 0)",
                       ag::Error);
  CHECK(sgd.lr() == 0.1);
  sgd.set_lr(0.25);
  CHECK(sgd.lr() == 0.25);
  CHECK(sgd.options().lr() == 0.25);
}

TEST_CASE("parameters must be distinct leaves that require grad") {
  Tensor w = f32({1, 2}, {2});
  CHECK_THROWS_WITH_AS(Adam({}), "Adam: got an empty parameter list", ag::Error);
  CHECK_THROWS_WITH_AS(SGD({w, Tensor()}, 0.1), "SGD: parameter 1 is an undefined tensor",
                       ag::Error);
  CHECK_THROWS_WITH_AS(SGD({w, ag::zeros({3})}, 0.1),
                       "SGD: parameter 1 (shape [3]) does not require grad, so backward never "
                       "gives it a gradient; call requires_grad_() on it or leave it out",
                       ag::Error);
  CHECK_THROWS_WITH_AS(RMSprop({w * 2.0}),
                       "RMSprop: can't optimize a non-leaf tensor: parameter 0 (shape [2]) was "
                       "made by MulBackward0; pass the leaf it came from, or detach() it and call "
                       "requires_grad_()",
                       ag::Error);
  Tensor named = ag::zeros({2, 3}).set_name("fc.weight");
  CHECK_THROWS_WITH_AS(AdamW({w, named}),
                       "AdamW: parameter 1 'fc.weight' (shape [2, 3]) does not require grad, so "
                       "backward never gives it a gradient; call requires_grad_() on it or leave "
                       "it out",
                       ag::Error);
  Tensor same = w;  // another handle to the same tensor
  CHECK_THROWS_WITH_AS(AdamW({w, same}),
                       "AdamW: parameter 1 (shape [2]) is the same tensor as parameter 0; pass "
                       "each parameter once",
                       ag::Error);
  CHECK_NOTHROW(AdamW({w, w.detach().requires_grad_()}));  // shares data, but a distinct leaf
}
