// Activations: tanh, sigmoid, relu (elementwise; each saves its output, which is all its
// backward needs) and softmax, log_softmax (along a dim).
#include "ag/ops/activation.hpp"

#include <cmath>

#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/softmax.hpp"
#include "kernels/vector_math.hpp"

namespace ag {
namespace {

template <class F>
Tensor map(const Tensor& x, const char* op, F f) {
  detail::check_floating(x, op);
  Tensor out = detail::empty(x.shape(), x.dtype());
  kernels::dispatch_floating(x.dtype(), [&](auto zero) { kernels::map1<decltype(zero)>(out, x, f); });
  return out;
}

// dx = f(g, y) elementwise, from the output gradient and the saved output.
template <class F>
Tensor map_backward(const Tensor& g, const Tensor& y, F f) {
  Tensor dx = detail::empty(y.shape(), y.dtype());
  kernels::dispatch_floating(y.dtype(), [&](auto zero) { kernels::map2<decltype(zero)>(dx, g, y, f); });
  return dx;
}

// The same through kernels/vector_math for float32 (vectorised, within 2 ulp; strided inputs
// use its scalar form, which gives the same values); float64 uses libm.
template <class Array, class Scalar>
Tensor map_fast(const Tensor& x, const char* op, Array array, Scalar scalar) {
  detail::check_floating(x, op);
  if (x.dtype() == kFloat32 && x.is_contiguous()) {
    Tensor out = detail::empty(x.shape(), x.dtype());
    array(out.data_ptr<float>(), x.data_ptr<float>(), x.numel());
    return out;
  }
  return map(x, op, scalar);
}

}  // namespace

Tensor tanh(const Tensor& x) {
  Tensor y = map_fast(x, "tanh", [](float* o, const float* i, int64_t n) { kernels::tanh(o, i, n); },
                      [](auto v) {
                        if constexpr (std::is_same_v<decltype(v), float>) return kernels::vm::tanh(v);
                        else return std::tanh(v);
                      });
  record(y, "TanhBackward0", {x}, {y}, [](const BackwardContext& c) -> Grads {
    // y = tanh(x):  dx = g (1 - y²)
    return {map_backward(c.grad, c.saved(0), [](auto g, auto y) { return g * (1 - y * y); })};
  });
  return y;
}

Tensor sigmoid(const Tensor& x) {
  Tensor y = map_fast(x, "sigmoid",
                      [](float* o, const float* i, int64_t n) { kernels::sigmoid(o, i, n); },
                      [](auto v) {
                        using T = decltype(v);
                        if constexpr (std::is_same_v<T, float>) return kernels::vm::sigmoid(v);
                        else return T(1) / (T(1) + std::exp(-v));  // exp(-v) = inf: exactly 0
                      });
  record(y, "SigmoidBackward0", {x}, {y}, [](const BackwardContext& c) -> Grads {
    // y = σ(x):  dx = g (1 - y) y
    return {map_backward(c.grad, c.saved(0), [](auto g, auto y) { return g * (1 - y) * y; })};
  });
  return y;
}

Tensor relu(const Tensor& x) {
  // !(v <= 0): NaN stays NaN, as in PyTorch.
  Tensor y = map(x, "relu", [](auto v) { return !(v <= 0) ? v : decltype(v)(0); });
  record(y, "ReluBackward0", {x}, {y}, [](const BackwardContext& c) -> Grads {
    // y = max(x, 0):  dx = g where y > 0 or y is NaN (PyTorch's threshold_backward)
    return {map_backward(c.grad, c.saved(0),
                         [](auto g, auto y) { return y <= 0 ? decltype(g)(0) : g; })};
  });
  return y;
}

namespace {

Tensor softmax_impl(const Tensor& x, int64_t dim, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  detail::check_floating(x, op);
  const int64_t d = detail::wrap_dim(dim, x.dim(), op);
  Tensor xc = detail::alias(x).contiguous();
  Tensor y = detail::empty(x.shape(), x.dtype());
  kernels::softmax(y, xc, d, log);
  record(y, log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", {x}, {y},
         [d, log](const BackwardContext& c) -> Grads {
           Tensor y = c.saved(0);
           Tensor dx = detail::empty(y.shape(), y.dtype());
           kernels::softmax_backward(dx, c.grad.contiguous(), y, d, log);
           return {dx};
         });
  return y;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, false); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, true); }

Tensor Tensor::tanh() const { return ag::tanh(*this); }
Tensor Tensor::sigmoid() const { return ag::sigmoid(*this); }
Tensor Tensor::relu() const { return ag::relu(*this); }
Tensor Tensor::softmax(int64_t dim) const { return ag::softmax(*this, dim); }
Tensor Tensor::log_softmax(int64_t dim) const { return ag::log_softmax(*this, dim); }

}  // namespace ag
