// Printing of shapes for error messages.
#include "ag/shape.hpp"

#include <sstream>

namespace ag {

std::ostream& operator<<(std::ostream& os, const Shape& s) {
  os << '[';
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  return os << ']';
}

std::string Shape::str() const {
  std::ostringstream os;
  os << *this;
  return os.str();
}

}  // namespace ag
