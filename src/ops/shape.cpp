// Views and shape changes. A view shares storage and only changes shape/strides/offset;
// its backward puts the gradient back into the base's shape.
#include "ag/ops/shape.hpp"

#include <numeric>
#include <optional>

#include "ag/autograd.hpp"
#include "ag/factory.hpp"
#include "ag/ops/reduce.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"

namespace ag {
namespace {

using detail::make_view;
using detail::wrap_dim;

// Strides that let `x`'s elements be read as `shape` without copying, if any
// (PyTorch's computeStride: each new dim must fit inside a chunk of old dims that are
// contiguous with one another).
std::optional<Shape> view_strides(const Tensor& x, const Shape& shape) {
  const Shape& old_shape = x.shape();
  const Shape& old_strides = x.strides();
  if (x.numel() == 0) return detail::contiguous_strides(shape);
  if (old_shape.empty()) return Shape(shape.size(), 1);
  Shape strides(shape.size(), 1);
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_stride = old_strides.back();  // stride of the current chunk's innermost dim
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = x.dim() - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    bool chunk_ends =
        d == 0 || (old_shape[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_stride);
    if (!chunk_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
      strides[view_d] = view_numel * chunk_stride;
      view_numel *= shape[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      chunk_stride = old_strides[d - 1];
      tensor_numel = 1;
      view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

// Resolves a -1 in `shape` and checks the element count.
Shape infer_shape(const Shape& shape, int64_t numel, const Tensor& x, const char* op) {
  Shape s = shape;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      AG_CHECK(infer < 0, op, ": only one dimension can be inferred, got shape ", shape);
      infer = static_cast<int64_t>(i);
    } else {
      AG_CHECK(s[i] >= 0, op, ": invalid shape dimension ", s[i], " in shape ", shape);
      known *= s[i];
    }
  }
  if (infer >= 0) {
    AG_CHECK(known != 0 && numel % known == 0, op, ": shape ", shape,
             " is invalid for input of size ", numel, " (shape ", x.shape(), ")");
    s[infer] = numel / known;
  }
  AG_CHECK(s.numel() == numel, op, ": shape ", shape, " is invalid for input of size ", numel,
           " (shape ", x.shape(), ")");
  return s;
}

// Backward for select/narrow/slice: the gradient lands in a zero tensor of the base's shape.
template <class ViewOf>
Tensor scatter_into_zeros(const Tensor& grad, const Shape& base_shape, ViewOf view_of) {
  Tensor g = zeros(base_shape, grad.dtype());
  kernels::copy(view_of(g), grad);
  return g;
}

}  // namespace

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  detail::check_defined(x, "transpose");
  int64_t a = wrap_dim(dim0, x.dim(), "transpose"), b = wrap_dim(dim1, x.dim(), "transpose");
  Shape shape = x.shape(), strides = x.strides();
  if (x.dim() > 0) {
    std::swap(shape[a], shape[b]);
    std::swap(strides[a], strides[b]);
  }
  Tensor out = make_view(x, shape, strides, x.storage_offset());
  record(out, "TransposeBackward0", {x}, {}, [a, b](const BackwardContext& c) -> Grads {
    return {transpose(c.grad, a, b)};
  });
  return out;
}

Tensor t(const Tensor& x) {
  detail::check_defined(x, "t");
  AG_CHECK(x.dim() <= 2, "t: expects a tensor with <= 2 dimensions, but got shape ", x.shape(),
           "; use transpose(dim0, dim1)");
  Shape shape = x.shape(), strides = x.strides();
  if (x.dim() == 2) {
    std::swap(shape[0], shape[1]);
    std::swap(strides[0], strides[1]);
  }
  Tensor out = make_view(x, std::move(shape), std::move(strides), x.storage_offset());
  record(out, "TBackward0", {x}, {}, [](const BackwardContext& c) -> Grads { return {t(c.grad)}; });
  return out;
}

Tensor permute(const Tensor& x, const Shape& dims) {
  detail::check_defined(x, "permute");
  AG_CHECK(static_cast<int64_t>(dims.size()) == x.dim(), "permute: number of dims ", dims,
           " doesn't match the tensor's shape ", x.shape());
  Shape shape(dims.size()), strides(dims.size()), inverse(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = wrap_dim(dims[i], x.dim(), "permute");
    AG_CHECK(!seen[d], "permute: repeated dim ", d, " in ", dims);
    seen[d] = true;
    shape[i] = x.shape()[d];
    strides[i] = x.strides()[d];
    inverse[d] = static_cast<int64_t>(i);
  }
  Tensor out = make_view(x, shape, strides, x.storage_offset());
  record(out, "PermuteBackward0", {x}, {}, [inverse](const BackwardContext& c) -> Grads {
    return {permute(c.grad, inverse)};
  });
  return out;
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  detail::check_defined(x, "unsqueeze");
  int64_t d = wrap_dim(dim, x.dim() + 1, "unsqueeze");
  Shape shape = x.shape(), strides = x.strides();
  int64_t stride = d < x.dim() ? shape[d] * strides[d] : 1;
  shape.insert_at(d, 1);
  strides.insert_at(d, stride);
  Tensor out = make_view(x, shape, strides, x.storage_offset());
  record(out, "UnsqueezeBackward0", {x}, {}, [d](const BackwardContext& c) -> Grads {
    return {squeeze(c.grad, d)};
  });
  return out;
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  detail::check_defined(x, "squeeze");
  int64_t d = wrap_dim(dim, x.dim(), "squeeze");
  Shape shape = x.shape(), strides = x.strides();
  if (x.dim() > 0 && shape[d] == 1) {
    shape.erase_at(d);
    strides.erase_at(d);
  }
  Tensor out = make_view(x, shape, strides, x.storage_offset());
  const Shape in = x.shape();
  record(out, "SqueezeBackward1", {x}, {}, [in](const BackwardContext& c) -> Grads {
    return {c.grad.reshape(in)};
  });
  return out;
}

Tensor squeeze(const Tensor& x) {
  detail::check_defined(x, "squeeze");
  Shape shape, strides;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (x.shape()[d] == 1) continue;
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
  }
  Tensor out = make_view(x, shape, strides, x.storage_offset());
  const Shape in = x.shape();
  record(out, "SqueezeBackward0", {x}, {}, [in](const BackwardContext& c) -> Grads {
    return {c.grad.reshape(in)};
  });
  return out;
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  detail::check_defined(x, "select");
  AG_CHECK(x.dim() > 0, "select: cannot be applied to a 0-dim tensor");
  int64_t d = wrap_dim(dim, x.dim(), "select");
  const int64_t n = x.shape()[d];
  AG_CHECK(index >= -n && index < n, "select: index ", index, " out of range for tensor of shape ",
           x.shape(), " at dimension ", d);
  int64_t i = index < 0 ? index + n : index;
  Shape shape = x.shape(), strides = x.strides();
  int64_t offset = x.storage_offset() + i * strides[d];
  shape.erase_at(d);
  strides.erase_at(d);
  Tensor out = make_view(x, shape, strides, offset);
  const Shape in = x.shape();
  record(out, "SelectBackward0", {x}, {}, [in, d, i](const BackwardContext& c) -> Grads {
    return {scatter_into_zeros(c.grad, in, [&](const Tensor& g) { return select(g, d, i); })};
  });
  return out;
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  detail::check_defined(x, "slice");
  AG_CHECK(x.dim() > 0, "slice: cannot be applied to a 0-dim tensor");
  AG_CHECK(step > 0, "slice: step must be positive, got ", step);
  int64_t d = wrap_dim(dim, x.dim(), "slice");
  const int64_t n = x.shape()[d];
  // Python slice rules: negative bounds wrap once, then everything is clamped to [0, n].
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape shape = x.shape(), strides = x.strides();
  int64_t offset = x.storage_offset() + start * strides[d];
  shape[d] = (end - start + step - 1) / step;
  strides[d] *= step;
  Tensor out = make_view(x, shape, strides, offset);
  const Shape in = x.shape();
  record(out, "SliceBackward0", {x}, {}, [in, d, start, end, step](const BackwardContext& c) -> Grads {
    return {scatter_into_zeros(c.grad, in,
                               [&](const Tensor& g) { return slice(g, d, start, end, step); })};
  });
  return out;
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  detail::check_defined(x, "narrow");
  AG_CHECK(x.dim() > 0, "narrow: cannot be applied to a 0-dim tensor");
  int64_t d = wrap_dim(dim, x.dim(), "narrow");
  const int64_t n = x.shape()[d];
  AG_CHECK(start >= -n && start <= n, "narrow: start ", start, " out of range for dimension ", d,
           " of size ", n, " (shape ", x.shape(), ")");
  if (start < 0) start += n;
  AG_CHECK(length >= 0 && start + length <= n, "narrow: start (", start, ") + length (", length,
           ") exceeds dimension size (", n, ") of dimension ", d, " (shape ", x.shape(), ")");
  return slice(x, d, start, start + length, 1);
}

Tensor view(const Tensor& x, const Shape& shape) {
  detail::check_defined(x, "view");
  Shape s = infer_shape(shape, x.numel(), x, "view");
  std::optional<Shape> strides = view_strides(x, s);
  AG_CHECK(strides, "view: size ", s, " is not compatible with the input's shape ", x.shape(),
           " and strides ", x.strides(), " (at least one dimension spans across two contiguous "
           "subspaces); use reshape instead");
  Tensor out = make_view(x, s, *strides, x.storage_offset());
  const Shape in = x.shape();
  record(out, "ViewBackward0", {x}, {}, [in](const BackwardContext& c) -> Grads {
    return {c.grad.reshape(in)};
  });
  return out;
}

Tensor reshape(const Tensor& x, const Shape& shape) {
  detail::check_defined(x, "reshape");
  Shape s = infer_shape(shape, x.numel(), x, "reshape");
  const Shape in = x.shape();
  auto back = [in](const BackwardContext& c) -> Grads { return {c.grad.reshape(in)}; };
  if (std::optional<Shape> strides = view_strides(x, s)) {
    Tensor out = make_view(x, s, *strides, x.storage_offset());
    record(out, "ReshapeAliasBackward0", {x}, {}, back);  // PyTorch 1.13's name
    return out;
  }
  Tensor out = detail::empty(s, x.dtype());
  kernels::copy(detail::make_view(out, in, detail::contiguous_strides(in), 0), x);
  record(out, "UnsafeViewBackward0", {x}, {}, back);
  return out;
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  detail::check_defined(x, "flatten");
  int64_t a = wrap_dim(start_dim, x.dim(), "flatten"), b = wrap_dim(end_dim, x.dim(), "flatten");
  if (x.dim() == 0) return reshape(x, {1});
  AG_CHECK(a <= b, "flatten: start_dim (", a, ") cannot come after end_dim (", b, ")");
  Shape s;
  for (int64_t d = 0; d < a; ++d) s.push_back(x.shape()[d]);
  int64_t m = 1;
  for (int64_t d = a; d <= b; ++d) m *= x.shape()[d];
  s.push_back(m);
  for (int64_t d = b + 1; d < x.dim(); ++d) s.push_back(x.shape()[d]);
  return reshape(x, s);
}

Tensor expand(const Tensor& x, const Shape& shape) {
  detail::check_defined(x, "expand");
  AG_CHECK(shape.size() >= static_cast<size_t>(x.dim()), "expand: the number of sizes provided (",
           shape.size(), ") must be greater or equal to the number of dimensions in the tensor (",
           x.dim(), ")");
  const size_t lead = shape.size() - static_cast<size_t>(x.dim());
  Shape s(shape.size()), strides(shape.size(), 0);
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) {
      AG_CHECK(shape[i] >= 0, "expand: the expanded size ", shape[i],
               " is not allowed in a leading, non-existing dimension (shape ", shape, ")");
      s[i] = shape[i];
      continue;
    }
    int64_t have = x.shape()[i - lead], want = shape[i] == -1 ? have : shape[i];
    AG_CHECK(want >= 0, "expand: the expanded size ", want, " is not allowed (shape ", shape, ")");
    AG_CHECK(have == want || have == 1, "expand: the expanded size of the tensor (", want,
             ") must match the existing size (", have, ") at non-singleton dimension ", i,
             ". Target sizes: ", shape, ". Tensor sizes: ", x.shape());
    s[i] = want;
    strides[i] = have == want ? x.strides()[i - lead] : 0;
  }
  Tensor out = make_view(x, s, strides, x.storage_offset());
  const Shape in = x.shape();
  record(out, "ExpandBackward0", {x}, {}, [in](const BackwardContext& c) -> Grads {
    return {sum_to_size(c.grad, in)};
  });
  return out;
}

Tensor clone(const Tensor& x) {
  detail::check_defined(x, "clone");
  Tensor out = detail::empty(x.shape(), x.dtype());
  kernels::copy(out, x);
  record(out, "CloneBackward0", {x}, {}, [](const BackwardContext& c) -> Grads { return {c.grad}; });
  return out;
}

Tensor contiguous(const Tensor& x) {
  detail::check_defined(x, "contiguous");
  return x.is_contiguous() ? x : clone(x);
}

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  AG_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  const Tensor& first = tensors[0];
  detail::check_defined(first, "cat");
  AG_CHECK(first.dim() > 0, "cat: zero-dimensional tensor (at position 0) cannot be concatenated");
  int64_t d = wrap_dim(dim, first.dim(), "cat");
  Shape shape = first.shape();
  Dtype dtype = first.dtype();
  shape[d] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    detail::check_defined(t, "cat");
    AG_CHECK(t.dim() == first.dim(), "cat: tensors must have the same number of dimensions: got ",
             first.dim(), " and ", t.dim(), " (shapes ", first.shape(), " and ", t.shape(),
             " at positions 0 and ", i, ")");
    for (int64_t k = 0; k < t.dim(); ++k)
      AG_CHECK(k == d || t.shape()[k] == first.shape()[k], "cat: sizes of tensors must match "
               "except in dimension ", d, ": expected size ", first.shape()[k], " but got size ",
               t.shape()[k], " for tensor number ", i, " in the list (shapes ", first.shape(),
               " and ", t.shape(), ")");
    shape[d] += t.shape()[d];
    dtype = promote_types(dtype, t.dtype());
  }
  Tensor out = detail::empty(shape, dtype);
  std::vector<int64_t> sizes;
  int64_t at = 0;
  for (const Tensor& t : tensors) {
    kernels::copy(detail::make_view(out, [&] { Shape s = shape; s[d] = t.shape()[d]; return s; }(),
                                    out.strides(), at * out.strides()[d]),
                  t);
    sizes.push_back(t.shape()[d]);
    at += t.shape()[d];
  }
  record(out, "CatBackward0", tensors, {}, [d, sizes](const BackwardContext& c) -> Grads {
    Grads g;
    int64_t start = 0;
    for (int64_t n : sizes) {
      g.push_back(narrow(c.grad, d, start, n));
      start += n;
    }
    return g;
  });
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  AG_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  const Tensor& first = tensors[0];
  detail::check_defined(first, "stack");
  int64_t d = wrap_dim(dim, first.dim() + 1, "stack");
  for (size_t i = 0; i < tensors.size(); ++i) {
    detail::check_defined(tensors[i], "stack");
    AG_CHECK(tensors[i].shape() == first.shape(), "stack: expects each tensor to be equal size, "
             "but got ", first.shape(), " at entry 0 and ", tensors[i].shape(), " at entry ", i);
  }
  Shape shape = first.shape();
  shape.insert_at(d, static_cast<int64_t>(tensors.size()));
  Dtype dtype = first.dtype();
  for (const Tensor& t : tensors) dtype = promote_types(dtype, t.dtype());
  Tensor out = detail::empty(shape, dtype);
  for (size_t i = 0; i < tensors.size(); ++i) {
    AutoGradMode no_record(false);
    kernels::copy(select(out, d, static_cast<int64_t>(i)), tensors[i]);
  }
  const size_t n = tensors.size();
  record(out, "StackBackward0", tensors, {}, [d, n](const BackwardContext& c) -> Grads {
    Grads g;
    for (size_t i = 0; i < n; ++i) g.push_back(select(c.grad, d, static_cast<int64_t>(i)));
    return g;
  });
  return out;
}

Tensor Tensor::t() const { return ag::t(*this); }
Tensor Tensor::transpose(int64_t a, int64_t b) const { return ag::transpose(*this, a, b); }
Tensor Tensor::permute(const Shape& dims) const { return ag::permute(*this, dims); }
Tensor Tensor::unsqueeze(int64_t d) const { return ag::unsqueeze(*this, d); }
Tensor Tensor::squeeze(int64_t d) const { return ag::squeeze(*this, d); }
Tensor Tensor::squeeze() const { return ag::squeeze(*this); }
Tensor Tensor::select(int64_t d, int64_t i) const { return ag::select(*this, d, i); }
Tensor Tensor::narrow(int64_t d, int64_t s, int64_t n) const { return ag::narrow(*this, d, s, n); }
Tensor Tensor::slice(int64_t d, int64_t s, int64_t e, int64_t step) const {
  return ag::slice(*this, d, s, e, step);
}
Tensor Tensor::reshape(const Shape& s) const { return ag::reshape(*this, s); }
Tensor Tensor::view(const Shape& s) const { return ag::view(*this, s); }
Tensor Tensor::flatten(int64_t a, int64_t b) const { return ag::flatten(*this, a, b); }
Tensor Tensor::expand(const Shape& s) const { return ag::expand(*this, s); }
Tensor Tensor::contiguous() const { return ag::contiguous(*this); }
Tensor Tensor::clone() const { return ag::clone(*this); }

}  // namespace ag
