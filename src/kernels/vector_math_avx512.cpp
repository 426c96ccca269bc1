// AVX-512 builds of vector_math.hpp's exp, tanh and sigmoid: vector_math_avx2.cpp's operations
// sixteen lanes at a time (masks instead of blends), in the same order and without fused
// multiply-adds, so every lane equals the scalar result bit for bit. Compiled for any x86-64
// (target attributes), used only when the CPU has AVX-512F; elsewhere available() is false.
#include "kernels/vector_math.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AG_AVX512 __attribute__((target("avx512f")))

namespace ag::kernels::avx512 {
namespace {

using V = __m512;
using M = __mmask16;
// (Zero-masked forms of some intrinsics with an all-ones mask: the unmasked ones pass
// _mm512_undefined_*(), which GCC 12 reports as maybe-uninitialized.)

AG_AVX512 inline V splat(float v) { return _mm512_set1_ps(v); }
AG_AVX512 inline __m512i ints(V a) { return _mm512_castps_si512(a); }
AG_AVX512 inline V bits_and(V a, V b) {
  return _mm512_castsi512_ps(_mm512_maskz_and_epi32(0xFFFF, ints(a), ints(b)));
}
AG_AVX512 inline V bits_or(V a, V b) {
  return _mm512_castsi512_ps(_mm512_maskz_or_epi32(0xFFFF, ints(a), ints(b)));
}
AG_AVX512 inline V bits_andnot(V a, V b) {  // ~a & b
  return _mm512_castsi512_ps(_mm512_maskz_andnot_epi32(0xFFFF, ints(a), ints(b)));
}

AG_AVX512 inline V exp16(V x) {
  const V hi = splat(vm::kExpHi), lo = splat(vm::kExpLo);
  const M over = _mm512_cmp_ps_mask(x, hi, _CMP_GT_OQ);
  const M under = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
  const V c = _mm512_mask_blend_ps(over, _mm512_mask_blend_ps(under, x, lo), hi);
  const V fx = _mm512_add_ps(_mm512_mul_ps(c, splat(vm::kLog2e)), splat(0.5f));
  V n = _mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_maskz_cvttps_epi32(0xFFFF, fx));
  n = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(n, fx, _CMP_GT_OQ), n, _mm512_sub_ps(n, splat(1.0f)));
  V r = _mm512_sub_ps(c, _mm512_mul_ps(n, splat(vm::kLn2Hi)));
  r = _mm512_sub_ps(r, _mm512_mul_ps(n, splat(vm::kLn2Lo)));
  const V z = _mm512_mul_ps(r, r);
  V p = splat(vm::kExpP[0]);
  for (int k = 1; k < 6; ++k) p = _mm512_add_ps(_mm512_mul_ps(p, r), splat(vm::kExpP[k]));
  p = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(p, z), r), splat(1.0f));
  const __m512i ni = _mm512_maskz_cvttps_epi32(0xFFFF, n);
  const __m512i n1 = _mm512_maskz_srai_epi32(0xFFFF, ni, 1);
  const __m512i bias = _mm512_set1_epi32(127);
  const V s1 = _mm512_castsi512_ps(_mm512_maskz_slli_epi32(0xFFFF, _mm512_add_epi32(n1, bias), 23));
  const V s2 = _mm512_castsi512_ps(
      _mm512_maskz_slli_epi32(0xFFFF, _mm512_add_epi32(_mm512_sub_epi32(ni, n1), bias), 23));
  const V y = _mm512_mul_ps(_mm512_mul_ps(p, s1), s2);
  return _mm512_mask_blend_ps(over, _mm512_mask_blend_ps(under, y, _mm512_setzero_ps()),
                              splat(__builtin_inff()));
}

AG_AVX512 inline V tanh16(V x) {
  const V sign = splat(-0.0f);
  const V a = bits_andnot(sign, x);
  const V z = _mm512_mul_ps(x, x);
  V p = splat(vm::kTanhP[0]);
  for (int k = 1; k < 5; ++k) p = _mm512_add_ps(_mm512_mul_ps(p, z), splat(vm::kTanhP[k]));
  const V small = _mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(p, z), x), x);
  const V one = splat(1.0f), cut = splat(vm::kTanhOne);
  const M beyond = _mm512_cmp_ps_mask(a, cut, _CMP_GT_OQ);
  const V e = exp16(_mm512_mul_ps(splat(2.0f), _mm512_mask_blend_ps(beyond, a, cut)));
  const V big = _mm512_mask_blend_ps(
      beyond, _mm512_sub_ps(one, _mm512_div_ps(splat(2.0f), _mm512_add_ps(e, one))), one);
  const V signed_big = bits_or(big, bits_and(x, sign));  // big > 0: copies x's sign
  const M near_zero = _mm512_cmp_ps_mask(a, splat(0.625f), _CMP_LT_OQ);
  const V r = _mm512_mask_blend_ps(near_zero, signed_big, small);
  const M keep = _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_EQ_OQ) |
                 _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  return _mm512_mask_blend_ps(keep, r, x);
}

AG_AVX512 inline V sigmoid16(V x) {
  const V one = splat(1.0f);
  return _mm512_div_ps(one, _mm512_add_ps(one, exp16(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

}  // namespace

bool available() { return __builtin_cpu_supports("avx512f"); }

// Sixteen lanes at a time; the last few through masked loads and stores.
#define AG_APPLY(vec)                                                                   \
  int64_t i = 0;                                                                        \
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, vec(_mm512_loadu_ps(x + i)));   \
  if (i < n) {                                                                          \
    const M m = static_cast<M>((1u << (n - i)) - 1);                                    \
    _mm512_mask_storeu_ps(y + i, m, vec(_mm512_maskz_loadu_ps(m, x + i)));              \
  }

AG_AVX512 void tanh(float* y, const float* x, int64_t n) { AG_APPLY(tanh16) }
AG_AVX512 void sigmoid(float* y, const float* x, int64_t n) { AG_APPLY(sigmoid16) }
AG_AVX512 void exp(float* y, const float* x, int64_t n) { AG_APPLY(exp16) }

}  // namespace ag::kernels::avx512

#else  // not x86-64: the other builds always

namespace ag::kernels::avx512 {
bool available() { return false; }
void tanh(float*, const float*, int64_t) {}
void sigmoid(float*, const float*, int64_t) {}
void exp(float*, const float*, int64_t) {}
}  // namespace ag::kernels::avx512

#endif
