// Seeing the graph: the operations recorded behind a tensor, in Graphviz DOT.
//
//   ag::Tensor loss = model.forward(x).sum();
//   std::ofstream("graph.dot") << ag::to_dot(loss);   // then: dot -Tsvg graph.dot -o graph.svg
//
// One box per operation, labelled with PyTorch's grad_fn name and the shape of what it
// produced; one ellipse per leaf tensor, labelled with its parameter name when a Module owns
// it; edges point the way gradients flow, from the output back to the leaves.
#pragma once

#include <string>

#include "ag/tensor.hpp"

namespace ag {

std::string to_dot(const Tensor& output);

}  // namespace ag
