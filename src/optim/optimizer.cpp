// Optimizer's shared parts: the checks on the parameter list, zero_grad, and the option checks
// every optimiser uses.
#include "ag/optim/optimizer.hpp"

#include <cstddef>
#include <sstream>
#include <string>

#include "ag/autograd.hpp"
#include "optim/update.hpp"

namespace ag::optim {
namespace {

/// "parameter 1 (shape [3])", or "parameter 1 'fc.bias' (shape [3])" for a named one.
std::string describe(size_t i, const Tensor& p) {
  std::ostringstream os;
  os << "parameter " << i;
  if (!p.name().empty()) os << " '" << p.name() << "'";
  os << " (shape " << p.shape() << ")";
  return os.str();
}

}  // namespace

Optimizer::Optimizer(std::vector<Tensor> params, const char* name)
    : name_(name), params_(std::move(params)) {
  AG_CHECK(!params_.empty(), name_, ": got an empty parameter list");
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    AG_CHECK(p.defined(), name_, ": parameter ", i, " is an undefined tensor");
    // A non-leaf's grad() is never filled by backward, and updating it would not change the
    // leaf it was computed from.
    AG_CHECK(p.is_leaf(), name_, ": can't optimize a non-leaf tensor: ", describe(i, p),
             " was made by ", p.grad_fn_name(),
             "; pass the leaf it came from, or detach() it and call requires_grad_()");
    AG_CHECK(p.requires_grad(), name_, ": ", describe(i, p),
             " does not require grad, so backward never gives it a gradient; call "
             "requires_grad_() on it or leave it out");
    // State is kept per entry: a repeated tensor would be updated twice per step.
    for (size_t j = 0; j < i; ++j)
      AG_CHECK(!p.is_same(params_[j]), name_, ": ", describe(i, p),
               " is the same tensor as parameter ", j, "; pass each parameter once");
  }
}

Optimizer::~Optimizer() = default;

void Optimizer::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (Tensor& p : params_) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (set_to_none)
      p.set_grad(Tensor());
    else
      g.zero_();  // in place, as PyTorch 1.13 does by default: the buffer is reused
  }
}

namespace detail {

#if defined(__x86_64__) && defined(__GNUC__)
bool has_fma() {
  static const bool fma = __builtin_cpu_supports("fma");
  return fma;
}
#endif

void check_non_negative(const char* opt, const char* what, double value) {
  AG_CHECK(value >= 0.0, opt, ": invalid ", what, ": ", value, " (must be >= 0)");
}

void check_betas(const char* opt, double beta1, double beta2) {
  AG_CHECK(beta1 >= 0.0 && beta1 < 1.0, opt, ": invalid beta parameter at index 0: ", beta1,
           " (must be in [0, 1))");
  AG_CHECK(beta2 >= 0.0 && beta2 < 1.0, opt, ": invalid beta parameter at index 1: ", beta2,
           " (must be in [0, 1))");
}

}  // namespace detail
bool Optimizer::check_gradient(size_t i) const {
  const Tensor& p = params_[i];
  const Tensor g = p.grad();
  if (!g.defined()) return false;
  AG_CHECK(g.shape() == p.shape() && g.dtype() == p.dtype(), name_, ": the gradient of ",
           describe(i, p), " is ", dtype_name(g.dtype()), " ", g.shape(),
           "; it must match the parameter. Nothing was updated");
  return true;
}

void Optimizer::check_state(size_t i, const Tensor& s) const {
  const Tensor& p = params_[i];
  AG_CHECK(!s.defined() || (s.dtype() == p.dtype() && s.shape() == p.shape()), name_,
           ": the state kept for ", describe(i, p), " is ", dtype_name(s.dtype()), " ", s.shape(),
           " (was the model converted with to() after the optimiser was made? make the "
           "optimiser afterwards). Nothing was updated");
}

}  // namespace ag::optim
