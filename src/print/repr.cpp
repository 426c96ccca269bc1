// The full repr: "tensor(" + body + suffixes + ")" (PyTorch's _str_intern and _add_suffixes),
// and the public entry points built on it.
#include <ostream>
#include <string>
#include <vector>

#include "ag/print.hpp"
#include "print/layout.hpp"

namespace ag {
namespace {

// Python's str(tuple(shape)): "(0, 3)", "(0,)".
std::string shape_tuple(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::string dtype_suffix(Dtype d) { return std::string("dtype=torch.") + dtype_name(d); }

// A suffix stays on the last line when it fits in the line width, else it starts a new line
// indented like the body. PyTorch counts the last line as 2 longer than it is (its
// rfind("\n") arithmetic), and a suffix moved to its own line as indent + length.
std::string add_suffixes(std::string s, const std::vector<std::string>& suffixes, int indent,
                         int linewidth) {
  const size_t nl = s.rfind('\n');
  int64_t last_line = static_cast<int64_t>(nl == std::string::npos ? s.size() + 2
                                                                   : s.size() - nl + 1);
  for (const std::string& suffix : suffixes) {
    const auto len = static_cast<int64_t>(suffix.size());
    if (last_line + len + 2 > linewidth) {
      s.append(",\n").append(static_cast<size_t>(indent), ' ').append(suffix);
      last_line = indent + len;
    } else {
      s.append(", ").append(suffix);
      last_line += len + 2;
    }
  }
  return s + ")";
}

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "[ Tensor (undefined) ]";
  const PrintOptions options = get_printoptions();
  const std::string prefix = "tensor(";
  const int indent = static_cast<int>(prefix.size());

  std::vector<std::string> suffixes;
  std::string body;
  if (t.numel() == 0) {
    // Nothing shows the shape or whether the tensor is int64, so both are spelled out.
    if (t.dim() != 1) suffixes.push_back("size=" + shape_tuple(t.shape()));
    if (t.dtype() != kFloat32) suffixes.push_back(dtype_suffix(t.dtype()));
    body = "[]";
  } else {
    // float32 is the default dtype and int64 is recognisable from its entries.
    if (t.dtype() == kFloat64) suffixes.push_back(dtype_suffix(t.dtype()));
    body = print::tensor_str(t, indent, options);
  }
  const std::string grad_fn = t.grad_fn_name();
  if (!grad_fn.empty())
    suffixes.push_back("grad_fn=<" + grad_fn + ">");
  else if (t.requires_grad())
    suffixes.push_back("requires_grad=True");
  return add_suffixes(prefix + body, suffixes, indent, options.linewidth);
}

std::string repr_parameter(const Tensor& t) { return "Parameter containing:\n" + to_string(t); }

// A Module's registered parameters print as PyTorch prints an nn.Parameter.
std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  return os << (t.defined() && t.impl().is_parameter ? repr_parameter(t) : to_string(t));
}

}  // namespace ag
