// Linear: y = x Wᵀ + b, initialised as torch.nn.Linear (same values after the same seed).
//
//   ag::nn::Linear fc(6, 2);                                   // or Linear(LinearOptions(6, 2).bias(false))
//   ag::Tensor y = fc.forward(h);                              // [B, 6] -> [B, 2]
#pragma once

#include <cstdint>

#include "ag/nn/module.hpp"

namespace ag::nn {

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  LinearOptions& bias(bool b) {
    bias_ = b;
    return *this;
  }
  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  bool bias() const { return bias_; }

 private:
  int64_t in_features_, out_features_;
  bool bias_ = true;
};

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  explicit Linear(const LinearOptions& options);

  /// x [..., in_features] -> [..., out_features]
  Tensor forward(const Tensor& x) const;
  /// Draws weight ~ U(-1/√in, 1/√in) (kaiming_uniform_ with a = √5) and bias likewise,
  /// in that order, from ag's PyTorch-compatible generator.
  void reset_parameters();
  std::string extra_repr() const override;

  LinearOptions options;
  Tensor weight;  // [out_features, in_features]
  Tensor bias;    // [out_features], undefined without bias
};

}  // namespace ag::nn
