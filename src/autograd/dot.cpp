// to_dot: walks the graph behind a tensor (iteratively) and writes it as Graphviz DOT.
#include <sstream>
#include <unordered_map>
#include <vector>

#include "ag/graph.hpp"
#include "autograd/node.hpp"

namespace ag {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string leaf_label(const Node& node) {
  const detail::TensorImpl* leaf = node.variable();
  std::string name = leaf && !leaf->name.empty() ? leaf->name : "leaf";
  return escape(name) + "\\n" + node.shape.str();
}

}  // namespace

std::string to_dot(const Tensor& output) {
  AG_CHECK(output.defined(), "to_dot: got an undefined tensor");
  std::ostringstream os;
  os << "digraph {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=11];\n";
  const std::string out_name = output.name().empty() ? "output" : escape(output.name());
  os << "  out [label=\"" << out_name << "\\n" << output.shape()
     << "\", shape=ellipse, style=filled, fillcolor=\"#d5e8d4\"];\n";
  detail::Ref<Node> root = autograd::gradient_edge(output);
  if (!root) return os.str() + "}\n";

  std::unordered_map<const Node*, size_t> id;
  std::vector<const Node*> order{root.get()}, stack{root.get()};
  id[root.get()] = 0;
  std::ostringstream edges;
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    for (const auto& e : n->next_edges) {
      if (!e) continue;
      auto [it, fresh] = id.emplace(e.get(), order.size());
      if (fresh) {
        order.push_back(e.get());
        stack.push_back(e.get());
      }
      edges << "  n" << id[n] << " -> n" << it->second << ";\n";
    }
  }
  for (size_t i = 0; i < order.size(); ++i) {
    const Node& n = *order[i];
    if (n.variable() || std::string(n.name()) == "AccumulateGrad")
      os << "  n" << i << " [label=\"" << leaf_label(n)
         << "\", shape=ellipse, style=filled, fillcolor=\"#dae8fc\"];\n";
    else
      os << "  n" << i << " [label=\"" << n.name() << "\\n"
         << (n.note ? escape(n.note) + "\\n" : "") << n.shape << "\", shape=box];\n";
  }
  os << "  out -> n0;\n" << edges.str() << "}\n";
  return os.str();
}

}  // namespace ag
