// Tensor's own methods: accessors, element access, dtype conversion and autograd state.
// The op methods (t.tanh(), t.sum(), ...) live next to their op, in src/ops/.
#include "ag/tensor.hpp"

#include "ag/autograd.hpp"
#include "ag/factory.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"

namespace ag {

int64_t Tensor::size(int64_t d) const { return shape()[detail::wrap_dim(d, dim(), "size")]; }
int64_t Tensor::stride(int64_t d) const { return strides()[detail::wrap_dim(d, dim(), "stride")]; }

template <class T>
T* Tensor::data_ptr() const {
  AG_CHECK(dtype() == dtype_of<T>, "data_ptr: the tensor is ", dtype_name(dtype()), " but ",
           dtype_name(dtype_of<T>), " was requested");
  return reinterpret_cast<T*>(impl().data());
}
template float* Tensor::data_ptr<float>() const;
template double* Tensor::data_ptr<double>() const;
template int64_t* Tensor::data_ptr<int64_t>() const;

template <class T>
T Tensor::item() const {
  AG_CHECK(numel() == 1, "item: a tensor with ", numel(), " elements (shape ", shape(),
           ") cannot be converted to a scalar");
  return kernels::dispatch(dtype(), [&](auto zero) {
    return static_cast<T>(*reinterpret_cast<const decltype(zero)*>(impl().data()));
  });
}
template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int64_t Tensor::item<int64_t>() const;
template int Tensor::item<int>() const;

template <class T>
std::vector<T> Tensor::to_vector() const {
  std::vector<T> out(static_cast<size_t>(numel()));
  Tensor tmp = detail::empty(shape(), dtype_of<T>);
  kernels::copy(tmp, *this);
  const T* p = tmp.data_ptr<T>();
  std::copy(p, p + numel(), out.begin());
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;

Tensor Tensor::to(Dtype target) const {
  if (dtype() == target) return *this;
  Tensor out = detail::empty(shape(), target);
  kernels::copy(out, *this);
  if (is_floating(dtype()) && is_floating(target)) {
    const Dtype from = dtype();
    record(out, "ToCopyBackward0", {*this}, {}, [from](const BackwardContext& c) -> Grads {
      return {c.grad.to(from)};
    });
  }
  return out;
}

bool Tensor::requires_grad() const { return impl().requires_grad || impl().grad_fn; }

Tensor& Tensor::requires_grad_(bool requires_grad) {
  detail::TensorImpl& t = impl();
  AG_CHECK(!t.grad_fn || requires_grad,
           "requires_grad_: you can only change requires_grad flags of leaf variables; this "
           "tensor was made by ",
           t.grad_fn->name(), ". Use detach() to get a leaf that does not require grad");
  AG_CHECK(is_floating(t.dtype) || !requires_grad,
           "requires_grad_: only float32 and float64 tensors can require gradients, not ",
           dtype_name(t.dtype), " (shape ", t.shape, ")");
  if (!t.grad_fn) t.requires_grad = requires_grad;
  return *this;
}

bool Tensor::is_leaf() const { return !impl().grad_fn; }

Tensor Tensor::grad() const { return Tensor(impl().grad); }

void Tensor::set_grad(const Tensor& grad) {
  if (grad.defined())
    AG_CHECK(grad.shape() == shape() && grad.dtype() == dtype(), "set_grad: gradient of shape ",
             grad.shape(), " and dtype ", dtype_name(grad.dtype()), " does not match tensor of shape ",
             shape(), " and dtype ", dtype_name(dtype()));
  impl().grad = grad.impl_ref();
}

Tensor Tensor::detach() const {
  Tensor d = detail::alias(*this);
  d.impl().is_view = false;  // a new leaf with no autograd tie to this tensor, as in PyTorch
  return d;
}

Tensor& Tensor::retain_grad() {
  detail::TensorImpl& t = impl();
  AG_CHECK(requires_grad(), "retain_grad: can't retain_grad on a tensor that has "
                            "requires_grad=false (shape ", t.shape, ")");
  if (!t.grad_fn) return *this;  // leaves keep their gradient anyway
  t.grad_fn->retain_target = &t;
  t.retains_grad = true;
  return *this;
}

std::string Tensor::grad_fn_name() const {
  const auto& fn = impl().grad_fn;
  return fn ? fn->name() : "";
}

Tensor& Tensor::set_name(std::string name) {
  impl().name = std::move(name);
  return *this;
}

}  // namespace ag
