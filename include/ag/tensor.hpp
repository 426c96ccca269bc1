// ag::Tensor: a handle to a dense, strided n-dimensional array that can record the operations
// applied to it and give gradients back (reverse-mode autograd).
//
// A Tensor is cheap to copy: copies share the same data and autograd state, as in PyTorch.
// Views (t(), transpose, select, narrow, unsqueeze, squeeze, reshape of a contiguous tensor)
// share storage with their base, and gradients flow back through them.
//
//   ag::Tensor W = ag::randn({6, 4}, ag::TensorOptions().requires_grad(true));
//   ag::Tensor h = ag::tanh(ag::matmul(x, W.t()));
//   h.sum().backward();   // W.grad() now holds d(sum h)/dW
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <tuple>
#include <vector>

#include "ag/detail/ref.hpp"
#include "ag/detail/tensor_impl.hpp"
#include "ag/dtype.hpp"
#include "ag/error.hpp"
#include "ag/shape.hpp"

namespace ag {

/// How a factory makes a tensor: dtype (float32 by default) and whether it requires grad.
///   ag::zeros({2, 3}, ag::TensorOptions().dtype(ag::kFloat64).requires_grad(true));
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(Dtype d) : dtype_(d) {}  // lets `ag::zeros({2}, ag::kFloat64)` read naturally

  TensorOptions dtype(Dtype d) const {
    TensorOptions o = *this;
    o.dtype_ = d;
    return o;
  }
  TensorOptions requires_grad(bool r) const {
    TensorOptions o = *this;
    o.requires_grad_ = r;
    return o;
  }
  Dtype dtype() const { return dtype_; }
  bool requires_grad() const { return requires_grad_; }

 private:
  Dtype dtype_ = kFloat32;
  bool requires_grad_ = false;
};

class Tensor {
 public:
  /// An undefined tensor (defined() is false), like a default torch::Tensor.
  Tensor() = default;
  explicit Tensor(detail::Ref<detail::TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- accessors ---------------------------------------------------------------------------
  bool defined() const { return static_cast<bool>(impl_); }
  int64_t dim() const { return static_cast<int64_t>(impl().shape.size()); }
  const Shape& shape() const { return impl().shape; }
  const Shape& sizes() const { return impl().shape; }
  /// Size of dimension d; negative d counts from the end.
  int64_t size(int64_t d) const;
  const Shape& strides() const { return impl().strides; }
  int64_t stride(int64_t d) const;
  int64_t numel() const { return impl().numel; }
  Dtype dtype() const { return impl().dtype; }
  bool is_contiguous() const { return impl().contiguous; }
  int64_t storage_offset() const { return impl().offset; }

  /// Pointer to the first element; T must match dtype() (float, double or int64_t).
  template <class T>
  T* data_ptr() const;
  /// The single value of a one-element tensor, converted to T.
  template <class T>
  T item() const;
  /// All elements in row-major order, converted to T.
  template <class T>
  std::vector<T> to_vector() const;

  /// A copy with another dtype (this tensor itself when the dtype already matches).
  Tensor to(Dtype dtype) const;

  // ---- autograd ----------------------------------------------------------------------------
  bool requires_grad() const;
  /// Marks a leaf tensor as requiring grad (or not). Returns *this.
  Tensor& requires_grad_(bool requires_grad = true);
  bool is_leaf() const;
  /// The accumulated gradient (undefined until a backward reaches this tensor).
  Tensor grad() const;
  /// The gradient slot itself, for optimisers and users who set or clear it.
  void set_grad(const Tensor& grad);
  /// Backpropagates from this tensor. `grad` may be omitted for a one-element tensor.
  /// Without retain_graph the graph's saved tensors are freed afterwards.
  void backward(const Tensor& grad = Tensor(), bool retain_graph = false) const;
  /// Same data, cut off from the graph.
  Tensor detach() const;
  /// Keeps the gradient of this non-leaf tensor in grad() after backward.
  Tensor& retain_grad();
  bool retains_grad() const { return impl().retains_grad; }
  /// PyTorch's name of the node that made this tensor ("TanhBackward0"), or "" for a leaf.
  std::string grad_fn_name() const;
  /// Name shown for this tensor in graph pictures (Modules set it to the parameter name).
  const std::string& name() const { return impl().name; }
  Tensor& set_name(std::string name);

  // ---- views (share storage; negative dims count from the end) -----------------------------
  Tensor t() const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor permute(const Shape& dims) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze(int64_t dim) const;
  Tensor squeeze() const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  /// Python's t[start:end:step] along one dim (end clamped, negative start/end wrap).
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor reshape(const Shape& shape) const;
  Tensor view(const Shape& shape) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor expand(const Shape& shape) const;
  Tensor contiguous() const;
  Tensor clone() const;

  // ---- ops as methods (the free functions in ag/ops/*.hpp do the work) ---------------------
  Tensor sum() const;
  Tensor sum(int64_t dim, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(int64_t dim, bool keepdim = false) const;
  Tensor max() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  Tensor argmax() const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor neg() const;
  Tensor pow(double exponent) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;
  Tensor clamp(double min, double max) const;
  Tensor add(const Tensor& other) const;
  Tensor sub(const Tensor& other) const;
  Tensor mul(const Tensor& other) const;
  Tensor div(const Tensor& other) const;

  // ---- in place (refused on a leaf that requires grad unless ag::NoGradGuard is active) ----
  Tensor& copy_(const Tensor& src);
  Tensor& zero_();
  Tensor& fill_(double value);
  /// this += alpha * other
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  Tensor& add_(double other);
  Tensor& sub_(const Tensor& other, double alpha = 1.0);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(double other);
  Tensor& div_(double other);
  Tensor& clamp_(double min, double max);
  /// Fills with U(from, to) from ag's PyTorch-compatible generator.
  Tensor& uniform_(double from = 0.0, double to = 1.0);
  /// Fills with N(mean, std^2) from ag's PyTorch-compatible generator.
  Tensor& normal_(double mean = 0.0, double std = 1.0);
  /// Fills with 1 with probability p, else 0 (what dropout draws).
  Tensor& bernoulli_(double p);

  Tensor& operator+=(const Tensor& o) { return add_(o); }
  Tensor& operator-=(const Tensor& o) { return sub_(o); }
  Tensor& operator*=(const Tensor& o) { return mul_(o); }
  Tensor& operator+=(double o) { return add_(o); }
  Tensor& operator-=(double o) { return add_(-o); }
  Tensor& operator*=(double o) { return mul_(o); }
  Tensor& operator/=(double o) { return div_(o); }

  // ---- internals ---------------------------------------------------------------------------
  detail::TensorImpl& impl() const;
  detail::TensorImpl* impl_ptr() const { return impl_.get(); }
  const detail::Ref<detail::TensorImpl>& impl_ref() const { return impl_; }
  /// True when both handles refer to the same tensor (not just equal values).
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

 private:
  detail::Ref<detail::TensorImpl> impl_;
};

inline detail::TensorImpl& Tensor::impl() const {
  AG_CHECK(impl_, "undefined tensor: this Tensor was default-constructed or moved from");
  return *impl_;
}

/// Prints as PyTorch's print(t) does: "tensor([[0.9999, 0.9073]], grad_fn=<TanhBackward0>)".
std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---- operators (NumPy broadcasting; a double on either side) ---------------------------------
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& a);

}  // namespace ag
