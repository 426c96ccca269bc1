// Checkpoints in the safetensors format, readable and writable by PyTorch's
// `safetensors.torch.load_file` / `save_file`, written and read by ag's own code.
//
//   ag::save_safetensors("model.safetensors", {{"W", W}, {"b", b}}, {{"epoch", "3"}});
//   auto f = ag::load_safetensors_file("model.safetensors");  // f.tensors, f.metadata
//
// Files come out byte for byte as the reference (Rust) writer lays them out: tensors sorted by
// dtype (I64, F64, then F32) and then by name, a compact JSON header with `__metadata__` first,
// padded with spaces to a multiple of 8 bytes. Saving is atomic. Loading validates the whole
// header against the file before allocating anything and throws ag::Error naming the file and
// the problem. See docs/checkpoints.md.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ag/tensor.hpp"

namespace ag {

/// What a safetensors file holds: its tensors in file order and its `__metadata__` strings.
///   ag::SafetensorsFile f = ag::load_safetensors_file("ckpt.safetensors");
///   int epoch = std::stoi(f.metadata.at("epoch"));
struct SafetensorsFile {
  std::vector<std::pair<std::string, Tensor>> tensors;
  std::map<std::string, std::string> metadata;
};

/// Writes float32, float64 and int64 tensors (any strides; written row-major) and optional
/// string metadata to `path`, atomically: a temporary file in the same folder is written,
/// fsync'ed and renamed over `path`, so on any error the previous file is left untouched.
/// Refuses empty, duplicate or "__"-prefixed names and undefined tensors.
///   ag::save_safetensors("ckpt.safetensors", {{"fc.weight", W}, {"fc.bias", b}},
///                        {{"format", "pt"}});
void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

/// Reads the tensors of a safetensors file (F32, F64 and I64), in the order of their data.
/// The tensors are fresh, contiguous and do not require grad.
///   for (auto& [name, t] : ag::load_safetensors("ckpt.safetensors"))
///     std::cout << name << " " << t.shape() << "\n";
std::vector<std::pair<std::string, Tensor>> load_safetensors(const std::string& path);

/// As load_safetensors, and keeps the file's `__metadata__`.
///   auto f = ag::load_safetensors_file("ckpt.safetensors");
///   std::string format = f.metadata["format"];
SafetensorsFile load_safetensors_file(const std::string& path);

}  // namespace ag
