// Internal helpers for making tensors and checking arguments, shared by all op families.
#pragma once

#include <cstdint>

#include "ag/tensor.hpp"

namespace ag::detail {

/// A new contiguous tensor with uninitialised data.
Tensor empty(const Shape& shape, Dtype dtype);
/// A new tensor sharing `base`'s storage with another shape/strides/offset; no autograd.
Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset);
/// Same data, shape and strides as `t`, without autograd history (what detach() returns).
Tensor alias(const Tensor& t);

/// Turns a possibly negative dim into 0..ndim-1, or throws naming `op`.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);

/// Throws when `t` is undefined, naming the op.
void check_defined(const Tensor& t, const char* op);

/// Throws unless `t` has a floating dtype (int64 tensors are for indices only).
void check_floating(const Tensor& t, const char* op);

/// The rules every in-place op follows: refuses a leaf that requires grad (while grad mode is
/// on) and a view whose write autograd would have to follow. Returns whether the op must
/// record a node (grad mode on and `self` or `other` requires grad); `other` may be null.
bool check_inplace(const Tensor& self, const Tensor* other, const char* op);

}  // namespace ag::detail
