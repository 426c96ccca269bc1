// AVX2 builds of vector_math.hpp's exp, tanh and sigmoid: the scalar code's operations,
// eight lanes at a time, in the same order and without fused multiply-adds, so every lane
// equals the scalar result bit for bit. Compiled for any x86-64 (target attributes), used
// only when the CPU has AVX2; elsewhere available() is false.
#include "kernels/vector_math.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AG_AVX2 __attribute__((target("avx2")))

namespace ag::kernels::avx2 {
namespace {

AG_AVX2 inline __m256 splat(float v) { return _mm256_set1_ps(v); }

AG_AVX2 inline __m256 exp8(__m256 x) {
  const __m256 hi = splat(vm::kExpHi), lo = splat(vm::kExpLo);
  const __m256 over = _mm256_cmp_ps(x, hi, _CMP_GT_OQ), under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
  __m256 c = _mm256_blendv_ps(_mm256_blendv_ps(x, lo, under), hi, over);
  const __m256 fx = _mm256_add_ps(_mm256_mul_ps(c, splat(vm::kLog2e)), splat(0.5f));
  __m256 n = _mm256_cvtepi32_ps(_mm256_cvttps_epi32(fx));
  n = _mm256_blendv_ps(n, _mm256_sub_ps(n, splat(1.0f)), _mm256_cmp_ps(n, fx, _CMP_GT_OQ));
  __m256 r = _mm256_sub_ps(c, _mm256_mul_ps(n, splat(vm::kLn2Hi)));
  r = _mm256_sub_ps(r, _mm256_mul_ps(n, splat(vm::kLn2Lo)));
  const __m256 z = _mm256_mul_ps(r, r);
  __m256 p = splat(vm::kExpP[0]);
  for (int k = 1; k < 6; ++k) p = _mm256_add_ps(_mm256_mul_ps(p, r), splat(vm::kExpP[k]));
  p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(p, z), r), splat(1.0f));
  const __m256i ni = _mm256_cvttps_epi32(n), n1 = _mm256_srai_epi32(ni, 1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, n1), bias), 23));
  const __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  return _mm256_blendv_ps(_mm256_blendv_ps(y, _mm256_setzero_ps(), under),
                          splat(__builtin_inff()), over);
}

AG_AVX2 inline __m256 tanh8(__m256 x) {
  const __m256 sign = splat(-0.0f);
  const __m256 a = _mm256_andnot_ps(sign, x);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = splat(vm::kTanhP[0]);
  for (int k = 1; k < 5; ++k) p = _mm256_add_ps(_mm256_mul_ps(p, z), splat(vm::kTanhP[k]));
  const __m256 small = _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, z), x), x);
  const __m256 one = splat(1.0f), cut = splat(vm::kTanhOne);
  const __m256 beyond = _mm256_cmp_ps(a, cut, _CMP_GT_OQ);
  const __m256 e = exp8(_mm256_mul_ps(splat(2.0f), _mm256_blendv_ps(a, cut, beyond)));
  const __m256 big = _mm256_blendv_ps(
      _mm256_sub_ps(one, _mm256_div_ps(splat(2.0f), _mm256_add_ps(e, one))), one, beyond);
  const __m256 signed_big = _mm256_or_ps(big, _mm256_and_ps(x, sign));  // big > 0: copies x's sign
  __m256 r = _mm256_blendv_ps(signed_big, small, _mm256_cmp_ps(a, splat(0.625f), _CMP_LT_OQ));
  const __m256 keep = _mm256_or_ps(_mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_EQ_OQ),
                                   _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
  return _mm256_blendv_ps(r, x, keep);
}

AG_AVX2 inline __m256 sigmoid8(__m256 x) {
  const __m256 one = splat(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

}  // namespace

bool available() { return __builtin_cpu_supports("avx2"); }

// Eight lanes at a time, the scalar function for the last few.
#define AG_APPLY(vec, scalar)                                                      \
  int64_t i = 0;                                                                   \
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, vec(_mm256_loadu_ps(x + i))); \
  for (; i < n; ++i) y[i] = scalar(x[i]);

AG_AVX2 void tanh(float* y, const float* x, int64_t n) { AG_APPLY(tanh8, vm::tanh) }
AG_AVX2 void sigmoid(float* y, const float* x, int64_t n) { AG_APPLY(sigmoid8, vm::sigmoid) }
AG_AVX2 void exp(float* y, const float* x, int64_t n) { AG_APPLY(exp8, vm::exp) }

}  // namespace ag::kernels::avx2

#else  // not x86-64: the portable loops always

namespace ag::kernels::avx2 {
bool available() { return false; }
void tanh(float*, const float*, int64_t) {}
void sigmoid(float*, const float*, int64_t) {}
void exp(float*, const float*, int64_t) {}
}  // namespace ag::kernels::avx2

#endif
