// Reads the shown elements of a tensor through its strides (no contiguous copy, no autograd).
#include "print/shown.hpp"

namespace ag::print {
namespace {

// Visits the shown positions in row-major order; `index[d]` lists the indices shown along d.
template <class S, class T>
void visit(const S* base, const Shape& strides, const std::vector<std::vector<int64_t>>& index,
           size_t d, int64_t offset, std::vector<T>& out) {
  if (d == index.size()) {
    out.push_back(static_cast<T>(base[offset]));
    return;
  }
  for (int64_t i : index[d]) visit(base, strides, index, d + 1, offset + i * strides[d], out);
}

template <class S, class T>
Shown<T> gather(const Tensor& t, bool summarize, int64_t edgeitems) {
  Shown<T> shown;
  std::vector<std::vector<int64_t>> index(static_cast<size_t>(t.dim()));
  size_t count = 1;
  for (int64_t d = 0; d < t.dim(); ++d) {
    const int64_t n = t.size(d);
    // PyTorch cuts a dimension only when it is longer than both ends together
    // (n > 2 * edgeitems, written so that a huge edgeitems cannot overflow).
    const bool cut = summarize && n - edgeitems > edgeitems;
    auto& idx = index[static_cast<size_t>(d)];
    if (cut) {
      for (int64_t i = 0; i < edgeitems; ++i) idx.push_back(i);
      for (int64_t i = n - edgeitems; i < n; ++i) idx.push_back(i);
    } else {
      for (int64_t i = 0; i < n; ++i) idx.push_back(i);
    }
    shown.sizes.push_back(static_cast<int64_t>(idx.size()));
    shown.cut.push_back(cut);
    count *= idx.size();
  }
  shown.values.reserve(count);
  // data_ptr already points at the tensor's first element (storage offset included).
  visit(t.data_ptr<S>(), t.strides(), index, 0, 0, shown.values);
  return shown;
}

}  // namespace

Shown<double> gather_floating(const Tensor& t, bool summarize, int64_t edgeitems) {
  if (t.dtype() == kFloat64) return gather<double, double>(t, summarize, edgeitems);
  return gather<float, double>(t, summarize, edgeitems);
}

Shown<int64_t> gather_int64(const Tensor& t, bool summarize, int64_t edgeitems) {
  return gather<int64_t, int64_t>(t, summarize, edgeitems);
}

}  // namespace ag::print
