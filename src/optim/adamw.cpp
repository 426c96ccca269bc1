// AdamW: Adam's update (adam.cpp) with PyTorch 1.13's decoupled weight decay,
// param.mul_(1 - lr * weight_decay) before the moments, as in _single_tensor_adamw.
#include "ag/optim/adamw.hpp"

#include <array>

#include "ag/autograd.hpp"
#include "optim/adam_step.hpp"
#include "optim/update.hpp"

namespace ag::optim {

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options)
    : Optimizer(std::move(params), "AdamW"), options_(options) {
  const auto [beta1, beta2] = options_.betas();
  detail::check_adam_options("AdamW", options_.lr(), beta1, beta2, options_.eps(),
                             options_.weight_decay());
  state_.resize(params_.size());
}

void AdamW::set_lr(double lr) {
  detail::check_non_negative("AdamW", "learning rate", lr);
  options_.lr(lr);
}

void AdamW::step() {
  NoGradGuard no_grad;
  check_step([&](size_t i) {
    return std::array{&state_[i].exp_avg, &state_[i].exp_avg_sq, &state_[i].max_exp_avg_sq};
  });
  const auto [beta1, beta2] = options_.betas();
  const detail::AdamHyper h{options_.lr(),  beta1, beta2, options_.eps(), options_.weight_decay(),
                            options_.amsgrad(), /*decoupled=*/true};
  for (size_t i = 0; i < params_.size(); ++i)
    if (params_[i].grad().defined()) detail::adam_step(params_[i], state_[i], h);
}

}  // namespace ag::optim
