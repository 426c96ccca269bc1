// RMSprop's update: PyTorch 1.13's _single_tensor_rmsprop, one fused loop per parameter that
// rounds where PyTorch's kernels round (T is the parameter's float or double; Python's double
// scalars reach the kernels cast to T; add/addcmul fuse a*b+c into one fma on AVX2 CPUs):
//   grad = grad.add(param, alpha=wd)                         g = fma(T(wd), p, g)
//   square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha)
//                                                            s = fma(T(1-alpha)*g, g, s*T(alpha))
//   grad_avg.mul_(alpha).add_(grad, alpha=1-alpha)           a = fma(T(1-alpha), g, a * T(alpha))
//   avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
//                                                            avg = sqrt(fma(-a, a, s))  (centered)
//   avg = square_avg.sqrt()                                  avg = sqrt(s)
//   avg = avg.add_(eps)                                      avg = avg + T(eps)
//   buf.mul_(momentum).addcdiv_(grad, avg)                   b = b * T(momentum) + g / avg
//   param.add_(buf, alpha=-lr)                               p = fma(T(-lr), b, p)
//   param.addcdiv_(grad, avg, value=-lr)                     p = p + (T(-lr) * g) / avg
#include "ag/optim/rmsprop.hpp"

#include <array>
#include <cmath>

#include "ag/autograd.hpp"
#include "ag/factory.hpp"
#include "optim/update.hpp"

namespace ag::optim {
namespace {

void check(const RMSpropOptions& o) {
  detail::check_non_negative("RMSprop", "learning rate", o.lr());
  detail::check_non_negative("RMSprop", "epsilon value", o.eps());
  detail::check_non_negative("RMSprop", "momentum value", o.momentum());
  detail::check_non_negative("RMSprop", "weight_decay value", o.weight_decay());
  detail::check_non_negative("RMSprop", "alpha value", o.alpha());
}

}  // namespace

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions options)
    : Optimizer(std::move(params), "RMSprop"), options_(options) {
  check(options_);
  state_.resize(params_.size());
}

void RMSprop::set_lr(double lr) {
  detail::check_non_negative("RMSprop", "learning rate", lr);
  options_.lr(lr);
}

void RMSprop::step() {
  NoGradGuard no_grad;
  check_step([&](size_t i) {
    return std::array{&state_[i].square_avg, &state_[i].momentum_buffer, &state_[i].grad_avg};
  });
  const RMSpropOptions& o = options_;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& param = params_[i];
    if (!param.grad().defined()) continue;
    State& st = state_[i];
    if (!st.square_avg.defined()) {
      st.square_avg = zeros_like(param);
      if (o.momentum() > 0) st.momentum_buffer = zeros_like(param);
      if (o.centered()) st.grad_avg = zeros_like(param);
    }
    detail::update_parameter(param, [&]<class T>(T* p, const T* g, int64_t n) {
      const T wd = static_cast<T>(o.weight_decay());
      const T alpha = static_cast<T>(o.alpha()), keep = static_cast<T>(1 - o.alpha());
      const T eps = static_cast<T>(o.eps());
      const T momentum = static_cast<T>(o.momentum());
      const T neg_lr = static_cast<T>(-o.lr());
      T* s = st.square_avg.data_ptr<T>();
      T* a = o.centered() ? st.grad_avg.data_ptr<T>() : nullptr;
      T* b = o.momentum() > 0 ? st.momentum_buffer.data_ptr<T>() : nullptr;
      for (int64_t k = 0; k < n; ++k) {
        T grad = g[k];
        if (o.weight_decay() != 0) grad = std::fma(wd, p[k], grad);
        s[k] = std::fma(keep * grad, grad, s[k] * alpha);
        T avg;
        if (a) {
          a[k] = std::fma(keep, grad, a[k] * alpha);
          avg = std::sqrt(std::fma(-a[k], a[k], s[k]));
        } else {
          avg = std::sqrt(s[k]);
        }
        avg = avg + eps;
        if (b) {
          const T decayed = b[k] * momentum;
          b[k] = decayed + grad / avg;
          p[k] = std::fma(neg_lr, b[k], p[k]);
        } else {
          p[k] = p[k] + (neg_lr * grad) / avg;
        }
      }
    });
  }
}

}  // namespace ag::optim
