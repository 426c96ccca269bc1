// Factories: zeros, ones, full, arange, linspace, from_vector, tensor.
#include "ag/factory.hpp"

#include <cmath>

#include "core/make.hpp"
#include "kernels/elementwise.hpp"

namespace ag {
namespace {

Tensor finish(Tensor t, const TensorOptions& o) {
  if (o.requires_grad()) t.requires_grad_(true);
  return t;
}

template <class T>
Tensor from_values(const std::vector<T>& values, const Shape& shape, TensorOptions o) {
  for (int64_t s : shape) AG_CHECK(s >= 0, "from_vector: negative size in shape ", shape);
  AG_CHECK(static_cast<int64_t>(values.size()) == shape.numel(), "from_vector: ", values.size(),
           " values do not fill shape ", shape, " (", shape.numel(), " elements)");
  Tensor t = detail::empty(shape, o.dtype());
  kernels::dispatch(o.dtype(), [&](auto zero) {
    using D = decltype(zero);
    D* p = t.data_ptr<D>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<D>(values[i]);
  });
  return finish(t, o);
}

}  // namespace

Tensor empty(const Shape& shape, TensorOptions o) { return finish(detail::empty(shape, o.dtype()), o); }

Tensor full(const Shape& shape, double value, TensorOptions o) {
  Tensor t = detail::empty(shape, o.dtype());
  kernels::fill(t, value);
  return finish(t, o);
}
Tensor zeros(const Shape& shape, TensorOptions o) { return full(shape, 0.0, o); }
Tensor ones(const Shape& shape, TensorOptions o) { return full(shape, 1.0, o); }

Tensor empty_like(const Tensor& t) { return detail::empty(t.shape(), t.dtype()); }
Tensor zeros_like(const Tensor& t) { return full(t.shape(), 0.0, t.dtype()); }
Tensor ones_like(const Tensor& t) { return full(t.shape(), 1.0, t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.dtype()); }

Tensor arange(double end, TensorOptions o) { return arange(0.0, end, 1.0, o); }

Tensor arange(double start, double end, double step, TensorOptions o) {
  AG_CHECK(step != 0, "arange: step must be nonzero");
  AG_CHECK(std::isfinite(start) && std::isfinite(end), "arange: unsupported range ", start, " to ",
           end);
  AG_CHECK((step > 0 && end >= start) || (step < 0 && end <= start),
           "arange: upper bound and larger bound inconsistent with step sign (start ", start,
           ", end ", end, ", step ", step, ")");
  int64_t n = static_cast<int64_t>(std::ceil((end - start) / step));
  Tensor t = detail::empty({n}, o.dtype());
  kernels::dispatch(o.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* p = t.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
  return finish(t, o);
}

Tensor linspace(double start, double end, int64_t steps, TensorOptions o) {
  AG_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  AG_CHECK(is_floating(o.dtype()), "linspace: only float32 and float64 are supported, not ",
           dtype_name(o.dtype()));
  Tensor t = detail::empty({steps}, o.dtype());
  kernels::dispatch_floating(o.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* p = t.data_ptr<T>();
    if (steps == 1) p[0] = static_cast<T>(start);
    if (steps <= 1) return;
    // PyTorch's AVX2 kernel, value for value: the first half counts up from start and the
    // second half down from end (so both ends are exact). Elements come in pairs of SIMD
    // vectors: a vector's first lane is computed like a scalar element (one FMA), its other
    // lanes as first + (lane * step) (two roundings); the tail is scalar.
    const T a = static_cast<T>(start), b = static_cast<T>(end);
    const T step = (b - a) / static_cast<T>(steps - 1);
    const int64_t half = steps / 2;
    auto scalar_at = [&](int64_t i) {
      return i < half ? std::fma(step, static_cast<T>(i), a)
                      : std::fma(-step, static_cast<T>(steps - i - 1), b);
    };
    constexpr int64_t lanes = 32 / sizeof(T);  // one 256-bit vector
    int64_t i = 0;
    for (; i + 2 * lanes <= steps; i += 2 * lanes)
      for (int64_t v = i; v < i + 2 * lanes; v += lanes) {
        const T first = scalar_at(v);
        p[v] = first;
        for (int64_t l = 1; l < lanes; ++l) p[v + l] = first + static_cast<T>(l) * step;
      }
    for (; i < steps; ++i) p[i] = scalar_at(i);
  });
  return finish(t, o);
}

Tensor from_vector(const std::vector<float>& v, const Shape& s, TensorOptions o) {
  return from_values(v, s, o);
}
Tensor from_vector(const std::vector<double>& v, const Shape& s, TensorOptions o) {
  return from_values(v, s, o);
}
Tensor from_vector(const std::vector<int64_t>& v, const Shape& s, TensorOptions o) {
  return from_values(v, s, o);
}
Tensor from_vector(const std::vector<float>& v) {
  return from_vector(v, {static_cast<int64_t>(v.size())});
}
Tensor from_vector(const std::vector<double>& v) {
  return from_vector(v, {static_cast<int64_t>(v.size())});
}
Tensor from_vector(const std::vector<int64_t>& v) {
  return from_vector(v, {static_cast<int64_t>(v.size())});
}

Shape TensorData::shape() const {
  if (!is_list_) return {};
  Shape s{static_cast<int64_t>(items_.size())};
  if (items_.empty()) return s;
  Shape inner = items_[0].shape();
  for (const TensorData& item : items_)
    AG_CHECK(item.shape() == inner, "tensor: ragged nested list: expected every item of shape ",
             inner, " but one has shape ", item.shape());
  for (int64_t d : inner) s.push_back(d);
  return s;
}

void TensorData::flatten(std::vector<double>& out) const {
  if (!is_list_) {
    out.push_back(value_);
    return;
  }
  for (const TensorData& item : items_) item.flatten(out);
}

bool TensorData::all_integral() const {
  if (!is_list_) return integral_;
  for (const TensorData& item : items_)
    if (!item.all_integral()) return false;
  return !items_.empty();
}

Tensor tensor(const TensorData& data, TensorOptions o) {
  std::vector<double> values;
  data.flatten(values);
  return from_values(values, data.shape(), o);
}

Tensor tensor(const TensorData& data) {
  return tensor(data, data.all_integral() ? kInt64 : kFloat32);
}

}  // namespace ag
