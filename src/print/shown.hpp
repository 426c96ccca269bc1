// The elements a printout shows, gathered without copying the whole tensor.
//
// A summarised tensor shows only the first and last `edgeitems` entries of each long
// dimension; those are read straight from the strided storage, so printing a huge (even an
// expanded, stride-0) tensor costs O(shown elements), not O(numel).
#pragma once

#include <cstdint>
#include <vector>

#include "ag/tensor.hpp"

namespace ag::print {

/// The shown part of a tensor as a dense row-major block.
template <class T>
struct Shown {
  /// Shown entries per dimension (2 * edgeitems for a summarised dimension).
  std::vector<int64_t> sizes;
  /// Whether dimension d is summarised: "..." goes between its first and last halves.
  std::vector<bool> cut;
  /// Row-major over `sizes`; what PyTorch's get_summarized_data gives the formatter.
  std::vector<T> values;
};

/// Gathers the shown elements of a non-empty float32/float64 tensor, widened to double.
Shown<double> gather_floating(const Tensor& t, bool summarize, int64_t edgeitems);
/// Gathers the shown elements of a non-empty int64 tensor.
Shown<int64_t> gather_int64(const Tensor& t, bool summarize, int64_t edgeitems);

}  // namespace ag::print
