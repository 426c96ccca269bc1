// ag::optim::SGD: stochastic gradient descent with optional momentum, dampening, Nesterov
// momentum and weight decay, updating exactly as PyTorch 1.13's torch.optim.SGD.
//
//   ag::optim::SGD opt(params, ag::optim::SGDOptions(0.1).momentum(0.9).nesterov(true));
#pragma once

#include <vector>

#include "ag/optim/optimizer.hpp"

namespace ag::optim {

/// SGD's settings, libtorch style: the learning rate is required, the rest default as in
/// PyTorch (momentum 0, dampening 0, weight_decay 0, nesterov false).
///   ag::optim::SGDOptions(0.01).momentum(0.9).weight_decay(1e-4)
class SGDOptions {
 public:
  SGDOptions(double lr) : lr_(lr) {}  // implicit, as in libtorch: SGD(params, 0.1)

  SGDOptions& lr(double v) { lr_ = v; return *this; }
  SGDOptions& momentum(double v) { momentum_ = v; return *this; }
  SGDOptions& dampening(double v) { dampening_ = v; return *this; }
  SGDOptions& weight_decay(double v) { weight_decay_ = v; return *this; }
  SGDOptions& nesterov(bool v) { nesterov_ = v; return *this; }

  double lr() const { return lr_; }
  double momentum() const { return momentum_; }
  double dampening() const { return dampening_; }
  double weight_decay() const { return weight_decay_; }
  bool nesterov() const { return nesterov_; }

 private:
  double lr_;
  double momentum_ = 0;
  double dampening_ = 0;
  double weight_decay_ = 0;
  bool nesterov_ = false;
};

/// p -= lr * d, where d is the gradient plus weight_decay * p, run through the momentum buffer
/// (b = momentum * b + (1 - dampening) * d; the first step sets b = d) when momentum != 0,
/// and d + momentum * b with Nesterov.
///   ag::optim::SGD opt({W, b}, ag::optim::SGDOptions(0.1).momentum(0.9));
///   opt.zero_grad(); loss.backward(); opt.step();
class SGD : public Optimizer {
 public:
  /// Throws ag::Error on a negative lr, momentum or weight_decay, on Nesterov without
  /// momentum or with dampening, and on parameters that are not leaves requiring grad.
  SGD(std::vector<Tensor> params, SGDOptions options);

  void step() override;
  double lr() const override { return options_.lr(); }
  void set_lr(double lr) override;
  const SGDOptions& options() const { return options_; }

 private:
  SGDOptions options_;
  std::vector<Tensor> momentum_buffers_;  // per parameter; undefined until its first step
};

}  // namespace ag::optim
