// Element types: float32 (the default), float64 (for gradcheck) and int64 (indices and labels).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <type_traits>

namespace ag {

enum class Dtype : uint8_t { Float32, Float64, Int64 };

inline constexpr Dtype kFloat32 = Dtype::Float32;
inline constexpr Dtype kFloat = Dtype::Float32;
inline constexpr Dtype kFloat64 = Dtype::Float64;
inline constexpr Dtype kDouble = Dtype::Float64;
inline constexpr Dtype kInt64 = Dtype::Int64;
inline constexpr Dtype kLong = Dtype::Int64;

/// Bytes per element.
constexpr size_t element_size(Dtype d) { return d == Dtype::Float32 ? 4 : 8; }

constexpr bool is_floating(Dtype d) { return d != Dtype::Int64; }

/// "float32", "float64", "int64".
constexpr const char* dtype_name(Dtype d) {
  switch (d) {
    case Dtype::Float32: return "float32";
    case Dtype::Float64: return "float64";
    case Dtype::Int64: return "int64";
  }
  return "?";
}

inline std::ostream& operator<<(std::ostream& os, Dtype d) { return os << dtype_name(d); }

/// The dtype of an elementwise result, as PyTorch promotes: float64 wins over float32, and
/// any float wins over int64.
constexpr Dtype promote_types(Dtype a, Dtype b) {
  if (a == b) return a;
  if (a == Dtype::Float64 || b == Dtype::Float64) return Dtype::Float64;
  return Dtype::Float32;
}

/// The Dtype for a C++ element type: float, double or int64_t.
template <class T>
inline constexpr Dtype dtype_of = std::is_same_v<T, float>    ? Dtype::Float32
                                  : std::is_same_v<T, double> ? Dtype::Float64
                                                              : Dtype::Int64;

}  // namespace ag
