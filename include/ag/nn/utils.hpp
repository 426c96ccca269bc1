// ag::nn::utils: gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_ in
// PyTorch 1.13. Both change the parameters' grad() in place and skip parameters without one.
//
//   loss.backward();
//   double norm = ag::nn::utils::clip_grad_norm_({W, b}, /*max_norm=*/1.0);
//   opt.step();
#pragma once

#include <vector>

#include "ag/tensor.hpp"

namespace ag::nn::utils {

/// Scales the gradients of `parameters` so that their total norm_type-norm (the norm of the
/// per-parameter norms, as if all gradients were one vector) is at most max_norm, multiplying
/// them in place by min(1, max_norm / (total_norm + 1e-6)). Returns the total norm before
/// clipping, computed in the gradients' dtype as PyTorch does (0 when no parameter has a
/// gradient). norm_type may be INFINITY (largest |g|). With error_if_nonfinite a NaN or
/// infinite total norm throws ag::Error and leaves the gradients alone; without it they are
/// scaled by the non-finite coefficient, as in PyTorch.
///   double n = ag::nn::utils::clip_grad_norm_(model.parameters(), 0.5);
///   ag::nn::utils::clip_grad_norm_({W}, 1.0, INFINITY);
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm,
                       double norm_type = 2.0, bool error_if_nonfinite = false);
/// The one-parameter form.
double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

/// Clamps every gradient element into [-clip_value, clip_value] in place (NaN stays NaN).
///   ag::nn::utils::clip_grad_value_({W, b}, 0.1);
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
/// The one-parameter form.
void clip_grad_value_(const Tensor& parameter, double clip_value);

}  // namespace ag::nn::utils
