// The tutorial "DL-8. RNN" told again in C++ with ag, printing what the tutorial prints.
//
//   cmake --workflow --preset walkthrough
//
// Part 1 computes one RNN step by hand with raw tensors; part 2 wraps the cell in a Module
// (MyRNNcell); part 3 runs it over a sequence (MyRNN, many-to-one); part 4 goes one step
// beyond the tutorial and trains MyRNN by backpropagation through time.
//
// The tutorial's notebook re-ran some cells, and every re-run drew random numbers. The
// comments marked "notebook:" say where, and the code makes the same draws, so that every
// number printed here is the number the tutorial printed (same seed, same numbers).
#include <ag/ag.hpp>
#include <iostream>

#include "tutorial_models.hpp"

using ag::Tensor;
using tutorial::MyRNN;
using tutorial::MyRNNcell;

namespace {

void heading(const char* title) { std::cout << "\n==== " << title << " ====\n"; }

void part1_cell_by_hand() {
  heading("Part 1: one RNN step by hand");
  ag::manual_seed(42);
  ag::randn({4});  // notebook: an earlier demo cell drew randn(4) after the seed

  const int64_t d = 4;  // size of the input x_t
  Tensor x_t = ag::randn({d});
  std::cout << "x_t: " << x_t << "\n";
  std::cout << "x_t.dim(): " << x_t.dim() << "\n";
  std::cout << "x_t.shape(): " << x_t.shape() << "\n";

  const int64_t Dh = 6;  // size of the hidden state
  Tensor h_t_minus_1 = ag::zeros({1, Dh});
  std::cout << "h_t_minus_1: " << h_t_minus_1 << "\n";
  std::cout << "h_t_minus_1.dim(): " << h_t_minus_1.dim() << "\n";
  std::cout << "h_t_minus_1.shape(): " << h_t_minus_1.shape() << "\n";

  ag::randn({Dh, d});  // notebook: the Wx cell ran twice before the run that was kept
  ag::randn({Dh, d});
  Tensor Wx = ag::randn({Dh, d});
  std::cout << "Wx:\n" << Wx << "\n";
  std::cout << "Wx.dim(): " << Wx.dim() << ", Wx.shape(): " << Wx.shape() << "\n";

  Tensor Wh = ag::randn({Dh, Dh});
  std::cout << "Wh:\n" << Wh << "\n";
  std::cout << "Wh.dim(): " << Wh.dim() << ", Wh.shape(): " << Wh.shape() << "\n";

  Tensor b = ag::randn({Dh});
  std::cout << "b:\n" << b << "\n";
  std::cout << "b.dim(): " << b.dim() << ", b.shape(): " << b.shape() << "\n";

  // h_t = tanh(x_t Wxᵀ + h_{t-1} Whᵀ + b)
  Tensor h_t = ag::tanh(ag::matmul(x_t.unsqueeze(0), Wx.t()) +
                        ag::matmul(h_t_minus_1, Wh.t()) + b.unsqueeze(0));
  std::cout << "h_t:\n" << h_t << "\n";

  const int64_t Dy = 2;  // size of the output
  Tensor Wy = ag::randn({Dh, Dy});
  Tensor y_t = ag::sigmoid(ag::matmul(h_t, Wy));
  std::cout << "y_t: " << y_t << "\n";
  std::cout << "y_t.shape(): " << y_t.shape() << "\n";
}

void part2_cell_module() {
  heading("Part 2: the cell as a Module (MyRNNcell)");
  // notebook: the cell was instantiated three times (the seed was not reset in between);
  // the third one is used.
  MyRNNcell(4, 6);
  MyRNNcell(4, 6);
  MyRNNcell model_rnn(4, 6);
  std::cout << model_rnn << "\n";

  ag::manual_seed(42);
  Tensor x_t = ag::randn({1, 4});             // input size 4
  Tensor initial_hidden = ag::randn({1, 6});  // hidden size 6
  Tensor new_h_t = model_rnn.forward(x_t, initial_hidden);
  std::cout << "new hidden state: " << new_h_t << "\n";
}

void part3_many_to_one() {
  heading("Part 3: many-to-one over a sequence (MyRNN)");
  ag::manual_seed(42);
  // notebook: the two cells above (randn(1, 4) and randn(1, 6)) ran twice more, and
  // MyRNNcell was instantiated seven times, before these lines ran.
  for (int i = 0; i < 2; ++i) {
    ag::randn({1, 4});
    ag::randn({1, 6});
  }
  for (int i = 0; i < 7; ++i) MyRNNcell(4, 6);
  // notebook: MyRNN was instantiated four times; the fourth is used.
  for (int i = 0; i < 3; ++i) MyRNN(4, 6, 1);
  MyRNN model_myrnn1(4, 6, 1);

  Tensor sequence_data = ag::tensor({{0.1, 0.2, 0.3, 0.4},
                                     {0.2, 0.3, 0.4, 0.5},
                                     {0.3, 0.4, 0.5, 0.6},
                                     {0.4, 0.5, 0.6, 0.7},
                                     {0.5, 0.6, 0.7, 0.8}});
  // unsqueeze(0): a batch of one sequence, [1, 5, 4]
  auto [output, ht] = model_myrnn1.forward(sequence_data.unsqueeze(0));
  std::cout << "input sequence: " << sequence_data << "\n";
  std::cout << "model output: " << output << " " << ht << "\n";
  std::cout << model_myrnn1 << "\n";
}

// n random sequences of 5 numbers in [0, 1), labelled 1 when the last is larger than the first.
std::pair<Tensor, Tensor> make_task(int64_t n) {
  Tensor x = ag::rand({n, 5, 1});
  std::vector<float> xs = x.to_vector<float>(), labels;
  for (int64_t i = 0; i < n; ++i) labels.push_back(xs[i * 5 + 4] > xs[i * 5] ? 1.0f : 0.0f);
  return {x, ag::from_vector(labels, {n, 1})};
}

void part4_training() {
  heading("Part 4: training MyRNN by backpropagation through time");
  // A many-to-one task the cell must carry information through time for: is the last number
  // of the sequence larger than the first?
  ag::manual_seed(0);
  MyRNN model(1, 8, 1);
  {
    ag::NoGradGuard no_grad;  // the tutorial's randn init is large for training; scale it down
    for (Tensor& p : model.parameters()) p.mul_(0.3);
  }
  auto [x, y] = make_task(256);
  ag::optim::Adam optimizer(model.parameters(), ag::optim::AdamOptions(0.05));
  for (int step = 0; step <= 200; ++step) {
    Tensor loss = ag::nn::functional::binary_cross_entropy(model.forward(x).first, y);
    optimizer.zero_grad();
    loss.backward();  // backpropagation through all 5 time steps
    optimizer.step();
    if (step % 40 == 0) std::cout << "step " << step << "  loss " << loss.item<float>() << "\n";
  }
  // Sequences the model has never seen.
  auto [x_new, y_new] = make_task(1000);
  ag::NoGradGuard no_grad;
  std::vector<float> p = model.forward(x_new).first.to_vector<float>(), t = y_new.to_vector<float>();
  int correct = 0;
  for (size_t i = 0; i < p.size(); ++i) correct += (p[i] > 0.5f) == (t[i] > 0.5f);
  std::cout << "accuracy on 1000 new sequences: " << correct / 10.0 << "%\n";
}

}  // namespace

int main() {
  part1_cell_by_hand();
  part2_cell_module();
  part3_many_to_one();
  part4_training();
}
