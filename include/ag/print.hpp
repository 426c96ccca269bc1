// Printing tensors exactly as PyTorch's print(t) / repr(t) does, and the options behind it.
//
//   std::cout << ag::tanh(x);        // tensor([[ 0.4621, -0.7616]], grad_fn=<TanhBackward0>)
//   {
//     ag::PrintOptionsGuard g({.precision = 8});   // torch.set_printoptions(precision=8)
//     std::cout << w;
//   }                                              // previous options are back
//
// The options are process-wide, as torch.set_printoptions is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ag/tensor.hpp"

namespace ag {

/// torch.set_printoptions's settings; the defaults are PyTorch's.
struct PrintOptions {
  /// Digits after the point (fixed) or in the mantissa (scientific).
  int precision = 4;
  /// A tensor with more elements than this is summarised ("...").
  int64_t threshold = 1000;
  /// Entries kept at each end of every summarised dimension.
  int64_t edgeitems = 3;
  /// Columns a 1-d row may fill before it wraps; also where suffixes wrap.
  int linewidth = 80;
  /// true/false forces scientific/fixed notation; empty lets each tensor choose.
  std::optional<bool> sci_mode = std::nullopt;
};

/// Replaces the process-wide options. Throws ag::Error when precision < 0 or edgeitems < 1
/// (PyTorch itself fails on edgeitems=0 once a tensor of 2 or more dims is summarised).
void set_printoptions(const PrintOptions& options);
/// The options now in force.
PrintOptions get_printoptions();

/// Saves the options on construction (optionally installing new ones) and restores them when
/// it goes out of scope.
class PrintOptionsGuard {
 public:
  PrintOptionsGuard() : previous_(get_printoptions()) {}
  explicit PrintOptionsGuard(const PrintOptions& options) : previous_(get_printoptions()) {
    set_printoptions(options);
  }
  ~PrintOptionsGuard() { set_printoptions(previous_); }
  PrintOptionsGuard(const PrintOptionsGuard&) = delete;
  PrintOptionsGuard& operator=(const PrintOptionsGuard&) = delete;

 private:
  PrintOptions previous_;
};

/// What operator<< writes: PyTorch's repr, e.g. "tensor([1.0000, 2.5000], requires_grad=True)".
/// An undefined tensor gives "[ Tensor (undefined) ]", as libtorch prints it.
std::string to_string(const Tensor& t);

/// PyTorch's repr of an nn.Parameter: "Parameter containing:\n" followed by to_string(t).
std::string repr_parameter(const Tensor& t);

}  // namespace ag
