// Lays out the shown elements: one formatter for the whole tensor, rows wrapped at the line
// width, sub-tensors separated by as many newlines as they have dims, "..." where cut.
#include "print/layout.hpp"

#include <algorithm>
#include <vector>

#include "print/number_format.hpp"
#include "print/shown.hpp"

namespace ag::print {
namespace {

template <class T>
class Layout {
 public:
  Layout(const Shown<T>& shown, const Formatter& formatter, const PrintOptions& options)
      : shown_(shown), formatter_(formatter), edgeitems_(options.edgeitems),
        linewidth_(options.linewidth), block_(shown.sizes.size(), 1) {
    // block_[d]: shown elements in one sub-tensor along dim d.
    for (size_t d = shown.sizes.size(); d-- > 1;) block_[d - 1] = block_[d] * shown.sizes[d];
  }

  void write(std::string& out, int indent) const {
    if (shown_.sizes.empty()) {
      out += formatter_.format(shown_.values[0]);  // 0-d: the value alone, still padded
      return;
    }
    write(out, 0, 0, indent);
  }

 private:
  void write(std::string& out, size_t d, int64_t offset, int indent) const {
    const size_t ndim = shown_.sizes.size();
    const int64_t n = shown_.sizes[d];
    const bool cut = shown_.cut[d];
    if (d + 1 == ndim) {
      write_row(out, offset, n, cut, indent);
      return;
    }

    // Sub-tensors with k dims are separated by k newlines (a blank line between 2-d blocks).
    std::string sep = ",";  // appended piecewise: `"," + std::string` trips GCC 12's -Wrestrict
    sep.append(ndim - d - 1, '\n').append(static_cast<size_t>(indent + 1), ' ');
    out += '[';
    for (int64_t i = 0; i < n; ++i) {
      if (i > 0) out += sep;
      if (cut && i == edgeitems_) out.append("...").append(sep);
      write(out, d + 1, offset + i * block_[d], indent + 1);
    }
    out += ']';
  }

  void write_row(std::string& out, int64_t offset, int64_t n, bool cut, int indent) const {
    // Each entry takes width + 2 columns (", "); the " ..." marker counts as one entry.
    const int64_t per_line =
        std::max<int64_t>(1, floor_div(linewidth_ - indent, formatter_.width() + 2));
    const std::string newline = std::string(",\n").append(static_cast<size_t>(indent + 1), ' ');
    out += '[';
    int64_t k = 0;  // entries written, marker included
    auto put = [&](const std::string& entry) {
      if (k > 0) out += k % per_line == 0 ? newline : ", ";
      out += entry;
      ++k;
    };
    for (int64_t i = 0; i < n; ++i) {
      if (cut && i == edgeitems_) put(" ...");
      put(formatter_.format(shown_.values[static_cast<size_t>(offset + i)]));
    }
    out += ']';
  }

  // Python's floor division (the line width may be smaller than the indent).
  static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
  }

  const Shown<T>& shown_;
  const Formatter& formatter_;
  int64_t edgeitems_;
  int64_t linewidth_;
  std::vector<int64_t> block_;
};

}  // namespace

std::string tensor_str(const Tensor& t, int indent, const PrintOptions& options) {
  const bool summarize = t.numel() > options.threshold;
  std::string out;
  if (is_floating(t.dtype())) {
    const Shown<double> shown = gather_floating(t, summarize, options.edgeitems);
    const Formatter formatter(shown.values, options.precision, options.sci_mode);
    Layout<double>(shown, formatter, options).write(out, indent);
  } else {
    const Shown<int64_t> shown = gather_int64(t, summarize, options.edgeitems);
    const Formatter formatter(shown.values);
    Layout<int64_t>(shown, formatter, options).write(out, indent);
  }
  return out;
}

}  // namespace ag::print
