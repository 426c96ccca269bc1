// Reductions: sum, mean, max, argmax, sum_to_size.
#include "ag/ops/reduce.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ag/factory.hpp"
#include "ag/ops/elementwise.hpp"
#include "ag/ops/shape.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/reduce.hpp"

namespace ag {
namespace {

// Which dims a reduction removes, and the shapes before/after.
struct Reduction {
  Shape in;    // x's shape
  Shape kept;  // reduced dims set to 1
  Shape out;   // the result's shape (kept, or reduced dims dropped)
  int64_t count = 1;  // elements per output value
};

Reduction plan(const Tensor& x, const Shape& dims, bool all, bool keepdim, const char* op) {
  detail::check_defined(x, op);
  // A 0-dim tensor has one dim for checking the list (0 or -1, once), as in PyTorch.
  std::vector<bool> reduced(static_cast<size_t>(std::max<int64_t>(x.dim(), 1)), all);
  for (int64_t d : dims) {
    int64_t w = detail::wrap_dim(d, x.dim(), op);
    AG_CHECK(!reduced[w], op, ": dim ", w, " appears multiple times in the list of dims");
    reduced[w] = true;
  }
  if (x.dim() == 0) reduced.clear();
  Reduction r{x.shape(), x.shape(), {}, 1};
  for (size_t d = 0; d < reduced.size(); ++d) {
    if (reduced[d]) {
      r.count *= r.in[d];
      r.kept[d] = 1;
    }
    if (!reduced[d] || keepdim) r.out.push_back(r.kept[d]);
  }
  return r;
}

// Sum over the planned dims, no autograd, result already in r.out's shape.
Tensor sum_kernel(const Tensor& x, const Reduction& r) {
  Tensor out = detail::empty(r.kept, x.dtype());
  kernels::sum_into(out, x);
  out.impl().shape = r.out;
  out.impl().strides = detail::contiguous_strides(r.out);
  return out;
}

Tensor sum_impl(const Tensor& x, const Reduction& r, const char* name) {
  detail::check_floating(x, "sum");
  Tensor out = sum_kernel(x, r);
  record(out, name, {x}, {}, [r](const BackwardContext& c) -> Grads {
    // every element of x was added once: its gradient is g broadcast back
    return {c.grad.reshape(r.kept).expand(r.in)};
  });
  return out;
}

Tensor mean_impl(const Tensor& x, const Reduction& r, const char* name) {
  detail::check_floating(x, "mean");
  Tensor out = sum_kernel(x, r);
  {
    NoGradGuard no_grad;
    out.div_(static_cast<double>(r.count));
  }
  record(out, name, {x}, {}, [r](const BackwardContext& c) -> Grads {
    // out = sum(x) / count:  dx = g / count, broadcast back
    return {div(c.grad, static_cast<double>(r.count)).reshape(r.kept).expand(r.in)};
  });
  return out;
}

}  // namespace

Tensor sum(const Tensor& x) { return sum_impl(x, plan(x, {}, true, false, "sum"), "SumBackward0"); }
Tensor sum(const Tensor& x, int64_t dim, bool keepdim) {
  return sum_impl(x, plan(x, {dim}, false, keepdim, "sum"), "SumBackward1");
}
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) {
  return sum_impl(x, plan(x, dims, false, keepdim, "sum"), "SumBackward1");
}
Tensor mean(const Tensor& x) { return mean_impl(x, plan(x, {}, true, false, "mean"), "MeanBackward0"); }
Tensor mean(const Tensor& x, int64_t dim, bool keepdim) {
  return mean_impl(x, plan(x, {dim}, false, keepdim, "mean"), "MeanBackward1");
}

Tensor Tensor::sum() const { return ag::sum(*this); }
Tensor Tensor::sum(int64_t dim, bool keepdim) const { return ag::sum(*this, dim, keepdim); }
Tensor Tensor::mean() const { return ag::mean(*this); }
Tensor Tensor::mean(int64_t dim, bool keepdim) const { return ag::mean(*this, dim, keepdim); }

Tensor sum_to_size(const Tensor& x, const Shape& shape) {
  detail::check_defined(x, "sum_to_size");
  const Shape& s = x.shape();
  bool ok = shape.size() <= s.size();
  const size_t lead = ok ? s.size() - shape.size() : 0;
  Shape dims;  // the dims to sum: those that must end as size 1 (leading ones too) but are not
  for (size_t d = 0; ok && d < s.size(); ++d) {
    const int64_t want = d < lead ? 1 : shape[d - lead];
    if (want == 1 && s[d] != 1)
      dims.push_back(static_cast<int64_t>(d));
    else
      ok = want == s[d];
  }
  AG_CHECK(ok, "sum_to_size: size ", shape, " is not expandable to size ", s);
  Tensor out = dims.empty() ? x : sum(x, dims, /*keepdim=*/true);
  return lead > 0 ? out.view(shape) : out;
}

// ---- max / argmax ------------------------------------------------------------------------------

std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  detail::check_floating(x, "max");
  int64_t d = detail::wrap_dim(dim, x.dim(), "max");
  Tensor src = x.dim() == 0 ? x.reshape({1}) : x;
  AG_CHECK(src.shape()[d] > 0, "max: expected reduction dim ", d,
           " to have non-zero size, but the input has shape ", x.shape());
  Reduction r = plan(src, {d}, false, keepdim, "max");
  Tensor values = detail::empty(r.kept, x.dtype());
  Tensor indices = detail::empty(r.kept, kInt64);
  kernels::max_along(values, indices, src, d);
  if (x.dim() == 0) r.out = {};
  for (Tensor* t : {&values, &indices}) {
    t->impl().shape = r.out;
    t->impl().strides = detail::contiguous_strides(r.out);
  }
  const Shape in = x.shape(), kept = x.dim() == 0 ? Shape{} : r.kept;
  record(values, "MaxBackward0", {x}, {indices}, [in, kept, d](const BackwardContext& c) -> Grads {
    // the gradient goes to the position each maximum came from
    Tensor g = zeros(in, c.grad.dtype());
    Tensor idx = c.saved(0);
    kernels::scatter_along(g, c.grad.reshape(kept).contiguous(), idx.reshape(kept).contiguous(),
                           in.empty() ? 0 : d);
    return {g};
  });
  return {values, indices};
}

Tensor max(const Tensor& x) {
  detail::check_floating(x, "max");
  AG_CHECK(x.numel() > 0, "max: expected a non-empty tensor, got shape ", x.shape());
  Tensor values = std::get<0>(max(x.detach().reshape({x.numel()}), 0, false));
  record(values, "MaxBackward1", {x}, {x, values}, [](const BackwardContext& c) -> Grads {
    // shared evenly among all elements equal to the maximum (the NaNs when it is NaN), and
    // exactly 0 elsewhere, as PyTorch's evenly_distribute_backward
    Tensor x = c.saved(0), m = c.saved(1);
    Tensor mask = empty_like(x), dx = empty_like(x);
    kernels::dispatch_floating(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      kernels::map2<T>(mask, x, m, [](T a, T b) {
        return static_cast<T>(a == b || (std::isnan(a) && std::isnan(b)));
      });
      kernels::map2<T>(dx, mask, div(c.grad, sum(mask)), [](T in, T share) {
        return in != 0 ? share : T(0);
      });
    });
    return {dx};
  });
  return values;
}

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  return std::get<1>(max(x.detach(), dim, keepdim));
}
Tensor argmax(const Tensor& x) {
  detail::check_floating(x, "argmax");
  AG_CHECK(x.numel() > 0, "argmax: expected a non-empty tensor, got shape ", x.shape());
  return std::get<1>(max(x.detach().reshape({x.numel()}), 0, false));
}

Tensor Tensor::max() const { return ag::max(*this); }
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return ag::max(*this, dim, keepdim);
}
Tensor Tensor::argmax() const { return ag::argmax(*this); }
Tensor Tensor::argmax(int64_t dim, bool keepdim) const { return ag::argmax(*this, dim, keepdim); }

}  // namespace ag
