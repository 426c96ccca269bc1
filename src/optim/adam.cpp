// Adam's update: PyTorch 1.13's _single_tensor_adam (and _single_tensor_adamw, which differs
// only in the weight decay), one fused loop per parameter that rounds where PyTorch rounds.
//
// Scalars that PyTorch computes in Python stay double here: the step count's powers, the bias
// corrections, step_size = lr / bc1 and sqrt(bc2). They reach the tensor kernels cast to T (the
// parameter's float or double), as Python numbers do. Per element, the PyTorch line and its
// rounding (the add/addcmul kernels fuse a*b+c into one fma on AVX2 CPUs):
//   grad = grad.add(param, alpha=wd)                    g = fma(T(wd), p, g)          (Adam)
//   param.mul_(1 - lr * wd)                             p = p * T(1 - lr*wd)          (AdamW)
//   exp_avg.mul_(beta1).add_(grad, alpha=1-beta1)       m = fma(T(1-b1), g, m * T(b1))
//   exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
//                                                       v = fma(T(1-b2) * g, g, v * T(b2))
//   torch.maximum(max_exp_avg_sq, exp_avg_sq, out=...)  vmax = max(vmax, v), NaN wins (AMSGrad)
//   denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
//                                                       d = sqrt(v) / T(sqrt(bc2)) + T(eps)
//   param.addcdiv_(exp_avg, denom, value=-step_size)    p = p + (T(-step_size) * m) / d
#include "ag/optim/adam.hpp"

#include <array>
#include <cmath>

#include "ag/autograd.hpp"
#include "ag/factory.hpp"
#include "optim/adam_step.hpp"
#include "optim/update.hpp"

namespace ag::optim {
namespace detail {

void check_adam_options(const char* opt, double lr, double beta1, double beta2, double eps,
                        double weight_decay) {
  check_non_negative(opt, "learning rate", lr);
  check_non_negative(opt, "epsilon value", eps);
  check_betas(opt, beta1, beta2);
  check_non_negative(opt, "weight_decay value", weight_decay);
}

void adam_step(const Tensor& param, Adam::State& state, const AdamHyper& h) {
  if (!state.exp_avg.defined()) {
    state.exp_avg = zeros_like(param);
    state.exp_avg_sq = zeros_like(param);
    if (h.amsgrad) state.max_exp_avg_sq = zeros_like(param);
  }
  // PyTorch counts steps in a float32 tensor (step_t += 1) and reads it back with item().
  state.step += 1.0f;
  const double step = state.step;
  const double bias_correction1 = 1 - std::pow(h.beta1, step);
  const double bias_correction2 = 1 - std::pow(h.beta2, step);
  const double step_size = h.lr / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);

  update_parameter(param, [&]<class T>(T* p, const T* g, int64_t n) {
    const T wd = static_cast<T>(h.weight_decay);
    const T decay = static_cast<T>(1 - h.lr * h.weight_decay);
    const T beta1 = static_cast<T>(h.beta1), keep1 = static_cast<T>(1 - h.beta1);
    const T beta2 = static_cast<T>(h.beta2), keep2 = static_cast<T>(1 - h.beta2);
    const T bc2_sqrt = static_cast<T>(bias_correction2_sqrt);
    const T eps = static_cast<T>(h.eps);
    const T neg_step_size = static_cast<T>(-step_size);
    T* m = state.exp_avg.data_ptr<T>();
    T* v = state.exp_avg_sq.data_ptr<T>();
    T* vmax = h.amsgrad ? state.max_exp_avg_sq.data_ptr<T>() : nullptr;
    const bool l2 = !h.decoupled && h.weight_decay != 0;
    for (int64_t k = 0; k < n; ++k) {
      T grad = g[k];
      if (l2) grad = std::fma(wd, p[k], grad);
      if (h.decoupled) p[k] = p[k] * decay;
      m[k] = std::fma(keep1, grad, m[k] * beta1);
      v[k] = std::fma(keep2 * grad, grad, v[k] * beta2);
      T second = v[k];
      if (vmax) {
        const T a = vmax[k], b = v[k];
        vmax[k] = (std::isnan(a) || std::isnan(b)) ? a + b : (a < b ? b : a);
        second = vmax[k];
      }
      const T scaled = std::sqrt(second) / bc2_sqrt;
      const T denom = scaled + eps;
      const T numer = neg_step_size * m[k];
      p[k] = p[k] + numer / denom;
    }
  });
}

}  // namespace detail

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Optimizer(std::move(params), "Adam"), options_(options) {
  const auto [beta1, beta2] = options_.betas();
  detail::check_adam_options("Adam", options_.lr(), beta1, beta2, options_.eps(),
                             options_.weight_decay());
  state_.resize(params_.size());
}

void Adam::set_lr(double lr) {
  detail::check_non_negative("Adam", "learning rate", lr);
  options_.lr(lr);
}

void Adam::step() {
  NoGradGuard no_grad;
  check_step([&](size_t i) {
    return std::array{&state_[i].exp_avg, &state_[i].exp_avg_sq, &state_[i].max_exp_avg_sq};
  });
  const auto [beta1, beta2] = options_.betas();
  const detail::AdamHyper h{options_.lr(),  beta1, beta2, options_.eps(), options_.weight_decay(),
                            options_.amsgrad(), /*decoupled=*/false};
  for (size_t i = 0; i < params_.size(); ++i)
    if (params_[i].grad().defined()) detail::adam_step(params_[i], state_[i], h);
}

}  // namespace ag::optim
