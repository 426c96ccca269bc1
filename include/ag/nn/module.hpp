// Parameter and Module: the building blocks of models, shaped like PyTorch's nn.Module and
// libtorch's C++ frontend (register_parameter / register_module), without a holder layer:
// modules are plain classes used with `.`, children are held by std::shared_ptr.
//
//   struct MyRNNcell : ag::nn::Module {
//     ag::Tensor Wx, Wh, b;
//     MyRNNcell(int64_t in, int64_t hidden) {
//       Wx = register_parameter("Wx", ag::randn({hidden, in}));
//       Wh = register_parameter("Wh", ag::randn({hidden, hidden}));
//       b = register_parameter("b", ag::randn({hidden}));
//     }
//     ag::Tensor forward(const ag::Tensor& x, const ag::Tensor& h) {
//       return ag::tanh(ag::matmul(x, Wx.t()) + ag::matmul(h, Wh.t()) + b);
//     }
//   };
#pragma once

#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ag/tensor.hpp"

namespace ag::nn {

/// A leaf tensor that requires grad: the thing a Module registers (torch.nn.Parameter).
/// Prints as PyTorch prints a parameter ("Parameter containing:\n tensor(...)").
class Parameter : public Tensor {
 public:
  explicit Parameter(const Tensor& data, bool requires_grad = true);
};

/// Names and tensors in registration order: what state_dict() returns and checkpoints hold.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// Makes `tensor` a parameter of this module (a leaf that requires grad unless told
  /// otherwise) and returns it; the returned handle shares data with the registered one.
  Tensor register_parameter(const std::string& name, const Tensor& tensor,
                            bool requires_grad = true);
  /// Adds a child module; its parameters appear as "name.param" in named_parameters().
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    static_assert(std::is_base_of_v<Module, M>, "register_module: M must derive from ag::nn::Module");
    add_child(name, module);
    return module;
  }

  /// All parameters, this module's first, then each child's, in registration order.
  std::vector<Tensor> parameters(bool recurse = true) const;
  /// The same with dotted names, as PyTorch's named_parameters() ("rnn_cell.Wx").
  NamedTensors named_parameters(bool recurse = true) const;
  /// The parameter with this dotted name, or ag::Error.
  Tensor named_parameter(const std::string& name) const;
  std::vector<std::shared_ptr<Module>> children() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const {
    return children_;
  }

  /// Zeroes every parameter's gradient in place (PyTorch 1.13's default), or drops it.
  void zero_grad(bool set_to_none = false);
  /// Training mode (dropout active) for this module and its children.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  /// Parameters by dotted name, in registration order (copies share data with the model).
  NamedTensors state_dict() const;
  /// Copies values into the parameters. With strict, a missing or unexpected name is an
  /// error; a wrong shape always is. Nothing is changed when anything is wrong.
  void load_state_dict(const NamedTensors& state, bool strict = true);
  /// Writes state_dict() to a safetensors file (atomically), readable by PyTorch, with
  /// optional string metadata (the file's "__metadata__").
  void save(const std::string& path, const std::map<std::string, std::string>& metadata = {}) const;
  /// Reads a safetensors file written by save() or by PyTorch, loads it (strict) and returns
  /// the file's metadata.
  std::map<std::string, std::string> load(const std::string& path);
  /// Converts every parameter to `dtype` in place; handles held elsewhere see the change.
  void to(Dtype dtype);

  /// The class name shown when printing ("MyRNN", "Linear").
  virtual std::string name() const;
  /// The part inside the parentheses of the printed form ("in_features=4, ...").
  virtual std::string extra_repr() const { return ""; }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> child);
  void check_new_name(const std::string& name, const char* op) const;
  void print(std::ostream& os, int indent) const;
  friend std::ostream& operator<<(std::ostream& os, const Module& m);

  NamedTensors parameters_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

/// Prints the structure as PyTorch's module repr does:
///   MyRNN(
///     (rnn_cell): MyRNNcell()
///   )
std::ostream& operator<<(std::ostream& os, const Module& m);

}  // namespace ag::nn
