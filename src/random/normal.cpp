// normal_ and randn: PyTorch's two normal paths.
//
// * scalar path (fewer than 16 elements, or not contiguous): Box-Muller in double per
//   element, with the cached second sample (distributions.hpp);
// * block path (16 or more, contiguous): fill with uniforms of the tensor's dtype, then
//   transform blocks of 16 (element j pairs with j + 8); a partial last block is redrawn as
//   16 fresh uniforms over the last 16 elements.
#include <cmath>
#include <mutex>
#include <numbers>

#include "ag/random.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"
#include "random/cephes.hpp"
#include "random/distributions.hpp"
#include "random/fill.hpp"

namespace ag {
namespace {

// NOTE: 2*pi rounded to float (0x40C90FDB), as the AVX2 kernel's _mm256_set1_ps; the portable
// kernel rounds the product 2*pi*u in double instead, which gives other bits.
constexpr float kTwoPiF = static_cast<float>(2.0 * std::numbers::pi);

// One block, float32: the AVX2 kernel (normal_fill_16_AVX2) lane by lane.
void normal_block16(float* d, float mean, float std) {
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - d[j];  // (0, 1]: the log is finite
    const float u2 = d[j + 8];
    const float radius = std::sqrt(-2.0f * detail::cephes_logf(u1));
    const float theta = kTwoPiF * u2;
    float s, c;
    detail::cephes_sincosf(theta, s, c);
    d[j] = std::fmaf(radius * c, std, mean);  // _mm256_fmadd_ps in the source
    d[j + 8] = std::fmaf(radius * s, std, mean);
  }
}

// One block, float64: the portable kernel (normal_fill_16<double>) with glibc's log/cos/sin.
void normal_block16(double* d, double mean, double std) {
  for (int j = 0; j < 8; ++j) {
    const double u1 = 1.0 - d[j];
    const double u2 = d[j + 8];
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * std::numbers::pi * u2;
    // NOTE: radius*cos is rounded, then *std+mean is one FMA (contracted in PyTorch's build).
    d[j] = std::fma(radius * std::cos(theta), std, mean);
    d[j + 8] = std::fma(radius * std::sin(theta), std, mean);
  }
}

template <class T>
void normal_fill_blocks(T* data, int64_t n, T mean, T std, detail::GeneratorState& g) {
  for (int64_t i = 0; i < n; ++i) data[i] = detail::uniform01<T>(g);
  for (int64_t i = 0; i + 16 <= n; i += 16) normal_block16(data + i, mean, std);
  if (n % 16 != 0) {
    // NOTE: redraws the last 16, overwriting finished normals of the last full block too.
    T* tail = data + n - 16;
    for (int i = 0; i < 16; ++i) tail[i] = detail::uniform01<T>(g);
    normal_block16(tail, mean, std);
  }
}

// Fills t (float32 or float64, any strides) with N(mean, std^2); no checks.
void normal_fill(const Tensor& t, double mean, double std, detail::GeneratorState& g) {
  kernels::dispatch_floating(t.dtype(), [&](auto zero) {
    using T = decltype(zero);
    std::lock_guard<std::mutex> lock(g.mutex);
    const int64_t n = t.numel();
    if (n >= 16 && t.is_contiguous()) {
      normal_fill_blocks<T>(t.data_ptr<T>(), n, static_cast<T>(mean), static_cast<T>(std), g);
      return;
    }
    detail::for_each_in_memory_order<T>(t, [&](T& v) {
      v = static_cast<T>(detail::scale_normal(detail::standard_normal_scalar(g), mean, std));
    });
  });
}

}  // namespace

Tensor& normal_(Tensor& self, double mean, double std, Generator* generator) {
  detail::check_floating(self, "normal_");
  AG_CHECK(std >= 0.0, "normal_: expects std >= 0, but got std=", std);
  const bool record = detail::begin_random_fill(self, "normal_");
  normal_fill(self, mean, std, detail::state_of(generator));
  detail::end_random_fill(self, record, "NormalBackward0");
  return self;
}

Tensor& Tensor::normal_(double mean, double std) { return ag::normal_(*this, mean, std); }

Tensor randn(const Shape& shape, TensorOptions options, Generator* generator) {
  AG_CHECK(is_floating(options.dtype()), "randn: expected a float32 or float64 dtype, got ",
           dtype_name(options.dtype()));
  for (int64_t s : shape) AG_CHECK(s >= 0, "randn: negative size in shape ", shape);
  Tensor t = detail::empty(shape, options.dtype());
  normal_fill(t, 0.0, 1.0, detail::state_of(generator));
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}

Tensor randn(const Shape& shape, TensorOptions options) { return randn(shape, options, nullptr); }

Tensor randn_like(const Tensor& t) {
  detail::check_floating(t, "randn_like");
  return randn(t.shape(), t.dtype());
}

}  // namespace ag
