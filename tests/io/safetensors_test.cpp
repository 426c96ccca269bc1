// Safetensors checkpoints: round trips, byte-for-byte agreement with the reference writer (its
// own test vectors, and fixtures from tests/io/safetensors_ref.py), the exact error for each
// kind of malformed file, refused saves, and atomic replacement of an existing checkpoint.
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <ag/ag.hpp>
#include <ag/io.hpp>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "io/bytes.hpp"
#include "io/json.hpp"

namespace fs = std::filesystem;
using ag::Tensor;
using Named = std::vector<std::pair<std::string, Tensor>>;

namespace {

// ---- helpers ---------------------------------------------------------------------------------

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ag_io_test_XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  /// Names in the folder, sorted: shows any temporary file left behind.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

/// A file: the 8-byte little-endian length of `header`, `header`, then `data`.
std::string st_file(const std::string& header, const std::string& data = "") {
  unsigned char n[8];
  ag::io::put_u64_le(n, header.size());
  return std::string(reinterpret_cast<char*>(n), 8) + header + data;
}

std::string zeros(size_t n) { return std::string(n, '\0'); }

/// The bytes of a byte vector written as numbers, as the Rust tests spell them.
std::string from_numbers(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s += static_cast<char>(b);
  return s;
}

/// Element bits must match exactly: NaN, -0.0 and subnormals included.
template <class T>
void check_bits(const Tensor& t, ag::Dtype dtype, const ag::Shape& shape,
                const std::vector<T>& expected) {
  REQUIRE(t.defined());
  CHECK(t.dtype() == dtype);
  CHECK(t.shape() == shape);
  REQUIRE(t.numel() == static_cast<int64_t>(expected.size()));
  if (expected.empty()) return;
  Tensor c = t.contiguous();
  CHECK(std::memcmp(c.data_ptr<T>(), expected.data(), expected.size() * sizeof(T)) == 0);
}

std::vector<std::string> names_of(const Named& tensors) {
  std::vector<std::string> out;
  for (const auto& [name, t] : tensors) out.push_back(name);
  return out;
}

const fs::path kFixtures = fs::path(__FILE__).parent_path() / "fixtures";

constexpr float kInf = std::numeric_limits<float>::infinity();

// The tensors of fixtures/mixed.safetensors, built as tests/io/safetensors_ref.py builds them.
Named mixed_tensors() {
  Tensor weight =
      ag::from_vector(std::vector<float>{0.5f, -1.25f, 3.0f, 0.1f, 0.0009765625f, -7.75f}, {2, 3});
  return {
      {"weight_t", weight.t()},  // non-contiguous: written row-major
      {"empty", ag::zeros({0, 3})},
      {"step", ag::from_vector(std::vector<int64_t>{1234567890123}, ag::Shape())},
      {"bias", ag::from_vector(std::vector<float>{0.1f, -0.0f, kInf})},
      {"special", ag::from_vector(std::vector<float>{std::numeric_limits<float>::quiet_NaN(), -kInf,
                                                     std::numeric_limits<float>::denorm_min(),
                                                     std::numeric_limits<float>::max()})},
      {"labels", ag::from_vector(std::vector<int64_t>{0, -1, std::numeric_limits<int64_t>::max(),
                                                      std::numeric_limits<int64_t>::min()})},
      {"scale", ag::from_vector(std::vector<double>{0.1, -2.5e-300, 1.0 / 3.0})},
      {"weight", weight},
  };
}

// The tensors and metadata of fixtures/names.safetensors.
Named names_tensors() {
  return {
      {"zz", ag::from_vector(std::vector<double>{6.0})},
      {"odd \"name\"\\\t\x01/\x7f", ag::from_vector(std::vector<float>{4, 5})},
      {"\xc3\xa9", ag::from_vector(std::vector<float>{3})},                   // U+00E9
      {"\xe2\x98\x83.layer.0", ag::from_vector(std::vector<int64_t>{7, 8})},  // U+2603
      {"a", ag::from_vector(std::vector<float>{2})},
      {"B", ag::from_vector(std::vector<float>{1})},
  };
}
const std::map<std::string, std::string> kNamesMetadata = {
    {"optimizer", "sgd"},
    {"epoch", "3"},
    {"note", "tab\there \"quoted\" \xc3\xa9 \xe2\x98\x83 \x1f"}};

/// The message ag::Error carried, or "" when `f` did not throw one.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ag::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

// ---- the reference writer's layout -----------------------------------------------------------

TEST_CASE("the Rust crate's own test vectors come out byte for byte") {
  TempDir dir;
  // safetensors/src/tensor.rs, test_serialization: "attn.0" F32 [1, 2, 3] holding 0..5; the
  // header is exactly 64 bytes, so no padding.
  std::string attn =
      from_numbers({64, 0,  0,   0,   0,   0,   0,   0,   123, 34,  97,  116, 116, 110, 46,  48,
                    34, 58, 123, 34,  100, 116, 121, 112, 101, 34,  58,  34,  70,  51,  50,  34,
                    44, 34, 115, 104, 97,  112, 101, 34,  58,  91,  49,  44,  50,  44,  51,  93,
                    44, 34, 100, 97,  116, 97,  95,  111, 102, 102, 115, 101, 116, 115, 34,  58,
                    91, 48, 44,  50,  52,  93,  125, 125, 0,   0,   0,   0,   0,   0,   128, 63,
                    0,  0,  0,   64,  0,   0,   64,  64,  0,   0,   128, 64,  0,   0,   160, 64});
  Tensor values = ag::arange(6).reshape({1, 2, 3});
  ag::save_safetensors(dir.file("a"), {{"attn.0", values}});
  CHECK(read_bytes(dir.file("a")) == attn);

  // test_serialization_forced_alignement: "attn0" [1, 1, 2, 3] needs 7 spaces of padding.
  std::string attn0 = from_numbers(
      {72,  0,   0,   0,   0,   0,   0,   0,   123, 34, 97, 116, 116, 110, 48,  34,  58,  123,
       34,  100, 116, 121, 112, 101, 34,  58,  34,  70, 51, 50,  34,  44,  34,  115, 104, 97,
       112, 101, 34,  58,  91,  49,  44,  49,  44,  50, 44, 51,  93,  44,  34,  100, 97,  116,
       97,  95,  111, 102, 102, 115, 101, 116, 115, 34, 58, 91,  48,  44,  50,  52,  93,  125,
       125, 32,  32,  32,  32,  32,  32,  32,  0,   0,  0,  0,   0,   0,   128, 63,  0,   0,
       0,   64,  0,   0,   64,  64,  0,   0,   128, 64, 0,  0,   160, 64});
  ag::save_safetensors(dir.file("b"), {{"attn0", values.reshape({1, 1, 2, 3})}});
  CHECK(read_bytes(dir.file("b")) == attn0);

  // test_empty: no tensors, no metadata; then metadata {"framework": "pt"}.
  ag::save_safetensors(dir.file("c"), {});
  CHECK(read_bytes(dir.file("c")) ==
        from_numbers({8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32}));
  ag::save_safetensors(dir.file("d"), {}, {{"framework", "pt"}});
  CHECK(read_bytes(dir.file("d")) ==
        from_numbers({40,  0,   0,   0,  0,  0,  0,   0,   123, 34,  95,  95,  109, 101, 116, 97,
                      100, 97,  116, 97, 95, 95, 34,  58,  123, 34,  102, 114, 97,  109, 101, 119,
                      111, 114, 107, 34, 58, 34, 112, 116, 34,  125, 125, 32,  32,  32,  32,  32}));

  // And all four read back.
  check_bits<float>(ag::load_safetensors(dir.file("a")).at(0).second, ag::kFloat32, {1, 2, 3},
                    {0, 1, 2, 3, 4, 5});
  CHECK(ag::load_safetensors(dir.file("c")).empty());
  CHECK(ag::load_safetensors_file(dir.file("a")).metadata.empty());
  CHECK(ag::load_safetensors_file(dir.file("d")).metadata ==
        std::map<std::string, std::string>{{"framework", "pt"}});
}

TEST_CASE("round trip: float32, float64, int64, 0-dim, empty and non-contiguous, with metadata") {
  TempDir dir;
  Tensor w = ag::from_vector(std::vector<float>{0.3f, -1.7f, 2.25f, 1e-8f, -0.0f, 5e30f, 0.125f,
                                                -3.5f, 7.0f, 0.001f, -42.0f, 1.0f / 3.0f},
                             {3, 4}, ag::TensorOptions().requires_grad(true));
  Tensor view = w.slice(1, 0, 4, 2).t();  // [2, 3], strided
  REQUIRE_FALSE(view.is_contiguous());
  Tensor d = ag::from_vector(std::vector<double>{1e-300, -2.5, 1e300}, {3, 1});
  Tensor idx = ag::from_vector(std::vector<int64_t>{5, -7, 1LL << 62}, {3});
  Tensor scalar = ag::tensor(2.5);
  Tensor empty = ag::zeros({0, 3});
  std::map<std::string, std::string> meta = {{"epoch", "7"}, {"format", "pt"}, {"lr", "0.01"}};
  const std::string path = dir.file("ckpt.safetensors");
  ag::save_safetensors(
      path,
      {{"w", w}, {"view", view}, {"d", d}, {"idx", idx}, {"scalar", scalar}, {"empty", empty}},
      meta);

  ag::SafetensorsFile f = ag::load_safetensors_file(path);
  CHECK(f.metadata == meta);
  // File order: int64, then float64, then float32 by name.
  CHECK(names_of(f.tensors) ==
        std::vector<std::string>{"idx", "d", "empty", "scalar", "view", "w"});
  check_bits<int64_t>(f.tensors[0].second, ag::kInt64, {3}, {5, -7, 1LL << 62});
  check_bits<double>(f.tensors[1].second, ag::kFloat64, {3, 1}, {1e-300, -2.5, 1e300});
  check_bits<float>(f.tensors[2].second, ag::kFloat32, {0, 3}, {});
  check_bits<float>(f.tensors[3].second, ag::kFloat32, ag::Shape(), {2.5f});
  check_bits<float>(f.tensors[4].second, ag::kFloat32, {2, 3}, view.to_vector<float>());
  check_bits<float>(f.tensors[5].second, ag::kFloat32, {3, 4}, w.to_vector<float>());
  for (const auto& [name, t] : f.tensors) {
    CHECK(t.is_contiguous());
    CHECK_FALSE(t.requires_grad());
  }
  // load_safetensors gives the same tensors; saving them again gives the same bytes.
  Named again = ag::load_safetensors(path);
  CHECK(names_of(again) == names_of(f.tensors));
  ag::save_safetensors(dir.file("again.safetensors"), again, meta);
  CHECK(read_bytes(dir.file("again.safetensors")) == read_bytes(path));
}

// ---- interop with the independent Python writer ------------------------------------------------

TEST_CASE("loads the Python writer's mixed.safetensors value by value") {
  REQUIRE_MESSAGE(fs::exists(kFixtures / "mixed.safetensors"),
                  "fixtures not found next to this source file: ", kFixtures.string());
  ag::SafetensorsFile f = ag::load_safetensors_file((kFixtures / "mixed.safetensors").string());
  CHECK(f.metadata == std::map<std::string, std::string>{{"format", "pt"}});
  REQUIRE(names_of(f.tensors) == std::vector<std::string>{"labels", "step", "scale", "bias",
                                                          "empty", "special", "weight",
                                                          "weight_t"});
  const auto& t = f.tensors;
  check_bits<int64_t>(
      t[0].second, ag::kInt64, {4},
      {0, -1, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()});
  check_bits<int64_t>(t[1].second, ag::kInt64, ag::Shape(), {1234567890123});
  check_bits<double>(t[2].second, ag::kFloat64, {3}, {0.1, -2.5e-300, 1.0 / 3.0});
  check_bits<float>(t[3].second, ag::kFloat32, {3}, {0.1f, -0.0f, kInf});
  check_bits<float>(t[4].second, ag::kFloat32, {0, 3}, {});
  check_bits<float>(t[5].second, ag::kFloat32, {4},
                    {std::numeric_limits<float>::quiet_NaN(), -kInf,
                     std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max()});
  check_bits<float>(t[6].second, ag::kFloat32, {2, 3},
                    {0.5f, -1.25f, 3.0f, 0.1f, 0.0009765625f, -7.75f});
  check_bits<float>(t[7].second, ag::kFloat32, {3, 2},
                    {0.5f, 0.1f, -1.25f, 0.0009765625f, 3.0f, -7.75f});
}

TEST_CASE("writes mixed.safetensors byte for byte as the Python writer did") {
  TempDir dir;
  ag::save_safetensors(dir.file("mixed.safetensors"), mixed_tensors(), {{"format", "pt"}});
  CHECK(read_bytes(dir.file("mixed.safetensors")) ==
        read_bytes((kFixtures / "mixed.safetensors").string()));
}

TEST_CASE("names.safetensors: escaped and UTF-8 names, byte order of names, sorted metadata") {
  ag::SafetensorsFile f = ag::load_safetensors_file((kFixtures / "names.safetensors").string());
  CHECK(f.metadata == kNamesMetadata);
  // I64, F64, then F32 names by bytes: "B" < "a" < "odd..." < "\xc3\xa9".
  CHECK(names_of(f.tensors) == std::vector<std::string>{"\xe2\x98\x83.layer.0", "zz", "B", "a",
                                                        "odd \"name\"\\\t\x01/\x7f", "\xc3\xa9"});
  check_bits<int64_t>(f.tensors[0].second, ag::kInt64, {2}, {7, 8});
  check_bits<double>(f.tensors[1].second, ag::kFloat64, {1}, {6.0});
  check_bits<float>(f.tensors[4].second, ag::kFloat32, {2}, {4, 5});

  TempDir dir;
  ag::save_safetensors(dir.file("names.safetensors"), names_tensors(), kNamesMetadata);
  CHECK(read_bytes(dir.file("names.safetensors")) ==
        read_bytes((kFixtures / "names.safetensors").string()));
}

// ---- malformed files: one exact message each ---------------------------------------------------

// Writes `bytes` to a fresh file and checks load_safetensors throws "load_safetensors: <path>:
// <problem>". A macro so that failures point at the case's line.
#define CHECK_LOAD_FAILS(bytes, problem)                                         \
  do {                                                                           \
    TempDir dir_;                                                                \
    const std::string path_ = dir_.file("bad.safetensors");                      \
    write_bytes(path_, bytes);                                                   \
    const std::string want_ = "load_safetensors: " + path_ + ": " + (problem);   \
    CHECK_THROWS_WITH_AS(ag::load_safetensors(path_), want_.c_str(), ag::Error); \
  } while (0)

// A one-tensor header: "w" F32 [2] at data_offsets [0, 8], with `entry` as its JSON.
std::string one(const std::string& entry) { return "{\"w\":" + entry + "}"; }
const std::string kGood = R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})";

TEST_CASE("malformed: the control case loads") {
  // Guards the cases below: with a good entry the same bytes load.
  TempDir dir;
  write_bytes(dir.file("ok"), st_file(one(kGood), zeros(8)));
  CHECK(ag::load_safetensors(dir.file("ok")).size() == 1);
}

TEST_CASE("malformed: file shorter than 8 bytes") {
  CHECK_LOAD_FAILS(std::string("\x05\x00\x00", 3),
                   "file is 3 bytes, too short to hold the 8-byte header length");
  CHECK_LOAD_FAILS("", "file is 0 bytes, too short to hold the 8-byte header length");
}

TEST_CASE("malformed: header length above the 100 MB cap") {
  unsigned char n[8];
  ag::io::put_u64_le(n, 100'000'001);
  CHECK_LOAD_FAILS(std::string(reinterpret_cast<char*>(n), 8) + "{}",
                   "header length 100000001 is over the limit of 100000000 bytes");
  CHECK_LOAD_FAILS(std::string(8, '\xff') + "{}",
                   "header length 18446744073709551615 is over the limit of 100000000 bytes");
}

TEST_CASE("malformed: header length larger than the file") {
  unsigned char n[8];
  ag::io::put_u64_le(n, 100);
  CHECK_LOAD_FAILS(std::string(reinterpret_cast<char*>(n), 8) + "{}        ",
                   "header length 100 runs past the end of the file (10 bytes follow the length)");
}

TEST_CASE("malformed: header not valid UTF-8") {
  CHECK_LOAD_FAILS(st_file("{\"\xff\":1}"), "header is not valid UTF-8 (byte 2)");
  CHECK_LOAD_FAILS(st_file("{\"\xc0\xaf\":1}"), "header is not valid UTF-8 (byte 2)");  // overlong
  CHECK_LOAD_FAILS(st_file("{\"a\xed\xa0\x80\":1}"),
                   "header is not valid UTF-8 (byte 3)");                               // surrogate
  CHECK_LOAD_FAILS(st_file("{\"\xe2\x98\":1}"), "header is not valid UTF-8 (byte 2)");  // truncated
}

TEST_CASE("malformed: header not valid JSON") {
  CHECK_LOAD_FAILS(st_file(""), "invalid JSON in header at byte 0: unexpected end of the header");
  CHECK_LOAD_FAILS(st_file("{\"a\" 1}"),
                   "invalid JSON in header at byte 5: expected ':' after an object key");
  CHECK_LOAD_FAILS(st_file("{\"a\":1,}"),
                   "invalid JSON in header at byte 7: expected a string key");
  CHECK_LOAD_FAILS(st_file("{\"a\":01}"),
                   "invalid JSON in header at byte 6: leading zero in a number");
  CHECK_LOAD_FAILS(
      st_file("{\"a\":\"\\ud800\"}"),
      "invalid JSON in header at byte 12: high surrogate not followed by a low surrogate");
  CHECK_LOAD_FAILS(st_file("{\"a\":\"\\x\"}"),
                   "invalid JSON in header at byte 6: invalid escape in a string");
  CHECK_LOAD_FAILS(st_file("{\"a\":\"\t\"}"),
                   "invalid JSON in header at byte 6: unescaped control character in a string");
  CHECK_LOAD_FAILS(st_file("{\"a"), "invalid JSON in header at byte 3: unterminated string");
  CHECK_LOAD_FAILS(st_file("{'a':1}"), "invalid JSON in header at byte 1: expected a string key");
  CHECK_LOAD_FAILS(st_file("{\"a\":tru}"),
                   "invalid JSON in header at byte 5: expected a JSON value");
}

TEST_CASE("malformed: nesting deeper than the bound, without exhausting the stack") {
  CHECK_LOAD_FAILS(st_file("{\"a\":" + std::string(64, '[') + std::string(64, ']') + "}"),
                   "invalid JSON in header at byte 68: nesting deeper than 64 levels");
  CHECK_LOAD_FAILS(st_file(std::string(1'000'000, '[')),
                   "invalid JSON in header at byte 64: nesting deeper than 64 levels");
}

TEST_CASE("malformed: trailing garbage after the header object") {
  CHECK_LOAD_FAILS(st_file("{}  x"),
                   "invalid JSON in header at byte 4: unexpected characters "
                   "after the JSON value (only space padding may follow)");
  CHECK_LOAD_FAILS(st_file("{}\n"),
                   "invalid JSON in header at byte 2: unexpected characters "
                   "after the JSON value (only space padding may follow)");
  CHECK_LOAD_FAILS(st_file("{}{}"),
                   "invalid JSON in header at byte 2: unexpected characters "
                   "after the JSON value (only space padding may follow)");
}

TEST_CASE("malformed: header not an object") {
  CHECK_LOAD_FAILS(st_file("[]"), "header is not a JSON object");
  CHECK_LOAD_FAILS(st_file("\"w\""), "header is not a JSON object");
}

TEST_CASE("malformed: entry not an object") {
  CHECK_LOAD_FAILS(st_file(one("[1]")), "tensor \"w\": entry is not a JSON object");
}

TEST_CASE("malformed: entry missing dtype, shape or data_offsets") {
  CHECK_LOAD_FAILS(st_file(one(R"({"shape":[2],"data_offsets":[0,8]})"), zeros(8)),
                   "tensor \"w\": missing \"dtype\"");
  CHECK_LOAD_FAILS(st_file(one(R"({"dtype":"F32","data_offsets":[0,8]})"), zeros(8)),
                   "tensor \"w\": missing \"shape\"");
  CHECK_LOAD_FAILS(st_file(one(R"({"dtype":"F32","shape":[2]})"), zeros(8)),
                   "tensor \"w\": missing \"data_offsets\"");
}

TEST_CASE("malformed: unknown or repeated fields in an entry") {
  CHECK_LOAD_FAILS(st_file(one(R"({"dtype":"F32","shape":[2],"offsets":[0,8]})"), zeros(8)),
                   "tensor \"w\": unknown field \"offsets\"");
  CHECK_LOAD_FAILS(
      st_file(one(R"({"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]})"), zeros(8)),
      "tensor \"w\": field \"dtype\" appears twice");
}

TEST_CASE("malformed: fields of the wrong JSON type") {
  CHECK_LOAD_FAILS(st_file(one(R"({"dtype":4,"shape":[2],"data_offsets":[0,8]})"), zeros(8)),
                   "tensor \"w\": \"dtype\" is not a string");
  CHECK_LOAD_FAILS(st_file(one(R"({"dtype":"F32","shape":2,"data_offsets":[0,8]})"), zeros(8)),
                   "tensor \"w\": \"shape\" is not an array");
  CHECK_LOAD_FAILS(st_file(one(R"({"dtype":"F32","shape":[2],"data_offsets":{"a":0}})"), zeros(8)),
                   "tensor \"w\": \"data_offsets\" is not an array of two non-negative integers");
}

TEST_CASE("malformed: unsupported and unknown dtypes") {
  CHECK_LOAD_FAILS(st_file(one(R"({"dtype":"BF16","shape":[2],"data_offsets":[0,4]})"), zeros(4)),
                   "tensor \"w\": dtype BF16 is not supported (ag reads F32, F64 and I64)");
  CHECK_LOAD_FAILS(st_file(one(R"({"dtype":"F33","shape":[2],"data_offsets":[0,8]})"), zeros(8)),
                   "tensor \"w\": unknown dtype \"F33\"");
}

TEST_CASE("malformed: negative or non-integer shape entries") {
  auto entry = [](const std::string& shape) {
    return st_file(one(R"({"dtype":"F32","shape":)" + shape + R"(,"data_offsets":[0,8]})"),
                   zeros(8));
  };
  CHECK_LOAD_FAILS(entry("[2,-3]"), "tensor \"w\": shape entry 1 is negative (-3)");
  CHECK_LOAD_FAILS(entry("[2.5]"), "tensor \"w\": shape entry 0 is not an integer (2.5)");
  CHECK_LOAD_FAILS(entry("[2e0]"), "tensor \"w\": shape entry 0 is not an integer (2e0)");
  CHECK_LOAD_FAILS(entry("[\"2\"]"), "tensor \"w\": shape entry 0 is not a number");
  CHECK_LOAD_FAILS(entry("[99999999999999999999]"),
                   "tensor \"w\": shape entry 0 is too large (99999999999999999999)");
  CHECK_LOAD_FAILS(entry("[9223372036854775808]"),
                   "tensor \"w\": shape entry 0 is too large (9223372036854775808)");
}

TEST_CASE("malformed: element count times element size overflowing") {
  CHECK_LOAD_FAILS(
      st_file(one(R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]})"),
              zeros(8)),
      "tensor \"w\": shape [4294967296, 4294967296] of F32 is too large (its byte count "
      "overflows)");
  CHECK_LOAD_FAILS(
      st_file(one(R"({"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]})"),
              zeros(8)),
      "tensor \"w\": shape [2305843009213693952] of F64 is too large (its byte count overflows)");
  // An overflow before a zero is still refused, as the reference's checked_mul does.
  CHECK_LOAD_FAILS(
      st_file(one(R"({"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]})")),
      "tensor \"w\": shape [4294967296, 4294967296, 0] of F32 is too large (its byte count "
      "overflows)");
}

TEST_CASE("malformed: data_offsets not two increasing integers") {
  auto offsets = [](const std::string& o) {
    return st_file(one(R"({"dtype":"F32","shape":[2],"data_offsets":)" + o + "}"), zeros(8));
  };
  const std::string not_two =
      "tensor \"w\": \"data_offsets\" is not an array of two non-negative integers";
  CHECK_LOAD_FAILS(offsets("[0]"), not_two);
  CHECK_LOAD_FAILS(offsets("[0,4,8]"), not_two);
  CHECK_LOAD_FAILS(offsets("[-1,7]"), not_two);
  CHECK_LOAD_FAILS(offsets("[0,8.0]"), not_two);
  CHECK_LOAD_FAILS(offsets("[0,18446744073709551616]"), not_two);
  CHECK_LOAD_FAILS(offsets("[8,0]"), "tensor \"w\": data_offsets [8, 0] end before they begin");
}

TEST_CASE("malformed: byte count disagreeing with shape and dtype") {
  CHECK_LOAD_FAILS(st_file(one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,12]})"), zeros(12)),
                   "tensor \"w\": data_offsets [0, 12] hold 12 bytes but shape [2] of F32 needs 8");
  CHECK_LOAD_FAILS(st_file(one(R"({"dtype":"I64","shape":[2],"data_offsets":[0,8]})"), zeros(8)),
                   "tensor \"w\": data_offsets [0, 8] hold 8 bytes but shape [2] of I64 needs 16");
}

TEST_CASE("malformed: offsets past the data section, even for a huge tensor (no allocation)") {
  CHECK_LOAD_FAILS(
      st_file(one(R"({"dtype":"F32","shape":[3],"data_offsets":[0,12]})"), zeros(8)),
      "tensor \"w\": data_offsets [0, 12] run past the end of the 8-byte data section");
  CHECK_LOAD_FAILS(
      st_file(one(R"({"dtype":"F32","shape":[1000000000000],"data_offsets":[0,4000000000000]})"),
              zeros(8)),
      "tensor \"w\": data_offsets [0, 4000000000000] run past the end of the 8-byte data section");
}

TEST_CASE("malformed: overlapping tensors") {
  CHECK_LOAD_FAILS(st_file(R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},)"
                           R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                           zeros(12)),
                   "tensors \"a\" and \"b\" overlap: data_offsets [0, 8] and [4, 12]");
  // Two tensors sharing one range overlap too.
  CHECK_LOAD_FAILS(st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})",
                           zeros(8)),
                   "tensors \"a\" and \"b\" overlap: data_offsets [0, 8] and [0, 8]");
}

TEST_CASE("malformed: gaps between tensors or before the first") {
  CHECK_LOAD_FAILS(
      st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
              R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})",
              zeros(20)),
      "gap in the data section: bytes [8, 12) before tensor \"b\" belong to no tensor");
  CHECK_LOAD_FAILS(st_file(one(R"({"dtype":"F32","shape":[2],"data_offsets":[4,12]})"), zeros(12)),
                   "gap in the data section: bytes [0, 4) before tensor \"w\" belong to no tensor");
}

TEST_CASE("malformed: duplicate tensor names") {
  CHECK_LOAD_FAILS(st_file("{\"w\":" + kGood + ",\"w\":" + kGood + "}", zeros(8)),
                   "duplicate tensor name \"w\"");
}

TEST_CASE("malformed: __metadata__ not an object of strings") {
  CHECK_LOAD_FAILS(st_file(R"({"__metadata__":["pt"]})"), "\"__metadata__\" is not a JSON object");
  CHECK_LOAD_FAILS(st_file(R"({"__metadata__":{"epoch":3}})"),
                   "\"__metadata__\" value of \"epoch\" is not a string");
  CHECK_LOAD_FAILS(st_file(R"({"__metadata__":{"k":"a","k":"b"}})"),
                   "\"__metadata__\" has the key \"k\" twice");
  CHECK_LOAD_FAILS(st_file(R"({"__metadata__":{},"__metadata__":{}})"),
                   "header has \"__metadata__\" twice");
}

TEST_CASE("malformed: data section larger than the tensors") {
  CHECK_LOAD_FAILS(st_file(one(kGood), zeros(12)),
                   "the data section holds 12 bytes but the tensors cover only 8");
  CHECK_LOAD_FAILS(st_file("{}", zeros(4)),
                   "the data section holds 4 bytes but the tensors cover only 0");
}

TEST_CASE("unreadable paths, and the name of the function in the message") {
  TempDir dir;
  const std::string missing = dir.file("missing.safetensors");
  CHECK_THROWS_WITH_AS(
      ag::load_safetensors(missing),
      ("load_safetensors: " + missing + ": cannot open: No such file or directory").c_str(),
      ag::Error);
  CHECK_THROWS_WITH_AS(
      ag::load_safetensors_file(dir.path.string()),
      ("load_safetensors_file: " + dir.path.string() + ": not a regular file").c_str(), ag::Error);
}

TEST_CASE("accepted: padding, JSON whitespace and escapes, entries in any order") {
  TempDir dir;
  // Hand-written: spaces inside, escaped name, tensors listed out of offset order, metadata last.
  write_bytes(dir.file("ok"),
              st_file(" { \"b\" : {\"data_offsets\":[8,16],\"shape\":[1],\"dtype\":\"I64\"},\n"
                      "\"\\u00e9\\ud83d\\ude00\\/\" : {\"dtype\":\"F32\",\"shape\":[2],"
                      "\"data_offsets\":[0,8]}, \"__metadata__\":{\"k\":\"\\n\"} }     ",
                      zeros(8) + std::string("\x2a\0\0\0\0\0\0\0", 8)));
  ag::SafetensorsFile f = ag::load_safetensors_file(dir.file("ok"));
  CHECK(names_of(f.tensors) == std::vector<std::string>{"\xc3\xa9\xf0\x9f\x98\x80/", "b"});
  check_bits<int64_t>(f.tensors[1].second, ag::kInt64, {1}, {42});
  CHECK(f.metadata.at("k") == "\n");
}

// ---- refused saves ---------------------------------------------------------------------------

TEST_CASE("save refuses bad names, undefined tensors and invalid dtypes, and writes nothing") {
  TempDir dir;
  const std::string p = dir.file("ckpt.safetensors");
  const std::string pre = "save_safetensors: " + p + ": ";
  Tensor x = ag::ones({2});
  auto refused = [&](const Named& tensors, const std::map<std::string, std::string>& meta = {}) {
    return error_of([&] { ag::save_safetensors(p, tensors, meta); });
  };
  CHECK(refused({{"a", x}, {"", x}}) == pre + "tensor 1 has an empty name");
  CHECK(refused({{"__x", x}}) == pre +
                                     "tensor name \"__x\" starts with \"__\", which safetensors "
                                     "reserves for \"__metadata__\"");
  CHECK(refused({{"__metadata__", x}}) ==
        pre +
            "tensor name \"__metadata__\" starts with \"__\", which safetensors reserves for "
            "\"__metadata__\"");
  CHECK(refused({{"w", x}, {"w", x}}) == pre + "duplicate tensor name \"w\"");
  CHECK(refused({{"w", x}, {"u", Tensor()}}) == pre + "tensor \"u\" is undefined");
  CHECK(refused({{"bad\xff", x}}) == pre + "the name of tensor 0 is not valid UTF-8");
  CHECK(refused({{"w", x}}, {{"k", "\xc3"}}) ==
        pre + "the metadata value of \"k\" is not valid UTF-8");
  Tensor y = ag::ones({2});
  y.impl().dtype = static_cast<ag::Dtype>(7);  // only reachable by corrupting a tensor
  CHECK(refused({{"y", y}}) == pre + "tensor \"y\" has an invalid dtype (7)");
  y.impl().dtype = ag::kFloat32;
  CHECK(dir.names().empty());
  CHECK(error_of([&] {
          ag::save_safetensors(dir.path.string() + "/", {{"w", x}});
        }) == "save_safetensors: " + dir.path.string() + "/: the path names a folder, not a file");
}

// ---- atomicity -------------------------------------------------------------------------------

TEST_CASE("atomic: a refused save over a checkpoint leaves it byte-identical") {
  TempDir dir;
  const std::string p = dir.file("ckpt.safetensors");
  ag::save_safetensors(p, {{"w", ag::ones({3})}}, {{"epoch", "1"}});
  const std::string before = read_bytes(p);
  CHECK_THROWS_AS(ag::save_safetensors(p, {{"w", ag::zeros({3})}, {"b", Tensor()}}), ag::Error);
  CHECK(read_bytes(p) == before);
  CHECK(dir.names() == std::vector<std::string>{"ckpt.safetensors"});
  // A successful save does replace it, and leaves no temporary file either.
  ag::save_safetensors(p, {{"w", ag::zeros({3})}});
  CHECK(read_bytes(p) != before);
  CHECK(dir.names() == std::vector<std::string>{"ckpt.safetensors"});
}

TEST_CASE("atomic: a write failing midway (file size limit) leaves the old checkpoint") {
  TempDir dir;
  const std::string p = dir.file("ckpt.safetensors");
  ag::save_safetensors(p, {{"w", ag::ones({3})}});
  const std::string before = read_bytes(p);

  // With RLIMIT_FSIZE at 64 KiB, writing a 4 MiB tensor fails after the header and part of the
  // data: write() returns EFBIG once SIGXFSZ is ignored.
  struct rlimit old {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 64 * 1024;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string message = error_of([&] { ag::save_safetensors(p, {{"big", ag::ones({1 << 20})}}); });
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, old_handler);

  const std::string prefix = "save_safetensors: " + p + ": cannot write the temporary file " +
                             dir.file(".ckpt.safetensors.tmp-");
  CHECK(message.rfind(prefix, 0) == 0);
  CHECK(message.size() == prefix.size() + std::string("xxxxxxxxxxxx: File too large").size());
  CHECK(message.ends_with(": File too large"));
  CHECK(read_bytes(p) == before);
  CHECK(dir.names() == std::vector<std::string>{"ckpt.safetensors"});
}

TEST_CASE("atomic: a failing rename (target is a folder) removes the written temporary file") {
  TempDir dir;
  const std::string p = dir.file("ckpt.safetensors");
  fs::create_directory(p);
  write_bytes(p + "/keep", "x");
  std::string message = error_of([&] { ag::save_safetensors(p, {{"w", ag::ones({3})}}); });
  const std::string prefix =
      "save_safetensors: " + p + ": cannot rename " + dir.file(".ckpt.safetensors.tmp-");
  CHECK(message.rfind(prefix, 0) == 0);
  CHECK(message.ends_with(" over it: Is a directory"));
  CHECK(dir.names() == std::vector<std::string>{"ckpt.safetensors"});
  CHECK(read_bytes(p + "/keep") == "x");
}

TEST_CASE("atomic: a missing folder is reported and nothing is created") {
  TempDir dir;
  const std::string folder = dir.file("nope");
  const std::string p = folder + "/ckpt.safetensors";
  CHECK_THROWS_WITH_AS(ag::save_safetensors(p, {{"w", ag::ones({3})}}),
                       ("save_safetensors: " + p + ": cannot create a temporary file in " + folder +
                        ": No such file or directory")
                           .c_str(),
                       ag::Error);
  CHECK(dir.names().empty());
}

// ---- building blocks -------------------------------------------------------------------------

TEST_CASE("byte order helpers: the swap a big-endian host does, and the header length") {
  const char src[] = {1, 2, 3, 4, 5, 6, 7, 8};
  char dst[8] = {};
  ag::io::copy_swapping(dst, src, 8, 4);
  CHECK(std::string(dst, 8) == std::string("\4\3\2\1\10\7\6\5", 8));
  ag::io::copy_swapping(dst, src, 8, 8);
  CHECK(std::string(dst, 8) == std::string("\10\7\6\5\4\3\2\1", 8));
  unsigned char n[8];
  ag::io::put_u64_le(n, 0x0102030405060708ULL);
  CHECK(n[0] == 8);
  CHECK(n[7] == 1);
  CHECK(ag::io::get_u64_le(n) == 0x0102030405060708ULL);
}

TEST_CASE("JSON strings are escaped as serde_json and Python's json.dumps do") {
  std::string out;
  ag::io::append_json_string(out, std::string("a\"\\/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9"));
  CHECK(out == "\"a\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\xc3\xa9\"");
  ag::io::Json v = ag::io::parse_json(out);
  CHECK(v.kind == ag::io::Json::Kind::String);
  CHECK(v.text == std::string("a\"\\/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9"));
}
