// Embedding, Dropout, the activation modules and Sequential.
#include "ag/nn/layers.hpp"

#include "ag/autograd.hpp"
#include "ag/factory.hpp"
#include "ag/nn/functional.hpp"
#include "ag/ops/activation.hpp"
#include "nn/python_repr.hpp"

namespace ag::nn {

Embedding::Embedding(const EmbeddingOptions& o) : options(o) {
  AG_CHECK(o.num_embeddings() >= 0 && o.embedding_dim() >= 0,
           "Embedding: sizes must be non-negative, got ", o.num_embeddings(), " and ",
           o.embedding_dim());
  AG_CHECK(o.padding_idx() == -1 || (o.padding_idx() >= 0 && o.padding_idx() < o.num_embeddings()),
           "Embedding: padding_idx must be within num_embeddings (", o.num_embeddings(), "), got ",
           o.padding_idx());
  weight = register_parameter("weight", empty({o.num_embeddings(), o.embedding_dim()}));
  reset_parameters();
}

void Embedding::reset_parameters() {
  NoGradGuard no_grad;
  weight.normal_(0.0, 1.0);
  if (options.padding_idx() >= 0) weight.select(0, options.padding_idx()).zero_();
}

Tensor Embedding::forward(const Tensor& indices) const {
  return functional::embedding(indices, weight, options.padding_idx());
}

std::string Embedding::extra_repr() const {
  std::string s = std::to_string(options.num_embeddings()) + ", " + std::to_string(options.embedding_dim());
  if (options.padding_idx() >= 0) s += ", padding_idx=" + std::to_string(options.padding_idx());
  return s;
}

Dropout::Dropout(double p_) : p(p_) {
  AG_CHECK(p >= 0 && p <= 1, "Dropout: probability has to be between 0 and 1, but got ", p);
}
Tensor Dropout::forward(const Tensor& x) const { return functional::dropout(x, p, is_training()); }
std::string Dropout::extra_repr() const { return "p=" + python_float(p) + ", inplace=False"; }

Tensor Tanh::forward(const Tensor& x) const { return tanh(x); }
Tensor Sigmoid::forward(const Tensor& x) const { return sigmoid(x); }
Tensor ReLU::forward(const Tensor& x) const { return relu(x); }

Tensor Sequential::forward(const Tensor& x) const {
  Tensor y = x;
  for (const auto& f : steps_) y = f(y);
  return y;
}

}  // namespace ag::nn
