// gradcheck: proves a derivative by comparing it with central finite differences, in the
// spirit of torch.autograd.gradcheck.
//
//   auto x = ag::randn({3, 4}, ag::TensorOptions().dtype(ag::kFloat64).requires_grad(true));
//   auto r = ag::gradcheck([](const std::vector<ag::Tensor>& in) { return ag::tanh(in[0]); }, {x});
//   if (!r.ok) std::cout << r.message;
//
// For every output element k and every element j of every input that requires grad, the
// analytical Jacobian entry (from backward with a one-hot gradient) must satisfy
// |analytical - numerical| <= atol + rtol * |numerical|, where
// numerical = (f(x + eps e_j) - f(x - eps e_j))[k] / (2 eps).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ag/tensor.hpp"

namespace ag {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

/// The outcome, with the worst element when a check fails.
struct GradcheckResult {
  bool ok = true;
  std::string message;  // empty when ok; otherwise names input, index, output and both values
  size_t input = 0;     // which input the worst element belongs to
  int64_t index = 0;    // flat (row-major) index of the element within that input
  size_t output = 0;    // which output
  int64_t output_index = 0;
  double analytical = 0;
  double numerical = 0;
};

using GradcheckFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

/// Checks every input that requires grad (they must be float64). Throws ag::Error only on
/// misuse (no input requires grad, a float32 input, an output that is not floating).
GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});
/// Overload for a function with a single output.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

}  // namespace ag
