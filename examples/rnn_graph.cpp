// Writes the computation graph of the tutorial's MyRNN over its 5-step sequence in Graphviz
// DOT, so backpropagation through time can be seen: the same Wx, Wh and b feed every step.
//
//   ./rnn_graph > myrnn.dot && dot -Tsvg myrnn.dot -o myrnn.svg
#include <ag/ag.hpp>
#include <iostream>

#include "tutorial_models.hpp"

int main(int argc, char**) {
  if (argc > 1) {
    std::cout << "usage: rnn_graph > graph.dot\n"
                 "Prints the graph of MyRNN's forward pass over 5 steps (Graphviz DOT);\n"
                 "render it with: dot -Tsvg graph.dot -o graph.svg\n";
    return 0;
  }
  ag::manual_seed(42);
  tutorial::MyRNN model(4, 6, 1);
  ag::Tensor sequence = ag::tensor({{0.1, 0.2, 0.3, 0.4},
                                    {0.2, 0.3, 0.4, 0.5},
                                    {0.3, 0.4, 0.5, 0.6},
                                    {0.4, 0.5, 0.6, 0.7},
                                    {0.5, 0.6, 0.7, 0.8}});
  ag::Tensor output = model.forward(sequence.unsqueeze(0)).first;
  std::cout << ag::to_dot(output);
}
