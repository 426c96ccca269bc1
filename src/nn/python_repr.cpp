// Python-style float repr: shortest round trip, fixed notation for 1e-4 <= |v| < 1e16,
// scientific otherwise, and always a '.' or an exponent.
#include "nn/python_repr.hpp"

#include <charconv>
#include <cmath>

namespace ag::nn {

std::string python_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const double a = std::abs(v);
  const bool fixed = a == 0 || (a >= 1e-4 && a < 1e16);
  auto r = std::to_chars(buf, buf + sizeof buf, v,
                         fixed ? std::chars_format::fixed : std::chars_format::scientific);
  std::string s(buf, r.ptr);
  if (fixed && s.find('.') == std::string::npos) s += ".0";
  return s;
}

}  // namespace ag::nn
