// Storage and TensorImpl lifetime, and the helpers that make tensors and views.
#include "ag/detail/tensor_impl.hpp"

#include "ag/autograd.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"

namespace ag::detail {

Ref<Storage> Storage::allocate(size_t nbytes) {
  Ref<Storage> s(new Storage);
  s->data = allocate_bytes(nbytes);
  s->nbytes = nbytes;
  return s;
}

Storage::~Storage() { free_bytes(data, nbytes); }
void Storage::destroy(Storage* s) { delete s; }
void* Storage::operator new(size_t n) { return allocate_bytes(n); }
void Storage::operator delete(void* p, size_t n) noexcept { free_bytes(p, n); }
void* TensorImpl::operator new(size_t n) { return allocate_bytes(n); }
void TensorImpl::operator delete(void* p, size_t n) noexcept { free_bytes(p, n); }

TensorImpl::~TensorImpl() {
  if (grad_accumulator) static_cast<AccumulateGrad*>(grad_accumulator.get())->forget_variable();
  if (grad_fn && grad_fn->retain_target == this) grad_fn->retain_target = nullptr;
}
void TensorImpl::destroy(TensorImpl* t) { delete t; }

void TensorImpl::refresh() {
  numel = shape.numel();
  contiguous = true;
  int64_t expected = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 1) continue;  // a size-1 dim's stride never matters
    if (strides[i] != expected) {
      contiguous = false;
      break;
    }
    expected *= shape[i];
  }
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size(), 1);
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= std::max<int64_t>(shape[i], 1);
  }
  return strides;
}

Tensor empty(const Shape& shape, Dtype dtype) {
  for (int64_t s : shape)
    AG_CHECK(s >= 0, "empty: negative size in shape ", shape);
  auto* impl = new TensorImpl;
  Tensor t{Ref<TensorImpl>(impl)};
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  impl->numel = shape.numel();
  impl->storage = Storage::allocate(static_cast<size_t>(impl->numel) * element_size(dtype));
  return t;
}

Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset) {
  auto* impl = new TensorImpl;
  Tensor t{Ref<TensorImpl>(impl)};
  const TensorImpl& b = base.impl();
  impl->storage = b.storage;
  impl->offset = offset;
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->dtype = b.dtype;
  impl->is_view = true;
  impl->refresh();
  return t;
}

Tensor alias(const Tensor& t) {
  const TensorImpl& b = t.impl();
  return make_view(t, b.shape, b.strides, b.offset);
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  int64_t lo = ndim > 0 ? -ndim : -1, hi = ndim > 0 ? ndim - 1 : 0;
  AG_CHECK(dim >= lo && dim <= hi, op, ": dimension out of range (expected to be in range of [",
           lo, ", ", hi, "], but got ", dim, ")");
  return dim < 0 ? dim + std::max<int64_t>(ndim, 1) : dim;
}

void check_defined(const Tensor& t, const char* op) {
  AG_CHECK(t.defined(), op, ": got an undefined tensor");
}

void check_floating(const Tensor& t, const char* op) {
  check_defined(t, op);
  AG_CHECK(is_floating(t.dtype()), op, ": expected a float32 or float64 tensor, got ",
           dtype_name(t.dtype()), " of shape ", t.shape());
}

// Refuses what PyTorch refuses, and what ag's autograd cannot follow.
bool check_inplace(const Tensor& self, const Tensor* other, const char* op) {
  check_defined(self, op);
  if (!is_grad_enabled()) return false;
  AG_CHECK(!(self.is_leaf() && self.requires_grad()), op,
           ": a leaf tensor that requires grad (shape ", self.shape(),
           ") is being used in an in-place operation; do it inside ag::NoGradGuard");
  bool needs = self.requires_grad() || (other && other->defined() && other->requires_grad());
  AG_CHECK(!needs || !self.impl().is_view, op,
           ": in-place operations on a view are not supported when autograd must record them "
           "(the view of shape ",
           self.shape(), " or the other operand requires grad); use an out-of-place op (e.g. "
           "cat) or clone() the view first");
  return needs;
}

}  // namespace ag::detail
