// ag::Error: the one exception type the library throws on misuse.
//
// Every message names the operation and the shapes, dtypes or values involved, for example
// "matmul: cannot multiply [1, 4] by [6, 4]: inner sizes 4 and 6 differ".
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace ag {

/// Thrown on every misuse: bad shapes, dtypes, indices, or a graph used the wrong way.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/// Builds the message from its parts with operator<< and throws ag::Error.
template <class... Parts>
[[noreturn]] void fail(Parts&&... parts) {
  std::ostringstream os;
  (os << ... << std::forward<Parts>(parts));
  throw Error(os.str());
}

}  // namespace detail
}  // namespace ag

/// Throws ag::Error built from the remaining arguments when `cond` is false.
/// The message parts are evaluated only on failure.
#define AG_CHECK(cond, ...)                   \
  do {                                        \
    if (!(cond)) [[unlikely]]                 \
      ::ag::detail::fail(__VA_ARGS__);        \
  } while (0)
