// Little-endian byte order for the safetensors data section and header length, on any host.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ag::io {

/// Copies `n` bytes of `elem`-byte elements, reversing the bytes of each element.
inline void copy_swapping(char* dst, const char* src, size_t n, size_t elem) {
  for (size_t i = 0; i + elem <= n; i += elem) std::reverse_copy(src + i, src + i + elem, dst + i);
}

/// Copies native-order elements to little-endian order, or back: the same operation both ways.
inline void copy_little_endian(char* dst, const char* src, size_t n, size_t elem) {
  if constexpr (std::endian::native == std::endian::little)
    std::memcpy(dst, src, n);
  else
    copy_swapping(dst, src, n, elem);
}

/// Turns little-endian elements read from a file into native order, in place.
inline void little_endian_to_native(char* p, size_t n, size_t elem) {
  if constexpr (std::endian::native != std::endian::little)
    for (size_t i = 0; i + elem <= n; i += elem) std::reverse(p + i, p + i + elem);
}

/// The 8-byte little-endian header length, by shifts so the host's byte order never matters.
inline void put_u64_le(unsigned char out[8], uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline uint64_t get_u64_le(const unsigned char in[8]) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | in[i];
  return v;
}

}  // namespace ag::io
