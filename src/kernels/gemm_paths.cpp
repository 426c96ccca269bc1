// The three GEMM paths, written once over a KernelSet (any ISA) and instantiated for float and
// double. Blocking: see gemm.cpp.
#include "kernels/gemm_paths.hpp"

#include <cstddef>
#include <new>

namespace ag::kernels::gemm_detail {
namespace {

// Per-thread packing buffers, grown on demand and kept for the thread's lifetime.
class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() {
    for (void* p : ptr_) ::operator delete(p, std::align_val_t{64});
  }
  template <class T>
  T* get(int slot, int64_t elements) {
    const size_t bytes = static_cast<size_t>(elements) * sizeof(T);
    if (bytes > size_[slot]) {
      ::operator delete(ptr_[slot], std::align_val_t{64});
      ptr_[slot] = nullptr;
      size_[slot] = 0;
      ptr_[slot] = ::operator new(bytes, std::align_val_t{64});
      size_[slot] = bytes;
    }
    return static_cast<T*>(ptr_[slot]);
  }

 private:
  void* ptr_[2] = {nullptr, nullptr};
  size_t size_[2] = {0, 0};
};

thread_local Scratch t_scratch;

// Runs one tile whose C(i, j) is at c + i * rsc + j * csc. C without unit column stride is staged
// through a row-major buffer, so the tile's arithmetic is the same either way.
template <class T>
void call_tile(TileFn<T> fn, TileArgs<T> t, int64_t rows, int64_t csc) {
  if (csc == 1) return fn(t);
  constexpr int64_t ld = kPanelNv * kMaxLanes;  // packed tiles are at most kPanelNv vectors wide
  T buf[kMaxRows * ld];
  T* c = t.c;
  const int64_t rsc = t.rsc;
  if (t.beta != T(0))
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < t.cols; ++j) buf[i * ld + j] = c[i * rsc + j * csc];
  t.c = buf;
  t.rsc = ld;
  fn(t);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < t.cols; ++j) c[i * rsc + j * csc] = buf[i * ld + j];
}

}  // namespace

// ---- dot path ------------------------------------------------------------------------------

// C[i0:i1, j0:j1] as dot products (k contiguous in A's rows and B's columns).
template <class T>
void run_dot(const KernelSet<T>& ks, const Problem<T>& p, int64_t i0, int64_t i1, int64_t j0,
             int64_t j1) {
  const auto& a = p.a;
  const auto& b = p.b;
  const auto& c = p.c;
  ks.dot({p.k, i1 - i0, j1 - j0, a.data + i0 * a.row_stride, a.row_stride,
          b.data + j0 * b.col_stride, b.col_stride, p.alpha, p.beta,
          c.data + i0 * c.row_stride + j0 * c.col_stride, c.row_stride, c.col_stride});
}

// ---- direct path ---------------------------------------------------------------------------

// Column blocks [jb0, jb1) of `nvb` vectors, each cut into balanced row tiles; A and B are read
// in place. K is cut into KC blocks as in the packed path, so B's KC x width slice stays in L1/L2
// and its rows in the TLB while the row tiles pass over it.
template <class T>
void run_direct(const KernelSet<T>& ks, const Problem<T>& p, int64_t nvb, int64_t jb0,
                int64_t jb1) {
  const int64_t lanes = ks.lanes, width = nvb * lanes;
  const bool unit = p.a.row_stride == 1;
  const auto& tiles = unit ? ks.unit : ks.any;
  TileArgs<T> t{.k = 0,
                .a = nullptr,
                .rsa = p.a.row_stride,
                .csa = p.a.col_stride,
                .b = nullptr,
                .rsb = p.b.row_stride,
                .cols = 0,
                .alpha = p.alpha,
                .beta = p.beta,
                .c = nullptr,
                .rsc = p.c.row_stride};
  for (int64_t pc = 0; pc < p.k; pc += ks.kc) {
    t.k = min64(ks.kc, p.k - pc);
    t.beta = pc == 0 ? p.beta : T(1);
    for (int64_t jb = jb0; jb < jb1; ++jb) {
      const int64_t j0 = jb * width;
      t.cols = min64(width, p.n - j0);
      const int64_t nv = ceil_div(t.cols, lanes);
      const int64_t row_tiles = ceil_div(p.m, ks.max_rows[nv]);
      for (int64_t r = 0; r < row_tiles; ++r) {
        const int64_t i0 = r * p.m / row_tiles, i1 = (r + 1) * p.m / row_tiles;
        t.a = p.a.data + i0 * p.a.row_stride + pc * p.a.col_stride;
        t.b = p.b.data + pc * p.b.row_stride + j0;
        t.c = p.c.data + i0 * p.c.row_stride + j0;
        tiles[nv - 1][i1 - i0 - 1](t);
      }
    }
  }
}

// ---- packed path ---------------------------------------------------------------------------

namespace {

// A block (mc x kc) whose rows are not contiguous, into panels of MR rows: element (i, p) of a
// panel at p * MR + i. Rows past mc are left unset (never read).
template <class T>
void pack_a(T* dst, const T* a, int64_t rsa, int64_t csa, int64_t mc, int64_t kc, int64_t mr) {
  if (rsa == 1) {  // column-major: read each column of the block once, in order
    for (int64_t q = 0; q < kc; ++q) {
      const T* s = a + q * csa;
      for (int64_t ir = 0; ir < mc; ir += mr) {
        const int64_t rows = min64(mr, mc - ir);
        T* d = dst + ir * kc + q * mr;
        for (int64_t i = 0; i < rows; ++i) d[i] = s[ir + i];
      }
    }
    return;
  }
  for (int64_t ir = 0; ir < mc; ir += mr) {
    const int64_t rows = min64(mr, mc - ir);
    T* d = dst + ir * kc;
    const T* s = a + ir * rsa;
    for (int64_t q = 0; q < kc; ++q)
      for (int64_t i = 0; i < rows; ++i) d[q * mr + i] = s[q * csa + i * rsa];
  }
}

// B block (kc x nc) into panels of NR columns: element (p, j) of a panel at p * NR + j. Columns
// past nc are left unset (the kernels mask them).
template <class T>
void pack_b(const KernelSet<T>& ks, T* dst, const T* b, int64_t rsb, int64_t csb, int64_t kc,
            int64_t nc, int64_t nr) {
  if (rsb == 1 && csb != 1) return ks.pack_bt(dst, b, csb, kc, nc);  // register transposes
  for (int64_t jr = 0; jr < nc; jr += nr) {
    const int64_t cols = min64(nr, nc - jr);
    T* d = dst + jr * kc;
    const T* s = b + jr * csb;
    for (int64_t q = 0; q < kc; ++q)
      for (int64_t j = 0; j < cols; ++j) d[q * nr + j] = s[q * rsb + j * csb];
  }
}

}  // namespace

// C[i0:i1, j0:j1] from packed blocks: for each MC x KC block of A and KC x NC block of B, every
// MR-row panel of A meets every NR-column panel of B. A with contiguous rows is read in place
// (its MR x KC panel stays in L1 just the same); otherwise it is packed.
template <class T>
void run_packed(const KernelSet<T>& ks, const Problem<T>& p, int64_t i0, int64_t i1, int64_t j0,
                int64_t j1) {
  const int64_t lanes = ks.lanes, mr = ks.max_rows[kPanelNv];
  const int64_t nr = kPanelNv * lanes;
  const auto& a = p.a;
  const auto& b = p.b;
  const auto& c = p.c;
  const bool pack = a.col_stride != 1;
  const int64_t kc_max = min64(ks.kc, p.k);
  const int64_t mc_max = min64(ks.mc / mr * mr, ceil_div(i1 - i0, mr) * mr);
  const int64_t nc_max = min64(ks.nc / nr * nr, ceil_div(j1 - j0, nr) * nr);
  T* abuf = pack ? t_scratch.get<T>(0, mc_max * kc_max) : nullptr;
  T* bbuf = t_scratch.get<T>(1, nc_max * kc_max);
  TileArgs<T> t{.k = 0,
                .a = nullptr,
                .rsa = pack ? 1 : a.row_stride,  // a packed panel, or A's rows in place
                .csa = pack ? mr : 1,
                .b = bbuf,
                .rsb = nr,
                .cols = 0,
                .alpha = p.alpha,
                .beta = p.beta,
                .c = nullptr,
                .rsc = c.row_stride};
  const auto& tiles = pack ? ks.unit : ks.any;
  for (int64_t ic = i0; ic < i1; ic += mc_max) {
    const int64_t mc = min64(mc_max, i1 - ic);
    for (int64_t pc = 0; pc < p.k; pc += kc_max) {
      const int64_t kc = min64(kc_max, p.k - pc);
      t.k = kc;
      t.beta = pc == 0 ? p.beta : T(1);
      const T* ablock = a.data + ic * a.row_stride + pc * a.col_stride;
      if (pack) pack_a(abuf, ablock, a.row_stride, a.col_stride, mc, kc, mr);
      for (int64_t jc = j0; jc < j1; jc += nc_max) {
        const int64_t nc = min64(nc_max, j1 - jc);
        pack_b(ks, bbuf, b.data + pc * b.row_stride + jc * b.col_stride, b.row_stride, b.col_stride,
               kc, nc, nr);
        for (int64_t ir = 0; ir < mc; ir += mr) {
          const int64_t rows = min64(mr, mc - ir);
          t.a = pack ? abuf + ir * kc : ablock + ir * a.row_stride;
          for (int64_t jr = 0; jr < nc; jr += nr) {
            t.cols = min64(nr, nc - jr);
            t.b = bbuf + jr * kc;
            t.c = c.data + (ic + ir) * c.row_stride + (jc + jr) * c.col_stride;
            call_tile(tiles[ceil_div(t.cols, lanes) - 1][rows - 1], t, rows, c.col_stride);
          }
        }
      }
    }
  }
}

#define AG_GEMM_PATHS(T)                                                                          \
  template void run_dot<T>(const KernelSet<T>&, const Problem<T>&, int64_t, int64_t, int64_t,     \
                           int64_t);                                                              \
  template void run_direct<T>(const KernelSet<T>&, const Problem<T>&, int64_t, int64_t, int64_t); \
  template void run_packed<T>(const KernelSet<T>&, const Problem<T>&, int64_t, int64_t, int64_t,  \
                              int64_t);
AG_GEMM_PATHS(float)
AG_GEMM_PATHS(double)
#undef AG_GEMM_PATHS

}  // namespace ag::kernels::gemm_detail
