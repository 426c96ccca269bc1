// How the numbers of one tensor are written: PyTorch's _Formatter (torch/_tensor_str.py).
//
// One Formatter is built per tensor from the values that will be shown; it fixes the notation
// (integer-like "2.", fixed "%.4f" or scientific "%.4e") and the width every entry is
// right-aligned to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ag::print {

/// "%.*f" of v, correctly rounded (glibc rounds the exact binary value, ties to even, as
/// Python's float formatting does). nan prints as "nan" whatever its sign, as in Python.
std::string fixed(double v, int precision);
/// "%.*e" of v: mantissa with `precision` decimals, exponent of at least two digits.
std::string scientific(double v, int precision);

class Formatter {
 public:
  /// For a floating tensor: `shown` are the values that will be printed, as doubles.
  Formatter(const std::vector<double>& shown, int precision, std::optional<bool> sci_mode);
  /// For an int64 tensor.
  explicit Formatter(const std::vector<int64_t>& shown);

  /// Characters every entry is padded to (entries may still be longer, e.g. "-0.").
  int width() const { return width_; }
  /// One entry, left-padded with spaces to width().
  std::string format(double v) const;
  std::string format(int64_t v) const;

 private:
  int precision_ = 4;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  int width_ = 1;
};

}  // namespace ag::print
