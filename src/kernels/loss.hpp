// Loss kernels, apart from the graph: pointwise losses (mse, binary cross-entropy on
// probabilities and on logits) with their reductions, and the class losses over an input
// viewed as [N, C, inner] (log-softmax along C, negative log-likelihood, label smoothing's
// term, cross-entropy with class-probability targets), forward and backward.
//
// Every tensor passed in is contiguous and of one float dtype (int64 for class indices);
// optional ones (weights, outputs not wanted) are undefined. "grad" is the gradient of the
// loss's output: 0-dim for Mean and Sum, of the output's shape for None.
#pragma once

#include <cstdint>

#include "ag/nn/loss.hpp"
#include "ag/tensor.hpp"

namespace ag::kernels {

using nn::Reduction;

// ---- pointwise: input, target and the weights all of the input's shape -------------------------

/// out = (x - t)² reduced (out 0-dim) or not (out of x's shape).
void mse_forward(const Tensor& out, const Tensor& x, const Tensor& t, Reduction r);
/// dx = 2 (x - t) g, dt = -dx (each / n for Mean); either may be undefined.
void mse_backward(const Tensor& dx, const Tensor& dt, const Tensor& grad, const Tensor& x,
                  const Tensor& t, Reduction r);

/// out = -w (t log x + (1 - t) log(1 - x)) with the logs clamped at -100. Throws ag::Error
/// when an element of x is outside [0, 1] (or nan).
void bce_forward(const Tensor& out, const Tensor& x, const Tensor& t, const Tensor& w, Reduction r);
void bce_backward(const Tensor& dx, const Tensor& dt, const Tensor& grad, const Tensor& x,
                  const Tensor& t, const Tensor& w, Reduction r);

/// out = w ((1 - t) x + (1 + (p - 1) t) softplus(-x)), p = pos_weight (1 when undefined).
void bce_logits_forward(const Tensor& out, const Tensor& x, const Tensor& t, const Tensor& w,
                        const Tensor& pw, Reduction r);
void bce_logits_backward(const Tensor& dx, const Tensor& dt, const Tensor& grad, const Tensor& x,
                         const Tensor& t, const Tensor& w, const Tensor& pw, Reduction r);

// ---- class losses ------------------------------------------------------------------------------

/// An input [N, C, d1, ...] seen as [n, c, inner] (an unbatched [C] is n = 1, inner = 1).
struct ClassLayout {
  int64_t n = 1, c = 1, inner = 1;
  int64_t positions() const { return n * inner; }
};

/// Negative log-likelihood of log-probabilities `logp` at int64 `target` [n * inner] with
/// optional `weight` [C]; out is 0-dim (Mean, Sum) or has n * inner elements (None).
/// Returns the summed weight of the non-ignored targets (what Mean divides by). Throws
/// ag::Error naming `op` for a target outside [0, C) that is not ignore_index.
double nll_forward(const Tensor& out, const Tensor& logp, const Tensor& target,
                   const Tensor& weight, int64_t ignore_index, Reduction r, ClassLayout l,
                   const char* op);
/// dlogp (zero-filled by the caller) at the target classes; Mean divides by total_weight.
void nll_backward(const Tensor& dlogp, const Tensor& grad, const Tensor& target,
                  const Tensor& weight, int64_t ignore_index, Reduction r, double total_weight,
                  ClassLayout l);

/// Label smoothing's term: -sum_c weight[c] logp[c] per position (0 where the target is
/// ignored), reduced; Mean divides by `divisor` (nll_forward's total weight).
void smooth_forward(const Tensor& out, const Tensor& logp, const Tensor& target,
                    const Tensor& weight, int64_t ignore_index, Reduction r, double divisor,
                    ClassLayout l);
/// dlogp (zero-filled by the caller).
void smooth_backward(const Tensor& dlogp, const Tensor& grad, const Tensor& target,
                     const Tensor& weight, int64_t ignore_index, Reduction r, double divisor,
                     ClassLayout l);

/// Cross-entropy with class probabilities `target` (logp's shape): -sum_c w_c t'_c logp_c per
/// position, t' = t (1 - s) + s / C with s = label_smoothing; Mean divides by n * inner.
void soft_cross_entropy_forward(const Tensor& out, const Tensor& logp, const Tensor& target,
                                const Tensor& weight, double label_smoothing, Reduction r,
                                ClassLayout l);
/// dx (of the logits), dtarget, dweight; each may be undefined when not wanted.
void soft_cross_entropy_backward(const Tensor& dx, const Tensor& dtarget, const Tensor& dweight,
                                 const Tensor& grad, const Tensor& logp, const Tensor& target,
                                 const Tensor& weight, double label_smoothing, Reduction r,
                                 ClassLayout l);

}  // namespace ag::kernels
