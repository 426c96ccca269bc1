// Internal: the Adam update shared by Adam (L2 weight decay added to the gradient) and AdamW
// (decoupled weight decay applied to the parameter). Defined in adam.cpp.
#pragma once

#include "ag/optim/adam.hpp"

namespace ag::optim::detail {

struct AdamHyper {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad;
  bool decoupled;  // AdamW: param *= 1 - lr * weight_decay first; Adam: grad += wd * param
};

/// One Adam step of `param` (which has a gradient), allocating its state on the first call.
void adam_step(const Tensor& param, Adam::State& state, const AdamHyper& h);

/// Adam's option checks, shared with AdamW; `opt` names the optimiser in the messages.
void check_adam_options(const char* opt, double lr, double beta1, double beta2, double eps,
                        double weight_decay);

}  // namespace ag::optim::detail
