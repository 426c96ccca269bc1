// SGD's update: PyTorch 1.13's _single_tensor_sgd, one fused loop per parameter that rounds
// exactly where PyTorch's kernels round.
//
// Which PyTorch op each line mirrors (T is the parameter's float or double; Python's double
// scalars are cast to T by the kernels, and its add/addcmul kernels fuse a*b+c into one fma on
// x86-64 CPUs with AVX2, the capability PyTorch 1.13 dispatches to there):
//   d = grad.add(param, alpha=wd)              fma(T(wd), p, g)
//   buf = clone(d)                             first step
//   buf.mul_(momentum).add_(d, alpha=1-damp)   fma(T(1 - damp), d, buf * T(momentum))
//   d = d.add(buf, alpha=momentum)             fma(T(momentum), buf, d)      (Nesterov)
//   param.add_(d, alpha=-lr)                   fma(T(-lr), d, p)
#include "ag/optim/sgd.hpp"

#include <array>
#include <cmath>

#include "ag/autograd.hpp"
#include "ag/factory.hpp"
#include "optim/update.hpp"

namespace ag::optim {
namespace {

void check(const SGDOptions& o) {
  detail::check_non_negative("SGD", "learning rate", o.lr());
  detail::check_non_negative("SGD", "momentum value", o.momentum());
  detail::check_non_negative("SGD", "weight_decay value", o.weight_decay());
  AG_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
           "SGD: Nesterov momentum requires a momentum and zero dampening (got momentum ",
           o.momentum(), ", dampening ", o.dampening(), ")");
}

}  // namespace

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Optimizer(std::move(params), "SGD"), options_(options) {
  check(options_);
  momentum_buffers_.resize(params_.size());
}

void SGD::set_lr(double lr) {
  detail::check_non_negative("SGD", "learning rate", lr);
  options_.lr(lr);
}

void SGD::step() {
  NoGradGuard no_grad;
  check_step([&](size_t i) { return std::array{&momentum_buffers_[i]}; });
  const SGDOptions& o = options_;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& param = params_[i];
    if (!param.grad().defined()) continue;
    Tensor& buffer = momentum_buffers_[i];
    // PyTorch clones the first (decayed) gradient into the buffer instead of blending it.
    const bool first = o.momentum() != 0 && !buffer.defined();
    if (first) buffer = zeros_like(param);
    detail::update_parameter(param, [&]<class T>(T* p, const T* g, int64_t n) {
      const T wd = static_cast<T>(o.weight_decay());
      const T momentum = static_cast<T>(o.momentum());
      const T keep = static_cast<T>(1 - o.dampening());
      const T neg_lr = static_cast<T>(-o.lr());
      T* buf = o.momentum() != 0 ? buffer.data_ptr<T>() : nullptr;
      for (int64_t k = 0; k < n; ++k) {
        T d = g[k];
        if (o.weight_decay() != 0) d = std::fma(wd, p[k], d);
        if (buf) {
          if (first) {
            buf[k] = d;
          } else {
            const T decayed = buf[k] * momentum;
            buf[k] = std::fma(keep, d, decayed);
          }
          d = o.nesterov() ? std::fma(momentum, buf[k], d) : buf[k];
        }
        p[k] = std::fma(neg_lr, d, p[k]);
      }
    });
  }
}

}  // namespace ag::optim
