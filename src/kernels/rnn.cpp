// One RNN layer: the forward time loop, and its backward through time.
//
// Forward: the input projection of every step is one matrix product before the loop (as
// cuDNN and PyTorch do); only h_prev Whhᵀ runs step by step.
// Backward: walking the steps in reverse, d pre_t = (d out_t + d h_next) * act'(h_t) and
// d h_next = d pre_t Whh. The weight gradients are then one product each over all steps,
//   d Wih = d PREᵀ X,  d Whh = d PREᵀ H_prev,  d b = Σ d PRE,
// instead of a small product (and a temporary) per step.
#include "kernels/rnn.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/make.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/gemm.hpp"
#include "kernels/vector_math.hpp"

namespace ag::kernels {
namespace {

template <class T>
MatrixRef<const T> rows(const Tensor& t, int64_t offset_rows, int64_t cols) {
  return {t.data_ptr<T>() + offset_rows * cols, cols, 1};
}
// Wᵀ of a row-major [rows, cols] weight, read through its strides.
template <class T>
MatrixRef<const T> transposed(const Tensor& w) {
  return {w.data_ptr<T>(), 1, w.size(1)};
}

// Fills `count` rows of `dst` (width n) with the bias, or zeros.
template <class T>
void fill_rows(T* dst, int64_t count, int64_t n, const Tensor& bias) {
  if (!bias.defined()) {
    std::fill(dst, dst + count * n, T(0));
    return;
  }
  const T* b = bias.data_ptr<T>();
  for (int64_t r = 0; r < count; ++r) std::copy(b, b + n, dst + r * n);
}

template <class T>
void forward(const RnnLayer& l, const Tensor& out, const Tensor& x, const Tensor& h0,
             const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  const int64_t T_ = l.steps, B = l.batch, H = l.hidden, I = l.input, BH = B * H;
  // P = X Wihᵀ + bih for all steps at once.
  Tensor proj = detail::empty({T_ * B, H}, out.dtype());
  T* p = proj.data_ptr<T>();
  fill_rows(p, T_ * B, H, b_ih);
  gemm(T_ * B, H, I, T(1), rows<T>(x, 0, I), transposed<T>(w_ih), T(1), {p, H, 1});
  // Over several steps, Whhᵀ is copied once with contiguous rows: every step's product then
  // reads it in place instead of packing (transposing) it again.
  MatrixRef<const T> whh = transposed<T>(w_hh);
  Tensor whh_t;
  if (T_ > 1) {
    whh_t = detail::empty({H, H}, out.dtype());
    T* wt = whh_t.data_ptr<T>();
    const T* w = w_hh.data_ptr<T>();
    for (int64_t i = 0; i < H; ++i)
      for (int64_t j = 0; j < H; ++j) wt[j * H + i] = w[i * H + j];
    whh = {wt, H, 1};
  }
  T* o = out.data_ptr<T>();
  const T* prev = h0.data_ptr<T>();
  for (int64_t s = 0; s < T_; ++s) {
    const int64_t t = l.reverse ? T_ - 1 - s : s;
    T* h = o + t * BH;
    fill_rows(h, B, H, b_hh);  // h = bhh + h_prev Whhᵀ, then + P_t, then act
    gemm(B, H, H, T(1), {prev, H, 1}, whh, T(1), {h, H, 1});
    const T* pt = p + t * BH;
    for (int64_t i = 0; i < BH; ++i) h[i] += pt[i];
    if (l.relu)
      for (int64_t i = 0; i < BH; ++i) h[i] = std::max(h[i], T(0));
    else if constexpr (std::is_same_v<T, float>)
      kernels::tanh(h, h, BH);  // vectorised; the same values as ag::tanh
    else
      for (int64_t i = 0; i < BH; ++i) h[i] = std::tanh(h[i]);
    prev = h;
  }
}

template <class T>
void backward(const RnnLayer& l, const Tensor& dout, const Tensor& out, const Tensor& x,
              const Tensor& h0, const Tensor& w_ih, const Tensor& w_hh, RnnGrads& g) {
  const int64_t T_ = l.steps, B = l.batch, H = l.hidden, I = l.input, BH = B * H;
  const T* o = out.data_ptr<T>();
  const T* d = dout.data_ptr<T>();
  Tensor dpre_t = g.dpre.defined() ? g.dpre : detail::empty({T_ * B, H}, out.dtype());
  T* dpre = dpre_t.data_ptr<T>();
  Tensor dnext_t = detail::empty({B, H}, out.dtype());
  T* dnext = dnext_t.data_ptr<T>();
  std::fill(dnext, dnext + BH, T(0));
  const MatrixRef<const T> whh{w_hh.data_ptr<T>(), H, 1};
  for (int64_t s = T_ - 1; s >= 0; --s) {
    const int64_t t = l.reverse ? T_ - 1 - s : s;
    const T* h = o + t * BH;
    T* dp = dpre + t * BH;
    for (int64_t i = 0; i < BH; ++i) {
      const T dh = d[t * BH + i] + dnext[i];
      // relu as PyTorch's threshold_backward: the gradient passes unless out <= 0 (NaN passes)
      dp[i] = l.relu ? (h[i] <= 0 ? T(0) : dh) : dh * (T(1) - h[i] * h[i]);
    }
    // d h_prev = d pre_t Whh (needed for every step but the first unless h0 wants it)
    if (s > 0 || g.dh0.defined()) gemm(B, H, H, T(1), {dp, H, 1}, whh, T(0), {dnext, H, 1});
  }
  if (g.dh0.defined()) std::copy(dnext, dnext + BH, g.dh0.data_ptr<T>());
  const MatrixRef<const T> dpre_all_t{dpre, 1, H};  // d PREᵀ, [H, T*B]
  if (g.dx.defined())
    gemm(T_ * B, I, H, T(1), {dpre, H, 1}, {w_ih.data_ptr<T>(), I, 1}, T(0),
         {g.dx.data_ptr<T>(), I, 1});
  if (g.dw_ih.defined())
    gemm(H, I, T_ * B, T(1), dpre_all_t, rows<T>(x, 0, I), T(0), {g.dw_ih.data_ptr<T>(), I, 1});
  if (g.dw_hh.defined()) {
    // H_prev: h0 for the first step processed, the neighbouring output for the others. In
    // memory order the steps t = 1..T-1 (forward) or 0..T-2 (reverse) take out[t -/+ 1].
    T* dw = g.dw_hh.data_ptr<T>();
    const int64_t first = l.reverse ? T_ - 1 : 0;  // the step that read h0
    gemm(H, H, B, T(1), {dpre + first * BH, 1, H}, {h0.data_ptr<T>(), H, 1}, T(0), {dw, H, 1});
    if (T_ > 1) {
      const int64_t d0 = l.reverse ? 0 : 1, h_from = l.reverse ? 1 : 0;
      gemm(H, H, (T_ - 1) * B, T(1), {dpre + d0 * BH, 1, H}, {o + h_from * BH, H, 1}, T(1),
           {dw, H, 1});
    }
  }
  if (g.db.defined()) {
    T* db = g.db.data_ptr<T>();
    std::fill(db, db + H, T(0));
    for (int64_t r = 0; r < T_ * B; ++r)
      for (int64_t j = 0; j < H; ++j) db[j] += dpre[r * H + j];
  }
}

}  // namespace

void rnn_forward(const RnnLayer& l, const Tensor& out, const Tensor& x, const Tensor& h0,
                 const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  dispatch_floating(out.dtype(), [&](auto zero) {
    forward<decltype(zero)>(l, out, x, h0, w_ih, w_hh, b_ih, b_hh);
  });
}

void rnn_backward(const RnnLayer& l, const Tensor& dout, const Tensor& out, const Tensor& x,
                  const Tensor& h0, const Tensor& w_ih, const Tensor& w_hh, RnnGrads& g) {
  dispatch_floating(out.dtype(), [&](auto zero) {
    backward<decltype(zero)>(l, dout, out, x, h0, w_ih, w_hh, g);
  });
}

}  // namespace ag::kernels
