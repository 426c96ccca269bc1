// Gradient clipping against PyTorch 1.13's torch.nn.utils.clip_grad_norm_ / clip_grad_value_:
// clipped values, the returned norm, 1-, 3- and inf-norms, float64, parameters without a
// gradient, non-finite norms and their error. PyTorch's numbers are printed by
// `/usr/bin/python3 tests/reference/make_optim_cases.py --clip`.
#include <ag/nn/utils.hpp>
#include <cmath>
#include <vector>

#include "support/check.hpp"

using ag::Tensor;
using ag::nn::utils::clip_grad_norm_;
using ag::nn::utils::clip_grad_value_;
using test::check_close;

namespace {

const std::vector<double> kG1 = {0.5123, -1.4871, 2.0339, 0.2468, -0.7531, 1.0092};
const std::vector<double> kG2 = {2.9876, -0.5012, 0.1234, -2.2468};

/// Two parameters, [2, 3] and [4], with the gradients kG1 and `g2` (as the generator makes).
std::vector<Tensor> params(ag::Dtype dtype = ag::kFloat32,
                           const std::vector<double>& g2 = kG2) {
  Tensor a = ag::zeros({2, 3}, ag::TensorOptions(dtype).requires_grad(true));
  Tensor b = ag::zeros({4}, ag::TensorOptions(dtype).requires_grad(true));
  a.set_grad(ag::from_vector(kG1, {2, 3}, dtype));
  b.set_grad(ag::from_vector(g2, {4}, dtype));
  return {a, b};
}

/// Norms are reductions, whose summation order may differ from PyTorch's by a rounding.
constexpr double kRtol = 1e-6;

}  // namespace

TEST_CASE("clip_grad_norm_ scales all gradients by max_norm / total 2-norm, as PyTorch") {
  std::vector<Tensor> ps = params();
  const Tensor g0 = ps[0].grad();
  const uint32_t version = g0.impl().storage->version;
  const double norm = clip_grad_norm_(ps, 1.0);
  CHECK(norm == doctest::Approx(4.74315453).epsilon(kRtol));
  CHECK(norm == static_cast<float>(norm));  // computed in float32, as PyTorch returns it
  check_close(ps[0].grad(), {0.108008265, -0.313525468, 0.428807348, 0.052032873, -0.158776149,
                             0.212769747}, kRtol, 0);
  check_close(ps[1].grad(), {0.629876018, -0.105668053, 0.0260164365, -0.473693073}, kRtol, 0);
  CHECK(ps[0].grad().is_same(g0));  // in place
  CHECK(g0.impl().storage->version == version + 1);
}

TEST_CASE("clip_grad_norm_ leaves gradients within max_norm unchanged and returns the norm") {
  std::vector<Tensor> ps = params();
  CHECK(clip_grad_norm_(ps, 100.0) == doctest::Approx(4.74315453).epsilon(kRtol));
  check_close(ps[0].grad(), kG1, 1e-7, 0);  // multiplied by exactly 1
  check_close(ps[1].grad(), kG2, 1e-7, 0);
}

TEST_CASE("clip_grad_norm_ with the inf-, 1- and 3-norms") {
  std::vector<Tensor> ps = params();
  CHECK(clip_grad_norm_(ps, 0.5, INFINITY) == static_cast<float>(2.9876));  // max |g|, exact
  check_close(ps[0].grad(), {0.0857376903, -0.248878613, 0.340390146, 0.0413040444, -0.126037568,
                             0.168898046}, kRtol, 0);
  check_close(ps[1].grad(), {0.499999821, -0.0838800073, 0.0206520222, -0.37602073}, kRtol, 0);

  ps = params();
  CHECK(clip_grad_norm_(ps, 2.0, 1.0) == doctest::Approx(11.9013996).epsilon(kRtol));
  check_close(ps[0].grad(), {0.0860907063, -0.249903351, 0.341791689, 0.0414741114, -0.126556531,
                             0.169593468}, kRtol, 0);
  check_close(ps[1].grad(), {0.502058566, -0.0842253789, 0.0207370557, -0.37756899}, kRtol, 0);

  ps = params();
  CHECK(clip_grad_norm_(ps, 2.0, 3.0) == doctest::Approx(3.71914458).epsilon(kRtol));
  check_close(ps[0].grad(), {0.275493383, -0.799699843, 1.09374583, 0.132718667, -0.404985487,
                             0.542705297}, kRtol, 0);
  check_close(ps[1].grad(), {1.60660565, -0.269524276, 0.0663593337, -1.20823455}, kRtol, 0);
}

TEST_CASE("clip_grad_norm_ in float64") {
  std::vector<Tensor> ps = params(ag::kFloat64);
  CHECK(clip_grad_norm_(ps, 1.0) == doctest::Approx(4.7431544777710961).epsilon(1e-14));
  check_close(ps[0].grad(), {0.10800826631151042, -0.31352545936335574, 0.42880736453441548,
                             0.052032871609761409, -0.15877615725004587, 0.21276974890020756},
              1e-14, 0);
  check_close(ps[1].grad(), {0.62987604222578275, -0.10566805206974238, 0.026016435804880705,
                             -0.47369309535175014},
              1e-14, 0);
}

TEST_CASE("clip_grad_norm_ skips parameters without a gradient") {
  std::vector<Tensor> ps = params();
  Tensor idle = ag::zeros({5}, ag::TensorOptions().requires_grad(true));
  ps.insert(ps.begin() + 1, idle);
  CHECK(clip_grad_norm_(ps, 1.0) == doctest::Approx(4.74315453).epsilon(kRtol));
  CHECK_FALSE(idle.grad().defined());
  check_close(ps[2].grad(), {0.629876018, -0.105668053, 0.0260164365, -0.473693073}, kRtol, 0);

  // With no gradient at all the norm is 0 and nothing happens, as PyTorch's torch.tensor(0.).
  CHECK(clip_grad_norm_({idle}, 1.0) == 0.0);
  CHECK_FALSE(idle.grad().defined());
}

TEST_CASE("clip_grad_norm_ of one tensor") {
  Tensor w = ag::zeros({2}, ag::TensorOptions().requires_grad(true));
  w.set_grad(ag::from_vector(std::vector<float>{3, 4}));
  CHECK(clip_grad_norm_(w, 1.0) == 5.0);
  // clip_coef = 1 / (5 + 1e-6) in float32: reciprocal, then times max_norm.
  const float coef = (1.0f / (5.0f + 1e-6f)) * 1.0f;
  check_close(w.grad(), {3 * coef, 4 * coef}, 1e-7, 0);
}

TEST_CASE("a non-finite total norm throws when asked, or scales by it as PyTorch does") {
  std::vector<Tensor> ps = params(ag::kFloat32, {3.0, INFINITY, 0.125, -2.25});
  CHECK_THROWS_WITH_AS(
      clip_grad_norm_(ps, 1.0, 2.0, /*error_if_nonfinite=*/true),
      "clip_grad_norm_: the total norm of order 2.0 for gradients from `parameters` is "
      "non-finite (inf), so it cannot be clipped. To disable this error and scale the gradients "
      "by the non-finite norm anyway, set error_if_nonfinite=false",
      ag::Error);
  check_close(ps[0].grad(), kG1, 1e-7, 0);  // untouched by the failed call

  // The coefficient is 1 / inf = 0: finite gradients become 0, inf becomes NaN.
  CHECK(clip_grad_norm_(ps, 1.0) == INFINITY);
  check_close(ps[0].grad(), {0, 0, 0, 0, 0, 0}, 0, 0);
  check_close(ps[1].grad(), {0, NAN, 0, 0}, 0, 0);

  ps = params(ag::kFloat32, {3.0, NAN, 0.125, -2.25});
  CHECK_THROWS_WITH_AS(
      clip_grad_norm_(ps, 1.0, INFINITY, /*error_if_nonfinite=*/true),
      "clip_grad_norm_: the total norm of order inf for gradients from `parameters` is "
      "non-finite (nan), so it cannot be clipped. To disable this error and scale the gradients "
      "by the non-finite norm anyway, set error_if_nonfinite=false",
      ag::Error);
  CHECK(std::isnan(clip_grad_norm_(ps, 1.0, INFINITY)));  // the max propagates NaN
  check_close(ps[0].grad(), std::vector<double>(6, NAN), 0, 0);
  check_close(ps[1].grad(), std::vector<double>(4, NAN), 0, 0);
}

TEST_CASE("clip_grad_value_ clamps every gradient element into [-clip, clip]") {
  std::vector<Tensor> ps = params();
  Tensor idle = ag::zeros({3}, ag::TensorOptions().requires_grad(true));
  ps.push_back(idle);
  const uint32_t version = ps[0].grad().impl().storage->version;
  clip_grad_value_(ps, 0.6);
  check_close(ps[0].grad(), {0.512300014, -0.600000024, 0.600000024, 0.246800005, -0.600000024,
                             0.600000024}, 1e-7, 0);
  check_close(ps[1].grad(), {0.600000024, -0.50120002, 0.123400003, -0.600000024}, 1e-7, 0);
  CHECK_FALSE(idle.grad().defined());
  CHECK(ps[0].grad().impl().storage->version == version + 1);

  // PyTorch's clamp is min(max(x, lo), hi): a negative clip_value sets everything to it.
  ps = params();
  clip_grad_value_(ps, -0.6);
  check_close(ps[0].grad(), std::vector<double>(6, -0.600000024), 1e-7, 0);

  Tensor w = ag::zeros({3}, ag::TensorOptions().requires_grad(true));
  w.set_grad(ag::from_vector(std::vector<float>{NAN, -5, 0.25}));
  clip_grad_value_(w, 1.0);
  check_close(w.grad(), {NAN, -1, 0.25}, 0, 0);
}

TEST_CASE("clipping a strided gradient writes through to it") {
  Tensor w = ag::zeros({2, 3}, ag::TensorOptions().requires_grad(true));
  Tensor storage = ag::from_vector(std::vector<float>{1, -4, 2, -5, 3, -6}, {3, 2});
  w.set_grad(storage.t());  // [[1, 2, 3], [-4, -5, -6]], not contiguous
  clip_grad_value_(w, 2.5);
  check_close(w.grad(), {1, 2, 2.5, -2.5, -2.5, -2.5}, 0, 0);
  check_close(storage, {1, -2.5, 2, -2.5, 2.5, -2.5}, 0, 0);
}
