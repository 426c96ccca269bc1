// Linear, RNNCell, RNN and Embedding against PyTorch: after the same seed, the parameters are
// bit-identical; outputs, h_n and every parameter gradient match PyTorch's numbers.
#include <cstring>
#include <map>
#include <sstream>

#include "support/check.hpp"

using ag::Tensor;

namespace {

struct Value {
  std::string label;
  ag::Shape shape;
  std::vector<double> values;
};
struct NnExpect {
  std::vector<std::pair<std::string, uint64_t>> param_bits;
  std::vector<Value> values;
};

#include "nn/nn_cases.inc"

// FNV-1a over the raw bytes, as the generator hashes numpy's bytes.
uint64_t fnv(const Tensor& t) {
  Tensor c = t.detach().contiguous();
  const auto* p = static_cast<const unsigned char*>(static_cast<const void*>(c.impl().data()));
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < static_cast<size_t>(c.numel()) * ag::element_size(c.dtype()); ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

void check_init(const ag::nn::Module& m, const NnExpect& e) {
  auto params = m.named_parameters();
  REQUIRE(params.size() == e.param_bits.size());
  for (size_t i = 0; i < params.size(); ++i) {
    INFO("parameter ", params[i].first);
    CHECK(params[i].first == e.param_bits[i].first);
    CHECK(fnv(params[i].second) == e.param_bits[i].second);
  }
}

// The loss the generator backpropagates: sum of (out * w) over the listed outputs.
Tensor weighted(const Tensor& out) {
  std::vector<double> w(static_cast<size_t>(out.numel()));
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<double>((37 * i) % 11) / 4.0 - 1.25;
  return (out * ag::from_vector(w, out.shape(), out.dtype())).sum();
}

void check_values(const NnExpect& e, const std::map<std::string, Tensor>& got) {
  for (const Value& v : e.values) {
    INFO("value ", v.label);
    auto it = got.find(v.label);
    REQUIRE(it != got.end());
    test::check_shape(it->second, v.shape);
    test::check_close(it->second, v.values, 1e-5, 1e-6);
  }
}

std::map<std::string, Tensor> grads_of(const ag::nn::Module& m) {
  std::map<std::string, Tensor> g;
  for (auto& [n, p] : m.named_parameters()) g["grad:" + n] = p.grad();
  return g;
}

}  // namespace

TEST_CASE("RNNCell (tanh) matches PyTorch: init bits, output, gradients") {
  ag::manual_seed(0);
  ag::nn::RNNCell cell(4, 6);
  check_init(cell, rnn_cell_tanh);
  Tensor x = ag::randn({3, 4}).requires_grad_(), h = ag::randn({3, 6}).requires_grad_();
  Tensor out = cell.forward(x, h);
  CHECK(out.grad_fn_name() == "TanhBackward0");
  weighted(out).backward();
  auto got = grads_of(cell);
  got["output"] = out;
  got["grad:x"] = x.grad();
  got["grad:h"] = h.grad();
  check_values(rnn_cell_tanh, got);
}

TEST_CASE("RNNCell (relu, no bias, unbatched) matches PyTorch") {
  ag::manual_seed(1);
  ag::nn::RNNCell cell(ag::nn::RNNCellOptions(4, 5).bias(false).nonlinearity(ag::kReLU));
  check_init(cell, rnn_cell_relu_unbatched);
  Tensor x = ag::randn({4}).requires_grad_();
  Tensor out = cell.forward(x);
  CHECK(out.shape() == std::vector<int64_t>{5});
  weighted(out).backward();
  auto got = grads_of(cell);
  got["output"] = out;
  got["grad:x"] = x.grad();
  check_values(rnn_cell_relu_unbatched, got);
}

namespace {

void run_rnn(ag::nn::RNN& rnn, const NnExpect& e, const ag::Shape& x_shape,
             const ag::Shape& h0_shape = {}, ag::Dtype dtype = ag::kFloat32) {
  check_init(rnn, e);
  Tensor x = ag::randn(x_shape, dtype).requires_grad_();
  Tensor h0 = h0_shape.empty() ? Tensor() : ag::randn(h0_shape, dtype).requires_grad_();
  auto [out, h_n] = rnn.forward(x, h0);
  (weighted(out) + weighted(h_n)).backward();
  auto got = grads_of(rnn);
  got["output"] = out;
  got["h_n"] = h_n;
  got["grad:x"] = x.grad();
  if (h0.defined()) got["grad:h0"] = h0.grad();
  check_values(e, got);
}

}  // namespace

TEST_CASE("RNN, one layer, time-major, matches PyTorch") {
  ag::manual_seed(2);
  ag::nn::RNN rnn(4, 6);
  run_rnn(rnn, rnn_one_layer, {5, 2, 4});
}

TEST_CASE("RNN, 2 layers, bidirectional, batch_first, relu, with h0, matches PyTorch") {
  ag::manual_seed(3);
  ag::nn::RNN rnn(ag::nn::RNNOptions(3, 4)
                      .num_layers(2)
                      .nonlinearity(ag::kReLU)
                      .batch_first(true)
                      .bidirectional(true));
  run_rnn(rnn, rnn_two_layers_bidirectional_relu_batch_first, {2, 5, 3}, {4, 2, 4});
}

TEST_CASE("RNN, unbatched, no bias, matches PyTorch") {
  ag::manual_seed(4);
  ag::nn::RNN rnn(ag::nn::RNNOptions(3, 5).num_layers(2).bias(false));
  run_rnn(rnn, rnn_unbatched_no_bias, {6, 3});
}

TEST_CASE("RNN with dropout between layers draws PyTorch's masks while training") {
  ag::manual_seed(5);
  ag::nn::RNN rnn(ag::nn::RNNOptions(3, 4).num_layers(3).dropout(0.5));
  CHECK(rnn.is_training());
  run_rnn(rnn, rnn_dropout_training, {4, 2, 3});
}

TEST_CASE("RNN in float64 matches PyTorch") {
  ag::manual_seed(9);
  ag::nn::RNN rnn(ag::nn::RNNOptions(2, 3).batch_first(true));
  rnn.to(ag::kFloat64);
  CHECK(rnn.weights[0].w_ih.dtype() == ag::kFloat64);
  run_rnn(rnn, rnn_float64, {2, 3, 2}, {}, ag::kFloat64);
}

TEST_CASE("Linear matches PyTorch on 2-D and 3-D inputs") {
  ag::manual_seed(6);
  ag::nn::Linear fc(4, 3);
  check_init(fc, linear);
  Tensor x = ag::randn({2, 4}).requires_grad_(), x3 = ag::randn({2, 5, 4}).requires_grad_();
  Tensor y = fc.forward(x), y3 = fc.forward(x3);
  CHECK(y.grad_fn_name() == "AddmmBackward0");
  CHECK(y3.grad_fn_name() == "ViewBackward0");
  (weighted(y) + weighted(y3)).backward();
  auto got = grads_of(fc);
  got["output"] = y;
  got["output3"] = y3;
  got["grad:x"] = x.grad();
  got["grad:x3"] = x3.grad();
  check_values(linear, got);
}

TEST_CASE("Linear without bias matches PyTorch") {
  ag::manual_seed(7);
  ag::nn::Linear fc(ag::nn::LinearOptions(5, 2).bias(false));
  check_init(fc, linear_no_bias);
  CHECK_FALSE(fc.bias.defined());
  Tensor x = ag::randn({3, 5}).requires_grad_();
  Tensor y = fc.forward(x);
  weighted(y).backward();
  auto got = grads_of(fc);
  got["output"] = y;
  got["grad:x"] = x.grad();
  check_values(linear_no_bias, got);
}

TEST_CASE("Embedding with padding_idx matches PyTorch") {
  ag::manual_seed(8);
  ag::nn::Embedding emb(ag::nn::EmbeddingOptions(10, 3).padding_idx(0));
  check_init(emb, embedding_padding);
  Tensor idx = ag::from_vector(std::vector<int64_t>{0, 2, 4, 4, 9, 0}, {2, 3});
  Tensor y = emb.forward(idx);
  CHECK(y.grad_fn_name() == "EmbeddingBackward0");
  weighted(y).backward();
  auto got = grads_of(emb);
  got["output"] = y;
  check_values(embedding_padding, got);
}

TEST_CASE("a registered parameter prints as PyTorch prints an nn.Parameter") {
  ag::nn::Linear fc(2, 1);
  {
    ag::NoGradGuard no_grad;
    fc.weight.copy_(ag::tensor({{0.25, -0.5}}));
  }
  std::ostringstream os;
  os << fc.weight;
  CHECK(os.str() == "Parameter containing:\ntensor([[ 0.2500, -0.5000]], requires_grad=True)");
  std::ostringstream plain;
  plain << fc.weight.detach();  // a detached alias is no longer the parameter
  CHECK(plain.str() == "tensor([[ 0.2500, -0.5000]])");
}
