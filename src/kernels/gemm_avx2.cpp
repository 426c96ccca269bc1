// AVX2 + FMA GEMM kernels, for x86-64 CPUs without AVX-512: the vector type behind gemm_tile.hpp
// (packed tiles 6 x 16 floats, 12 ymm accumulators, or 6 x 8 doubles), 2 x 4 dot-product blocks,
// and 8 x 8 (4 x 4) register transposes for packing a transposed B. Ragged edges use vmaskmov
// loads and stores. Only compiled into x86-64 builds, only called when the CPU reports avx2 and
// fma (gemm.cpp checks at run time).
#if defined(__x86_64__)
#include <immintrin.h>

#define AG_GEMM_TARGET __attribute__((target("avx2,fma")))

namespace ag::kernels::gemm_detail {
namespace {

struct F256 {
  using T = float;
  using Reg = __m256;
  using Mask = __m256i;
  static constexpr int lanes = 8;
  AG_GEMM_TARGET static Reg zero() { return _mm256_setzero_ps(); }
  AG_GEMM_TARGET static Reg set1(T x) { return _mm256_set1_ps(x); }
  AG_GEMM_TARGET static Reg load(const T* p) { return _mm256_loadu_ps(p); }
  AG_GEMM_TARGET static Reg load_mask(const T* p, Mask m) { return _mm256_maskload_ps(p, m); }
  AG_GEMM_TARGET static void store(T* p, Reg r) { _mm256_storeu_ps(p, r); }
  AG_GEMM_TARGET static void store_mask(T* p, Reg r, Mask m) { _mm256_maskstore_ps(p, m, r); }
  AG_GEMM_TARGET static Reg bcast(const T* p) { return _mm256_broadcast_ss(p); }
  AG_GEMM_TARGET static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  AG_GEMM_TARGET static Reg mul(Reg a, Reg b) { return _mm256_mul_ps(a, b); }
  AG_GEMM_TARGET static Mask mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  AG_GEMM_TARGET static void hsum4(Reg a, Reg b, Reg c, Reg d, T* out) {
    const Reg s = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1)));
  }
  AG_GEMM_TARGET static T fma1(T a, T b, T c) { return __builtin_fmaf(a, b, c); }
  // r[j] = row j of an 8 x 8 block -> r[c] = column c.
  AG_GEMM_TARGET static void transpose(Reg* r) {
    Reg t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
      t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
      t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int g = 0; g < 8; g += 4) {  // u[g + c], lane L: column 4L + c of rows g .. g + 3
      const __m256d t0 = _mm256_castps_pd(t[g]), t1 = _mm256_castps_pd(t[g + 1]);
      const __m256d t2 = _mm256_castps_pd(t[g + 2]), t3 = _mm256_castps_pd(t[g + 3]);
      u[g] = _mm256_castpd_ps(_mm256_unpacklo_pd(t0, t2));
      u[g + 1] = _mm256_castpd_ps(_mm256_unpackhi_pd(t0, t2));
      u[g + 2] = _mm256_castpd_ps(_mm256_unpacklo_pd(t1, t3));
      u[g + 3] = _mm256_castpd_ps(_mm256_unpackhi_pd(t1, t3));
    }
    for (int c = 0; c < 4; ++c) {
      r[c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x20);
      r[4 + c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x31);
    }
  }
};

struct D256 {
  using T = double;
  using Reg = __m256d;
  using Mask = __m256i;
  static constexpr int lanes = 4;
  AG_GEMM_TARGET static Reg zero() { return _mm256_setzero_pd(); }
  AG_GEMM_TARGET static Reg set1(T x) { return _mm256_set1_pd(x); }
  AG_GEMM_TARGET static Reg load(const T* p) { return _mm256_loadu_pd(p); }
  AG_GEMM_TARGET static Reg load_mask(const T* p, Mask m) { return _mm256_maskload_pd(p, m); }
  AG_GEMM_TARGET static void store(T* p, Reg r) { _mm256_storeu_pd(p, r); }
  AG_GEMM_TARGET static void store_mask(T* p, Reg r, Mask m) { _mm256_maskstore_pd(p, m, r); }
  AG_GEMM_TARGET static Reg bcast(const T* p) { return _mm256_broadcast_sd(p); }
  AG_GEMM_TARGET static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_pd(a, b, c); }
  AG_GEMM_TARGET static Reg mul(Reg a, Reg b) { return _mm256_mul_pd(a, b); }
  AG_GEMM_TARGET static Mask mask(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  AG_GEMM_TARGET static void hsum4(Reg a, Reg b, Reg c, Reg d, T* out) {
    const Reg ab = _mm256_hadd_pd(a, b), cd = _mm256_hadd_pd(c, d);  // [a01 b01 | a23 b23] ...
    _mm256_storeu_pd(out, _mm256_add_pd(_mm256_permute2f128_pd(ab, cd, 0x20),
                                        _mm256_permute2f128_pd(ab, cd, 0x31)));
  }
  AG_GEMM_TARGET static T fma1(T a, T b, T c) { return __builtin_fma(a, b, c); }
  // r[j] = row j of a 4 x 4 block -> r[c] = column c.
  AG_GEMM_TARGET static void transpose(Reg* r) {
    const Reg t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
    const Reg t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
    r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
  }
};

}  // namespace
}  // namespace ag::kernels::gemm_detail

#include "kernels/gemm_tile.hpp"

namespace ag::kernels::gemm_detail {

const KernelSet<float>& avx2_kernels(float) {
  static const KernelSet<float> set = make_kernel_set<F256, 2, 4>(
      Rows<12, 6, 3, 2, 1, 1, 1, 1>{}, "avx2", /*dot_max=*/16, /*kc=*/384,
      /*mc=*/4096, /*nc=*/384);
  return set;
}

const KernelSet<double>& avx2_kernels(double) {
  static const KernelSet<double> set = make_kernel_set<D256, 2, 4>(
      Rows<12, 6, 3, 2, 1, 1, 1, 1>{}, "avx2", /*dot_max=*/16, /*kc=*/256,
      /*mc=*/4096, /*nc=*/256);
  return set;
}

}  // namespace ag::kernels::gemm_detail
#endif
