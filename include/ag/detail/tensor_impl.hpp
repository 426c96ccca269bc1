// The data behind a Tensor handle: Storage (bytes shared by views) and TensorImpl (one view
// of a storage, plus its autograd state).
//
// Internal; users go through ag::Tensor. It is in include/ only so that the small accessors of
// Tensor can be inlined.
#pragma once

#include <cstdint>
#include <string>

#include "ag/detail/ref.hpp"
#include "ag/dtype.hpp"
#include "ag/shape.hpp"

namespace ag {
class Node;
}

namespace ag::detail {

/// Raw bytes from the caching allocator, shared by a tensor and all its views.
/// `version` counts in-place writes; autograd uses it to refuse stale saved tensors.
struct Storage : RefCounted {
  void* data = nullptr;
  size_t nbytes = 0;
  uint32_t version = 0;

  // Made and freed on every op: recycled through the caching allocator, not malloc.
  static void* operator new(size_t n);
  static void operator delete(void* p, size_t n) noexcept;

  static Ref<Storage> allocate(size_t nbytes);
  static void destroy(Storage* s);
  ~Storage();
};

struct TensorImpl : RefCounted {
  Ref<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  Shape strides;  // in elements
  int64_t numel = 0;
  Dtype dtype = Dtype::Float32;
  bool contiguous = true;     // row-major dense, cached
  bool requires_grad = false;  // set on leaves by the user; non-leaves have grad_fn instead
  bool is_view = false;       // shares storage with the tensor it was derived from
  bool retains_grad = false;
  bool is_parameter = false;  // registered by a Module: prints as "Parameter containing:"

  Ref<Node> grad_fn;           // the node that produced this tensor (non-leaves)
  Ref<Node> grad_accumulator;  // leaves that require grad: where their gradient lands
  Ref<TensorImpl> grad;
  std::string name;  // parameter name when a Module owns it (graph pictures)

  ~TensorImpl();
  static void destroy(TensorImpl* t);
  static void* operator new(size_t n);
  static void operator delete(void* p, size_t n) noexcept;

  char* data() const {
    // An empty storage has no bytes (nullptr), but an empty view of it can have an offset.
    if (storage->data == nullptr) return nullptr;
    return static_cast<char*>(storage->data) + offset * static_cast<int64_t>(element_size(dtype));
  }
  /// Recomputes numel and the contiguity flag after shape or strides changed.
  void refresh();
};

/// Row-major strides for a shape.
Shape contiguous_strides(const Shape& shape);

/// Bytes of the caching allocator: 64-byte aligned, reused across training steps.
void* allocate_bytes(size_t nbytes);
void free_bytes(void* p, size_t nbytes) noexcept;

}  // namespace ag::detail
