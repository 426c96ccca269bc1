// ag::optim::Adam: Adam (and AMSGrad) with L2 weight decay added to the gradient, updating
// exactly as PyTorch 1.13's torch.optim.Adam (foreach=False).
//
//   ag::optim::Adam opt(params, ag::optim::AdamOptions(1e-3).betas({0.9, 0.98}));
#pragma once

#include <tuple>
#include <vector>

#include "ag/optim/optimizer.hpp"

namespace ag::optim {

/// Adam's settings with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8,
/// weight_decay 0, amsgrad false.
///   ag::optim::AdamOptions().betas({0.9, 0.98}).eps(1e-6).amsgrad(true)
class AdamOptions {
 public:
  AdamOptions(double lr = 1e-3) : lr_(lr) {}  // implicit, as in libtorch: Adam(params, 1e-3)

  AdamOptions& lr(double v) { lr_ = v; return *this; }
  AdamOptions& betas(std::tuple<double, double> v) { betas_ = v; return *this; }
  AdamOptions& eps(double v) { eps_ = v; return *this; }
  AdamOptions& weight_decay(double v) { weight_decay_ = v; return *this; }
  AdamOptions& amsgrad(bool v) { amsgrad_ = v; return *this; }

  double lr() const { return lr_; }
  const std::tuple<double, double>& betas() const { return betas_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }
  bool amsgrad() const { return amsgrad_; }

 private:
  double lr_;
  std::tuple<double, double> betas_{0.9, 0.999};
  double eps_ = 1e-8;
  double weight_decay_ = 0;
  bool amsgrad_ = false;
};

/// Per parameter: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2 (g including weight_decay * p),
/// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps); AMSGrad uses the running
/// maximum of v instead.
///   ag::optim::Adam opt({W, b}, ag::optim::AdamOptions(1e-3));
class Adam : public Optimizer {
 public:
  /// Throws ag::Error on a negative lr, eps or weight_decay, betas outside [0, 1), and on
  /// parameters that are not leaves requiring grad.
  Adam(std::vector<Tensor> params, AdamOptions options = {});

  void step() override;
  double lr() const override { return options_.lr(); }
  void set_lr(double lr) override;
  const AdamOptions& options() const { return options_; }

  /// Adam's state for one parameter (undefined tensors until its first step).
  struct State {
    float step = 0;  // PyTorch keeps the step count in a float32 tensor
    Tensor exp_avg, exp_avg_sq, max_exp_avg_sq;
  };

 private:
  AdamOptions options_;
  std::vector<State> state_;
};

}  // namespace ag::optim
