// libFuzzer target: arbitrary bytes as a safetensors file.
//
// The loader only reads files (there is no load-from-memory entry point), so every input is
// written to a temporary file, preferably on /dev/shm. The contract under test:
//
//   * loading either succeeds or throws ag::Error; anything else (another exception, a crash,
//     a sanitizer report, a hang, a huge allocation) is a bug;
//   * a successful load is self-consistent: every tensor is a defined, contiguous, float32,
//     float64 or int64 leaf that does not require grad, its numel is the product of its sizes,
//     names are unique, valid UTF-8 and not "__metadata__", metadata is valid UTF-8, and the
//     tensors' bytes, in the order returned, are exactly the file's data section (the format
//     requires the tensors to tile it);
//   * what was loaded saves again (or save refuses it with ag::Error, for names save reserves),
//     reloads to the same tensors and metadata, and saving that reload gives the same bytes.
//
// Build and run: tests/fuzz/run.sh, or see docs/fuzzing.md.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <ag/ag.hpp>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "safetensors_fuzz: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

void expect(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

// A private folder for the temporary files, removed at exit.
struct Workdir {
  fs::path dir;
  Workdir() {
    std::error_code ec;
    fs::path base = fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                        ? fs::path("/dev/shm")
                        : fs::temp_directory_path();
    std::string tmpl = (base / "ag_safetensors_fuzz_XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) fail("cannot create a temporary folder in " + base.string());
    dir = tmpl;
  }
  ~Workdir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string file(const char* name) const { return (dir / name).string(); }
};

Workdir& workdir() {
  static Workdir w;
  return w;
}

void write_file(const std::string& path, const uint8_t* data, size_t size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create " + path);
  while (size > 0) {
    ssize_t w = ::write(fd, data, size);
    if (w <= 0) fail("cannot write " + path);
    data += w;
    size -= static_cast<size_t>(w);
  }
  ::close(fd);
}

std::string read_file(const std::string& path) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open " + path);
  char buf[4096];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0) fail("cannot read " + path);
    if (r == 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  return out;
}

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), written here
// independently of the library's validator.
bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07;
    else return false;
    if (i + n >= s.size()) return false;  // the sequence is cut off
    for (size_t k = 1; k <= n; ++k) {
      unsigned d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static const unsigned min_cp[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

uint64_t u64_le(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// The tensor's elements as little-endian bytes, row-major.
std::string le_bytes(const ag::Tensor& t) {
  const size_t elem = ag::element_size(t.dtype());
  ag::Tensor c = t.contiguous();
  std::string out(static_cast<size_t>(c.numel()) * elem, '\0');
  if (out.empty()) return out;
  const char* p = c.impl().data();
  for (size_t i = 0; i < out.size(); i += elem)
    for (size_t k = 0; k < elem; ++k)
      out[i + k] = std::endian::native == std::endian::little ? p[i + k] : p[i + elem - 1 - k];
  return out;
}

void check_tensor(const std::string& name, const ag::Tensor& t) {
  const std::string q = "tensor \"" + name + "\": ";
  expect(t.defined(), q + "undefined");
  expect(t.dtype() == ag::kFloat32 || t.dtype() == ag::kFloat64 || t.dtype() == ag::kInt64,
         q + "bad dtype");
  expect(t.is_contiguous(), q + "not contiguous");
  expect(!t.requires_grad() && t.is_leaf(), q + "requires grad or is not a leaf");
  expect(t.strides().size() == t.shape().size(), q + "strides and shape differ in length");
  int64_t n = 1;
  for (int64_t s : t.shape()) {
    expect(s >= 0, q + "negative size");
    n *= s;
  }
  expect(t.numel() == n, q + "numel is not the product of the sizes");
  if (n > 0) {
    const size_t need = (static_cast<size_t>(t.storage_offset()) + static_cast<size_t>(n)) *
                        ag::element_size(t.dtype());
    expect(t.impl().storage && t.impl().storage->nbytes >= need, q + "storage too small");
  }
}

using Entries = std::map<std::string, std::pair<std::string, std::string>>;  // name -> (meta, bytes)

Entries entries_of(const ag::SafetensorsFile& f) {
  Entries out;
  for (const auto& [name, t] : f.tensors) {
    std::string meta = std::string(ag::dtype_name(t.dtype())) + " " + t.shape().str();
    out[name] = {meta, le_bytes(t)};
  }
  return out;
}

void check_loaded(const ag::SafetensorsFile& f, const uint8_t* data, size_t size) {
  expect(size >= 8, "loaded a file shorter than 8 bytes");
  const uint64_t n = u64_le(data);
  expect(n <= size - 8, "loaded a file whose header length runs past its end");
  const std::string section(reinterpret_cast<const char*>(data) + 8 + n, size - 8 - n);

  std::set<std::string> names;
  std::string concatenated;
  for (const auto& [name, t] : f.tensors) {
    check_tensor(name, t);
    expect(name != "__metadata__", "a tensor is named __metadata__");
    expect(valid_utf8(name), "a tensor name is not valid UTF-8");
    expect(names.insert(name).second, "duplicate tensor name \"" + name + "\"");
    concatenated += le_bytes(t);
  }
  expect(concatenated == section,
         "the tensors' bytes (" + std::to_string(concatenated.size()) +
             ") are not the file's data section (" + std::to_string(section.size()) + " bytes)");
  for (const auto& [key, value] : f.metadata)
    expect(valid_utf8(key) && valid_utf8(value), "metadata is not valid UTF-8");
}

// Saving refuses (documented): empty names and names starting with "__".
bool save_may_refuse(const ag::SafetensorsFile& f) {
  for (const auto& [name, t] : f.tensors)
    if (name.empty() || name.rfind("__", 0) == 0) return true;
  return false;
}

void check_round_trip(const ag::SafetensorsFile& f) {
  const std::string a = workdir().file("a.safetensors"), b = workdir().file("b.safetensors");
  try {
    ag::save_safetensors(a, f.tensors, f.metadata);
  } catch (const ag::Error& e) {
    if (save_may_refuse(f)) return;
    fail(std::string("saving a loaded file failed: ") + e.what());
  }
  expect(!save_may_refuse(f), "save accepted a reserved or empty tensor name");
  ag::SafetensorsFile g;
  try {
    g = ag::load_safetensors_file(a);
  } catch (const ag::Error& e) {
    fail(std::string("reloading a saved file failed: ") + e.what());
  }
  expect(g.metadata == f.metadata, "metadata changed in a save/load round trip");
  expect(g.tensors.size() == f.tensors.size(), "tensor count changed in a round trip");
  expect(entries_of(g) == entries_of(f), "tensors changed in a save/load round trip");
  try {
    ag::save_safetensors(b, g.tensors, g.metadata);
  } catch (const ag::Error& e) {
    fail(std::string("saving a reloaded file failed: ") + e.what());
  }
  expect(read_file(a) == read_file(b), "saving is not canonical: save(load(save(f))) != save(f)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = workdir().file("input.safetensors");
  write_file(path, data, size);
  ag::SafetensorsFile f;
  try {
    f = ag::load_safetensors_file(path);
  } catch (const ag::Error&) {
    return 0;  // refusing a malformed file is the expected outcome
  }
  check_loaded(f, data, size);
  check_round_trip(f);
  // load_safetensors must agree with load_safetensors_file.
  std::vector<std::pair<std::string, ag::Tensor>> plain;
  try {
    plain = ag::load_safetensors(path);
  } catch (const ag::Error& e) {
    fail(std::string("load_safetensors failed where load_safetensors_file succeeded: ") + e.what());
  }
  expect(plain.size() == f.tensors.size(), "load_safetensors returned another tensor count");
  for (size_t i = 0; i < plain.size(); ++i)
    expect(plain[i].first == f.tensors[i].first && le_bytes(plain[i].second) == le_bytes(f.tensors[i].second),
           "load_safetensors and load_safetensors_file disagree");
  return 0;
}
