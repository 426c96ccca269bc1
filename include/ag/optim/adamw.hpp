// ag::optim::AdamW: Adam with decoupled weight decay (Loshchilov & Hutter), updating exactly as
// PyTorch 1.13's torch.optim.AdamW (foreach=False).
//
//   ag::optim::AdamW opt(params, ag::optim::AdamWOptions(1e-3).weight_decay(0.05));
#pragma once

#include <tuple>
#include <vector>

#include "ag/optim/adam.hpp"
#include "ag/optim/optimizer.hpp"

namespace ag::optim {

/// AdamW's settings with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8,
/// weight_decay 1e-2 (not 0 as for Adam), amsgrad false.
///   ag::optim::AdamWOptions(3e-4).betas({0.9, 0.95}).weight_decay(0.1)
class AdamWOptions {
 public:
  AdamWOptions(double lr = 1e-3) : lr_(lr) {}  // implicit, as in libtorch

  AdamWOptions& lr(double v) { lr_ = v; return *this; }
  AdamWOptions& betas(std::tuple<double, double> v) { betas_ = v; return *this; }
  AdamWOptions& eps(double v) { eps_ = v; return *this; }
  AdamWOptions& weight_decay(double v) { weight_decay_ = v; return *this; }
  AdamWOptions& amsgrad(bool v) { amsgrad_ = v; return *this; }

  double lr() const { return lr_; }
  const std::tuple<double, double>& betas() const { return betas_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }
  bool amsgrad() const { return amsgrad_; }

 private:
  double lr_;
  std::tuple<double, double> betas_{0.9, 0.999};
  double eps_ = 1e-8;
  double weight_decay_ = 1e-2;
  bool amsgrad_ = false;
};

/// As Adam, except that the weight decay shrinks the parameter directly, p *= 1 - lr * wd,
/// before the Adam update, instead of being added to the gradient.
///   ag::optim::AdamW opt({W, b}, ag::optim::AdamWOptions(1e-3));
class AdamW : public Optimizer {
 public:
  /// Throws ag::Error on a negative lr, eps or weight_decay, betas outside [0, 1), and on
  /// parameters that are not leaves requiring grad.
  AdamW(std::vector<Tensor> params, AdamWOptions options = {});

  void step() override;
  double lr() const override { return options_.lr(); }
  void set_lr(double lr) override;
  const AdamWOptions& options() const { return options_; }

 private:
  AdamWOptions options_;
  std::vector<Adam::State> state_;
};

}  // namespace ag::optim
