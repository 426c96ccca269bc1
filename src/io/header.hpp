// The safetensors header: writing it as the reference writer does, and reading it back with
// every check a hostile file needs, before a single tensor byte is allocated or read.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ag/dtype.hpp"
#include "ag/shape.hpp"

namespace ag::io {

/// The reference reader's cap on the header length (MAX_HEADER_SIZE in safetensors' tensor.rs).
inline constexpr uint64_t kMaxHeaderBytes = 100'000'000;

/// One tensor as the header describes it; offsets are relative to the data section.
struct TensorEntry {
  std::string name;
  Dtype dtype = kFloat32;
  Shape shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

struct Header {
  std::vector<TensorEntry> tensors;  // sorted by data offsets: the order of the data section
  std::map<std::string, std::string> metadata;
};

/// "F32", "F64", "I64".
const char* safetensors_dtype_name(Dtype d);

/// Sorts `entries` in the reference writer's order (dtype descending in its enum, where
/// F32 < F64 < I64, then name by bytes) and sets their offsets back to back from 0.
void lay_out(std::vector<TensorEntry>& entries);

/// The JSON header, padded with spaces to a multiple of 8 bytes. `__metadata__` comes first
/// and is left out when `metadata` is empty; entries are written in the given order.
std::string encode_header(const std::vector<TensorEntry>& entries,
                          const std::map<std::string, std::string>& metadata);

/// Parses and validates the header bytes of a file whose data section holds `data_bytes`
/// bytes. Throws ag::Error naming the first problem (without the file name).
Header decode_header(std::string_view header, uint64_t data_bytes);

}  // namespace ag::io
