// RNNCell and RNN (Elman networks), shaped, named and initialised exactly as PyTorch's.
//
//   ag::nn::RNN rnn(ag::nn::RNNOptions(4, 6).num_layers(2).batch_first(true));
//   auto [output, h_n] = rnn.forward(x);           // x [B, T, 4] -> output [B, T, 6], h_n [2, B, 6]
//
//   ag::nn::RNNCell cell(ag::nn::RNNCellOptions(4, 6));
//   ag::Tensor h = cell.forward(x_t, h);          // one time step: tanh(x Wihᵀ + bih + h Whhᵀ + bhh)
//
// RNN computes the input-to-hidden projection of all time steps of a layer with one matrix
// product before its time loop, as cuDNN and PyTorch do; only the hidden-to-hidden product
// runs step by step. Each layer and direction is one fused graph node whose backward runs
// through time and computes each weight gradient with one product over all steps; RNNCell,
// by contrast, records the ordinary per-step ops, so a loop over it shows BPTT step by step.
#pragma once

#include <cstdint>
#include <tuple>

#include "ag/nn/module.hpp"

namespace ag {

enum class Nonlinearity { Tanh, ReLU };
inline constexpr Nonlinearity kTanh = Nonlinearity::Tanh;
inline constexpr Nonlinearity kReLU = Nonlinearity::ReLU;

}  // namespace ag

namespace ag::nn {

struct RNNCellOptions {
  RNNCellOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  RNNCellOptions& bias(bool b) {
    bias_ = b;
    return *this;
  }
  RNNCellOptions& nonlinearity(Nonlinearity n) {
    nonlinearity_ = n;
    return *this;
  }
  int64_t input_size() const { return input_size_; }
  int64_t hidden_size() const { return hidden_size_; }
  bool bias() const { return bias_; }
  Nonlinearity nonlinearity() const { return nonlinearity_; }

 private:
  int64_t input_size_, hidden_size_;
  bool bias_ = true;
  Nonlinearity nonlinearity_ = kTanh;
};

struct RNNOptions {
  RNNOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  RNNOptions& num_layers(int64_t n) {
    num_layers_ = n;
    return *this;
  }
  RNNOptions& nonlinearity(Nonlinearity n) {
    nonlinearity_ = n;
    return *this;
  }
  RNNOptions& bias(bool b) {
    bias_ = b;
    return *this;
  }
  RNNOptions& batch_first(bool b) {
    batch_first_ = b;
    return *this;
  }
  RNNOptions& dropout(double p) {
    dropout_ = p;
    return *this;
  }
  RNNOptions& bidirectional(bool b) {
    bidirectional_ = b;
    return *this;
  }
  int64_t input_size() const { return input_size_; }
  int64_t hidden_size() const { return hidden_size_; }
  int64_t num_layers() const { return num_layers_; }
  Nonlinearity nonlinearity() const { return nonlinearity_; }
  bool bias() const { return bias_; }
  bool batch_first() const { return batch_first_; }
  double dropout() const { return dropout_; }
  bool bidirectional() const { return bidirectional_; }

 private:
  int64_t input_size_, hidden_size_;
  int64_t num_layers_ = 1;
  Nonlinearity nonlinearity_ = kTanh;
  bool bias_ = true;
  bool batch_first_ = false;
  double dropout_ = 0.0;
  bool bidirectional_ = false;
};

class RNNCell : public Module {
 public:
  RNNCell(int64_t input_size, int64_t hidden_size);
  explicit RNNCell(const RNNCellOptions& options);

  /// x [B, input] (or [input]), h [B, hidden] (zeros when undefined) -> the next h.
  Tensor forward(const Tensor& x, const Tensor& h = Tensor()) const;
  /// Every parameter ~ U(-1/√hidden, 1/√hidden), in registration order.
  void reset_parameters();
  std::string extra_repr() const override;

  RNNCellOptions options;
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;
};

class RNN : public Module {
 public:
  explicit RNN(const RNNOptions& options);
  RNN(int64_t input_size, int64_t hidden_size) : RNN(RNNOptions(input_size, hidden_size)) {}

  /// x [T, B, input] ([B, T, input] with batch_first; [T, input] unbatched),
  /// h0 [layers * directions, B, hidden] (zeros when undefined)
  /// -> (output [T, B, directions * hidden] (batch_first: [B, T, ...]), h_n like h0).
  std::tuple<Tensor, Tensor> forward(const Tensor& x, const Tensor& h0 = Tensor());
  void reset_parameters();
  std::string extra_repr() const override;

  RNNOptions options;
  /// Per layer and direction: weight_ih, weight_hh, bias_ih, bias_hh (biases may be undefined).
  struct Weights {
    Tensor w_ih, w_hh, b_ih, b_hh;
  };
  std::vector<Weights> weights;  // index = layer * directions + direction
};

}  // namespace ag::nn
