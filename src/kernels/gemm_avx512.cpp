// AVX-512 GEMM kernels: the vector type behind gemm_tile.hpp (packed tiles 12 x 32 floats, 24 zmm
// accumulators, or 12 x 16 doubles; up to 16 rows x 1 vector or 2 rows x 8 vectors for thin
// products), 4 x 4 dot-product blocks, and 16 x 16 (8 x 8) register transposes for packing a
// transposed B. Masked loads and stores handle ragged edges at no extra cost. Only compiled into
// x86-64 builds, only called when the CPU reports avx512f (gemm.cpp checks at run time).
#if defined(__x86_64__)
#include <immintrin.h>

#define AG_GEMM_TARGET __attribute__((target("avx512f,avx2,fma")))

namespace ag::kernels::gemm_detail {
namespace {

struct F512 {
  using T = float;
  using Reg = __m512;
  using Mask = __mmask16;
  static constexpr int lanes = 16;
  AG_GEMM_TARGET static Reg zero() { return _mm512_setzero_ps(); }
  AG_GEMM_TARGET static Reg set1(T x) { return _mm512_set1_ps(x); }
  AG_GEMM_TARGET static Reg load(const T* p) { return _mm512_loadu_ps(p); }
  AG_GEMM_TARGET static Reg load_mask(const T* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  AG_GEMM_TARGET static void store(T* p, Reg r) { _mm512_storeu_ps(p, r); }
  AG_GEMM_TARGET static void store_mask(T* p, Reg r, Mask m) { _mm512_mask_storeu_ps(p, m, r); }
  AG_GEMM_TARGET static Reg bcast(const T* p) { return _mm512_set1_ps(*p); }
  AG_GEMM_TARGET static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  AG_GEMM_TARGET static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  AG_GEMM_TARGET static Mask mask(int n) { return static_cast<Mask>((1u << n) - 1); }
  // (The masked shuffle forms sidestep GCC 12's -Wuninitialized false positives in the
  // unmasked intrinsics, which pass _mm512_undefined_ps().)
  AG_GEMM_TARGET static Reg add_pairs_ps(Reg x,
                                         Reg y) {  // per 128-bit lane: x0+x2 y0+y2 x1+x3 y1+y3
    return _mm512_add_ps(_mm512_mask_unpacklo_ps(x, 0xFFFF, x, y),
                         _mm512_mask_unpackhi_ps(x, 0xFFFF, x, y));
  }
  AG_GEMM_TARGET static void hsum4(Reg a, Reg b, Reg c, Reg d, T* out) {
    const __m512d ab = _mm512_castps_pd(add_pairs_ps(a, b));
    const __m512d cd = _mm512_castps_pd(add_pairs_ps(c, d));
    const Reg s = _mm512_add_ps(_mm512_castpd_ps(_mm512_mask_unpacklo_pd(ab, 0xFF, ab, cd)),
                                _mm512_castpd_ps(_mm512_mask_unpackhi_pd(ab, 0xFF, ab, cd)));
    const Reg s2 = _mm512_add_ps(s, _mm512_mask_shuffle_f32x4(s, 0xFFFF, s, s, 0x4E));
    const Reg s1 = _mm512_add_ps(s2, _mm512_mask_shuffle_f32x4(s2, 0xFFFF, s2, s2, 0xB1));
    // An unmasked 128-bit store: scalar loads forward from it (a masked store would stall them).
    _mm_storeu_ps(out, _mm512_mask_extractf32x4_ps(_mm_setzero_ps(), 0xF, s1, 0));
  }
  AG_GEMM_TARGET static T fma1(T a, T b, T c) { return __builtin_fmaf(a, b, c); }
  // r[j] = row j of a 16 x 16 block -> r[c] = column c (unpack, then 128-bit lane shuffles).
  AG_GEMM_TARGET static void transpose(Reg* r) {
    Reg t[16], u[16];
    for (int i = 0; i < 16; i += 2) {
      t[i] = _mm512_mask_unpacklo_ps(r[i], 0xFFFF, r[i], r[i + 1]);
      t[i + 1] = _mm512_mask_unpackhi_ps(r[i], 0xFFFF, r[i], r[i + 1]);
    }
    for (int g = 0; g < 16; g += 4) {  // u[g + c], lane L: column 4L + c of rows g .. g + 3
      const __m512d t0 = _mm512_castps_pd(t[g]), t1 = _mm512_castps_pd(t[g + 1]);
      const __m512d t2 = _mm512_castps_pd(t[g + 2]), t3 = _mm512_castps_pd(t[g + 3]);
      u[g] = _mm512_castpd_ps(_mm512_mask_unpacklo_pd(t0, 0xFF, t0, t2));
      u[g + 1] = _mm512_castpd_ps(_mm512_mask_unpackhi_pd(t0, 0xFF, t0, t2));
      u[g + 2] = _mm512_castpd_ps(_mm512_mask_unpacklo_pd(t1, 0xFF, t1, t3));
      u[g + 3] = _mm512_castpd_ps(_mm512_mask_unpackhi_pd(t1, 0xFF, t1, t3));
    }
    for (int c = 0; c < 4; ++c) {  // a 4 x 4 transpose of 128-bit lanes
      const Reg v0 = _mm512_mask_shuffle_f32x4(u[c], 0xFFFF, u[c], u[4 + c], 0x88);
      const Reg v1 = _mm512_mask_shuffle_f32x4(u[c], 0xFFFF, u[c], u[4 + c], 0xDD);
      const Reg v2 = _mm512_mask_shuffle_f32x4(u[8 + c], 0xFFFF, u[8 + c], u[12 + c], 0x88);
      const Reg v3 = _mm512_mask_shuffle_f32x4(u[8 + c], 0xFFFF, u[8 + c], u[12 + c], 0xDD);
      r[c] = _mm512_mask_shuffle_f32x4(v0, 0xFFFF, v0, v2, 0x88);
      r[8 + c] = _mm512_mask_shuffle_f32x4(v0, 0xFFFF, v0, v2, 0xDD);
      r[4 + c] = _mm512_mask_shuffle_f32x4(v1, 0xFFFF, v1, v3, 0x88);
      r[12 + c] = _mm512_mask_shuffle_f32x4(v1, 0xFFFF, v1, v3, 0xDD);
    }
  }
};

struct D512 {
  using T = double;
  using Reg = __m512d;
  using Mask = __mmask8;
  static constexpr int lanes = 8;
  AG_GEMM_TARGET static Reg zero() { return _mm512_setzero_pd(); }
  AG_GEMM_TARGET static Reg set1(T x) { return _mm512_set1_pd(x); }
  AG_GEMM_TARGET static Reg load(const T* p) { return _mm512_loadu_pd(p); }
  AG_GEMM_TARGET static Reg load_mask(const T* p, Mask m) { return _mm512_maskz_loadu_pd(m, p); }
  AG_GEMM_TARGET static void store(T* p, Reg r) { _mm512_storeu_pd(p, r); }
  AG_GEMM_TARGET static void store_mask(T* p, Reg r, Mask m) { _mm512_mask_storeu_pd(p, m, r); }
  AG_GEMM_TARGET static Reg bcast(const T* p) { return _mm512_set1_pd(*p); }
  AG_GEMM_TARGET static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_pd(a, b, c); }
  AG_GEMM_TARGET static Reg mul(Reg a, Reg b) { return _mm512_mul_pd(a, b); }
  AG_GEMM_TARGET static Mask mask(int n) { return static_cast<Mask>((1u << n) - 1); }
  AG_GEMM_TARGET static void hsum4(Reg a, Reg b, Reg c, Reg d, T* out) {
    // Per 128-bit lane [x0 + x1, y0 + y1], then the four lanes summed pairwise.
    const Reg ab = _mm512_add_pd(_mm512_mask_unpacklo_pd(a, 0xFF, a, b),
                                 _mm512_mask_unpackhi_pd(a, 0xFF, a, b));
    const Reg cd = _mm512_add_pd(_mm512_mask_unpacklo_pd(c, 0xFF, c, d),
                                 _mm512_mask_unpackhi_pd(c, 0xFF, c, d));
    const Reg s = _mm512_add_pd(_mm512_mask_shuffle_f64x2(ab, 0xFF, ab, cd, 0x88),
                                _mm512_mask_shuffle_f64x2(ab, 0xFF, ab, cd, 0xDD));
    const Reg u = _mm512_add_pd(_mm512_mask_shuffle_f64x2(s, 0xFF, s, s, 0x88),
                                _mm512_mask_shuffle_f64x2(s, 0xFF, s, s, 0xDD));
    _mm256_storeu_pd(out, _mm512_mask_extractf64x4_pd(_mm256_setzero_pd(), 0xF, u, 0));
  }
  AG_GEMM_TARGET static T fma1(T a, T b, T c) { return __builtin_fma(a, b, c); }
  // r[j] = row j of an 8 x 8 block -> r[c] = column c.
  AG_GEMM_TARGET static void transpose(Reg* r) {
    Reg t[8], u[8];
    for (int i = 0; i < 8; i += 2) {  // t[i], lane L: column 2L (+1 for t[i + 1]) of rows i, i + 1
      t[i] = _mm512_mask_unpacklo_pd(r[i], 0xFF, r[i], r[i + 1]);
      t[i + 1] = _mm512_mask_unpackhi_pd(r[i], 0xFF, r[i], r[i + 1]);
    }
    for (int g = 0; g < 8; g += 4)
      for (int h = 0; h < 2; ++h) {
        u[g + 2 * h] = _mm512_mask_shuffle_f64x2(t[g + h], 0xFF, t[g + h], t[g + h + 2], 0x88);
        u[g + 2 * h + 1] = _mm512_mask_shuffle_f64x2(t[g + h], 0xFF, t[g + h], t[g + h + 2], 0xDD);
      }
    // u[g + 2h + s]: lanes = columns (2 * (s + 2 * 0|1) + h) of rows g .. g + 3, in row pairs.
    for (int h = 0; h < 2; ++h)
      for (int q = 0; q < 2; ++q) {
        const Reg lo = u[2 * h + q], hi = u[4 + 2 * h + q];
        r[2 * q + h] = _mm512_mask_shuffle_f64x2(lo, 0xFF, lo, hi, 0x88);
        r[4 + 2 * q + h] = _mm512_mask_shuffle_f64x2(lo, 0xFF, lo, hi, 0xDD);
      }
  }
};

}  // namespace
}  // namespace ag::kernels::gemm_detail

#include "kernels/gemm_tile.hpp"

namespace ag::kernels::gemm_detail {

const KernelSet<float>& avx512_kernels(float) {
  static const KernelSet<float> set = make_kernel_set<F512, 4, 4>(
      Rows<16, 12, 8, 6, 2, 2, 2, 2>{}, "avx512", /*dot_max=*/16, /*kc=*/384,
      /*mc=*/4096, /*nc=*/384);
  return set;
}

const KernelSet<double>& avx512_kernels(double) {
  static const KernelSet<double> set = make_kernel_set<D512, 4, 4>(
      Rows<16, 12, 8, 6, 2, 2, 2, 2>{}, "avx512", /*dot_max=*/16, /*kc=*/256,
      /*mc=*/4096, /*nc=*/256);
  return set;
}

}  // namespace ag::kernels::gemm_detail
#endif
