// The tutorial's two modules, MyRNNcell and MyRNN, written in C++ as the tutorial writes
// them in Python (shared by the walkthrough, the docs and the tests).
#pragma once

#include <ag/ag.hpp>
#include <memory>
#include <utility>

namespace tutorial {

using ag::Tensor;

// The cell: h_t = tanh(x Wxᵀ + h_{t-1} Whᵀ + b), with Wx, Wh, b drawn from randn.
struct MyRNNcell : ag::nn::Module {
  int64_t hidden_size;
  Tensor Wx, Wh, b;

  MyRNNcell(int64_t input_size, int64_t hidden_size_) : hidden_size(hidden_size_) {
    // nn.Parameter: Wx, Wh and b get gradients and are updated by an optimiser.
    Wx = register_parameter("Wx", ag::randn({hidden_size, input_size}));
    Wh = register_parameter("Wh", ag::randn({hidden_size, hidden_size}));
    b = register_parameter("b", ag::randn({hidden_size}));
  }

  Tensor forward(const Tensor& x, const Tensor& hidden) const {
    // h_t = tanh(x Wxᵀ + h_{t-1} Whᵀ + b)
    return ag::tanh(ag::matmul(x, Wx.t()) + ag::matmul(hidden, Wh.t()) + b);
  }
};

// Many-to-one: runs the cell over every step of x and reads the last state out with a
// sigmoid head.
struct MyRNN : ag::nn::Module {
  int64_t hidden_size;
  std::shared_ptr<MyRNNcell> rnn_cell;
  Tensor Wy;

  MyRNN(int64_t input_size, int64_t hidden_size_, int64_t output_size)
      : hidden_size(hidden_size_) {
    rnn_cell = register_module("rnn_cell", std::make_shared<MyRNNcell>(input_size, hidden_size));
    Wy = register_parameter("Wy", ag::randn({output_size, hidden_size}));
  }

  Tensor init_hidden(int64_t batch_size = 1) const { return ag::zeros({batch_size, hidden_size}); }

  // x [batch, steps, input] -> (sigmoid output [batch, output], last hidden state)
  std::pair<Tensor, Tensor> forward(const Tensor& x) const {
    Tensor h_t = init_hidden(x.size(0));
    for (int64_t i = 0; i < x.size(1); ++i) h_t = rnn_cell->forward(x.select(1, i), h_t);  // x[:, i]
    Tensor output = ag::sigmoid(ag::matmul(h_t, Wy.t()));
    return {output, h_t};
  }
};

}  // namespace tutorial
