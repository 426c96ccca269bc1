// float32 exp, tanh and sigmoid that compilers can vectorise (no libm calls, no branches),
// within 2 ulp of the correctly rounded result. float64 keeps libm: it is the gradcheck
// dtype, where accuracy matters and speed does not.
//
// The array versions have an AVX2 build (vector_math_avx2.cpp) picked at run time, so a tanh
// over a [64, 512] hidden state runs 8 lanes at a time. Both compute the same operations in
// the same order (no fused multiply-adds), so a value does not depend on which one ran
// (contiguous or strided, vectorised or not, this CPU or another).
#pragma once

#include <cstdint>
#include <cstring>

namespace ag::kernels {

namespace vm {

// exp(x), Cephes' expf: x = n ln2 + r with |r| <= ln2/2, a degree-6 polynomial for e^r, then
// the exponent n put in by bit arithmetic. Saturates to 0 and +inf outside float's range.
// The constants, shared with the AVX2 version (vector_math_avx2.cpp), which performs exactly
// the same operations in the same order.
inline constexpr float kExpHi = 88.72283935546875f;   // above: +inf
inline constexpr float kExpLo = -103.97208404541016f;  // below: 0
inline constexpr float kLog2e = 1.44269504088896341f;
inline constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
inline constexpr float kExpP[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                   4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
inline constexpr float kTanhOne = 9.0109f;
inline constexpr float kTanhP[5] = {-5.70498872745e-3f, 2.06390887954e-2f, -5.37397155531e-2f,
                                    1.33314422036e-1f, -3.33332819422e-1f};

inline float from_bits(int32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline float exp(float x) {
  const bool over = x > kExpHi, under = x < kExpLo;
  const float c = over ? kExpHi : (under ? kExpLo : x);
  const float fx = c * kLog2e + 0.5f;
  float n = static_cast<float>(static_cast<int32_t>(fx));
  n = n > fx ? n - 1.0f : n;  // floor
  float r = c - n * kLn2Hi;
  r = r - n * kLn2Lo;
  const float z = r * r;
  float p = kExpP[0];
  for (int k = 1; k < 6; ++k) p = p * r + kExpP[k];
  p = p * z + r + 1.0f;
  // 2^n in two halves, so results down to the subnormals and up to FLT_MAX come out right.
  const int32_t ni = static_cast<int32_t>(n), n1 = ni >> 1;
  const float y = p * from_bits((n1 + 127) << 23) * from_bits((ni - n1 + 127) << 23);
  return over ? __builtin_inff() : (under ? 0.0f : y);
}

// tanh(x): an odd polynomial near 0 (Cephes' tanhf), 1 - 2 / (e^{2|x|} + 1) elsewhere.
inline float tanh(float x) {
  const float a = x < 0 ? -x : x;
  const float z = x * x;
  float p = kTanhP[0];
  for (int k = 1; k < 5; ++k) p = p * z + kTanhP[k];
  const float small = p * z * x + x;
  // Beyond 9.0109, tanh rounds to exactly 1 (1 - tanh(x) < 2^-25); the formula would give
  // 1 - 2^-24 there, so it is cut off, which also keeps e^{2|x|} finite.
  const float e = vm::exp(2.0f * (a > kTanhOne ? kTanhOne : a));
  const float big = a > kTanhOne ? 1.0f : 1.0f - 2.0f / (e + 1.0f);
  const float r = a < 0.625f ? small : (x < 0 ? -big : big);
  return a == 0.0f || x != x ? x : r;  // keeps -0 and NaN as they are
}

// sigmoid(x) = 1 / (1 + e^-x), as PyTorch writes it: e^-x overflowing to inf gives exactly 0.
inline float sigmoid(float x) { return 1.0f / (1.0f + vm::exp(-x)); }

}  // namespace vm

/// y[i] = f(x[i]) for n contiguous floats; y may equal x.
void tanh(float* y, const float* x, int64_t n);
void sigmoid(float* y, const float* x, int64_t n);
void exp(float* y, const float* x, int64_t n);

}  // namespace ag::kernels
