// randint and bernoulli_: integer and 0/1 draws, one element after another in memory order.
#include <mutex>

#include "ag/random.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"
#include "random/distributions.hpp"
#include "random/fill.hpp"

namespace ag {

Tensor randint(int64_t low, int64_t high, const Shape& shape, TensorOptions options,
               Generator* generator) {
  AG_CHECK(low < high, "randint: expects low < high, but got low=", low, " high=", high);
  for (int64_t s : shape) AG_CHECK(s >= 0, "randint: negative size in shape ", shape);
  Tensor t = detail::empty(shape, options.dtype());
  // NOTE: unsigned difference, so that e.g. [INT64_MIN, INT64_MAX) does not overflow.
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  detail::GeneratorState& g = detail::state_of(generator);
  kernels::dispatch(options.dtype(), [&](auto zero) {
    using T = decltype(zero);
    std::lock_guard<std::mutex> lock(g.mutex);
    T* p = t.data_ptr<T>();
    const int64_t n = t.numel();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(detail::uniform_int(g, range, low));
  });
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, TensorOptions options) {
  return randint(low, high, shape, options, nullptr);
}

Tensor randint(int64_t high, const Shape& shape, TensorOptions options) {
  return randint(0, high, shape, options, nullptr);
}

Tensor& bernoulli_(Tensor& self, double p, Generator* generator) {
  detail::check_defined(self, "bernoulli_");
  AG_CHECK(p >= 0.0 && p <= 1.0, "bernoulli_: expects p in [0, 1], but got p=", p);
  const bool record = detail::begin_random_fill(self, "bernoulli_");
  detail::GeneratorState& g = detail::state_of(generator);
  kernels::dispatch(self.dtype(), [&](auto zero) {
    using T = decltype(zero);
    std::lock_guard<std::mutex> lock(g.mutex);
    detail::for_each_in_memory_order<T>(
        self, [&](T& v) { v = static_cast<T>(detail::bernoulli_draw(g, p)); });
  });
  detail::end_random_fill(self, record, "BernoulliBackward2");
  return self;
}

Tensor& Tensor::bernoulli_(double p) { return ag::bernoulli_(*this, p); }

}  // namespace ag
