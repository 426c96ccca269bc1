// Expected PyTorch tensors as literals, and the bit-exact comparison the random tests use.
#pragma once

#include <doctest/doctest.h>

#include <ag/ag.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace rng {

/// A tensor PyTorch produced: element count, 64-bit FNV-1a of every element's little-endian
/// bytes (all elements), and the bit patterns at some row-major indices (IEEE bits for
/// floats, the two's-complement value for int64).
struct Expect {
  int64_t n;
  uint64_t fnv;
  std::vector<std::pair<int64_t, uint64_t>> bits;
};

/// The bit pattern of every element, row-major (a float32 pattern in the low 32 bits).
inline std::vector<uint64_t> bit_patterns(const ag::Tensor& t) {
  ag::Tensor c = t.contiguous();
  std::vector<uint64_t> out(static_cast<size_t>(c.numel()));
  for (size_t i = 0; i < out.size(); ++i) {
    if (c.dtype() == ag::kFloat32) {
      uint32_t b;
      std::memcpy(&b, c.data_ptr<float>() + i, 4);
      out[i] = b;
    } else if (c.dtype() == ag::kFloat64) {
      std::memcpy(&out[i], c.data_ptr<double>() + i, 8);
    } else {
      std::memcpy(&out[i], c.data_ptr<int64_t>() + i, 8);
    }
  }
  return out;
}

/// FNV-1a over `width` little-endian bytes of each pattern (what the Python script hashes).
inline uint64_t fnv1a(const std::vector<uint64_t>& patterns, size_t width) {
  uint64_t h = 0xcbf29ce484222325u;
  for (uint64_t p : patterns)
    for (size_t k = 0; k < width; ++k) h = (h ^ ((p >> (8 * k)) & 0xff)) * 0x100000001b3u;
  return h;
}

inline std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

/// Every listed bit pattern and the checksum of all of them must match exactly.
inline void check_bits(const ag::Tensor& t, const Expect& e) {
  REQUIRE(t.numel() == e.n);
  const std::vector<uint64_t> got = bit_patterns(t);
  for (const auto& [i, want] : e.bits) {
    INFO("element ", i, " of ", e.n, ": got ", hex(got[static_cast<size_t>(i)]), ", torch ",
         hex(want));
    CHECK(got[static_cast<size_t>(i)] == want);
  }
  INFO("checksum of all ", e.n, " elements");
  CHECK(hex(fnv1a(got, ag::element_size(t.dtype()))) == hex(e.fnv));
}

}  // namespace rng
