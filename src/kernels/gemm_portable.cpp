// Portable GEMM kernels: the same register tiles as the SIMD files over a plain 4-element
// "vector" the compiler maps to whatever SIMD the target has (SSE2 on baseline x86-64, NEON on
// AArch64) or to scalars. Multiply and add round separately (the library builds with
// -ffp-contract=off). Used on non-x86 CPUs and x86 CPUs without AVX2.
#define AG_GEMM_TARGET

#include <cstdint>

namespace ag::kernels::gemm_detail {
namespace {

template <class E>
struct Vec4 {
  using T = E;
  struct Reg {
    T v[4];
  };
  using Mask = int;  // number of valid lanes
  static constexpr int lanes = 4;
  static Reg zero() { return Reg{{T(0), T(0), T(0), T(0)}}; }
  static Reg set1(T x) { return Reg{{x, x, x, x}}; }
  static Reg load(const T* p) { return Reg{{p[0], p[1], p[2], p[3]}}; }
  static Reg load_mask(const T* p, Mask m) {
    if (m == 4) return load(p);  // the common case, in every inner loop: keep it a plain load
    Reg r = zero();
    for (int l = 0; l < m; ++l) r.v[l] = p[l];
    return r;
  }
  static void store(T* p, Reg r) {
    for (int l = 0; l < 4; ++l) p[l] = r.v[l];
  }
  static void store_mask(T* p, Reg r, Mask m) {
    for (int l = 0; l < m; ++l) p[l] = r.v[l];
  }
  static Reg bcast(const T* p) { return set1(*p); }
  static Reg fma(Reg a, Reg b, Reg c) {
    for (int l = 0; l < 4; ++l) c.v[l] = a.v[l] * b.v[l] + c.v[l];
    return c;
  }
  static Reg mul(Reg a, Reg b) {
    for (int l = 0; l < 4; ++l) a.v[l] *= b.v[l];
    return a;
  }
  static Mask mask(int n) { return n; }
  static void hsum4(Reg a, Reg b, Reg c, Reg d, T* out) {
    const Reg* r[4] = {&a, &b, &c, &d};
    for (int q = 0; q < 4; ++q) out[q] = (r[q]->v[0] + r[q]->v[1]) + (r[q]->v[2] + r[q]->v[3]);
  }
  static T fma1(T a, T b, T c) { return a * b + c; }
  static void transpose(Reg* r) {
    for (int i = 0; i < 4; ++i)
      for (int j = i + 1; j < 4; ++j) {
        const T x = r[i].v[j];
        r[i].v[j] = r[j].v[i];
        r[j].v[i] = x;
      }
  }
};

}  // namespace
}  // namespace ag::kernels::gemm_detail

#include "kernels/gemm_tile.hpp"

namespace ag::kernels::gemm_detail {

const KernelSet<float>& portable_kernels(float) {
  static const KernelSet<float> set =
      make_kernel_set<Vec4<float>, 2, 2>(Rows<8, 4, 2, 2, 1, 1, 1, 1>{}, "portable", /*dot_max=*/1,
                                         /*kc=*/256, /*mc=*/4096, /*nc=*/256);
  return set;
}

const KernelSet<double>& portable_kernels(double) {
  static const KernelSet<double> set =
      make_kernel_set<Vec4<double>, 2, 2>(Rows<8, 4, 2, 2, 1, 1, 1, 1>{}, "portable", /*dot_max=*/1,
                                          /*kc=*/256, /*mc=*/4096, /*nc=*/128);
  return set;
}

}  // namespace ag::kernels::gemm_detail
