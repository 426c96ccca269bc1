// Gradient clipping with PyTorch 1.13's arithmetic (torch/nn/utils/clip_grad.py): per-parameter
// norms rounded to the gradient's dtype, their norm rounded to the promoted dtype, then
// clip_coef = max_norm / (total_norm + 1e-6) evaluated as Python does it on a tensor
// (reciprocal, then multiply), clamped to 1 and multiplied into each gradient.
#include "ag/nn/utils.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "ag/autograd.hpp"
#include "kernels/elementwise.hpp"

namespace ag::nn::utils {
namespace {

/// How Python's repr prints a float ("2.0", "inf", "0.5", "1e-05"), for the error message that
/// echoes PyTorch's f'{norm_type}'.
std::string python_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  const double a = std::fabs(v);
  const bool fixed = a == 0 || (a >= 1e-4 && a < 1e16);  // Python's repr switches at these
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v,
                         fixed ? std::chars_format::fixed : std::chars_format::scientific);
  std::string s(buf, r.ptr);
  if (fixed && s.find('.') == std::string::npos) s += ".0";
  return s;
}

double round_to(Dtype d, double x) {
  return d == kFloat32 ? static_cast<double>(static_cast<float>(x)) : x;
}

/// Folds |x| of each value into a norm_type-norm accumulated in double: max for inf, min for
/// -inf, the count of non-zeros for 0, sum |x|^p otherwise; NaN propagates as in PyTorch.
class NormAccumulator {
 public:
  explicit NormAccumulator(double p) : p_(p) {
    if (std::isinf(p)) acc_ = p > 0 ? 0.0 : INFINITY;
  }
  void add(double x) {
    const double a = std::fabs(x);
    if (std::isnan(acc_)) return;
    if (std::isnan(a)) {
      acc_ = a;
    } else if (p_ == INFINITY) {
      acc_ = std::max(acc_, a);
    } else if (p_ == -INFINITY) {
      acc_ = std::min(acc_, a);
    } else if (p_ == 0) {
      acc_ += a != 0;
    } else if (p_ == 1) {
      acc_ += a;
    } else if (p_ == 2) {
      acc_ += a * a;
    } else {
      acc_ += std::pow(a, p_);
    }
  }
  double result() const {
    if (std::isinf(p_) || p_ == 0 || p_ == 1) return acc_;
    if (p_ == 2) return std::sqrt(acc_);
    return std::pow(acc_, 1 / p_);
  }

 private:
  double p_;
  double acc_ = 0;
};

/// Runs f(x) -> new x over every element of `t` in place, through a contiguous copy when `t`
/// is strided, and bumps its version as an in-place op would.
template <class F>
void modify(const Tensor& t, F f) {
  const Tensor work = t.contiguous();
  kernels::dispatch_floating(t.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* x = work.data_ptr<T>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) x[i] = f(x[i]);
  });
  if (!work.is_same(t)) kernels::copy(t, work);
  ++t.impl().storage->version;
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;

  // torch.norm of each gradient (in its dtype), then of the stacked norms (promoted dtype).
  Dtype total_dtype = grads[0].dtype();
  NormAccumulator total(norm_type);
  for (const Tensor& g : grads) {
    total_dtype = promote_types(total_dtype, g.dtype());
    NormAccumulator one(norm_type);
    const Tensor dense = g.contiguous();
    kernels::dispatch_floating(g.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* x = dense.data_ptr<T>();
      for (int64_t i = 0, n = g.numel(); i < n; ++i) one.add(x[i]);
    });
    total.add(round_to(g.dtype(), one.result()));
  }
  const double total_norm = round_to(total_dtype, total.result());
  AG_CHECK(!error_if_nonfinite || std::isfinite(total_norm),
           "clip_grad_norm_: the total norm of order ", python_float(norm_type),
           " for gradients from `parameters` is non-finite (", python_float(total_norm),
           "), so it cannot be clipped. To disable this error and scale the gradients by the "
           "non-finite norm anyway, set error_if_nonfinite=false");

  // clip_coef = max_norm / (total_norm + 1e-6): a Python float divided by a tensor is
  // tensor.reciprocal() * max_norm, all in the total norm's dtype; then clamp(max=1.0),
  // which keeps NaN.
  const double coef = kernels::dispatch_floating(total_dtype, [&](auto zero) -> double {
    using T = decltype(zero);
    const T shifted = static_cast<T>(total_norm) + static_cast<T>(1e-6);
    const T reciprocal = T(1) / shifted;
    const T c = reciprocal * static_cast<T>(max_norm);
    return std::isnan(c) ? c : std::min(c, T(1));
  });
  for (const Tensor& g : grads)
    modify(g, [coef](auto x) { return x * static_cast<decltype(x)>(coef); });
  return total_norm;
}

double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{parameter}, max_norm, norm_type,
                         error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (const Tensor& p : parameters) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    // PyTorch's clamp: min(max(x, lo), hi), so a negative clip_value sets every element to it.
    modify(g, [clip_value](auto x) {
      using T = decltype(x);
      const T lo = static_cast<T>(-clip_value), hi = static_cast<T>(clip_value);
      return std::isnan(x) ? x : std::min(std::max(x, lo), hi);
    });
  }
}

void clip_grad_value_(const Tensor& parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{parameter}, clip_value);
}

}  // namespace ag::nn::utils
