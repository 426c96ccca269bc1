// gradcheck: analytical Jacobian (one backward per output element) against central finite
// differences (two forward evaluations per input element).
#include "ag/gradcheck.hpp"

#include <cmath>
#include <sstream>

#include "ag/autograd.hpp"
#include "ag/factory.hpp"
#include "core/make.hpp"

namespace ag {
namespace {

// Address of the element with row-major index `flat` of a float64 tensor, through its strides.
double* element(const Tensor& t, int64_t flat) {
  int64_t offset = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    const int64_t size = t.shape()[d];
    offset += (flat % size) * t.strides()[d];
    flat /= size;
  }
  return t.data_ptr<double>() + offset;
}

std::vector<std::vector<double>> evaluate(const GradcheckFn& fn, const std::vector<Tensor>& in) {
  NoGradGuard no_grad;
  std::vector<std::vector<double>> values;
  for (const Tensor& o : fn(in)) values.push_back(o.to_vector<double>());
  return values;
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& opt) {
  std::vector<size_t> checked;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined() || !inputs[i].requires_grad()) continue;
    AG_CHECK(inputs[i].dtype() == kFloat64, "gradcheck: input ", i, " (shape ", inputs[i].shape(),
             ") is ", dtype_name(inputs[i].dtype()),
             "; finite differences need float64 inputs to be meaningful");
    AG_CHECK(inputs[i].is_leaf(), "gradcheck: input ", i, " must be a leaf tensor");
    checked.push_back(i);
  }
  AG_CHECK(!checked.empty(), "gradcheck: no input requires grad, so there is nothing to check");

  std::vector<Tensor> outputs = fn(inputs);
  for (size_t o = 0; o < outputs.size(); ++o)
    AG_CHECK(outputs[o].defined() && is_floating(outputs[o].dtype()), "gradcheck: output ", o,
             " is not a floating tensor");

  GradcheckResult worst;
  double worst_excess = 0;  // how far beyond the tolerance the worst element is
  auto consider = [&](size_t in, int64_t j, size_t o, int64_t k, double a, double n) {
    double excess = std::abs(a - n) - (opt.atol + opt.rtol * std::abs(n));
    if (!(excess <= 0) && (worst.ok || !(excess <= worst_excess))) {  // NaN counts as failure
      worst = GradcheckResult{false, "", in, j, o, k, a, n};
      worst_excess = excess;
    }
  };

  std::vector<Tensor> wrt;
  for (size_t i : checked) wrt.push_back(inputs[i]);
  for (size_t o = 0; o < outputs.size(); ++o) {
    const Tensor& out = outputs[o];
    // Analytical: row k of the Jacobian from one backward with a one-hot gradient
    // (all zero when the output does not even require grad).
    std::vector<std::vector<std::vector<double>>> analytical(out.numel());
    for (int64_t k = 0; k < out.numel(); ++k) {
      std::vector<Tensor> g(wrt.size());
      if (out.requires_grad()) {
        std::vector<double> onehot(static_cast<size_t>(out.numel()), 0.0);
        onehot[k] = 1.0;
        g = autograd::grad({out}, wrt, {from_vector(onehot, out.shape(), out.dtype())},
                           /*retain_graph=*/true, /*allow_unused=*/true);
      }
      for (size_t w = 0; w < wrt.size(); ++w)
        analytical[k].push_back(g[w].defined() ? g[w].to_vector<double>()
                                               : std::vector<double>(wrt[w].numel(), 0.0));
    }
    // Numerical: column j from f(x + eps) - f(x - eps).
    for (size_t w = 0; w < checked.size(); ++w) {
      const Tensor& x = inputs[checked[w]];
      for (int64_t j = 0; j < x.numel(); ++j) {
        double* p = element(x, j);
        const double saved = *p;
        *p = saved + opt.eps;
        std::vector<double> plus = evaluate(fn, inputs)[o];
        *p = saved - opt.eps;
        std::vector<double> minus = evaluate(fn, inputs)[o];
        *p = saved;
        for (int64_t k = 0; k < out.numel(); ++k)
          consider(checked[w], j, o, k, analytical[k][w][j], (plus[k] - minus[k]) / (2 * opt.eps));
      }
    }
  }
  if (!worst.ok) {
    std::ostringstream os;
    os.precision(10);
    os << "gradcheck: Jacobian mismatch for output " << worst.output << " element "
       << worst.output_index << " with respect to input " << worst.input << " element "
       << worst.index << ": analytical " << worst.analytical << ", numerical " << worst.numerical
       << " (atol " << opt.atol << ", rtol " << opt.rtol << ")";
    worst.message = os.str();
  }
  return worst;
}

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  return gradcheck(GradcheckFn([&fn](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{fn(in)};
                   }),
                   inputs, options);
}

}  // namespace ag
