// to_dot: node names, shapes, leaf labels and edges of a small graph.
#include "support/check.hpp"

TEST_CASE("to_dot draws one box per op, one ellipse per leaf, edges toward the leaves") {
  ag::Tensor x = ag::ones({1, 4});
  ag::Tensor W = ag::zeros({6, 4}).requires_grad_().set_name("Wx");
  ag::Tensor b = ag::zeros({6}).requires_grad_().set_name("b");
  ag::Tensor h = ag::tanh(ag::matmul(x, W.t()) + b);
  CHECK(ag::to_dot(h) ==
        "digraph {\n"
        "  rankdir=TB;\n"
        "  node [fontname=\"Helvetica\", fontsize=11];\n"
        "  out [label=\"output\\n[1, 6]\", shape=ellipse, style=filled, fillcolor=\"#d5e8d4\"];\n"
        "  n0 [label=\"TanhBackward0\\n[1, 6]\", shape=box];\n"
        "  n1 [label=\"AddBackward0\\n[1, 6]\", shape=box];\n"
        "  n2 [label=\"MmBackward0\\n[1, 6]\", shape=box];\n"
        "  n3 [label=\"b\\n[6]\", shape=ellipse, style=filled, fillcolor=\"#dae8fc\"];\n"
        "  n4 [label=\"TBackward0\\n[4, 6]\", shape=box];\n"
        "  n5 [label=\"Wx\\n[6, 4]\", shape=ellipse, style=filled, fillcolor=\"#dae8fc\"];\n"
        "  out -> n0;\n"
        "  n0 -> n1;\n"
        "  n1 -> n2;\n"
        "  n1 -> n3;\n"
        "  n2 -> n4;\n"
        "  n4 -> n5;\n"
        "}\n");
}

TEST_CASE("to_dot shares a node used twice and labels module parameters by full name") {
  struct Cell : ag::nn::Module {
    ag::Tensor w;
    Cell() { w = register_parameter("w", ag::ones({2})); }
  };
  struct Net : ag::nn::Module {
    std::shared_ptr<Cell> cell;
    Net() { cell = register_module("cell", std::make_shared<Cell>()); }
  } net;
  ag::Tensor y = net.cell->w * net.cell->w;
  std::string dot = ag::to_dot(y);
  CHECK(dot.find("n1 [label=\"cell.w\\n[2]\"") != std::string::npos);
  CHECK(dot.find("n0 -> n1;\n  n0 -> n1;\n") != std::string::npos);  // both inputs, one leaf node
  // A tensor without history is a lone output node.
  CHECK(ag::to_dot(ag::zeros({3})).find("out [label=\"output\\n[3]\"") != std::string::npos);
}
