// Writing and validating the safetensors JSON header. The layout follows the Rust crate's
// `prepare` and `Metadata::serialize` (safetensors/src/tensor.rs); the checks follow its
// `read_metadata` and `Metadata::validate`, plus stricter JSON and clearer messages.
#include "io/header.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "ag/error.hpp"
#include "io/json.hpp"

namespace ag::io {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// The reference writer's Dtype enum is declared in increasing alignment order and it sorts by
// descending enum value, so 8-byte types come before 4-byte ones and every tensor stays aligned.
int rank(Dtype d) {
  switch (d) {
    case Dtype::Float32: return 0;
    case Dtype::Float64: return 1;
    case Dtype::Int64: return 2;
  }
  return -1;
}

// Dtypes the format defines but ag has no element type for: named as such in the error.
bool known_unsupported(std::string_view s) {
  static const char* const names[] = {"BOOL", "U8",      "I8",      "F8_E5M2", "F8_E4M3", "F8_E8M0",
                                      "F4",   "F6_E2M3", "F6_E3M2", "I16",     "U16",     "F16",
                                      "BF16", "I32",     "U32",     "U64",     "C64"};
  return std::find(std::begin(names), std::end(names), s) != std::end(names);
}

Dtype read_dtype(const std::string& q, const Json& v) {
  AG_CHECK(v.kind == Json::Kind::String, "tensor ", q, ": \"dtype\" is not a string");
  for (Dtype d : {kFloat32, kFloat64, kInt64})
    if (v.text == safetensors_dtype_name(d)) return d;
  AG_CHECK(!known_unsupported(v.text), "tensor ", q, ": dtype ", v.text,
           " is not supported (ag reads F32, F64 and I64)");
  detail::fail("tensor ", q, ": unknown dtype ", quoted(v.text));
}

Shape read_shape(const std::string& q, const Json& v) {
  AG_CHECK(v.kind == Json::Kind::Array, "tensor ", q, ": \"shape\" is not an array");
  Shape shape;
  for (size_t i = 0; i < v.items.size(); ++i) {
    const Json& item = v.items[i];
    uint64_t d = 0;
    switch (read_uint(item, d)) {
      case UintRead::Ok: break;
      case UintRead::NotANumber:
        detail::fail("tensor ", q, ": shape entry ", i, " is not a number");
      case UintRead::NotAnInteger:
        detail::fail("tensor ", q, ": shape entry ", i, " is not an integer (", item.text, ")");
      case UintRead::Negative:
        detail::fail("tensor ", q, ": shape entry ", i, " is negative (", item.text, ")");
      case UintRead::TooLarge: d = std::numeric_limits<uint64_t>::max(); break;
    }
    AG_CHECK(d <= uint64_t(std::numeric_limits<int64_t>::max()), "tensor ", q, ": shape entry ", i,
             " is too large (", item.text, ")");
    shape.push_back(static_cast<int64_t>(d));
  }
  return shape;
}

// Bytes the shape needs, refusing any intermediate overflow as the reference does (checked_mul),
// even when a later zero would bring the product back down.
uint64_t byte_count(const std::string& q, const Shape& shape, Dtype dtype) {
  constexpr uint64_t limit = uint64_t(std::numeric_limits<int64_t>::max());
  uint64_t n = 1;
  for (int64_t d : shape) {
    AG_CHECK(d == 0 || n <= limit / uint64_t(d), "tensor ", q, ": shape ", shape, " of ",
             safetensors_dtype_name(dtype), " is too large (its byte count overflows)");
    n *= uint64_t(d);
  }
  AG_CHECK(n <= limit / element_size(dtype), "tensor ", q, ": shape ", shape, " of ",
           safetensors_dtype_name(dtype), " is too large (its byte count overflows)");
  return n * element_size(dtype);
}

TensorEntry read_entry(const std::string& name, const Json& v, uint64_t data_bytes) {
  const std::string q = quoted(name);
  AG_CHECK(v.kind == Json::Kind::Object, "tensor ", q, ": entry is not a JSON object");
  const Json* dtype = nullptr;
  const Json* shape = nullptr;
  const Json* offsets = nullptr;
  for (const auto& [key, value] : v.members) {
    const Json** slot = key == "dtype"          ? &dtype
                        : key == "shape"        ? &shape
                        : key == "data_offsets" ? &offsets
                                                : nullptr;
    AG_CHECK(slot, "tensor ", q, ": unknown field ", quoted(key));
    AG_CHECK(!*slot, "tensor ", q, ": field ", quoted(key), " appears twice");
    *slot = &value;
  }
  AG_CHECK(dtype, "tensor ", q, ": missing \"dtype\"");
  AG_CHECK(shape, "tensor ", q, ": missing \"shape\"");
  AG_CHECK(offsets, "tensor ", q, ": missing \"data_offsets\"");

  TensorEntry e;
  e.name = name;
  e.dtype = read_dtype(q, *dtype);
  e.shape = read_shape(q, *shape);
  uint64_t bytes = byte_count(q, e.shape, e.dtype);
  AG_CHECK(offsets->kind == Json::Kind::Array && offsets->items.size() == 2 &&
               read_uint(offsets->items[0], e.begin) == UintRead::Ok &&
               read_uint(offsets->items[1], e.end) == UintRead::Ok,
           "tensor ", q, ": \"data_offsets\" is not an array of two non-negative integers");
  AG_CHECK(e.begin <= e.end, "tensor ", q, ": data_offsets [", e.begin, ", ", e.end,
           "] end before they begin");
  AG_CHECK(e.end - e.begin == bytes, "tensor ", q, ": data_offsets [", e.begin, ", ", e.end,
           "] hold ", e.end - e.begin, " bytes but shape ", e.shape, " of ",
           safetensors_dtype_name(e.dtype), " needs ", bytes);
  AG_CHECK(e.end <= data_bytes, "tensor ", q, ": data_offsets [", e.begin, ", ", e.end,
           "] run past the end of the ", data_bytes, "-byte data section");
  return e;
}

std::map<std::string, std::string> read_metadata(const Json& v) {
  AG_CHECK(v.kind == Json::Kind::Object, "\"__metadata__\" is not a JSON object");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : v.members) {
    AG_CHECK(value.kind == Json::Kind::String, "\"__metadata__\" value of ", quoted(key),
             " is not a string");
    AG_CHECK(out.emplace(key, value.text).second, "\"__metadata__\" has the key ", quoted(key),
             " twice");
  }
  return out;
}

// The reference requires the tensors, in offset order, to tile the data section exactly.
void check_tiling(const std::vector<TensorEntry>& tensors, uint64_t data_bytes) {
  uint64_t covered = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorEntry& e = tensors[i];
    AG_CHECK(e.begin <= covered, "gap in the data section: bytes [", covered, ", ", e.begin,
             ") before tensor ", quoted(e.name), " belong to no tensor");
    AG_CHECK(e.begin == covered, "tensors ", quoted(tensors[i - 1].name), " and ", quoted(e.name),
             " overlap: data_offsets [", tensors[i - 1].begin, ", ", tensors[i - 1].end, "] and [",
             e.begin, ", ", e.end, "]");
    covered = e.end;
  }
  AG_CHECK(covered == data_bytes, "the data section holds ", data_bytes,
           " bytes but the tensors cover only ", covered);
}

}  // namespace

const char* safetensors_dtype_name(Dtype d) {
  switch (d) {
    case Dtype::Float32: return "F32";
    case Dtype::Float64: return "F64";
    case Dtype::Int64: return "I64";
  }
  return "?";
}

void lay_out(std::vector<TensorEntry>& entries) {
  // std::string's operator< compares bytes as unsigned char, as Rust's String ordering does.
  std::sort(entries.begin(), entries.end(), [](const TensorEntry& a, const TensorEntry& b) {
    if (rank(a.dtype) != rank(b.dtype)) return rank(a.dtype) > rank(b.dtype);
    return a.name < b.name;
  });
  uint64_t offset = 0;
  for (TensorEntry& e : entries) {
    e.begin = offset;
    offset += uint64_t(e.shape.numel()) * element_size(e.dtype);
    e.end = offset;
  }
}

std::string encode_header(const std::vector<TensorEntry>& entries,
                          const std::map<std::string, std::string>& metadata) {
  // serde_json's compact form: no spaces; a map keeps the order it is given.
  std::string out = "{";
  if (!metadata.empty()) {
    out += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [key, value] : metadata) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, key);
      out += ':';
      append_json_string(out, value);
    }
    out += '}';
  }
  for (const TensorEntry& e : entries) {
    if (out.size() > 1) out += ',';
    append_json_string(out, e.name);
    out += ":{\"dtype\":\"";
    out += safetensors_dtype_name(e.dtype);
    out += "\",\"shape\":[";
    for (size_t i = 0; i < e.shape.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(e.shape[i]);
    }
    out += "],\"data_offsets\":[" + std::to_string(e.begin) + ',' + std::to_string(e.end) + "]}";
  }
  out += '}';
  // Pad with spaces so the data section starts 8-byte aligned, as `prepare` does.
  out.append((8 - out.size() % 8) % 8, ' ');
  return out;
}

Header decode_header(std::string_view text, uint64_t data_bytes) {
  size_t bad = first_invalid_utf8(text);
  AG_CHECK(bad == std::string_view::npos, "header is not valid UTF-8 (byte ", bad, ")");
  Json root = parse_json(text);
  AG_CHECK(root.kind == Json::Kind::Object, "header is not a JSON object");

  Header h;
  bool seen_metadata = false;
  std::set<std::string> names;
  for (const auto& [key, value] : root.members) {
    if (key == "__metadata__") {
      AG_CHECK(!seen_metadata, "header has \"__metadata__\" twice");
      seen_metadata = true;
      h.metadata = read_metadata(value);
      continue;
    }
    AG_CHECK(names.insert(key).second, "duplicate tensor name ", quoted(key));
    h.tensors.push_back(read_entry(key, value, data_bytes));
  }
  // File order is offset order (the reference reader sorts the same way).
  std::stable_sort(h.tensors.begin(), h.tensors.end(),
                   [](const TensorEntry& a, const TensorEntry& b) {
                     return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
                   });
  check_tiling(h.tensors, data_bytes);
  return h;
}

}  // namespace ag::io
