// Module: registration and names, traversal order, modes, zero_grad, state dicts and their
// errors, checkpoints through safetensors, dtype conversion and the printed structure.
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "support/check.hpp"
#include "tutorial_models.hpp"

using ag::Tensor;

namespace {

struct Net : ag::nn::Module {
  std::shared_ptr<ag::nn::RNN> rnn;
  std::shared_ptr<ag::nn::Linear> head;
  Tensor scale;
  Net() {
    scale = register_parameter("scale", ag::ones({1}));
    rnn = register_module("rnn", std::make_shared<ag::nn::RNN>(ag::nn::RNNOptions(3, 4).num_layers(2)));
    head = register_module("head", std::make_shared<ag::nn::Linear>(4, 2));
  }
};

std::string repr(const ag::nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

}  // namespace

TEST_CASE("named_parameters lists own parameters, then children's, with dotted names") {
  Net net;
  std::vector<std::string> names;
  for (auto& [n, p] : net.named_parameters()) names.push_back(n);
  CHECK(names == std::vector<std::string>{
                     "scale", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0",
                     "rnn.bias_hh_l0", "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1",
                     "rnn.bias_hh_l1", "head.weight", "head.bias"});
  CHECK(net.parameters().size() == 11);
  CHECK(net.parameters(/*recurse=*/false).size() == 1);
  CHECK(net.children().size() == 2);
  CHECK(net.named_parameter("head.bias").shape() == std::vector<int64_t>{2});
  CHECK(net.head->bias.name() == "head.bias");  // graph pictures use the full name
  for (const Tensor& p : net.parameters()) {
    CHECK(p.requires_grad());
    CHECK(p.is_leaf());
  }
  CHECK_THROWS_WITH_AS(net.named_parameter("nope"), "Net: no parameter named 'nope'", ag::Error);
}

TEST_CASE("registration refuses bad and repeated names") {
  struct M : ag::nn::Module {
    void add(const std::string& n) { register_parameter(n, ag::zeros({1})); }
    void child(const std::string& n) { register_module(n, std::make_shared<ag::nn::Tanh>()); }
  } m;
  m.add("w");
  CHECK_THROWS_WITH_AS(m.add("w"), "register_parameter: attribute 'w' already exists (a parameter)",
                       ag::Error);
  CHECK_THROWS_WITH_AS(m.child("w"), "register_module: attribute 'w' already exists (a parameter)",
                       ag::Error);
  CHECK_THROWS_WITH_AS(m.add(""), "register_parameter: the name must not be empty", ag::Error);
  CHECK_THROWS_WITH_AS(m.add("a.b"),
                       "register_parameter: the name 'a.b' must not contain '.' (dots separate "
                       "the names of nested modules)",
                       ag::Error);
}

TEST_CASE("register_parameter makes a leaf that requires grad, sharing the data") {
  struct M : ag::nn::Module {
    Tensor w, frozen;
    explicit M(const Tensor& t) {
      w = register_parameter("w", t);
      frozen = register_parameter("frozen", ag::ones({2}), /*requires_grad=*/false);
    }
  };
  Tensor data = ag::zeros({2});
  Tensor made = data * 2.0;  // a non-leaf becomes a leaf parameter
  M m(made);
  CHECK(m.w.is_leaf());
  CHECK(m.w.requires_grad());
  CHECK_FALSE(m.frozen.requires_grad());
  CHECK(m.parameters().size() == 2);
}

TEST_CASE("train/eval propagate to children; zero_grad zeroes or drops gradients") {
  Net net;
  CHECK(net.is_training());
  net.eval();
  CHECK_FALSE(net.is_training());
  CHECK_FALSE(net.rnn->is_training());
  net.train();
  CHECK(net.head->is_training());

  Tensor y = net.head->forward(ag::ones({1, 4})).sum();
  y.backward();
  CHECK(net.head->weight.grad().defined());
  net.zero_grad();
  test::check_close(net.head->weight.grad(), std::vector<double>(8, 0.0));
  net.zero_grad(/*set_to_none=*/true);
  CHECK_FALSE(net.head->weight.grad().defined());
}

TEST_CASE("state_dict round trip and load_state_dict errors change nothing") {
  ag::manual_seed(1);
  Net a;
  ag::manual_seed(2);
  Net b;
  b.load_state_dict(a.state_dict());
  for (size_t i = 0; i < a.parameters().size(); ++i)
    CHECK(a.parameters()[i].to_vector<float>() == b.parameters()[i].to_vector<float>());

  ag::manual_seed(3);
  Net c;
  std::vector<float> before = c.head->weight.to_vector<float>();
  auto sd = a.state_dict();
  sd.erase(sd.begin());                                 // drop "scale"
  sd.emplace_back("extra", ag::zeros({1}));
  sd[sd.size() - 2].second = ag::zeros({3});            // head.bias with a wrong shape
  CHECK_THROWS_WITH_AS(c.load_state_dict(sd),
                       "Error(s) in loading state_dict for Net:\n"
                       "\tMissing key(s) in state_dict: \"scale\".\n"
                       "\tUnexpected key(s) in state_dict: \"extra\".\n"
                       "\tsize mismatch for head.bias: copying a param with shape [3] from "
                       "checkpoint, the shape in current model is [2].",
                       ag::Error);
  CHECK(c.head->weight.to_vector<float>() == before);  // nothing was loaded
  sd.pop_back();
  sd.pop_back();
  sd.emplace_back("head.bias", a.head->bias);
  c.load_state_dict(sd, /*strict=*/false);  // "scale" missing is fine when not strict
  CHECK(c.head->weight.to_vector<float>() == a.head->weight.to_vector<float>());
}

TEST_CASE("save and load go through safetensors") {
  const std::string path = temp_path("ag_module_test.safetensors");
  ag::manual_seed(4);
  tutorial::MyRNN saved(4, 6, 1);
  saved.save(path);
  auto file = ag::load_safetensors(path);
  std::vector<std::string> names;
  for (auto& [n, t] : file) names.push_back(n);
  CHECK(names.size() == 4);
  ag::manual_seed(5);
  tutorial::MyRNN loaded(4, 6, 1);
  loaded.load(path);
  CHECK(loaded.Wy.to_vector<float>() == saved.Wy.to_vector<float>());
  CHECK(loaded.rnn_cell->Wh.to_vector<float>() == saved.rnn_cell->Wh.to_vector<float>());

  tutorial::MyRNN other(4, 7, 1);  // wrong shapes: refused, nothing changed
  std::vector<float> before = other.Wy.to_vector<float>();
  CHECK_THROWS_AS(other.load(path), ag::Error);
  CHECK(other.Wy.to_vector<float>() == before);
  std::remove(path.c_str());
}

TEST_CASE("to(kFloat64) converts every parameter in place") {
  ag::nn::Linear fc(3, 2);
  Tensor handle = fc.weight;  // held elsewhere, as an optimiser would
  std::vector<float> values = fc.weight.to_vector<float>();
  fc.to(ag::kFloat64);
  CHECK(handle.dtype() == ag::kFloat64);
  CHECK(fc.bias.dtype() == ag::kFloat64);
  std::vector<double> converted = handle.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) CHECK(converted[i] == static_cast<double>(values[i]));
  Tensor y = fc.forward(ag::ones({1, 3}, ag::kFloat64)).sum();
  y.backward();
  CHECK(fc.weight.grad().dtype() == ag::kFloat64);
  CHECK_THROWS_WITH_AS(fc.to(ag::kInt64),
                       "Linear.to: parameters must be float32 or float64, not int64", ag::Error);
}

TEST_CASE("modules print as PyTorch's module repr") {
  CHECK(repr(ag::nn::Linear(4, 6)) == "Linear(in_features=4, out_features=6, bias=True)");
  CHECK(repr(ag::nn::RNNCell(ag::nn::RNNCellOptions(4, 6).bias(false).nonlinearity(ag::kReLU))) ==
        "RNNCell(4, 6, bias=False, nonlinearity=relu)");
  CHECK(repr(ag::nn::RNN(ag::nn::RNNOptions(4, 6)
                             .nonlinearity(ag::kReLU)
                             .dropout(0.1)
                             .num_layers(2)
                             .batch_first(true)
                             .bidirectional(true))) ==
        "RNN(4, 6, num_layers=2, batch_first=True, dropout=0.1, bidirectional=True)");
  CHECK(repr(ag::nn::Embedding(ag::nn::EmbeddingOptions(10, 3).padding_idx(0))) ==
        "Embedding(10, 3, padding_idx=0)");
  CHECK(repr(ag::nn::Dropout(0.25)) == "Dropout(p=0.25, inplace=False)");
  ag::nn::Sequential seq(std::make_shared<ag::nn::Linear>(2, 3), std::make_shared<ag::nn::Tanh>());
  CHECK(repr(seq) ==
        "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): Tanh()\n)");
  struct C : ag::nn::Module {
    C() {
      register_module("rnn", std::make_shared<ag::nn::RNN>(4, 6));
      auto head = std::make_shared<ag::nn::Sequential>();
      head->push_back(std::make_shared<ag::nn::Linear>(6, 1));
      register_module("head", head);
    }
  };
  CHECK(repr(C()) == "C(\n  (rnn): RNN(4, 6)\n  (head): Sequential(\n    (0): Linear(in_features=6, "
                     "out_features=1, bias=True)\n  )\n)");
}

TEST_CASE("Sequential applies its modules in order") {
  ag::manual_seed(0);
  auto fc = std::make_shared<ag::nn::Linear>(3, 2);
  ag::nn::Sequential seq(fc, std::make_shared<ag::nn::Tanh>());
  Tensor x = ag::randn({4, 3});
  test::check_close(seq.forward(x), ag::tanh(fc->forward(x)).to_vector<double>());
  CHECK(seq.size() == 2);
  CHECK(seq.named_parameters()[0].first == "0.weight");
}

TEST_CASE("layers refuse bad sizes and inputs with clear messages") {
  CHECK_THROWS_WITH_AS(ag::nn::RNN(ag::nn::RNNOptions(4, 0)),
                       "RNN: hidden_size must be greater than zero, got 0", ag::Error);
  CHECK_THROWS_WITH_AS(ag::nn::RNN(ag::nn::RNNOptions(4, 6).dropout(1.5)),
                       "RNN: dropout should be a number in range [0, 1] representing the "
                       "probability of an element being zeroed, got 1.5",
                       ag::Error);
  ag::nn::RNN rnn(4, 6);
  CHECK_THROWS_WITH_AS(rnn.forward(ag::zeros({5, 2, 3})),
                       "RNN: input.size(-1) must be equal to input_size. Expected 4, got 3",
                       ag::Error);
  CHECK_THROWS_WITH_AS(rnn.forward(ag::zeros({5, 2, 4}), ag::zeros({1, 3, 6})),
                       "RNN: expected hidden size [1, 2, 6], got [1, 3, 6]", ag::Error);
  CHECK_THROWS_WITH_AS(rnn.forward(ag::zeros({2, 5, 2, 4})),
                       "RNN: expected input to be 2-D or 3-D, got 4-D tensor of shape [2, 5, 2, 4] "
                       "instead",
                       ag::Error);
  CHECK_THROWS_WITH_AS(rnn.forward(ag::zeros({5, 2, 4}, ag::kFloat64)),
                       "RNN: input is float64 but the parameters are float32", ag::Error);
  ag::nn::RNNCell cell(4, 6);
  CHECK_THROWS_WITH_AS(cell.forward(ag::zeros({2, 4}), ag::zeros({3, 6})),
                       "RNNCell: hidden state of shape [3, 6] does not match input of shape [2, 4]: "
                       "expected [2, 6]",
                       ag::Error);
  ag::nn::Linear fc(4, 2);
  CHECK_THROWS_WITH_AS(fc.forward(ag::zeros({3, 5})),
                       "linear: input of shape [3, 5] does not end in in_features = 4 (weight "
                       "shape [2, 4])",
                       ag::Error);
  ag::nn::Embedding emb(5, 2);
  CHECK_THROWS_WITH_AS(emb.forward(ag::from_vector(std::vector<int64_t>{1, 5})),
                       "embedding: index 5 is out of range for 5 embeddings", ag::Error);
  CHECK_THROWS_WITH_AS(emb.forward(ag::zeros({2})),
                       "embedding: indices must be int64, got float32 of shape [2]", ag::Error);
}
