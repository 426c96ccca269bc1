// Elementwise arithmetic and math, with NumPy broadcasting and float32/float64 promotion.
//
//   ag::add(a, b)  ==  a + b      // shapes [2, 3] and [3] broadcast to [2, 3]
//   ag::pow(x, 2.0), ag::clamp(x, -1.0, 1.0), ag::exp(x), ag::log(x)
#pragma once

#include "ag/tensor.hpp"

namespace ag {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, double b);
Tensor sub(const Tensor& a, double b);
Tensor mul(const Tensor& a, double b);
Tensor div(const Tensor& a, double b);
/// b - a (PyTorch's rsub, what `2.0 - x` computes).
Tensor rsub(const Tensor& a, double b);

Tensor neg(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor exp(const Tensor& x);
/// Natural logarithm.
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
/// x ** exponent, elementwise.
Tensor pow(const Tensor& x, double exponent);
/// Limits every element to [min, max]; the gradient is zero where the limit applied.
Tensor clamp(const Tensor& x, double min, double max);
Tensor clamp_min(const Tensor& x, double min);
Tensor clamp_max(const Tensor& x, double max);

/// The shape two shapes broadcast to, or ag::Error naming `op`.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op = "broadcast");

}  // namespace ag
