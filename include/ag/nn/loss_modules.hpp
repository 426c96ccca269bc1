// The losses as modules (torch.nn.MSELoss, ...): each holds its options and forwards to the
// function in ag::nn::functional.
//
//   ag::nn::CrossEntropyLoss criterion({.ignore_index = 0});
//   ag::Tensor loss = criterion.forward(logits, labels);
#pragma once

#include <string>

#include "ag/nn/loss.hpp"
#include "ag/nn/module.hpp"

namespace ag::nn {

class MSELoss : public Module {
 public:
  explicit MSELoss(Reduction r = Reduction::Mean) : reduction(r) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::mse_loss(input, target, reduction);
  }
  Reduction reduction;
};

class BCELoss : public Module {
 public:
  explicit BCELoss(Tensor w = Tensor(), Reduction r = Reduction::Mean)
      : weight(std::move(w)), reduction(r) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::binary_cross_entropy(input, target, weight, reduction);
  }
  Tensor weight;
  Reduction reduction;
};

class BCEWithLogitsLoss : public Module {
 public:
  explicit BCEWithLogitsLoss(functional::BCEWithLogitsOptions o = {}) : options(std::move(o)) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::binary_cross_entropy_with_logits(input, target, options);
  }
  functional::BCEWithLogitsOptions options;
};

class NLLLoss : public Module {
 public:
  explicit NLLLoss(functional::NllLossOptions o = {}) : options(std::move(o)) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::nll_loss(input, target, options);
  }
  functional::NllLossOptions options;
};

class CrossEntropyLoss : public Module {
 public:
  explicit CrossEntropyLoss(functional::CrossEntropyOptions o = {})
      : options(std::move(o)) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::cross_entropy(input, target, options);
  }
  functional::CrossEntropyOptions options;
};

}  // namespace ag::nn
