// The vectorised float32 exp, tanh and sigmoid: within 2 ulp of the correctly rounded value,
// the AVX-512, AVX2 and portable paths bit-identical, and the edge cases (±0, subnormals, ±inf, NaN,
// overflow and underflow) right.
#include <cmath>
#include <cstring>

#include "kernels/vector_math.hpp"
#include "support/check.hpp"

namespace {

int64_t ulps(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  if (ia < 0) ia = INT32_MIN - ia;  // map to a monotonic integer line
  if (ib < 0) ib = INT32_MIN - ib;
  return std::llabs(static_cast<long long>(ia) - ib);
}

// Bit for bit, except that any NaN equals any NaN (a NaN's sign and payload carry no meaning).
bool same_bits(float a, float b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, 4) == 0;
}

std::vector<float> samples() {
  std::vector<float> xs;
  for (int64_t k = 0; k < 400000; ++k) {
    float x = static_cast<float>(static_cast<double>((k * 2654435761ull) % 4000000001ull) / 1e8 - 20.0);
    xs.push_back(k % 3 == 0 ? x * 1e-3f : x * (k % 3 == 1 ? 5.0f : 1.0f));
  }
  for (float x : {0.0f, -0.0f, 1e-40f, -1e-40f, 1e-30f, 0.625f, -0.625f, 9.0f, 88.0f, -88.0f,
                  88.72f, 88.73f, -103.9f, -104.0f, 1e4f, -1e4f, INFINITY, -INFINITY})
    xs.push_back(x);
  return xs;
}

}  // namespace

TEST_CASE("exp, tanh and sigmoid are within 2 ulp of the correctly rounded value") {
  int64_t worst_exp = 0, worst_tanh = 0, worst_sigmoid = 0;
  for (float x : samples()) {
    const double d = x;
    if (std::exp(d) < 3.4e38) worst_exp = std::max(worst_exp, ulps(ag::kernels::vm::exp(x), static_cast<float>(std::exp(d))));
    worst_tanh = std::max(worst_tanh, ulps(ag::kernels::vm::tanh(x), static_cast<float>(std::tanh(d))));
    // Below about -88.7, e^-x overflows float and sigmoid is 0, as in PyTorch's formula.
    const double s = 1.0 / (1.0 + std::exp(-d));
    if (s > 1e-37) worst_sigmoid = std::max(worst_sigmoid, ulps(ag::kernels::vm::sigmoid(x), static_cast<float>(s)));
  }
  CHECK(worst_exp <= 2);
  CHECK(worst_tanh <= 2);
  CHECK(worst_sigmoid <= 2);
}

// Each vector build, called directly, so both are checked on a CPU that has both.
namespace ag::kernels {
#define AG_VECTOR_BUILD(isa)                         \
  namespace isa {                                    \
  bool available();                                  \
  void tanh(float* y, const float* x, int64_t n);    \
  void sigmoid(float* y, const float* x, int64_t n); \
  void exp(float* y, const float* x, int64_t n);     \
  }
AG_VECTOR_BUILD(avx2)
AG_VECTOR_BUILD(avx512)
#undef AG_VECTOR_BUILD
}  // namespace ag::kernels

namespace {
using ArrayFn = void (*)(float*, const float*, int64_t);

void check_array_forms(ArrayFn tanh_fn, ArrayFn sigmoid_fn, ArrayFn exp_fn) {
  std::vector<float> xs = samples();
  xs.push_back(NAN);
  for (size_t tail = 0; tail < 17; ++tail) xs.push_back(0.37f * static_cast<float>(tail) - 3.0f);
  std::vector<float> y(xs.size());
  tanh_fn(y.data(), xs.data(), static_cast<int64_t>(xs.size()));
  for (size_t i = 0; i < xs.size(); ++i) CHECK(same_bits(y[i], ag::kernels::vm::tanh(xs[i])));
  sigmoid_fn(y.data(), xs.data(), static_cast<int64_t>(xs.size()));
  for (size_t i = 0; i < xs.size(); ++i) CHECK(same_bits(y[i], ag::kernels::vm::sigmoid(xs[i])));
  exp_fn(y.data(), xs.data(), static_cast<int64_t>(xs.size()));
  for (size_t i = 0; i < xs.size(); ++i) CHECK(same_bits(y[i], ag::kernels::vm::exp(xs[i])));
}
}  // namespace

TEST_CASE("the array forms equal the scalar forms bit for bit") {
  namespace k = ag::kernels;
  SUBCASE("the build this CPU runs") { check_array_forms(k::tanh, k::sigmoid, k::exp); }
  if (k::avx2::available())
    SUBCASE("AVX2") { check_array_forms(k::avx2::tanh, k::avx2::sigmoid, k::avx2::exp); }
  if (k::avx512::available())
    SUBCASE("AVX-512") { check_array_forms(k::avx512::tanh, k::avx512::sigmoid, k::avx512::exp); }
}

TEST_CASE("edge cases: signed zeros, subnormals, saturation, infinities, NaN") {
  using ag::kernels::vm::exp;
  using ag::kernels::vm::sigmoid;
  using ag::kernels::vm::tanh;
  CHECK(same_bits(tanh(-0.0f), -0.0f));
  CHECK(tanh(1e-40f) == 1e-40f);
  CHECK(tanh(10.0f) == 1.0f);
  CHECK(tanh(9.0f) == static_cast<float>(std::tanh(9.0)));
  CHECK(tanh(-INFINITY) == -1.0f);
  CHECK(std::isnan(tanh(NAN)));
  CHECK(exp(-88.0f) == static_cast<float>(std::exp(-88.0)));  // a subnormal, not 0
  CHECK(exp(-104.0f) == 0.0f);
  CHECK(exp(89.0f) == INFINITY);
  CHECK(exp(INFINITY) == INFINITY);
  CHECK(exp(-INFINITY) == 0.0f);
  CHECK(sigmoid(-104.0f) == 0.0f);
  CHECK(sigmoid(1e4f) == 1.0f);
  CHECK(sigmoid(-88.0f) > 0.0f);
}
