// Linear layer.
#include "ag/nn/linear.hpp"

#include <cmath>

#include "ag/autograd.hpp"
#include "ag/factory.hpp"
#include "ag/nn/functional.hpp"

namespace ag::nn {

Linear::Linear(int64_t in, int64_t out, bool bias) : Linear(LinearOptions(in, out).bias(bias)) {}

Linear::Linear(const LinearOptions& o) : options(o) {
  AG_CHECK(o.in_features() >= 0 && o.out_features() >= 0,
           "Linear: in_features and out_features must be non-negative, got ", o.in_features(),
           " and ", o.out_features());
  weight = register_parameter("weight", empty({o.out_features(), o.in_features()}));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_features()}));
  reset_parameters();
}

void Linear::reset_parameters() {
  NoGradGuard no_grad;
  const double fan_in = static_cast<double>(options.in_features());
  // kaiming_uniform_(weight, a=√5), evaluated in PyTorch's order so float64 bounds agree too.
  const double a = std::sqrt(5.0);
  const double gain = std::sqrt(2.0 / (1.0 + a * a));
  const double bound_w = fan_in > 0 ? std::sqrt(3.0) * (gain / std::sqrt(fan_in)) : 0.0;
  weight.uniform_(-bound_w, bound_w);
  if (bias.defined()) {
    const double bound_b = fan_in > 0 ? 1.0 / std::sqrt(fan_in) : 0.0;
    bias.uniform_(-bound_b, bound_b);
  }
}

Tensor Linear::forward(const Tensor& x) const { return functional::linear(x, weight, bias); }

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(options.in_features()) +
         ", out_features=" + std::to_string(options.out_features()) +
         ", bias=" + (options.bias() ? "True" : "False");
}

}  // namespace ag::nn
