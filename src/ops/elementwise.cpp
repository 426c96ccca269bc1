// Elementwise arithmetic (add, sub, mul, div, with tensors or scalars), unary math
// (neg, reciprocal, exp, log, sqrt, abs, pow, clamp) and the in-place variants.
//
// Broadcasting's backward is not here: each op returns the gradient at the output's shape
// and the engine sums it down to each input's shape (sum_to_size), once for all ops.
#include "ag/ops/elementwise.hpp"

#include <algorithm>
#include <cmath>

#include "ag/factory.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/vector_math.hpp"

namespace ag {
namespace {

Tensor as_dtype(const Tensor& t, Dtype d) {
  if (t.dtype() == d) return t;
  Tensor out = detail::empty(t.shape(), d);
  kernels::copy(out, t);
  return out;
}

// The result dtype, as PyTorch's type promotion: a dimensioned operand decides over a 0-dim
// one of the same category (float32 [2] + float64 0-dim is float32), but a 0-dim float still
// lifts an int64 tensor to its own dtype.
Dtype result_type(const Tensor& a, const Tensor& b) {
  if ((a.dim() == 0) == (b.dim() == 0)) return promote_types(a.dtype(), b.dtype());
  const Tensor& dimensioned = a.dim() == 0 ? b : a;
  const Tensor& scalar = a.dim() == 0 ? a : b;
  if (is_floating(dimensioned.dtype()) || !is_floating(scalar.dtype())) return dimensioned.dtype();
  return scalar.dtype();
}

// out = f(a, b) broadcast, in the promoted dtype (`floating`: at least float32, as true
// division needs); no autograd.
template <class F>
Tensor binary_kernel(const Tensor& a, const Tensor& b, const char* op, F f, bool floating = false) {
  detail::check_defined(a, op);
  detail::check_defined(b, op);
  Dtype dt = result_type(a, b);
  if (floating && !is_floating(dt)) dt = kFloat32;
  Tensor out = detail::empty(broadcast_shapes(a.shape(), b.shape(), op), dt);
  Tensor x = as_dtype(a, dt), y = as_dtype(b, dt);
  kernels::dispatch(dt, [&](auto zero) { kernels::map2<decltype(zero)>(out, x, y, f); });
  return out;
}

// out = f(x) elementwise for float tensors; no autograd.
template <class F>
Tensor unary_kernel(const Tensor& x, const char* op, F f) {
  detail::check_floating(x, op);
  Tensor out = detail::empty(x.shape(), x.dtype());
  kernels::dispatch_floating(x.dtype(), [&](auto zero) { kernels::map1<decltype(zero)>(out, x, f); });
  return out;
}

// A 0-dim tensor holding a scalar operand, in the dtype `t` computes with.
Tensor scalar_like(const Tensor& t, double v) {
  return full({}, v, is_floating(t.dtype()) ? t.dtype() : kFloat32);
}

}  // namespace

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n, 1);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    AG_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", a, " and ", b,
             " cannot be broadcast together: the size of a (", da, ") must match the size of b (",
             db, ") at non-singleton dimension ", i);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// ---- binary ------------------------------------------------------------------------------------

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_kernel(a, b, "add", [](auto x, auto y) { return x + y; });
  record(out, "AddBackward0", {a, b}, {}, [](const BackwardContext& c) -> Grads {
    return {c.grad, c.grad};  // out = a + b
  });
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_kernel(a, b, "sub", [](auto x, auto y) { return x - y; });
  record(out, "SubBackward0", {a, b}, {}, [](const BackwardContext& c) -> Grads {
    return {c.grad, c.needs(1) ? neg(c.grad) : Tensor()};  // out = a - b
  });
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_kernel(a, b, "mul", [](auto x, auto y) { return x * y; });
  record(out, "MulBackward0", {a, b}, {a, b}, [](const BackwardContext& c) -> Grads {
    // out = a * b:  da = g * b,  db = g * a
    return {c.needs(0) ? mul(c.grad, c.saved(1)) : Tensor(),
            c.needs(1) ? mul(c.grad, c.saved(0)) : Tensor()};
  });
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  // True division, as PyTorch: int64 operands give a float32 result.
  Tensor out = binary_kernel(a, b, "div", [](auto x, auto y) { return x / y; }, /*floating=*/true);
  record(out, "DivBackward0", {a, b}, {a, b}, [](const BackwardContext& c) -> Grads {
    // out = a / b:  da = g / b,  db = -g * a / (b * b)
    Tensor b = c.saved(1);
    return {c.needs(0) ? div(c.grad, b) : Tensor(),
            c.needs(1) ? div(mul(neg(c.grad), c.saved(0)), mul(b, b)) : Tensor()};
  });
  return out;
}

// PyTorch wraps a Python scalar in a 0-dim tensor, so `x + 2.0` is AddBackward0 too.
Tensor add(const Tensor& a, double b) { return add(a, scalar_like(a, b)); }
Tensor sub(const Tensor& a, double b) { return sub(a, scalar_like(a, b)); }
Tensor mul(const Tensor& a, double b) { return mul(a, scalar_like(a, b)); }
Tensor div(const Tensor& a, double b) { return div(a, scalar_like(a, b)); }

Tensor rsub(const Tensor& a, double b) {
  Tensor out = binary_kernel(scalar_like(a, b), a, "rsub", [](auto x, auto y) { return x - y; });
  record(out, "RsubBackward1", {a}, {}, [](const BackwardContext& c) -> Grads {
    return {neg(c.grad)};  // out = b - a
  });
  return out;
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, b); }
Tensor operator-(const Tensor& a, double b) { return sub(a, b); }
Tensor operator*(const Tensor& a, double b) { return mul(a, b); }
Tensor operator/(const Tensor& a, double b) { return div(a, b); }
Tensor operator+(double a, const Tensor& b) { return add(b, a); }
Tensor operator-(double a, const Tensor& b) { return rsub(b, a); }
Tensor operator*(double a, const Tensor& b) { return mul(b, a); }
Tensor operator/(double a, const Tensor& b) { return mul(reciprocal(b), a); }
Tensor operator-(const Tensor& a) { return neg(a); }

Tensor Tensor::add(const Tensor& o) const { return ag::add(*this, o); }
Tensor Tensor::sub(const Tensor& o) const { return ag::sub(*this, o); }
Tensor Tensor::mul(const Tensor& o) const { return ag::mul(*this, o); }
Tensor Tensor::div(const Tensor& o) const { return ag::div(*this, o); }

// ---- unary -------------------------------------------------------------------------------------

Tensor neg(const Tensor& x) {
  detail::check_defined(x, "neg");
  Tensor out = detail::empty(x.shape(), x.dtype());
  kernels::dispatch(x.dtype(), [&](auto z) {
    kernels::map1<decltype(z)>(out, x, [](auto v) { return -v; });
  });
  record(out, "NegBackward0", {x}, {}, [](const BackwardContext& c) -> Grads {
    return {neg(c.grad)};
  });
  return out;
}

Tensor reciprocal(const Tensor& x) {
  Tensor out = unary_kernel(x, "reciprocal", [](auto v) { return decltype(v)(1) / v; });
  record(out, "ReciprocalBackward0", {x}, {out}, [](const BackwardContext& c) -> Grads {
    Tensor y = c.saved(0);  // y = 1/x:  dx = -g * y * y
    return {mul(neg(c.grad), mul(y, y))};
  });
  return out;
}

Tensor exp(const Tensor& x) {
  Tensor out = unary_kernel(x, "exp", [](auto v) {
    if constexpr (std::is_same_v<decltype(v), float>) return kernels::vm::exp(v);
    else return std::exp(v);
  });
  record(out, "ExpBackward0", {x}, {out}, [](const BackwardContext& c) -> Grads {
    return {mul(c.grad, c.saved(0))};  // y = e^x:  dx = g * y
  });
  return out;
}

Tensor log(const Tensor& x) {
  Tensor out = unary_kernel(x, "log", [](auto v) { return std::log(v); });
  record(out, "LogBackward0", {x}, {x}, [](const BackwardContext& c) -> Grads {
    return {div(c.grad, c.saved(0))};  // y = ln x:  dx = g / x
  });
  return out;
}

Tensor sqrt(const Tensor& x) {
  Tensor out = unary_kernel(x, "sqrt", [](auto v) { return std::sqrt(v); });
  record(out, "SqrtBackward0", {x}, {out}, [](const BackwardContext& c) -> Grads {
    return {div(c.grad, mul(c.saved(0), 2.0))};  // y = √x:  dx = g / (2y)
  });
  return out;
}

Tensor abs(const Tensor& x) {
  Tensor out = unary_kernel(x, "abs", [](auto v) { return std::abs(v); });
  record(out, "AbsBackward0", {x}, {x}, [](const BackwardContext& c) -> Grads {
    // y = |x|:  dx = g * sign(x), with sign(0) = 0
    Tensor s = unary_kernel(c.saved(0), "abs", [](auto v) {
      return static_cast<decltype(v)>((v > 0) - (v < 0));
    });
    return {mul(c.grad, s)};
  });
  return out;
}

Tensor pow(const Tensor& x, double e) {
  Tensor out = unary_kernel(x, "pow", [e](auto v) {
    using T = decltype(v);
    return e == 2.0 ? v * v : static_cast<T>(std::pow(v, static_cast<T>(e)));
  });
  record(out, "PowBackward0", {x}, {x}, [e](const BackwardContext& c) -> Grads {
    // y = x^e:  dx = g * e * x^(e-1)   (zero when e == 0, as PyTorch)
    if (e == 0.0) return {zeros_like(c.grad)};
    Tensor x = c.saved(0);
    Tensor d = unary_kernel(x, "pow", [e](auto v) {
      using T = decltype(v);
      return static_cast<T>(e) * static_cast<T>(std::pow(v, static_cast<T>(e - 1.0)));
    });
    return {mul(c.grad, d)};
  });
  return out;
}

Tensor Tensor::neg() const { return ag::neg(*this); }
Tensor Tensor::exp() const { return ag::exp(*this); }
Tensor Tensor::log() const { return ag::log(*this); }
Tensor Tensor::sqrt() const { return ag::sqrt(*this); }
Tensor Tensor::abs() const { return ag::abs(*this); }
Tensor Tensor::pow(double e) const { return ag::pow(*this, e); }

Tensor clamp(const Tensor& x, double lo, double hi) {
  AG_CHECK(!(lo > hi), "clamp: min (", lo, ") must not be greater than max (", hi, ")");
  // NaN stays NaN, as in PyTorch (std::clamp would not propagate it).
  Tensor out = unary_kernel(x, "clamp", [lo, hi](auto v) {
    using T = decltype(v);
    return std::isnan(v) ? v : std::min(std::max(v, static_cast<T>(lo)), static_cast<T>(hi));
  });
  record(out, "ClampBackward1", {x}, {x}, [lo, hi](const BackwardContext& c) -> Grads {
    // dx = g where lo <= x <= hi, else 0: selected, not multiplied by a 0/1 mask, so that an
    // infinite or NaN g does not leak through as NaN (PyTorch's clamp_backward).
    const Tensor& x = c.saved(0);
    Tensor dx = detail::empty(x.shape(), x.dtype());
    kernels::dispatch_floating(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      kernels::map2<T>(dx, c.grad, x, [lo, hi](T g, T v) {
        return v >= static_cast<T>(lo) && v <= static_cast<T>(hi) ? g : T(0);
      });
    });
    return {dx};
  });
  return out;
}

Tensor clamp_min(const Tensor& x, double lo) { return clamp(x, lo, INFINITY); }
Tensor clamp_max(const Tensor& x, double hi) { return clamp(x, -INFINITY, hi); }
Tensor Tensor::clamp(double lo, double hi) const { return ag::clamp(*this, lo, hi); }

// ---- in place ----------------------------------------------------------------------------------
namespace {

using detail::check_inplace;

// Writes `result` into self's storage and makes self carry result's history.
Tensor& assign(Tensor& self, const Tensor& result, const char* op) {
  AG_CHECK(result.shape() == self.shape(), op, ": output with shape ", self.shape(),
           " doesn't match the broadcast shape ", result.shape());
  kernels::copy(self, result);
  ++self.impl().storage->version;
  if (result.impl().grad_fn) self.impl().grad_fn = result.impl().grad_fn;
  return self;
}

// self = f(self, other) in place. With autograd recording, runs the out-of-place op on a clone
// of self (so its saved tensors stay valid) and takes over the result's history.
template <class F, class OutOfPlace>
Tensor& binary_inplace(Tensor& self, const Tensor& other, const char* op, F f, OutOfPlace oop) {
  detail::check_defined(other, op);
  if (check_inplace(self, &other, op)) return assign(self, oop(self.clone(), other), op);
  AG_CHECK(broadcast_shapes(self.shape(), other.shape(), op) == self.shape(), op,
           ": output with shape ", self.shape(), " doesn't match the broadcast shape ",
           broadcast_shapes(self.shape(), other.shape(), op));
  Tensor src = other.impl().storage == self.impl().storage ? other.clone() : other;
  src = as_dtype(src, self.dtype());
  kernels::dispatch(self.dtype(), [&](auto z) { kernels::map2<decltype(z)>(self, self, src, f); });
  ++self.impl().storage->version;
  return self;
}

}  // namespace

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  if (alpha != 1.0) return add_(ag::mul(other, alpha));
  return binary_inplace(*this, other, "add_", [](auto x, auto y) { return x + y; },
                        [](const Tensor& a, const Tensor& b) { return ag::add(a, b); });
}
Tensor& Tensor::sub_(const Tensor& other, double alpha) {
  if (alpha != 1.0) return sub_(ag::mul(other, alpha));
  return binary_inplace(*this, other, "sub_", [](auto x, auto y) { return x - y; },
                        [](const Tensor& a, const Tensor& b) { return ag::sub(a, b); });
}
Tensor& Tensor::mul_(const Tensor& other) {
  return binary_inplace(*this, other, "mul_", [](auto x, auto y) { return x * y; },
                        [](const Tensor& a, const Tensor& b) { return ag::mul(a, b); });
}
Tensor& Tensor::add_(double v) { return add_(scalar_like(*this, v)); }
Tensor& Tensor::mul_(double v) { return mul_(scalar_like(*this, v)); }
Tensor& Tensor::div_(double v) {
  return binary_inplace(*this, scalar_like(*this, v), "div_", [](auto x, auto y) { return x / y; },
                        [](const Tensor& a, const Tensor& b) { return ag::div(a, b); });
}

Tensor& Tensor::copy_(const Tensor& src) {
  detail::check_defined(src, "copy_");
  AG_CHECK(broadcast_shapes(shape(), src.shape(), "copy_") == shape(),
           "copy_: cannot copy a tensor of shape ", src.shape(), " into one of shape ", shape());
  if (check_inplace(*this, &src, "copy_")) {
    // The old contents are overwritten: no gradient goes back to them; src gets it all.
    Tensor result = src.detach().to(dtype()).expand(shape()).clone();
    record(result, "CopyBackwards", {*this, src}, {}, [](const BackwardContext& c) -> Grads {
      return {Tensor(), c.grad};
    });
    return assign(*this, result, "copy_");
  }
  Tensor from = src.impl().storage == impl().storage ? src.clone() : src;
  kernels::copy(*this, from);
  ++impl().storage->version;
  return *this;
}

Tensor& Tensor::fill_(double value) {
  if (check_inplace(*this, nullptr, "fill_")) {
    Tensor result = ag::full_like(*this, value);
    record(result, "FillBackward0", {*this}, {}, [](const BackwardContext&) -> Grads {
      return {Tensor()};  // the old contents no longer matter
    });
    return assign(*this, result, "fill_");
  }
  kernels::fill(*this, value);
  ++impl().storage->version;
  return *this;
}

Tensor& Tensor::zero_() { return fill_(0.0); }

Tensor& Tensor::clamp_(double lo, double hi) {
  if (check_inplace(*this, nullptr, "clamp_"))
    return assign(*this, ag::clamp(clone(), lo, hi), "clamp_");
  Tensor r = ag::clamp(*this, lo, hi);
  kernels::copy(*this, r);
  ++impl().storage->version;
  return *this;
}

}  // namespace ag
