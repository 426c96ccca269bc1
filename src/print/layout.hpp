// The bracketed body of a printout: nesting, 1-d line wrapping and summarising
// (PyTorch's _tensor_str and _tensor_str_with_formatter).
#pragma once

#include <string>

#include "ag/print.hpp"

namespace ag::print {

/// The body of a non-empty tensor, e.g. "[[0., 1.],\n        [2., 3.]]", as it appears after
/// a prefix of `indent` characters ("tensor(" is 7).
std::string tensor_str(const Tensor& t, int indent, const PrintOptions& options);

}  // namespace ag::print
