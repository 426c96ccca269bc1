// PyTorch's number formatting rules: which notation a tensor uses and how wide its entries are.
#include "print/number_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ag::print {
namespace {

// Python prints non-finite floats as "nan", "inf", "-inf" in every notation; glibc would
// print a negative nan as "-nan".
bool non_finite(double v, std::string& out) {
  if (std::isnan(v)) {
    out = "nan";
    return true;
  }
  if (std::isinf(v)) {
    out = v < 0 ? "-inf" : "inf";
    return true;
  }
  return false;
}

int len(const std::string& s) { return static_cast<int>(s.size()); }

std::string pad(std::string s, int width) {
  if (len(s) < width) s.insert(0, static_cast<size_t>(width - len(s)), ' ');
  return s;
}

}  // namespace

std::string fixed(double v, int precision) {
  std::string out;
  if (non_finite(v, out)) return out;
  // %f of a huge value (1e300) is hundreds of characters: ask for the length first when the
  // stack buffer is too small.
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  if (n < static_cast<int>(sizeof buf)) return std::string(buf, static_cast<size_t>(n));
  out.resize(static_cast<size_t>(n) + 1);
  std::snprintf(out.data(), out.size(), "%.*f", precision, v);
  out.pop_back();
  return out;
}

std::string scientific(double v, int precision) {
  std::string out;
  if (non_finite(v, out)) return out;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%.*e", precision, v);
  if (n < static_cast<int>(sizeof buf)) return std::string(buf, static_cast<size_t>(n));
  out.resize(static_cast<size_t>(n) + 1);
  std::snprintf(out.data(), out.size(), "%.*e", precision, v);
  out.pop_back();
  return out;
}

Formatter::Formatter(const std::vector<double>& shown, int precision,
                     std::optional<bool> sci_mode)
    : precision_(precision) {
  // Only non-zero finite values decide the notation and the width.
  double max_abs = 0, min_abs = INFINITY;
  bool any = false;
  for (double v : shown) {
    if (v == 0 || !std::isfinite(v)) continue;
    any = true;
    max_abs = std::max(max_abs, std::fabs(v));
    min_abs = std::min(min_abs, std::fabs(v));
    if (v != std::ceil(v)) int_mode_ = false;
  }
  // PyTorch returns before applying a forced sci_mode here: all-zero (or all nan/inf)
  // tensors always print in integer mode with width 1.
  if (!any) return;

  const bool wide_range = max_abs / min_abs > 1000.0 || max_abs > 1.0e8;
  sci_mode_ = int_mode_ ? wide_range : wide_range || min_abs < 1.0e-4;
  for (double v : shown) {
    if (v == 0 || !std::isfinite(v)) continue;
    int w = sci_mode_ ? len(scientific(v, precision))
            : int_mode_ ? len(fixed(v, 0)) + 1  // the "." that marks a float
                        : len(fixed(v, precision));
    width_ = std::max(width_, w);
  }
  // A forced notation keeps the width measured in the automatic one (PyTorch does the same,
  // so sci_mode=False can leave wide padding and sci_mode=True entries longer than width).
  if (sci_mode) sci_mode_ = *sci_mode;
}

Formatter::Formatter(const std::vector<int64_t>& shown) {
  for (int64_t v : shown) width_ = std::max(width_, len(std::to_string(v)));
}

std::string Formatter::format(double v) const {
  std::string s;
  if (sci_mode_) {
    s = scientific(v, precision_);
  } else if (int_mode_) {
    s = fixed(v, 0);
    if (std::isfinite(v)) s += '.';
  } else {
    s = fixed(v, precision_);
  }
  return pad(std::move(s), width_);
}

std::string Formatter::format(int64_t v) const { return pad(std::to_string(v), width_); }

}  // namespace ag::print
