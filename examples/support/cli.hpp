// A small command-line parser for the examples: options are declared against variables that
// already hold their defaults, so `--help` can show every default.
//
//   int steps = 2000;
//   bool quick = false;
//   support::Cli cli("many_to_one", "Classifies digit sequences ...");
//   cli.option("steps", steps, "training steps");
//   cli.flag("quick", quick, "a few seconds of training");
//   if (!cli.parse(argc, argv)) return cli.exit_code();   // --help, or a bad command line
//   if (quick && !cli.given("steps")) steps = 200;         // what the user typed wins
//
// Accepted forms: `--name value`, `--name=value`, and `--flag` for booleans; `-h` and `--help`
// print the usage.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace support {

class Cli {
 public:
  Cli(std::string program, std::string description)
      : program_(std::move(program)), description_(std::move(description)) {}

  /// An option taking a value: int, int64_t, double or std::string.
  template <class T>
  void option(const std::string& name, T& value, const std::string& help) {
    static_assert(std::is_same_v<T, std::string> || std::is_arithmetic_v<T>,
                  "Cli::option: strings and numbers only");
    options_.push_back({name, help, show(value), false,
                        [&value, name](const std::string& text) { return read(text, value); }});
  }

  /// A switch: present means true.
  void flag(const std::string& name, bool& value, const std::string& help) {
    options_.push_back({name, help, "", true, [&value](const std::string&) {
                          value = true;
                          return true;
                        }});
  }

  /// Reads argv. Returns false when the program should stop: after --help (exit code 0) or
  /// on a bad command line (the reason goes to stderr, exit code 2).
  bool parse(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "-h" || arg == "--help") {
        print_help(std::cout);
        exit_code_ = 0;
        return false;
      }
      if (arg.rfind("--", 0) != 0) return fail("unexpected argument '" + arg + "'");
      std::string name = arg.substr(2), value;
      bool has_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      const Option* o = find(name);
      if (o == nullptr) return fail("unknown option --" + name);
      if (o->is_flag) {
        if (has_value) return fail("--" + name + " takes no value");
      } else if (!has_value) {
        if (i + 1 >= argc) return fail("--" + name + " needs a value");
        value = argv[++i];
      }
      if (!o->set(value)) return fail("--" + name + ": cannot read '" + value + "'");
      given_.insert(name);
    }
    return true;
  }

  /// Whether the user gave this option on the command line.
  bool given(const std::string& name) const { return given_.count(name) != 0; }
  int exit_code() const { return exit_code_; }

  void print_help(std::ostream& os) const {
    os << "usage: " << program_ << " [options]\n\n" << description_ << "\n\noptions:\n";
    const std::string help_left = "-h, --help";
    size_t width = help_left.size();
    for (const Option& o : options_) width = std::max(width, left_column(o).size());
    for (const Option& o : options_) {
      std::string left = left_column(o);
      os << "  " << left << std::string(width - left.size() + 2, ' ') << o.help;
      if (!o.is_flag && !o.default_text.empty()) os << " (default: " << o.default_text << ")";
      os << "\n";
    }
    os << "  " << help_left << std::string(width - help_left.size() + 2, ' ') << "this text\n";
  }

 private:
  struct Option {
    std::string name, help, default_text;
    bool is_flag;
    std::function<bool(const std::string&)> set;
  };

  static std::string left_column(const Option& o) {
    return "--" + o.name + (o.is_flag ? "" : " <value>");
  }

  const Option* find(const std::string& name) const {
    for (const Option& o : options_)
      if (o.name == name) return &o;
    return nullptr;
  }

  bool fail(const std::string& why) {
    std::cerr << program_ << ": " << why << " (try --help)\n";
    exit_code_ = 2;
    return false;
  }

  template <class T>
  static std::string show(const T& value) {
    if constexpr (std::is_same_v<T, std::string>) {
      return value.empty() ? "" : value;
    } else {
      std::ostringstream os;
      os << value;
      return os.str();
    }
  }

  template <class T>
  static bool read(const std::string& text, T& value) {
    if constexpr (std::is_same_v<T, std::string>) {
      value = text;
      return true;
    } else if constexpr (std::is_integral_v<T>) {
      T parsed{};
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
      if (ec != std::errc() || end != text.data() + text.size()) return false;
      value = parsed;
      return true;
    } else {
      std::istringstream is(text);
      T parsed{};
      if (!(is >> parsed) || !is.eof()) return false;
      value = parsed;
      return true;
    }
  }

  std::string program_, description_;
  std::vector<Option> options_;
  std::set<std::string> given_;
  int exit_code_ = 0;
};

}  // namespace support
