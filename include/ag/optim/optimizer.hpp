// ag::optim::Optimizer: the base of ag's optimisers (SGD, Adam, AdamW, RMSprop), as in libtorch.
//
// An optimiser holds handles to the parameters (they share data with the model's tensors) and
// updates them in place from their grad() on step(). The update rules follow PyTorch 1.13's
// single-tensor (foreach=False) code path operation by operation, so trajectories agree with
// PyTorch's to float rounding.
//
//   ag::optim::SGD opt({W, b}, ag::optim::SGDOptions(0.1).momentum(0.9));
//   for (int i = 0; i < 100; ++i) {
//     opt.zero_grad();
//     loss(W, b).backward();
//     opt.step();
//   }
#pragma once

#include <vector>

#include "ag/tensor.hpp"

namespace ag::optim {

class Optimizer {
 public:
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// One update of every parameter that has a gradient; parameters whose grad() is undefined
  /// are skipped (and keep no state until they first get one), as in PyTorch.
  ///   opt.zero_grad(); loss.backward(); opt.step();
  virtual void step() = 0;

  /// Zeroes every defined gradient in place (PyTorch 1.13's default), or drops them
  /// (grad() becomes undefined) with set_to_none, so the next step skips parameters that
  /// receive no gradient.
  ///   opt.zero_grad();                           // grads are 0
  ///   opt.zero_grad(/*set_to_none=*/true);       // grads are undefined
  void zero_grad(bool set_to_none = false);

  /// The parameters, in the order given at construction.
  const std::vector<Tensor>& parameters() const { return params_; }

  /// The learning rate, and a way to change it between steps (what schedulers do).
  ///   opt.set_lr(opt.lr() * 0.5);
  virtual double lr() const = 0;
  virtual void set_lr(double lr) = 0;

 protected:
  /// Checks the parameters (defined, distinct leaves that require grad) and keeps them;
  /// `name` ("SGD") prefixes the error messages.
  Optimizer(std::vector<Tensor> params, const char* name);

  /// Called first by every step(): checks each gradient against its parameter, and each
  /// state tensor (`state_of(i)` returns parameter i's, as an array of pointers) against the
  /// parameter's dtype and shape, so a step either updates every parameter or throws before
  /// touching any.
  template <class StateOf>
  void check_step(StateOf&& state_of) const {
    for (size_t i = 0; i < params_.size(); ++i) {
      if (!check_gradient(i)) continue;
      for (const Tensor* s : state_of(i)) check_state(i, *s);
    }
  }
  /// False when parameter i has no gradient; throws when it does not match the parameter.
  bool check_gradient(size_t i) const;
  void check_state(size_t i, const Tensor& state) const;

  const char* name_;
  std::vector<Tensor> params_;
};

}  // namespace ag::optim
