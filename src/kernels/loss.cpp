// Loss kernels: plain loops over contiguous data with the formulas and orders of operations
// of PyTorch 1.13's CPU kernels; reductions and class sums are accumulated in double.
#include "kernels/loss.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "kernels/elementwise.hpp"

namespace ag::kernels {
namespace {

// PyTorch's EPSILON of binary_cross_entropy_backward: a float, also when computing in double.
constexpr float kBceEpsilon = 1e-12f;

template <class T>
const T* optional_data(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

// The gradient of the loss's output at element i: one value for Mean and Sum, one per
// element for None.
template <class T>
struct Upstream {
  const T* g;
  int64_t step;
  Upstream(const Tensor& grad, Reduction r)
      : g(grad.data_ptr<T>()), step(r == Reduction::None ? 1 : 0) {}
  T operator[](int64_t i) const { return g[i * step]; }
};

// Writes elem(i) for i < n (None), or their mean or sum into out[0].
template <class T, class Elem>
void store_reduced(T* out, int64_t n, Reduction r, Elem elem) {
  if (r == Reduction::None) {
    for (int64_t i = 0; i < n; ++i) out[i] = elem(i);
    return;
  }
  // In double, in 8 independent partial sums (one long chain of dependent adds would leave the
  // loop waiting on latency), combined pairwise.
  double part[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) part[j] += static_cast<double>(elem(i + j));
  for (; i < n; ++i) part[0] += static_cast<double>(elem(i));
  double acc = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
  // NOTE: the mean of no elements is 0 / 0 = nan, as PyTorch's.
  if (r == Reduction::Mean) acc /= static_cast<double>(n);
  out[0] = static_cast<T>(acc);
}

// The shortest text that reads back as v ("1.5", "nan").
template <class T>
std::string shortest(T v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

// softplus(-x) = log(1 + exp(-x)) = max(-x, 0) + log1p(exp(-|x|)).
// NOTE: exp(-|x|) <= 1 cannot overflow, and log1p keeps its tiny values (x = ±1e4 is finite).
template <class T>
T softplus_neg(T x) {
  return std::max(-x, T(0)) + std::log1p(std::exp(-std::abs(x)));
}

// PyTorch's sigmoid: 1 / (1 + exp(-x)); exp overflowing to inf for x << 0 gives exactly 0.
template <class T>
T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

}  // namespace

// ---- mse ---------------------------------------------------------------------------------------

void mse_forward(const Tensor& out, const Tensor& x, const Tensor& t, Reduction r) {
  dispatch_floating(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data_ptr<T>();
    const T* pt = t.data_ptr<T>();
    store_reduced(out.data_ptr<T>(), x.numel(), r, [&](int64_t i) {
      const T d = px[i] - pt[i];
      return d * d;
    });
  });
}

void mse_backward(const Tensor& dx, const Tensor& dt, const Tensor& grad, const Tensor& x,
                  const Tensor& t, Reduction r) {
  dispatch_floating(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const int64_t n = x.numel();
    const T* px = x.data_ptr<T>();
    const T* pt = t.data_ptr<T>();
    const Upstream<T> g(grad, r);
    // PyTorch folds the mean into the factor: 2 / n.
    const T norm = static_cast<T>(r == Reduction::Mean ? 2.0 / static_cast<double>(n) : 2.0);
    if (dx.defined()) {
      T* o = dx.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i) o[i] = norm * (px[i] - pt[i]) * g[i];
    }
    if (dt.defined()) {
      T* o = dt.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i) o[i] = norm * (pt[i] - px[i]) * g[i];
    }
  });
}

// ---- binary cross-entropy ----------------------------------------------------------------------

void bce_forward(const Tensor& out, const Tensor& x, const Tensor& t, const Tensor& w,
                 Reduction r) {
  dispatch_floating(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data_ptr<T>();
    const T* pt = t.data_ptr<T>();
    const T* pw = optional_data<T>(w);
    store_reduced(out.data_ptr<T>(), x.numel(), r, [&](int64_t i) {
      const T xi = px[i], ti = pt[i];
      AG_CHECK(xi >= T(0) && xi <= T(1),
               "binary_cross_entropy: all elements of input should be between 0 and 1, but "
               "element ",
               i, " is ", shortest(xi));
      // NOTE: log(0) = -inf is clamped at -100 (PyTorch's choice), so x = 0 or 1 stays finite.
      // PyTorch writes log(1 - x), not log1p(-x): for x < 6e-8 in float32 both give 0 there.
      const T log_x = std::max(std::log(xi), T(-100));
      const T log_1mx = std::max(std::log(T(1) - xi), T(-100));
      const T l = (ti - T(1)) * log_1mx - ti * log_x;
      return pw ? l * pw[i] : l;
    });
  });
}

void bce_backward(const Tensor& dx, const Tensor& dt, const Tensor& grad, const Tensor& x,
                  const Tensor& t, const Tensor& w, Reduction r) {
  dispatch_floating(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const int64_t n = x.numel();
    const T* px = x.data_ptr<T>();
    const T* pt = t.data_ptr<T>();
    const T* pw = optional_data<T>(w);
    const Upstream<T> g(grad, r);
    const bool mean = r == Reduction::Mean;
    const T count = static_cast<T>(n);
    if (dx.defined()) {
      // l = -(t log x + (1 - t) log(1 - x)):  dl/dx = (x - t) / ((1 - x) x)
      // NOTE: the denominator is kept >= 1e-12 (PyTorch's EPSILON), so x = 0 or 1 gives a
      // finite (if huge, ±1e12) gradient rather than inf or nan.
      T* o = dx.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i) {
        T v =
            g[i] * (px[i] - pt[i]) / std::max((T(1) - px[i]) * px[i], static_cast<T>(kBceEpsilon));
        if (pw) v *= pw[i];
        o[i] = mean ? v / count : v;
      }
    }
    if (dt.defined()) {
      // dl/dt = log(1 - x) - log x = -logit(x)   (unclamped: ±inf at x = 0 or 1, as PyTorch)
      T* o = dt.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i) {
        T v = -std::log(px[i] / (T(1) - px[i])) * g[i];
        if (pw) v *= pw[i];
        o[i] = mean ? v / count : v;
      }
    }
  });
}

void bce_logits_forward(const Tensor& out, const Tensor& x, const Tensor& t, const Tensor& w,
                        const Tensor& pw, Reduction r) {
  dispatch_floating(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data_ptr<T>();
    const T* pt = t.data_ptr<T>();
    const T* pww = optional_data<T>(w);
    const T* ppw = optional_data<T>(pw);
    store_reduced(out.data_ptr<T>(), x.numel(), r, [&](int64_t i) {
      const T xi = px[i], ti = pt[i];
      T l;
      // PyTorch 1.13's formula, operation for operation, with m = max(-x, 0):
      //   (1 - t) x + m + log(e^-m + e^(-x-m))               without pos_weight
      //   (1 - t) x + (1 + (p - 1) t) (log(e^-m + e^(-x-m)) + m)   with it
      // NOTE: no exponent is positive, so nothing overflows at x = ±1e4.
      const T m = std::max(-xi, T(0));
      const T log_term = std::log(std::exp(-m) + std::exp(-xi - m));
      if (ppw) {
        const T log_weight = (ppw[i] - T(1)) * ti + T(1);
        l = (T(1) - ti) * xi + log_weight * (log_term + m);
      } else {
        l = ((T(1) - ti) * xi + m) + log_term;
      }
      return pww ? l * pww[i] : l;
    });
  });
}

void bce_logits_backward(const Tensor& dx, const Tensor& dt, const Tensor& grad, const Tensor& x,
                         const Tensor& t, const Tensor& w, const Tensor& pw, Reduction r) {
  dispatch_floating(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const int64_t n = x.numel();
    const T* px = x.data_ptr<T>();
    const T* pt = t.data_ptr<T>();
    const T* pww = optional_data<T>(w);
    const T* ppw = optional_data<T>(pw);
    const Upstream<T> g(grad, r);
    const bool mean = r == Reduction::Mean;
    const T count = static_cast<T>(n);
    if (dx.defined()) {
      // l = (1 - t) x + (1 + (p - 1) t) softplus(-x):  dl/dx = (p t + 1 - t) σ(x) - p t
      // (σ(x) - t without pos_weight)
      T* o = dx.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i) {
        const T s = sigmoid(px[i]);
        T v;
        if (ppw) {
          const T pt_i = ppw[i] * pt[i];
          v = ((pt_i + T(1)) - pt[i]) * s - pt_i;
        } else {
          v = s - pt[i];
        }
        v *= g[i];
        if (pww) v *= pww[i];
        o[i] = mean ? v / count : v;
      }
    }
    if (dt.defined()) {
      // dl/dt = -x + (p - 1) softplus(-x) = log σ(-x) - p log σ(x)   (-x without pos_weight)
      T* o = dt.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i) {
        T v;
        if (ppw) {
          v = -softplus_neg(-px[i]) + ppw[i] * softplus_neg(px[i]);
        } else {
          v = -px[i];
        }
        v *= g[i];
        if (pww) v *= pww[i];
        o[i] = mean ? v / count : v;
      }
    }
  });
}

// ---- class losses ------------------------------------------------------------------------------

double nll_forward(const Tensor& out, const Tensor& logp, const Tensor& target,
                   const Tensor& weight, int64_t ignore_index, Reduction r, ClassLayout l,
                   const char* op) {
  return dispatch_floating(logp.dtype(), [&](auto zero) -> double {
    using T = decltype(zero);
    const T* px = logp.data_ptr<T>();
    const int64_t* pt = target.data_ptr<int64_t>();
    const T* pw = optional_data<T>(weight);
    T* po = out.data_ptr<T>();
    const bool none = r == Reduction::None;
    double loss = 0, total_weight = 0;
    for (int64_t b = 0; b < l.n; ++b)
      for (int64_t i = 0; i < l.inner; ++i) {
        const int64_t k = b * l.inner + i;
        const int64_t cls = pt[k];
        if (cls == ignore_index) {
          if (none) po[k] = T(0);
          continue;
        }
        AG_CHECK(cls >= 0 && cls < l.c, op, ": target ", cls, " is out of bounds for ", l.c,
                 " classes");
        const T w = pw ? pw[cls] : T(1);
        const T v = -px[(b * l.c + cls) * l.inner + i] * w;
        if (none) {
          po[k] = v;
        } else {
          loss += static_cast<double>(v);
          total_weight += static_cast<double>(w);
        }
      }
    // NOTE: with every target ignored (or of weight 0), Mean is 0 / 0 = nan, as in PyTorch.
    if (!none) po[0] = static_cast<T>(r == Reduction::Mean ? loss / total_weight : loss);
    return total_weight;
  });
}

void nll_backward(const Tensor& dlogp, const Tensor& grad, const Tensor& target,
                  const Tensor& weight, int64_t ignore_index, Reduction r, double total_weight,
                  ClassLayout l) {
  dispatch_floating(dlogp.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* pd = dlogp.data_ptr<T>();
    const int64_t* pt = target.data_ptr<int64_t>();
    const T* pw = optional_data<T>(weight);
    const Upstream<T> g(grad, r);
    // l = -w[t] logp[t] (Mean: / total weight):  dlogp[t] = -w[t] g (/ total weight)
    // NOTE: a total weight of 0 makes the Mean factor inf and 0 * inf = nan at targets of
    // weight 0: PyTorch's gradient is nan there too.
    const T mean_factor = static_cast<T>(total_weight);
    for (int64_t b = 0; b < l.n; ++b)
      for (int64_t i = 0; i < l.inner; ++i) {
        const int64_t k = b * l.inner + i;
        const int64_t cls = pt[k];
        if (cls == ignore_index) continue;
        const T w = pw ? pw[cls] : T(1);
        const T coef = r == Reduction::Mean ? -(g[k] / mean_factor) : -g[k];
        pd[(b * l.c + cls) * l.inner + i] = w * coef;
      }
  });
}

void smooth_forward(const Tensor& out, const Tensor& logp, const Tensor& target,
                    const Tensor& weight, int64_t ignore_index, Reduction r, double divisor,
                    ClassLayout l) {
  dispatch_floating(logp.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* px = logp.data_ptr<T>();
    const int64_t* pt = target.data_ptr<int64_t>();
    const T* pw = optional_data<T>(weight);
    T* po = out.data_ptr<T>();
    const bool none = r == Reduction::None;
    double total = 0;
    for (int64_t b = 0; b < l.n; ++b)
      for (int64_t i = 0; i < l.inner; ++i) {
        const int64_t k = b * l.inner + i;
        T v = 0;
        if (pt[k] != ignore_index) {
          double s = 0;
          const T* a = px + b * l.c * l.inner + i;
          for (int64_t j = 0; j < l.c; ++j)
            s += static_cast<double>(pw ? a[j * l.inner] * pw[j] : a[j * l.inner]);
          v = static_cast<T>(-s);
        }
        if (none)
          po[k] = v;
        else
          total += static_cast<double>(v);
      }
    if (!none) po[0] = static_cast<T>(r == Reduction::Mean ? total / divisor : total);
  });
}

void smooth_backward(const Tensor& dlogp, const Tensor& grad, const Tensor& target,
                     const Tensor& weight, int64_t ignore_index, Reduction r, double divisor,
                     ClassLayout l) {
  dispatch_floating(dlogp.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* pd = dlogp.data_ptr<T>();
    const int64_t* pt = target.data_ptr<int64_t>();
    const T* pw = optional_data<T>(weight);
    const Upstream<T> g(grad, r);
    const T mean_factor = static_cast<T>(divisor);
    for (int64_t b = 0; b < l.n; ++b)
      for (int64_t i = 0; i < l.inner; ++i) {
        const int64_t k = b * l.inner + i;
        if (pt[k] == ignore_index) continue;
        // s = -sum_c w_c logp_c (Mean: / divisor):  dlogp_c = -w_c g (/ divisor)
        const T coef = r == Reduction::Mean ? -(g[k] / mean_factor) : -g[k];
        T* d = pd + b * l.c * l.inner + i;
        for (int64_t j = 0; j < l.c; ++j) d[j * l.inner] = pw ? coef * pw[j] : coef;
      }
  });
}

void soft_cross_entropy_forward(const Tensor& out, const Tensor& logp, const Tensor& target,
                                const Tensor& weight, double label_smoothing, Reduction r,
                                ClassLayout l) {
  dispatch_floating(logp.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* px = logp.data_ptr<T>();
    const T* pt = target.data_ptr<T>();
    const T* pw = optional_data<T>(weight);
    const bool smooth = label_smoothing > 0;
    const T keep = static_cast<T>(1.0 - label_smoothing);
    const T uniform = static_cast<T>(label_smoothing / static_cast<double>(l.c));
    // One value per position; Mean divides by the number of positions, not by the weights.
    store_reduced(out.data_ptr<T>(), l.positions(), r, [&](int64_t k) {
      const int64_t off = (k / l.inner) * l.c * l.inner + k % l.inner;
      double s = 0;
      for (int64_t j = 0; j < l.c; ++j) {
        const int64_t e = off + j * l.inner;
        const T t = smooth ? pt[e] * keep + uniform : pt[e];
        const T v = px[e] * t;
        s += static_cast<double>(pw ? v * pw[j] : v);
      }
      return static_cast<T>(-s);
    });
  });
}

void soft_cross_entropy_backward(const Tensor& dx, const Tensor& dtarget, const Tensor& dweight,
                                 const Tensor& grad, const Tensor& logp, const Tensor& target,
                                 const Tensor& weight, double label_smoothing, Reduction r,
                                 ClassLayout l) {
  dispatch_floating(logp.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* px = logp.data_ptr<T>();
    const T* pt = target.data_ptr<T>();
    const T* pw = optional_data<T>(weight);
    T* pdx = dx.defined() ? dx.data_ptr<T>() : nullptr;
    T* pdt = dtarget.defined() ? dtarget.data_ptr<T>() : nullptr;
    T* pdw = dweight.defined() ? dweight.data_ptr<T>() : nullptr;
    const Upstream<T> g(grad, r);
    const bool smooth = label_smoothing > 0;
    const T keep = static_cast<T>(1.0 - label_smoothing);
    const T uniform = static_cast<T>(label_smoothing / static_cast<double>(l.c));
    const T positions = static_cast<T>(l.positions());
    if (pdw) std::fill(pdw, pdw + l.c, T(0));
    // l = -sum_c w_c t'_c logp_c,  logp = x - logsumexp(x),  t' = t (1 - s) + s / C:
    //   dx_c = coef (softmax_c sum_j w_j t'_j - w_c t'_c)
    //   dt_c = -coef w_c logp_c (1 - s),   dw_c = -sum over positions of coef t'_c logp_c
    // with coef = g (Mean: g / positions).
    for (int64_t k = 0; k < l.positions(); ++k) {
      const int64_t off = (k / l.inner) * l.c * l.inner + k % l.inner;
      const T coef = r == Reduction::Mean ? g[k] / positions : g[k];
      double wt_sum = 0;
      for (int64_t j = 0; j < l.c; ++j) {
        const int64_t e = off + j * l.inner;
        const T t = smooth ? pt[e] * keep + uniform : pt[e];
        wt_sum += static_cast<double>(pw ? t * pw[j] : t);
        if (pdt) pdt[e] = -coef * (pw ? pw[j] : T(1)) * px[e] * keep;
        if (pdw) pdw[j] += -coef * t * px[e];
      }
      if (pdx) {
        const T total = static_cast<T>(wt_sum);
        for (int64_t j = 0; j < l.c; ++j) {
          const int64_t e = off + j * l.inner;
          const T t = smooth ? pt[e] * keep + uniform : pt[e];
          pdx[e] = coef * (std::exp(px[e]) * total - (pw ? pw[j] * t : t));
        }
      }
    }
  });
}

}  // namespace ag::kernels
