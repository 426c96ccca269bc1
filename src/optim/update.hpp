// Internal helpers shared by the optimisers: option checks with uniform messages, and the
// per-parameter driver that hands a kernel the dense float/double data of a parameter and
// its gradient.
//
// The kernels mirror PyTorch's roundings one by one. They rely on the library being built with
// -ffp-contract=off (CMakeLists.txt): the only fused multiply-adds are their std::fma calls,
// which stand for the fusions PyTorch's AVX2 kernels make.
#pragma once

#include <cstdint>

#include "ag/tensor.hpp"
#include "kernels/elementwise.hpp"

namespace ag::optim::detail {

/// Throws "<opt>: invalid <what>: <value> (must be >= 0)" unless value >= 0 (NaN fails too,
/// as in PyTorch's `not 0.0 <= value`).
void check_non_negative(const char* opt, const char* what, double value);

/// Throws unless both betas are in [0, 1), naming the offending index as PyTorch does.
void check_betas(const char* opt, double beta1, double beta2);

#if defined(__x86_64__) && defined(__GNUC__)
bool has_fma();

// The kernel inlined into a function built for FMA: its std::fma calls become one instruction
// each instead of a call into libm per element. Same results (std::fma is exact either way).
template <class Kernel, class T>
__attribute__((target("fma"))) void with_fma(Kernel& kernel, T* p, const T* g, int64_t n) {
  kernel(p, g, n);
}
#endif

/// Runs kernel(p, g, n) with T* p and const T* g (T = float or double) over the parameter's
/// data and its gradient, then bumps the parameter's version as an in-place op would.
/// Parameters and gradients are dense in practice (the engine makes gradients contiguous);
/// a strided one (a leaf made from a view, a user's set_grad) goes through a contiguous copy.
template <class Kernel>
void update_parameter(const Tensor& param, Kernel&& kernel) {
  const Tensor grad = param.grad().contiguous();  // the same handle when already dense
  const Tensor work = param.contiguous();
  kernels::dispatch_floating(param.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* p = work.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
#if defined(__x86_64__) && defined(__GNUC__)
    if (has_fma()) return with_fma(kernel, p, g, param.numel());
#endif
    kernel(p, g, param.numel());
  });
  if (!work.is_same(param)) kernels::copy(param, work);
  ++param.impl().storage->version;
}

}  // namespace ag::optim::detail
