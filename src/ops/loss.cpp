// The loss op family (ag::nn::functional): argument checks, the forward through the loss
// kernels and the recorded backward, one function per loss as every op does.
//
// cross_entropy is built as PyTorch builds it, so its graph and grad_fn names are PyTorch's:
// log_softmax, then nll_loss (class indices), plus label smoothing's term and an add, or one
// fused node for class-probability targets.
#include "ag/nn/loss.hpp"

#include <initializer_list>
#include <vector>

#include "ag/autograd.hpp"
#include "ag/factory.hpp"
#include "ag/ops/activation.hpp"
#include "ag/ops/elementwise.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/loss.hpp"
#include "kernels/softmax.hpp"

namespace ag::nn::functional {
namespace {

using kernels::ClassLayout;

void check_float(const Tensor& t, const char* op, const char* what) {
  detail::check_defined(t, op);
  AG_CHECK(is_floating(t.dtype()), op, ": ", what, " must be float32 or float64, got ",
           dtype_name(t.dtype()), " of shape ", t.shape());
}

void check_same_shape(const Tensor& input, const Tensor& target, const char* op) {
  AG_CHECK(input.shape() == target.shape(), op, ": target shape ", target.shape(),
           " differs from input shape ", input.shape(),
           " (losses do not broadcast; expand the target explicitly if that is meant)");
}

// PyTorch has no derivative for these weights and refuses them when they require grad.
void check_no_grad(const Tensor& t, const char* op, const char* what) {
  AG_CHECK(!(t.defined() && t.requires_grad() && is_grad_enabled()), op, ": ", what,
           " requires grad, but the loss has no derivative for it (as in PyTorch); pass ", what,
           ".detach()");
}

// `t` as a contiguous `dtype` tensor without history: t's own storage when it already is one
// (so a saved tensor still notices in-place changes), a copy otherwise.
Tensor dense(const Tensor& t, Dtype dtype) {
  Tensor a = detail::alias(t);
  if (a.dtype() != dtype) a = a.to(dtype);
  return a.contiguous();
}

// An optional weight: checked to broadcast to `shape`, then made dense at that shape.
Tensor dense_weight(const Tensor& w, Dtype dtype, const Shape& shape, const char* op,
                    const char* what) {
  if (!w.defined()) return Tensor();
  check_float(w, op, what);
  check_no_grad(w, op, what);
  bool fits = w.dim() <= static_cast<int64_t>(shape.size());
  for (int64_t i = 1; fits && i <= w.dim(); ++i) {
    const int64_t ws = w.shape()[w.dim() - i], s = shape[shape.size() - i];
    fits = ws == s || ws == 1;
  }
  AG_CHECK(fits, op, ": ", what, " of shape ", w.shape(),
           " cannot be broadcast to the input's shape ", shape);
  return dense(detail::alias(w).expand(shape), dtype);
}

// A class weight: one element per class.
Tensor class_weight(const Tensor& w, Dtype dtype, int64_t classes, const char* op) {
  if (!w.defined()) return Tensor();
  check_float(w, op, "weight");
  AG_CHECK(w.dim() == 1 && w.numel() == classes, op, ": weight should have one element per class (",
           classes, "), got shape ", w.shape());
  return dense(w, dtype);
}

Shape reduced_shape(const Shape& none_shape, Reduction r) {
  return r == Reduction::None ? none_shape : Shape{};
}

// The saved tensors a backward reads: the defined ones of `all`, in order.
std::vector<Tensor> defined_of(std::initializer_list<Tensor> all) {
  std::vector<Tensor> v;
  for (const Tensor& t : all)
    if (t.defined()) v.push_back(t);
  return v;
}

// ---- class losses: shapes ----------------------------------------------------------------------

void check_class_input(const Tensor& input, const char* op) {
  check_float(input, op, "input");
  AG_CHECK(input.dim() >= 1, op,
           ": input must have 1 or more dimensions ([C], [N, C] or [N, C, d1, ...]), got shape ",
           input.shape());
}

ClassLayout layout_of(const Tensor& input) {
  ClassLayout l;
  if (input.dim() == 1) {
    l.c = input.shape()[0];
    return l;
  }
  l.n = input.shape()[0];
  l.c = input.shape()[1];
  for (int64_t d = 2; d < input.dim(); ++d) l.inner *= input.shape()[d];
  return l;
}

// The shape of class-index targets (and of a None-reduced loss): [] for [C], else [N, d1, ...].
Shape index_shape(const Tensor& input) {
  Shape s;
  if (input.dim() == 1) return s;
  s.push_back(input.shape()[0]);
  for (int64_t d = 2; d < input.dim(); ++d) s.push_back(input.shape()[d]);
  return s;
}

// log_softmax along the class dim (dim 1, or 0 for an unbatched [C] input).
Tensor class_log_softmax(const Tensor& input) { return log_softmax(input, input.dim() == 1 ? 0 : 1); }

// nll_loss's work, naming `op` in errors; total_weight receives Mean's divisor.
Tensor nll_impl(const Tensor& logp, const Tensor& target, const Tensor& weight,
                int64_t ignore_index, Reduction r, const char* op, double* total_weight) {
  check_class_input(logp, op);
  detail::check_defined(target, op);
  AG_CHECK(target.dtype() == kInt64, op, ": target must hold int64 class indices, got ",
           dtype_name(target.dtype()), " of shape ", target.shape());
  const Shape expected = index_shape(logp);
  AG_CHECK(target.shape() == expected, op, ": input of shape ", logp.shape(),
           " needs a target of shape ", expected, ", got ", target.shape());
  check_no_grad(weight, op, "weight");
  const ClassLayout l = layout_of(logp);
  const Dtype dt = logp.dtype();
  Tensor x = dense(logp, dt), tgt = dense(target, kInt64), w = class_weight(weight, dt, l.c, op);

  // PyTorch runs inputs of 3 or more dims through nll_loss2d, a [N, C, 1, L] view for
  // anything but 4-D, and views a None result back to [N, d1, ...].
  const bool two_d = logp.dim() >= 3;
  const bool view_back = two_d && logp.dim() != 4 && r == Reduction::None;
  const Shape node_shape = view_back ? Shape{l.n, 1, l.inner} : reduced_shape(expected, r);
  Tensor out = detail::empty(node_shape, dt);
  const double tw = kernels::nll_forward(out, x, tgt, w, ignore_index, r, l, op);
  if (total_weight) *total_weight = tw;
  record(out, two_d ? "NllLoss2DBackward0" : "NllLossBackward0", {logp, target},
         defined_of({tgt, w}),
         [l, r, ignore_index, tw, shape = logp.shape(), dt,
          has_w = w.defined()](const BackwardContext& c) -> Grads {
           // l = -w[t] logp[t] per position (Mean: summed and / total weight)
           Tensor dlogp = zeros(shape, dt);
           Tensor w = has_w ? c.saved(1) : Tensor();
           kernels::nll_backward(dlogp, dense(c.grad, dt), c.saved(0), w, ignore_index, r, tw, l);
           return {dlogp, Tensor()};
         });
  return view_back ? out.view(expected) : out;
}

// Label smoothing's term of cross_entropy: -sum_c w_c logp_c, 0 at ignored targets, reduced
// as nll_loss (Mean divides by nll_loss's total weight). Named as PyTorch's last op there.
Tensor smooth_term(const Tensor& logp, const Tensor& target, const Tensor& weight,
                   int64_t ignore_index, Reduction r, double divisor) {
  const ClassLayout l = layout_of(logp);
  const Dtype dt = logp.dtype();
  Tensor x = dense(logp, dt), tgt = dense(target, kInt64);
  Tensor w = class_weight(weight, dt, l.c, "cross_entropy");
  Tensor out = detail::empty(reduced_shape(index_shape(logp), r), dt);
  kernels::smooth_forward(out, x, tgt, w, ignore_index, r, divisor, l);
  const char* name = r == Reduction::None  ? "MaskedFillBackward0"
                     : r == Reduction::Sum ? "SumBackward0"
                                           : "DivBackward0";
  record(out, name, {logp}, defined_of({tgt, w}),
         [l, r, ignore_index, divisor, shape = logp.shape(), dt,
          has_w = w.defined()](const BackwardContext& c) -> Grads {
           // s = -sum_c w_c logp_c (Mean: summed and / divisor):  dlogp_c = -w_c g (/ divisor)
           Tensor dlogp = zeros(shape, dt);
           Tensor w = has_w ? c.saved(1) : Tensor();
           kernels::smooth_backward(dlogp, dense(c.grad, dt), c.saved(0), w, ignore_index, r,
                                    divisor, l);
           return {dlogp};
         });
  return out;
}

// cross_entropy with class probabilities: one node, named as PyTorch's last op.
Tensor soft_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                          Reduction r, double label_smoothing) {
  constexpr const char* op = "cross_entropy";
  check_float(target, op, "a target of the input's shape (class probabilities)");
  const Dtype dt = promote_types(input.dtype(), target.dtype());
  const ClassLayout l = layout_of(input);
  Tensor w = class_weight(weight, dt, l.c, op);
  Tensor logp = detail::empty(input.shape(), dt);
  kernels::softmax(logp, dense(input, dt), input.dim() == 1 ? 0 : 1, /*log=*/true);
  Tensor t = dense(target, dt);
  Tensor out = detail::empty(reduced_shape(index_shape(input), r), dt);
  kernels::soft_cross_entropy_forward(out, logp, t, w, label_smoothing, r, l);
  record(out, r == Reduction::Mean ? "DivBackward1" : "NegBackward0", {input, target, weight},
         defined_of({logp, t, w}),
         [l, r, label_smoothing, dt, has_w = w.defined()](const BackwardContext& c) -> Grads {
           // l = -sum_c w_c t'_c logp_c, logp = log_softmax(x): see soft_cross_entropy_backward
           Tensor logp = c.saved(0), t = c.saved(1);
           Tensor w = has_w ? c.saved(2) : Tensor();
           Tensor dx = c.needs(0) ? detail::empty(logp.shape(), dt) : Tensor();
           Tensor dt_ = c.needs(1) ? detail::empty(logp.shape(), dt) : Tensor();
           Tensor dw = c.needs(2) ? detail::empty({l.c}, dt) : Tensor();
           kernels::soft_cross_entropy_backward(dx, dt_, dw, dense(c.grad, dt), logp, t, w,
                                                label_smoothing, r, l);
           return {dx, dt_, dw};
         });
  return out;
}

}  // namespace

// ---- pointwise losses --------------------------------------------------------------------------

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  constexpr const char* op = "mse_loss";
  check_float(input, op, "input");
  detail::check_defined(target, op);
  check_same_shape(input, target, op);
  const Dtype dt = promote_types(input.dtype(), target.dtype());  // an int64 target converts
  Tensor x = dense(input, dt), t = dense(target, dt);
  Tensor out = detail::empty(reduced_shape(input.shape(), reduction), dt);
  kernels::mse_forward(out, x, t, reduction);
  record(out, "MseLossBackward0", {input, target}, {x, t},
         [reduction, dt](const BackwardContext& c) -> Grads {
           // l = (x - t)² (Mean: / n):  dx = 2 (x - t) g (/ n),  dt = -dx
           Tensor x = c.saved(0), t = c.saved(1);
           Tensor dx = c.needs(0) ? detail::empty(x.shape(), dt) : Tensor();
           Tensor dt_ = c.needs(1) ? detail::empty(x.shape(), dt) : Tensor();
           kernels::mse_backward(dx, dt_, dense(c.grad, dt), x, t, reduction);
           return {dx, dt_};
         });
  return out;
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            Reduction reduction) {
  constexpr const char* op = "binary_cross_entropy";
  check_float(input, op, "input");
  check_float(target, op, "target");
  check_same_shape(input, target, op);
  const Dtype dt = promote_types(input.dtype(), target.dtype());
  Tensor x = dense(input, dt), t = dense(target, dt);
  Tensor w = dense_weight(weight, dt, input.shape(), op, "weight");
  Tensor out = detail::empty(reduced_shape(input.shape(), reduction), dt);
  kernels::bce_forward(out, x, t, w, reduction);
  record(out, "BinaryCrossEntropyBackward0", {input, target}, defined_of({x, t, w}),
         [reduction, dt, has_w = w.defined()](const BackwardContext& c) -> Grads {
           // l = -w (t log x + (1 - t) log(1 - x)) (Mean: / n):
           //   dx = w g (x - t) / max((1 - x) x, 1e-12),  dt = w g (log(1 - x) - log x)
           Tensor x = c.saved(0), t = c.saved(1);
           Tensor w = has_w ? c.saved(2) : Tensor();
           Tensor dx = c.needs(0) ? detail::empty(x.shape(), dt) : Tensor();
           Tensor dt_ = c.needs(1) ? detail::empty(x.shape(), dt) : Tensor();
           kernels::bce_backward(dx, dt_, dense(c.grad, dt), x, t, w, reduction);
           return {dx, dt_};
         });
  return out;
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight, const Tensor& pos_weight,
                                        Reduction reduction) {
  constexpr const char* op = "binary_cross_entropy_with_logits";
  check_float(input, op, "input");
  check_float(target, op, "target");
  check_same_shape(input, target, op);
  const Dtype dt = promote_types(input.dtype(), target.dtype());
  Tensor x = dense(input, dt), t = dense(target, dt);
  Tensor w = dense_weight(weight, dt, input.shape(), op, "weight");
  Tensor pw = dense_weight(pos_weight, dt, input.shape(), op, "pos_weight");
  Tensor out = detail::empty(reduced_shape(input.shape(), reduction), dt);
  kernels::bce_logits_forward(out, x, t, w, pw, reduction);
  const bool has_w = w.defined(), has_pw = pw.defined();
  record(out, "BinaryCrossEntropyWithLogitsBackward0", {input, target}, defined_of({x, t, w, pw}),
         [reduction, dt, has_w, has_pw](const BackwardContext& c) -> Grads {
           // l = w ((1 - t) x + (1 + (p - 1) t) softplus(-x)) (Mean: / n):
           //   dx = w g ((p t + 1 - t) σ(x) - p t),  dt = w g (log σ(-x) - p log σ(x))
           Tensor x = c.saved(0), t = c.saved(1);
           Tensor w = has_w ? c.saved(2) : Tensor();
           Tensor pw = has_pw ? c.saved(has_w ? 3 : 2) : Tensor();
           Tensor dx = c.needs(0) ? detail::empty(x.shape(), dt) : Tensor();
           Tensor dt_ = c.needs(1) ? detail::empty(x.shape(), dt) : Tensor();
           kernels::bce_logits_backward(dx, dt_, dense(c.grad, dt), x, t, w, pw, reduction);
           return {dx, dt_};
         });
  return out;
}

// ---- class losses ------------------------------------------------------------------------------

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                int64_t ignore_index, Reduction reduction) {
  return nll_impl(input, target, weight, ignore_index, reduction, "nll_loss", nullptr);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                     int64_t ignore_index, Reduction reduction, double label_smoothing) {
  constexpr const char* op = "cross_entropy";
  check_class_input(input, op);
  detail::check_defined(target, op);
  AG_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0, op,
           ": label_smoothing must be between 0.0 and 1.0, got ", label_smoothing);
  if (target.shape() == input.shape()) {
    AG_CHECK(ignore_index < 0, op, ": ignore_index (", ignore_index,
             ") is not supported for class-probability targets");
    return soft_cross_entropy(input, target, weight, reduction, label_smoothing);
  }
  AG_CHECK(target.dtype() == kInt64, op, ": target must be int64 class indices of shape ",
           index_shape(input), " or class probabilities of the input's shape ", input.shape(),
           ", got ", dtype_name(target.dtype()), " of shape ", target.shape());
  Tensor logp = class_log_softmax(input);
  double total_weight = 0;
  Tensor nll = nll_impl(logp, target, weight, ignore_index, reduction, op, &total_weight);
  if (!(label_smoothing > 0.0)) return nll;
  // (1 - s) nll + (s / C) smooth: the smoothed target puts 1 - s + s / C on the label and
  // s / C on every other class.
  const double classes = static_cast<double>(layout_of(input).c);
  Tensor smooth = smooth_term(logp, target, weight, ignore_index, reduction, total_weight);
  return add(mul(nll, 1.0 - label_smoothing), mul(smooth, label_smoothing / classes));
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NllLossOptions& options) {
  return nll_loss(input, target, options.weight, options.ignore_index, options.reduction);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options) {
  return cross_entropy(input, target, options.weight, options.ignore_index, options.reduction,
                       options.label_smoothing);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsOptions& options) {
  return binary_cross_entropy_with_logits(input, target, options.weight, options.pos_weight,
                                          options.reduction);
}

}  // namespace ag::nn::functional
