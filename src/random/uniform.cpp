// uniform_ and rand: U[from, to) from one output (float32) or two (float64) per element.
#include <limits>
#include <mutex>

#include "ag/random.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"
#include "random/distributions.hpp"
#include "random/fill.hpp"

namespace ag {
namespace {

// Fills t (float32 or float64, any strides) in memory order; no checks.
void uniform_fill(const Tensor& t, double from, double to, detail::GeneratorState& g) {
  kernels::dispatch_floating(t.dtype(), [&](auto zero) {
    using T = decltype(zero);
    // NOTE: the bounds and their difference are rounded to T first, as PyTorch does.
    const T lo = static_cast<T>(from), width = static_cast<T>(to) - lo;
    std::lock_guard<std::mutex> lock(g.mutex);
    detail::for_each_in_memory_order<T>(
        t, [&](T& v) { v = detail::scale_uniform(detail::uniform01<T>(g), width, lo); });
  });
}

void check_range(Dtype dtype, double from, double to, const char* op) {
  const double max = dtype == kFloat32 ? std::numeric_limits<float>::max()
                                       : std::numeric_limits<double>::max();
  AG_CHECK(from >= -max && from <= max, op, ": from=", from, " is out of bounds for ",
           dtype_name(dtype));
  AG_CHECK(to >= -max && to <= max, op, ": to=", to, " is out of bounds for ", dtype_name(dtype));
  AG_CHECK(from <= to, op, ": expects from <= to, but got from=", from, " to=", to);
  AG_CHECK(to - from <= max, op, ": expects to - from <= ", max, " (the largest ",
           dtype_name(dtype), "), but got from=", from, " to=", to);
}

}  // namespace

Tensor& uniform_(Tensor& self, double from, double to, Generator* generator) {
  detail::check_floating(self, "uniform_");
  check_range(self.dtype(), from, to, "uniform_");
  const bool record = detail::begin_random_fill(self, "uniform_");
  uniform_fill(self, from, to, detail::state_of(generator));
  detail::end_random_fill(self, record, "UniformBackward0");
  return self;
}

Tensor& Tensor::uniform_(double from, double to) { return ag::uniform_(*this, from, to); }

Tensor rand(const Shape& shape, TensorOptions options, Generator* generator) {
  AG_CHECK(is_floating(options.dtype()), "rand: expected a float32 or float64 dtype, got ",
           dtype_name(options.dtype()));
  for (int64_t s : shape) AG_CHECK(s >= 0, "rand: negative size in shape ", shape);
  Tensor t = detail::empty(shape, options.dtype());
  uniform_fill(t, 0.0, 1.0, detail::state_of(generator));
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}

Tensor rand(const Shape& shape, TensorOptions options) { return rand(shape, options, nullptr); }

Tensor rand_like(const Tensor& t) {
  detail::check_floating(t, "rand_like");
  return rand(t.shape(), t.dtype());
}

}  // namespace ag
