// save_safetensors / load_safetensors: tensors to and from files, on top of the header code
// (io/header.cpp) and the atomic and bounds-checked files (io/file.cpp).
#include <algorithm>
#include <bit>
#include <set>
#include <string_view>
#include <vector>

#include "ag/factory.hpp"
#include "ag/io.hpp"
#include "io/bytes.hpp"
#include "io/file.hpp"
#include "io/header.hpp"
#include "io/json.hpp"

namespace ag {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  io::append_json_string(out, s);
  return out;
}

bool valid_dtype(Dtype d) { return d == kFloat32 || d == kFloat64 || d == kInt64; }

void check_save_arguments(const std::vector<std::pair<std::string, Tensor>>& tensors,
                          const std::map<std::string, std::string>& metadata) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [name, t] = tensors[i];
    AG_CHECK(!name.empty(), "tensor ", i, " has an empty name");
    AG_CHECK(io::first_invalid_utf8(name) == std::string_view::npos, "the name of tensor ", i,
             " is not valid UTF-8");
    AG_CHECK(!name.starts_with("__"), "tensor name ", quoted(name),
             " starts with \"__\", which safetensors reserves for \"__metadata__\"");
    AG_CHECK(names.insert(name).second, "duplicate tensor name ", quoted(name));
    AG_CHECK(t.defined(), "tensor ", quoted(name), " is undefined");
    AG_CHECK(valid_dtype(t.dtype()), "tensor ", quoted(name), " has an invalid dtype (",
             static_cast<int>(t.dtype()), ")");
  }
  for (const auto& [key, value] : metadata) {
    AG_CHECK(io::first_invalid_utf8(key) == std::string_view::npos,
             "a metadata key is not valid UTF-8");
    AG_CHECK(io::first_invalid_utf8(value) == std::string_view::npos, "the metadata value of ",
             quoted(key), " is not valid UTF-8");
  }
}

void write_tensor_bytes(io::AtomicFile& out, const Tensor& t) {
  const size_t elem = element_size(t.dtype());
  const size_t n = static_cast<size_t>(t.numel()) * elem;
  if (n == 0) return;
  const char* p = t.impl().data();
  if constexpr (std::endian::native == std::endian::little) {
    out.write(p, n);
  } else {
    std::vector<char> chunk(std::min<size_t>(n, size_t{1} << 20));
    for (size_t done = 0; done < n; done += chunk.size()) {
      size_t k = std::min(chunk.size(), n - done);
      io::copy_little_endian(chunk.data(), p + done, k, elem);
      out.write(chunk.data(), k);
    }
  }
}

void save_impl(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
               const std::map<std::string, std::string>& metadata) {
  check_save_arguments(tensors, metadata);
  std::map<std::string, Tensor> rows;  // row-major, detached copies (or the tensors themselves)
  std::vector<io::TensorEntry> entries;
  for (const auto& [name, t] : tensors) {
    Tensor c = t.detach();
    rows[name] = c.is_contiguous() ? c : c.contiguous();
    entries.push_back({name, t.dtype(), t.shape(), 0, 0});
  }
  io::lay_out(entries);
  const std::string header = io::encode_header(entries, metadata);

  io::AtomicFile out(path);
  unsigned char length[8];
  io::put_u64_le(length, header.size());
  out.write(length, 8);
  out.write(header.data(), header.size());
  for (const io::TensorEntry& e : entries) write_tensor_bytes(out, rows.at(e.name));
  out.commit();
}

SafetensorsFile load_impl(const std::string& path) {
  io::InputFile in(path);
  const uint64_t size = in.size();
  AG_CHECK(size >= 8, "file is ", size, " bytes, too short to hold the 8-byte header length");
  unsigned char length[8];
  in.read_at(0, length, 8);
  const uint64_t n = io::get_u64_le(length);
  AG_CHECK(n <= io::kMaxHeaderBytes, "header length ", n, " is over the limit of ",
           io::kMaxHeaderBytes, " bytes");
  AG_CHECK(n <= size - 8, "header length ", n, " runs past the end of the file (", size - 8,
           " bytes follow the length)");
  std::string header(static_cast<size_t>(n), '\0');
  in.read_at(8, header.data(), header.size());
  io::Header h = io::decode_header(header, size - 8 - n);

  // Every size below was checked against the file's size: no allocation can be absurd.
  SafetensorsFile f;
  f.metadata = std::move(h.metadata);
  for (io::TensorEntry& e : h.tensors) {
    Tensor t = ag::empty(e.shape, e.dtype);
    const size_t bytes = static_cast<size_t>(e.end - e.begin);
    if (bytes > 0) {
      char* p = t.impl().data();
      in.read_at(8 + n + e.begin, p, bytes);
      io::little_endian_to_native(p, bytes, element_size(e.dtype));
    }
    f.tensors.emplace_back(std::move(e.name), std::move(t));
  }
  return f;
}

// Every message names the function and the file: "load_safetensors: ckpt.st: <problem>".
template <class F>
auto with_context(const char* fn, const std::string& path, F&& body) {
  try {
    return body();
  } catch (const Error& e) {
    throw Error(std::string(fn) + ": " + path + ": " + e.what());
  }
}

}  // namespace

void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  with_context("save_safetensors", path, [&] { save_impl(path, tensors, metadata); });
}

std::vector<std::pair<std::string, Tensor>> load_safetensors(const std::string& path) {
  return with_context("load_safetensors", path, [&] { return load_impl(path).tensors; });
}

SafetensorsFile load_safetensors_file(const std::string& path) {
  return with_context("load_safetensors_file", path, [&] { return load_impl(path); });
}

}  // namespace ag
