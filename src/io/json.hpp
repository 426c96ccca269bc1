// A strict, minimal JSON reader and the one writer piece safetensors needs (string quoting).
//
// Only what a safetensors header uses, but the whole RFC 8259 grammar is enforced: the header
// comes from a file that may be hostile, so nothing lenient (no comments, no trailing commas,
// no leading zeros, no lone surrogates) and the nesting depth is bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ag::io {

struct JsonMember;

/// One parsed JSON value. Objects keep their members in file order, duplicates included, so
/// that the caller can name the duplicate in its own terms ("duplicate tensor name").
struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text;  // a string's value, or a number's literal text ("-12", "2.5e3")
  std::vector<Json> items;
  // Not pair<string, Json>: with libstdc++ 12, clang rejects that pair while Json is incomplete.
  std::vector<JsonMember> members;
};

struct JsonMember {
  std::string key;
  Json value;
};

/// Parses `text` as exactly one JSON value, optionally followed by space characters (the
/// padding safetensors adds). Throws ag::Error("invalid JSON in header at byte N: ...").
/// `text` must already be valid UTF-8 (see first_invalid_utf8).
Json parse_json(std::string_view text, int max_depth = 64);

/// The byte offset of the first invalid UTF-8 sequence in `s` (overlong forms, surrogates and
/// code points above U+10FFFF are invalid), or npos when all of `s` is valid.
size_t first_invalid_utf8(std::string_view s);

/// How a JSON number reads as an unsigned 64-bit integer.
enum class UintRead { Ok, NotANumber, NotAnInteger, Negative, TooLarge };
/// Reads `v` as a non-negative integer written without fraction or exponent ("3", not "3.0").
UintRead read_uint(const Json& v, uint64_t& out);

/// Appends `s` as a quoted JSON string, escaped exactly as serde_json (the Rust safetensors
/// writer) and Python's json.dumps(ensure_ascii=False) do: \" \\ \b \f \n \r \t, other control
/// characters as \u00xx with lowercase hex, everything else (UTF-8, '/', DEL) as is.
void append_json_string(std::string& out, std::string_view s);

}  // namespace ag::io
