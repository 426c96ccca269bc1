// Cephes-style float32 log and sincos, bit-identical to the AVX2 code in torch 1.13.
//
// NOTE: the header avx_mathfun.h uses separate multiply and add intrinsics, but GCC 12 fused
// some of them in PyTorch's binary. Every std::fmaf below is one of those fused sites
// (torch-compat.md 2.3-2.4); everything else must round after each operation, which is why
// src/random/ is compiled with -ffp-contract=off.
#include "random/cephes.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ag::detail {
namespace {

// The constants, rounded to float exactly as the header's _ps256_* tables.
constexpr float kMinNormPos = 0x1p-126f;
constexpr float kSqrtHalf = 0.707106781186547524f;
constexpr float kLogP[9] = {7.0376836292E-2f,  -1.1514610310E-1f, 1.1676998740E-1f,
                            -1.2420140846E-1f, 1.4249322787E-1f,  -1.6668057665E-1f,
                            2.0000714765E-1f,  -2.4999993993E-1f, 3.3333331174E-1f};
constexpr float kLogQ1 = -2.12194440e-4f;
constexpr float kLogQ2 = 0.693359375f;

constexpr float kMinusDP1 = -0.78515625f;
constexpr float kMinusDP2 = -2.4187564849853515625e-4f;
constexpr float kMinusDP3 = -3.77489497744594108e-8f;
constexpr float kSinP[3] = {-1.9515295891E-4f, 8.3321608736E-3f, -1.6666654611E-1f};
constexpr float kCosP[3] = {2.443315711809948E-005f, -1.388731625493765E-003f,
                            4.166664568298827E-002f};
constexpr float kFourOverPi = 1.27323954473516f;

// A lane masked by a comparison: the value, or +0 (what _mm256_and_ps leaves).
float keep_if(bool mask, float v) { return mask ? v : 0.0f; }

}  // namespace

float cephes_logf(float x) {
  const bool invalid = x <= 0.0f;
  x = x > kMinNormPos ? x : kMinNormPos;  // cut off denormals (never reached for randn)

  // x = m * 2^e with m in [0.5, 1)
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  const int32_t exponent = static_cast<int32_t>(bits >> 23) - 0x7f;
  const float m =
      std::bit_cast<float>((bits & ~0x7f800000u) | std::bit_cast<uint32_t>(0.5f));
  float e = static_cast<float>(exponent) + 1.0f;

  // m < sqrt(1/2): use 2m - 1 and e - 1, so that t lies in [sqrt(1/2) - 1, sqrt(2) - 1)
  const bool small = m < kSqrtHalf;
  float t = m - 1.0f;
  e = e - keep_if(small, 1.0f);
  t = t + keep_if(small, m);
  const float z = t * t;

  float y = kLogP[0];
  for (int k = 1; k < 9; ++k) y = std::fmaf(y, t, kLogP[k]);  // fused (GCC)
  y = y * t;
  const float eq1 = e * kLogQ1;  // rounded on its own: only y*z was fused
  y = std::fmaf(y, z, eq1);
  y = std::fmaf(-z, 0.5f, y);  // y - z/2 (z/2 is exact)
  t = t + y;
  t = std::fmaf(e, kLogQ2, t);  // e*q2 is exact for these e
  return invalid ? std::numeric_limits<float>::quiet_NaN() : t;
}

void cephes_sincosf(float x, float& sin_out, float& cos_out) {
  const bool negative_in = std::signbit(x);
  x = std::fabs(x);

  // j = the even integer nearest above x * 4/pi (truncation, as _mm256_cvttps_epi32)
  int32_t j = static_cast<int32_t>(x * kFourOverPi);
  j = (j + 1) & ~1;
  const float y = static_cast<float>(j);
  const bool sin_flip = ((j & 4) != 0) != negative_in;
  const bool cos_flip = (~(j - 2) & 4) != 0;
  const bool use_sin_poly = (j & 2) == 0;

  // x - y*pi/4 in three steps ("extended precision modular arithmetic"), each fused
  x = std::fmaf(y, kMinusDP1, x);
  x = std::fmaf(y, kMinusDP2, x);
  x = std::fmaf(y, kMinusDP3, x);
  const float z = x * x;

  float c = std::fmaf(std::fmaf(kCosP[0], z, kCosP[1]), z, kCosP[2]);
  c = c * z;
  const float half_z = z * 0.5f;
  c = std::fmaf(c, z, -half_z);  // fused with the subtraction of z/2
  c = c + 1.0f;

  float s = std::fmaf(std::fmaf(kSinP[0], z, kSinP[1]), z, kSinP[2]);
  s = s * z;
  s = std::fmaf(s, x, x);

  // The header selects with and/andnot, a subtraction and an addition; done the same way
  // so that even the sign of a zero result is the same.
  const float sin_part = keep_if(use_sin_poly, s);
  const float cos_part = keep_if(!use_sin_poly, c);
  const float sin_value = cos_part + sin_part;
  const float cos_value = (c - cos_part) + (s - sin_part);
  sin_out = sin_flip ? -sin_value : sin_value;
  cos_out = cos_flip ? -cos_value : cos_value;
}

}  // namespace ag::detail
