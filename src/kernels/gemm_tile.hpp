// Register-tile and dot-product GEMM kernels, written once over a small vector abstraction V and
// compiled once per ISA: an ISA file defines AG_GEMM_TARGET (its __attribute__((target))) and
// its vector types, then includes this header. Everything here has internal linkage and uses no
// standard-library templates, so no code built for one ISA can be picked by the linker for
// another translation unit.
//
// V provides: T, Reg, Mask, lanes, zero(), set1(x), load(p), load_mask(p, m), store(p, r),
// store_mask(p, r, m), bcast(p), fma(a, b, c) = a * b + c, mul(a, b), mask(n) (first n lanes,
// 1 <= n <= lanes), hsum4(a, b, c, d, out) (out[0..3] = the lane sums of a, b, c, d; each sum
// independent of the other three vectors) and fma1(a, b, c) (scalar, same rounding as fma).
#pragma once

#include <cstdint>

#include "kernels/gemm_kernels.hpp"

#ifndef AG_GEMM_TARGET
#error "define AG_GEMM_TARGET before including gemm_tile.hpp"
#endif

#if defined(__GNUC__)
#define AG_GEMM_INLINE AG_GEMM_TARGET inline __attribute__((always_inline))
#else
#define AG_GEMM_INLINE AG_GEMM_TARGET inline
#endif

namespace ag::kernels::gemm_detail {
namespace {

// C[0:R, 0:cols] = alpha * acc + beta * C, with C(i, j) = c[i * rsc + j] (the driver stages
// tiles of a C without unit column stride through a buffer).
template <class V, int R, int NV>
AG_GEMM_INLINE void store_tile(typename V::Reg (&acc)[R][NV], typename V::Mask last,
                               const TileArgs<typename V::T>& t) {
  using T = typename V::T;
  using Reg = typename V::Reg;
  constexpr int L = V::lanes;
  const Reg va = V::set1(t.alpha), vb = V::set1(t.beta);
  const bool keep = t.beta != T(0);
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
    T* cr = t.c + i * t.rsc;
#pragma GCC unroll 8
    for (int v = 0; v < NV - 1; ++v) {
      Reg r = V::mul(va, acc[i][v]);
      if (keep) r = V::fma(vb, V::load(cr + v * L), r);
      V::store(cr + v * L, r);
    }
    Reg r = V::mul(va, acc[i][NV - 1]);
    if (keep) r = V::fma(vb, V::load_mask(cr + (NV - 1) * L, last), r);
    V::store_mask(cr + (NV - 1) * L, r, last);
  }
}

// R x (NV vectors) tile; kUnit: A's row stride is 1 (one pointer, constant offsets).
template <class V, int R, int NV, bool kUnit>
AG_GEMM_TARGET void tile(const TileArgs<typename V::T>& t) {
  using T = typename V::T;
  using Reg = typename V::Reg;
  constexpr int L = V::lanes;
  Reg acc[R][NV];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[i][v] = V::zero();
  const typename V::Mask last = V::mask(static_cast<int>(t.cols - (NV - 1) * L));
  const T* b = t.b;
  const int64_t k = t.k, rsb = t.rsb, csa = t.csa;
  if constexpr (kUnit) {
    const T* a = t.a;
    for (int64_t p = 0; p < k; ++p) {
      Reg bv[NV];
#pragma GCC unroll 8
      for (int v = 0; v < NV - 1; ++v) bv[v] = V::load(b + v * L);
      bv[NV - 1] = V::load_mask(b + (NV - 1) * L, last);
#pragma GCC unroll 16
      for (int i = 0; i < R; ++i) {
        const Reg ai = V::bcast(a + i);
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) acc[i][v] = V::fma(ai, bv[v], acc[i][v]);
      }
      a += csa;
      b += rsb;
    }
  } else {
    // Row i at base[i / 4] + (i % 4) * rsa: one pointer per four rows, and offsets 0, rsa,
    // 2 * rsa and 3 * rsa that x86 addressing forms from two registers. (One pointer per row
    // runs out of registers at 12 or 16 rows, and the spills cost more than the arithmetic.)
    constexpr int G = (R + 3) / 4;
    const T* base[G];
    const int64_t r1 = t.rsa, r3 = 3 * t.rsa;
#pragma GCC unroll 4
    for (int g = 0; g < G; ++g) base[g] = t.a + 4 * g * r1;
    for (int64_t p = 0; p < k; ++p) {
      Reg bv[NV];
#pragma GCC unroll 8
      for (int v = 0; v < NV - 1; ++v) bv[v] = V::load(b + v * L);
      bv[NV - 1] = V::load_mask(b + (NV - 1) * L, last);
#pragma GCC unroll 16
      for (int i = 0; i < R; ++i) {
        const T* q = base[i / 4];
        const int s = i % 4;
        const Reg ai = V::bcast(s == 0 ? q : s == 1 ? q + r1 : s == 2 ? q + 2 * r1 : q + r3);
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) acc[i][v] = V::fma(ai, bv[v], acc[i][v]);
      }
#pragma GCC unroll 4
      for (int g = 0; g < G; ++g) base[g] += csa;
      b += rsb;
    }
  }
  store_tile<V, R, NV>(acc, last, t);
}

// An R x J block of dot products (J <= 4), accumulated one vector at a time in order, then
// reduced with hsum4, which treats each of its four slots the same whatever the others hold.
template <class V, int R, int J>
AG_GEMM_TARGET void dot_tile(const DotArgs<typename V::T>& d, int64_t i0, int64_t j0) {
  using T = typename V::T;
  using Reg = typename V::Reg;
  constexpr int L = V::lanes;
  Reg s[R][J];
  const T* a[R];
  const T* b[J];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
    a[i] = d.a + (i0 + i) * d.rsa;
#pragma GCC unroll 4
    for (int j = 0; j < J; ++j) s[i][j] = V::zero();
  }
#pragma GCC unroll 4
  for (int j = 0; j < J; ++j) b[j] = d.b + (j0 + j) * d.csb;
  const int64_t k = d.k;
  int64_t p = 0;
  for (; p + L <= k; p += L) {
    Reg bv[J];
#pragma GCC unroll 4
    for (int j = 0; j < J; ++j) bv[j] = V::load(b[j] + p);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const Reg av = V::load(a[i] + p);
#pragma GCC unroll 4
      for (int j = 0; j < J; ++j) s[i][j] = V::fma(av, bv[j], s[i][j]);
    }
  }
  if (p < k) {
    const typename V::Mask m = V::mask(static_cast<int>(k - p));
    Reg bv[J];
#pragma GCC unroll 4
    for (int j = 0; j < J; ++j) bv[j] = V::load_mask(b[j] + p, m);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const Reg av = V::load_mask(a[i] + p, m);
#pragma GCC unroll 4
      for (int j = 0; j < J; ++j) s[i][j] = V::fma(av, bv[j], s[i][j]);
    }
  }
  // Reduce the R * J accumulators four at a time.
  constexpr int N = R * J, G = (N + 3) / 4;
  T sum[4 * G];
#pragma GCC unroll 8
  for (int g = 0; g < G; ++g) {
    Reg q[4];
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) {
      const int e = 4 * g + u < N ? 4 * g + u : 0;
      q[u] = 4 * g + u < N ? s[e / J][e % J] : V::zero();
    }
    V::hsum4(q[0], q[1], q[2], q[3], sum + 4 * g);
  }
  const bool keep = d.beta != T(0);
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
    T* c = d.c + (i0 + i) * d.rsc + j0 * d.csc;
#pragma GCC unroll 4
    for (int j = 0; j < J; ++j) {
      T r = d.alpha * sum[i * J + j];
      if (keep) r = V::fma1(d.beta, c[j * d.csc], r);
      c[j * d.csc] = r;
    }
  }
}

template <class V>
using DotTileFn = void (*)(const DotArgs<typename V::T>&, int64_t, int64_t);

// Tables of dot tiles: [R-1][J-1] for R <= 4, J <= 4, and [R-1][0] up to 8 rows.
template <class V, int R, int J>
constexpr void fill_dot(DotTileFn<V> (&table)[8][4]) {
  if constexpr (R >= 1 && J >= 1) {
    if constexpr (J == 1 || R <= 4) table[R - 1][J - 1] = &dot_tile<V, R, J>;
    fill_dot<V, R, J - 1>(table);
    if constexpr (J == 4) fill_dot<V, R - 1, 4>(table);
  }
}

template <class V>
struct DotTable {
  DotTileFn<V> f[8][4] = {};
  constexpr DotTable() { fill_dot<V, 8, 4>(f); }
};

// A rows x cols block of dots in kDR x kDJ tiles (kDJ columns outer, so the B columns stay in L1
// while A streams); single columns (matrix-vector) go 8 rows at a time.
template <class V, int kDR, int kDJ>
AG_GEMM_TARGET void dot_block(const DotArgs<typename V::T>& d) {
  static constexpr DotTable<V> table;
  const int64_t dr = d.cols == 1 ? 8 : kDR;
  for (int64_t j0 = 0; j0 < d.cols; j0 += kDJ) {
    const int64_t nj = d.cols - j0 < kDJ ? d.cols - j0 : kDJ;
    for (int64_t i0 = 0; i0 < d.rows; i0 += dr) {
      const int64_t ni = d.rows - i0 < dr ? d.rows - i0 : dr;
      table.f[ni - 1][nj - 1](d, i0, j0);
    }
  }
}

// Packs B(p, j) = b[p + j * csb] (columns contiguous along k), p < kc, j < nc, into panels of
// NR = kPanelNv vectors of columns (panel jr / NR at dst + jr * kc, element (p, j) at
// p * NR + j) through lanes x lanes register transposes. Padding columns of the last panel get
// zeros or are left unset; the kernels never read them.
template <class V>
AG_GEMM_TARGET void pack_bt(typename V::T* dst, const typename V::T* b, int64_t csb, int64_t kc,
                            int64_t nc) {
  using Reg = typename V::Reg;
  constexpr int L = V::lanes;
  constexpr int64_t nr = kPanelNv * L;
  for (int64_t j0 = 0; j0 < nc; j0 += L) {
    const int64_t cols = nc - j0 < L ? nc - j0 : L;
    typename V::T* d = dst + (j0 / nr) * nr * kc + j0 % nr;
    for (int64_t p0 = 0; p0 < kc; p0 += L) {
      const int rows = static_cast<int>(kc - p0 < L ? kc - p0 : L);
      const typename V::Mask m = V::mask(rows);
      Reg r[L];
#pragma GCC unroll 16
      for (int j = 0; j < L; ++j)
        r[j] = j < cols ? V::load_mask(b + (j0 + j) * csb + p0, m) : V::zero();
      V::transpose(r);
      for (int q = 0; q < rows; ++q) V::store(d + (p0 + q) * nr, r[q]);
    }
  }
}

// Fills set.unit / set.any for NV vectors and R = 1 .. max_rows[NV].
template <class V, int NV, int R>
void fill_tiles(KernelSet<typename V::T>& set) {
  if constexpr (R >= 1) {
    set.unit[NV - 1][R - 1] = &tile<V, R, NV, true>;
    set.any[NV - 1][R - 1] = &tile<V, R, NV, false>;
    fill_tiles<V, NV, R - 1>(set);
  }
}

// Tile rows by vector count: kRows[NV - 1] rows for NV = 1 .. 8 (0: no such tiles).
template <int... kRows>
struct Rows {};

template <class V, int NV, int R, int... Rest>
void fill_rows(KernelSet<typename V::T>& set) {
  set.max_rows[NV] = R;
  fill_tiles<V, NV, R>(set);
  if constexpr (sizeof...(Rest) > 0) fill_rows<V, NV + 1, Rest...>(set);
}

// A kernel set for V: tiles per Rows, kDR x kDJ dot tiles used for products at most dot_max thin,
// and the packed path's block sizes.
template <class V, int kDR, int kDJ, int... kRows>
KernelSet<typename V::T> make_kernel_set(Rows<kRows...>, const char* name, int64_t dot_max,
                                         int64_t kc, int64_t mc, int64_t nc) {
  static_assert(sizeof...(kRows) == kMaxNv);
  KernelSet<typename V::T> set{};
  set.name = name;
  set.lanes = V::lanes;
  fill_rows<V, 1, kRows...>(set);
  set.dot = &dot_block<V, kDR, kDJ>;
  set.dot_max = dot_max;
  set.pack_bt = &pack_bt<V>;
  set.kc = kc;
  set.mc = mc;
  set.nc = nc;
  return set;
}

}  // namespace
}  // namespace ag::kernels::gemm_detail
