// linear, dropout and embedding: the functional forms the layers are built on.
#include "ag/nn/functional.hpp"

#include "ag/autograd.hpp"
#include "ag/factory.hpp"
#include "ag/ops/elementwise.hpp"
#include "ag/ops/linalg.hpp"
#include "ag/ops/shape.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"

namespace ag::nn::functional {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  detail::check_floating(x, "linear");
  detail::check_floating(weight, "linear");
  AG_CHECK(weight.dim() == 2, "linear: weight must be 2-D [out, in], got shape ", weight.shape());
  AG_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: input of shape ", x.shape(),
           " does not end in in_features = ", weight.size(1), " (weight shape ", weight.shape(), ")");
  AG_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == weight.size(0)),
           "linear: bias of shape ", bias.shape(), " does not match out_features = ", weight.size(0));
  // The same paths as PyTorch's at::linear, so grad_fn names and roundings agree.
  if (bias.defined() && x.dim() == 2) return addmm(bias, x, weight.t());
  if (bias.defined() && x.dim() == 3 && x.is_contiguous()) {
    Tensor rows = addmm(bias, x.view({x.size(0) * x.size(1), x.size(2)}), weight.t());
    return rows.view({x.size(0), x.size(1), weight.size(0)});
  }
  Tensor out = matmul(x, weight.t());
  return bias.defined() ? out + bias : out;
}

Tensor dropout(const Tensor& x, double p, bool training) {
  detail::check_floating(x, "dropout");
  AG_CHECK(p >= 0 && p <= 1, "dropout: probability has to be between 0 and 1, but got ", p);
  if (!training || p == 0) return x;
  if (p == 1) return x * zeros_like(x);
  // PyTorch: noise = empty_like(x).bernoulli_(1 - p).div_(1 - p); x * noise
  Tensor noise = empty_like(x);
  noise.bernoulli_(1 - p);
  noise.div_(1 - p);
  return x * noise;
}

Tensor embedding(const Tensor& indices, const Tensor& weight, int64_t padding_idx) {
  detail::check_defined(indices, "embedding");
  detail::check_floating(weight, "embedding");
  AG_CHECK(indices.dtype() == kInt64, "embedding: indices must be int64, got ",
           dtype_name(indices.dtype()), " of shape ", indices.shape());
  AG_CHECK(weight.dim() == 2, "embedding: weight must be 2-D [num_embeddings, dim], got shape ",
           weight.shape());
  const int64_t num = weight.size(0), dim = weight.size(1);
  std::vector<int64_t> idx = indices.to_vector<int64_t>();
  for (int64_t i : idx)
    AG_CHECK(i >= 0 && i < num, "embedding: index ", i, " is out of range for ", num,
             " embeddings");
  Shape shape = indices.shape();
  shape.push_back(dim);
  Tensor out = detail::empty(shape, weight.dtype());
  Tensor w = weight.contiguous();
  kernels::dispatch_floating(weight.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* src = w.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    for (size_t r = 0; r < idx.size(); ++r)
      std::copy(src + idx[r] * dim, src + (idx[r] + 1) * dim, dst + r * dim);
  });
  record(out, "EmbeddingBackward0", {weight}, {indices},
         [num, dim, padding_idx](const BackwardContext& c) -> Grads {
           // out[r] = weight[idx[r]]:  dweight[idx[r]] += g[r]  (except the padding row)
           std::vector<int64_t> idx = c.saved(0).to_vector<int64_t>();
           Tensor g = c.grad.contiguous();
           Tensor dw = zeros({num, dim}, g.dtype());
           kernels::dispatch_floating(g.dtype(), [&](auto zero) {
             using T = decltype(zero);
             const T* pg = g.data_ptr<T>();
             T* pw = dw.data_ptr<T>();
             for (size_t r = 0; r < idx.size(); ++r) {
               if (idx[r] == padding_idx) continue;
               for (int64_t j = 0; j < dim; ++j) pw[idx[r] * dim + j] += pg[r * dim + j];
             }
           });
           return {dw};
         });
  return out;
}

}  // namespace ag::nn::functional
