// Loss functions, as torch.nn.functional has them: mse_loss, binary_cross_entropy,
// binary_cross_entropy_with_logits, nll_loss and cross_entropy, with PyTorch 1.13's values,
// gradients, grad_fn names and reductions.
//
//   namespace F = ag::nn::functional;
//   ag::Tensor loss = F::cross_entropy(logits, labels);      // logits [N, C], labels int64 [N]
//   loss = F::cross_entropy(logits, labels, {.ignore_index = 0, .label_smoothing = 0.1});
//   loss = F::mse_loss(y, target, ag::nn::Reduction::Sum);
//   loss.backward();
//
// Unlike PyTorch, the pointwise losses refuse a target whose shape differs from the input's
// (PyTorch warns and broadcasts, which nearly always hides a bug), and every misuse throws
// ag::Error naming the loss and the shapes or values involved. A float64 target promotes a
// float32 input's loss to float64; weights are converted to the loss's dtype.
#pragma once

#include <cstdint>

#include "ag/tensor.hpp"

namespace ag::nn {

/// How a loss combines its per-element values, as PyTorch's `reduction=` argument:
/// None keeps them, Mean averages them, Sum adds them up. For nll_loss and cross_entropy with
/// class indices, Mean divides by the summed weights of the non-ignored targets.
///   F::mse_loss(x, t, ag::nn::Reduction::None)   // shape of x
enum class Reduction { None, Mean, Sum };

}  // namespace ag::nn

namespace ag::nn::functional {

/// Mean squared error: (input - target)² reduced. Input and target must have the same shape;
/// an int64 target is converted to the input's dtype, float32 and float64 promote to float64.
/// Both input and target get gradients. grad_fn: MseLossBackward0.
///   F::mse_loss(prediction, target)                          // 0-dim
///   F::mse_loss(prediction, target, ag::nn::Reduction::None) // prediction's shape
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

/// Binary cross-entropy of probabilities: -w (t log(x) + (1 - t) log(1 - x)), reduced.
/// Every input element must lie in [0, 1]; the logs are clamped at -100 as in PyTorch, so an
/// input of exactly 0 or 1 gives a finite loss and input gradient. Input and target get
/// gradients; `weight` (optional, none) broadcasts to the input's shape.
/// grad_fn: BinaryCrossEntropyBackward0.
///   F::binary_cross_entropy(ag::sigmoid(logits), labels)
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const Tensor& weight = Tensor(), Reduction reduction = Reduction::Mean);

/// Binary cross-entropy on logits: -w (p t log σ(x) + (1 - t) log(1 - σ(x))), with
/// p = pos_weight (1 when undefined), computed stably for any x (finite at ±1e4).
/// `weight` broadcasts to the input's shape, `pos_weight` too (usually one value per class,
/// [C] against an input [N, C]); neither gets a gradient, input and target do.
/// grad_fn: BinaryCrossEntropyWithLogitsBackward0.
///   F::binary_cross_entropy_with_logits(logits, labels, {}, ag::full({C}, 3.0))
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight = Tensor(),
                                        const Tensor& pos_weight = Tensor(),
                                        Reduction reduction = Reduction::Mean);

/// Negative log-likelihood: -weight[t] * input[t] for log-probabilities `input` of shape [C],
/// [N, C] or [N, C, d1, ...] and int64 class indices `target` of shape [], [N] or
/// [N, d1, ...]. Targets equal to ignore_index contribute nothing; Mean divides by the summed
/// weights of the other targets (so it is nan when all are ignored, as in PyTorch).
/// `weight` has one element per class and gets no gradient.
/// grad_fn: NllLossBackward0 (1-D and 2-D input), NllLoss2DBackward0 (more dims; with
/// Reduction::None, ViewBackward0 unless the input is 4-D), as in PyTorch.
///   F::nll_loss(ag::log_softmax(logits, 1), labels)
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                int64_t ignore_index = -100, Reduction reduction = Reduction::Mean);

/// Cross-entropy of unnormalised logits [C], [N, C] or [N, C, d1, ...] (classes on dim 1, or
/// dim 0 for an unbatched [C]), computed as nll_loss(log_softmax(input)) with a stable
/// log-sum-exp. `target` is either int64 class indices (shape as for nll_loss) or class
/// probabilities: a float tensor of the input's own shape. label_smoothing in [0, 1] mixes
/// the target with the uniform distribution, as PyTorch does.
/// With probabilities, ignore_index must stay negative, Mean divides by the number of
/// positions (weights are not normalised, as in PyTorch), and target and weight get gradients.
/// grad_fn: as nll_loss; AddBackward0 with label smoothing; for probabilities DivBackward1
/// (Mean) or NegBackward0 (Sum, None).
///   F::cross_entropy(logits, labels)                                   // labels int64 [N]
///   F::cross_entropy(logits, labels, class_weights, -100, ag::nn::Reduction::Sum, 0.1)
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                     int64_t ignore_index = -100, Reduction reduction = Reduction::Mean,
                     double label_smoothing = 0.0);

// ---- the same with named options (C++20 designated initializers) -------------------------------
// A bare `{}` as third argument, F::cross_entropy(x, t, {}), is ambiguous between the two forms;
// leave it out instead.

/// Options of nll_loss.   F::nll_loss(logp, labels, {.ignore_index = 0})
struct NllLossOptions {
  Tensor weight{};
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::Mean;
};

/// Options of cross_entropy.   F::cross_entropy(logits, labels, {.label_smoothing = 0.1})
struct CrossEntropyOptions {
  Tensor weight{};
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::Mean;
  double label_smoothing = 0.0;
};

/// Options of binary_cross_entropy_with_logits.
///   F::binary_cross_entropy_with_logits(logits, labels, {.pos_weight = pw})
struct BCEWithLogitsOptions {
  Tensor weight{};
  Tensor pos_weight{};
  Reduction reduction = Reduction::Mean;
};

/// nll_loss with named options.
Tensor nll_loss(const Tensor& input, const Tensor& target, const NllLossOptions& options);
/// cross_entropy with named options.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& options);
/// binary_cross_entropy_with_logits with named options.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsOptions& options);

}  // namespace ag::nn::functional
