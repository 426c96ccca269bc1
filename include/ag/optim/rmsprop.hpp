// ag::optim::RMSprop: RMSprop with optional centering, momentum and weight decay, updating
// exactly as PyTorch 1.13's torch.optim.RMSprop (foreach=False).
//
//   ag::optim::RMSprop opt(params, ag::optim::RMSpropOptions(1e-3).momentum(0.9));
#pragma once

#include <vector>

#include "ag/optim/optimizer.hpp"

namespace ag::optim {

/// RMSprop's settings with PyTorch's defaults: lr 1e-2, alpha 0.99, eps 1e-8,
/// weight_decay 0, momentum 0, centered false.
///   ag::optim::RMSpropOptions(1e-3).alpha(0.9).centered(true)
class RMSpropOptions {
 public:
  RMSpropOptions(double lr = 1e-2) : lr_(lr) {}  // implicit, as in libtorch

  RMSpropOptions& lr(double v) { lr_ = v; return *this; }
  RMSpropOptions& alpha(double v) { alpha_ = v; return *this; }
  RMSpropOptions& eps(double v) { eps_ = v; return *this; }
  RMSpropOptions& weight_decay(double v) { weight_decay_ = v; return *this; }
  RMSpropOptions& momentum(double v) { momentum_ = v; return *this; }
  RMSpropOptions& centered(bool v) { centered_ = v; return *this; }

  double lr() const { return lr_; }
  double alpha() const { return alpha_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }
  double momentum() const { return momentum_; }
  bool centered() const { return centered_; }

 private:
  double lr_;
  double alpha_ = 0.99;
  double eps_ = 1e-8;
  double weight_decay_ = 0;
  double momentum_ = 0;
  bool centered_ = false;
};

/// Per parameter: s = alpha s + (1 - alpha) g^2 (g including weight_decay * p);
/// avg = sqrt(s) + eps, or sqrt(s - a^2) + eps when centered (a = alpha a + (1 - alpha) g);
/// p -= lr * g / avg, or through a momentum buffer b = momentum b + g / avg, p -= lr * b.
///   ag::optim::RMSprop opt({W, b}, ag::optim::RMSpropOptions(1e-3));
class RMSprop : public Optimizer {
 public:
  /// Throws ag::Error on a negative lr, alpha, eps, momentum or weight_decay, and on
  /// parameters that are not leaves requiring grad.
  RMSprop(std::vector<Tensor> params, RMSpropOptions options = {});

  void step() override;
  double lr() const override { return options_.lr(); }
  void set_lr(double lr) override;
  const RMSpropOptions& options() const { return options_; }

 private:
  /// RMSprop's state for one parameter (undefined tensors until its first step).
  struct State {
    Tensor square_avg, momentum_buffer, grad_avg;
  };
  RMSpropOptions options_;
  std::vector<State> state_;
};

}  // namespace ag::optim
