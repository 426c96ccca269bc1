// Small layers: Embedding, Dropout, the activations as modules, and Sequential.
//
//   ag::nn::Sequential head(std::make_shared<ag::nn::Linear>(6, 6),
//                           std::make_shared<ag::nn::Tanh>(),
//                           std::make_shared<ag::nn::Linear>(6, 2));
//   ag::Tensor y = head.forward(h);
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ag/nn/module.hpp"

namespace ag::nn {

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  EmbeddingOptions& padding_idx(int64_t i) {
    padding_idx_ = i;
    return *this;
  }
  int64_t num_embeddings() const { return num_embeddings_; }
  int64_t embedding_dim() const { return embedding_dim_; }
  int64_t padding_idx() const { return padding_idx_; }

 private:
  int64_t num_embeddings_, embedding_dim_;
  int64_t padding_idx_ = -1;  // none
};

/// A lookup table: int64 indices [...] -> rows of weight [..., embedding_dim].
/// weight ~ N(0, 1) as in PyTorch; the padding row (if any) starts at zero and gets no gradient.
class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim)
      : Embedding(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit Embedding(const EmbeddingOptions& options);
  Tensor forward(const Tensor& indices) const;
  void reset_parameters();
  std::string extra_repr() const override;

  EmbeddingOptions options;
  Tensor weight;  // [num_embeddings, embedding_dim]
};

/// Zeroes elements with probability p while training (scaling the rest by 1/(1-p)).
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& x) const;
  std::string extra_repr() const override;
  double p;
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& x) const;
};
class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) const;
};
class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) const;
};

/// Modules applied one after another; each must have `Tensor forward(const Tensor&)`.
class Sequential : public Module {
 public:
  Sequential() = default;
  template <class... M>
  explicit Sequential(std::shared_ptr<M>... modules) {
    (push_back(std::move(modules)), ...);
  }
  /// Appends a module named by its position ("0", "1", ...).
  template <class M>
  Sequential& push_back(std::shared_ptr<M> module) {
    return push_back(std::to_string(steps_.size()), std::move(module));
  }
  template <class M>
  Sequential& push_back(const std::string& name, std::shared_ptr<M> module) {
    register_module(name, module);
    steps_.push_back([m = module.get()](const Tensor& x) { return m->forward(x); });
    return *this;
  }
  Tensor forward(const Tensor& x) const;
  size_t size() const { return steps_.size(); }

 private:
  std::vector<std::function<Tensor(const Tensor&)>> steps_;
};

}  // namespace ag::nn
