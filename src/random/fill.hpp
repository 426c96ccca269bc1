// Shared pieces of the random fills: the in-place rules and the order elements are drawn in.
//
// Internal to src/random/.
#pragma once

#include <cstdint>
#include <utility>

#include "ag/tensor.hpp"

namespace ag::detail {

/// Checks what every in-place random fill checks (defined, the in-place autograd rules, no
/// element written twice). Returns whether the fill must be recorded for autograd.
bool begin_random_fill(const Tensor& self, const char* op);

/// Bumps the storage version and, when `record`, makes `node_name` (PyTorch's name, e.g.
/// "UniformBackward0") self's grad_fn; it sends a zero gradient back, as in PyTorch.
void end_random_fill(Tensor& self, bool record, const char* node_name);

/// Calls f(element&) for every element of `t` (dtype T) in the order PyTorch's
/// TensorIterator visits a single output: memory order, i.e. dims sorted by stride with the
/// largest stride outermost. For a contiguous tensor that is the row-major order.
template <class T, class F>
void for_each_in_memory_order(const Tensor& t, F&& f) {
  T* base = t.data_ptr<T>();
  const int64_t n = t.numel();
  if (t.is_contiguous()) {
    for (int64_t i = 0; i < n; ++i) f(base[i]);
    return;
  }
  // Dims of size > 1 (the others do not change the order), outermost first: insertion sort
  // by decreasing stride. Strides are distinct here: begin_random_fill refused stride 0.
  Shape sizes, strides;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (t.size(d) == 1) continue;
    size_t i = sizes.size();
    sizes.push_back(t.size(d));
    strides.push_back(t.stride(d));
    for (; i > 0 && strides[i - 1] < strides[i]; --i) {
      std::swap(sizes[i - 1], sizes[i]);
      std::swap(strides[i - 1], strides[i]);
    }
  }
  const size_t nd = sizes.size();
  if (nd == 0) {  // a single element
    if (n == 1) f(base[0]);
    return;
  }
  // Odometer over the outer dims, a tight loop over the innermost one.
  const int64_t inner = sizes[nd - 1], inner_stride = strides[nd - 1];
  Shape index(nd, 0);
  int64_t row = 0;  // element offset of the current innermost row
  for (int64_t done = 0; done < n; done += inner) {
    for (int64_t i = 0; i < inner; ++i) f(base[row + i * inner_stride]);
    for (size_t d = nd - 1; d-- > 0;) {
      row += strides[d];
      if (++index[d] < sizes[d]) break;
      row -= strides[d] * sizes[d];
      index[d] = 0;
    }
  }
}

}  // namespace ag::detail
