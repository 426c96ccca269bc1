// Module: parameter and child registration, traversal, modes, state dicts, dtype conversion
// and printing.
#include "ag/nn/module.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <typeinfo>

#include "ag/autograd.hpp"
#include "ag/io.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"

namespace ag::nn {

Parameter::Parameter(const Tensor& data, bool requires_grad) : Tensor(detail::alias(data)) {
  impl().is_view = false;  // the parameter owns its values from now on
  impl().is_parameter = true;
  requires_grad_(requires_grad);
}

void Module::check_new_name(const std::string& name, const char* op) const {
  AG_CHECK(!name.empty(), op, ": the name must not be empty");
  AG_CHECK(name.find('.') == std::string::npos, op, ": the name '", name,
           "' must not contain '.' (dots separate the names of nested modules)");
  for (const auto& [n, t] : parameters_)
    AG_CHECK(n != name, op, ": attribute '", name, "' already exists (a parameter)");
  for (const auto& [n, c] : children_)
    AG_CHECK(n != name, op, ": attribute '", name, "' already exists (a module)");
}

Tensor Module::register_parameter(const std::string& name, const Tensor& tensor,
                                  bool requires_grad) {
  check_new_name(name, "register_parameter");
  detail::check_floating(tensor, "register_parameter");
  Parameter p(tensor, requires_grad);
  p.set_name(name);
  parameters_.emplace_back(name, p);
  return p;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> child) {
  check_new_name(name, "register_module");
  AG_CHECK(child != nullptr, "register_module: module '", name, "' is null");
  // Graph pictures label parameters by their full dotted name.
  for (auto& [n, p] : child->named_parameters()) p.set_name(name + "." + n);
  children_.emplace_back(name, std::move(child));
}

NamedTensors Module::named_parameters(bool recurse) const {
  NamedTensors out = parameters_;
  if (!recurse) return out;
  for (const auto& [prefix, child] : children_)
    for (auto& [n, p] : child->named_parameters(true)) out.emplace_back(prefix + "." + n, p);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, p] : named_parameters(recurse)) out.push_back(p);
  return out;
}

Tensor Module::named_parameter(const std::string& name) const {
  for (auto& [n, p] : named_parameters())
    if (n == name) return p;
  detail::fail(this->name(), ": no parameter named '", name, "'");
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& [n, c] : children_) out.push_back(c);
  return out;
}

void Module::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (Tensor& p : parameters()) {
    if (!p.grad().defined()) continue;
    if (set_to_none) p.set_grad(Tensor());
    else p.grad().zero_();
  }
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [n, c] : children_) c->train(on);
}

NamedTensors Module::state_dict() const { return named_parameters(); }

void Module::load_state_dict(const NamedTensors& state, bool strict) {
  NamedTensors own = named_parameters();
  std::map<std::string, Tensor> given;
  for (const auto& [n, t] : state) given.emplace(n, t);
  // Check everything first, so that a bad state dict changes nothing.
  std::vector<std::string> missing, unexpected, mismatched;
  std::set<std::string> known;
  for (const auto& [n, p] : own) {
    known.insert(n);
    auto it = given.find(n);
    if (it == given.end()) {
      missing.push_back(n);
    } else if (!it->second.defined() || !(it->second.shape() == p.shape()) ||
               !is_floating(it->second.dtype())) {
      std::ostringstream os;
      os << "size mismatch for " << n << ": copying a param with shape "
         << (it->second.defined() ? it->second.shape().str() : "(undefined)")
         << " from checkpoint, the shape in current model is " << p.shape();
      mismatched.push_back(os.str());
    }
  }
  for (const auto& [n, t] : state)
    if (!known.count(n)) unexpected.push_back(n);
  std::ostringstream err;
  auto list = [&](const char* what, const std::vector<std::string>& names) {
    err << "\n\t" << what << " key(s) in state_dict: ";
    for (size_t i = 0; i < names.size(); ++i) err << (i ? ", " : "") << '"' << names[i] << '"';
    err << '.';
  };
  if (strict && !missing.empty()) list("Missing", missing);
  if (strict && !unexpected.empty()) list("Unexpected", unexpected);
  for (const std::string& m : mismatched) err << "\n\t" << m << '.';
  AG_CHECK(err.str().empty(), "Error(s) in loading state_dict for ", name(), ":", err.str());
  NoGradGuard no_grad;
  for (auto& [n, p] : own) {
    auto it = given.find(n);
    if (it != given.end()) p.copy_(it->second);
  }
}

void Module::save(const std::string& path, const std::map<std::string, std::string>& metadata) const {
  save_safetensors(path, state_dict(), metadata);
}

std::map<std::string, std::string> Module::load(const std::string& path) {
  SafetensorsFile file = load_safetensors_file(path);
  load_state_dict(file.tensors);
  return file.metadata;
}

void Module::to(Dtype dtype) {
  AG_CHECK(is_floating(dtype), name(), ".to: parameters must be float32 or float64, not ",
           dtype_name(dtype));
  for (Tensor& p : parameters()) {
    if (p.dtype() == dtype) continue;
    Tensor converted = detail::empty(p.shape(), dtype);
    kernels::copy(converted, p);
    detail::TensorImpl& impl = p.impl();
    // Swap the data in place so every handle (optimisers, user code) sees the new dtype.
    impl.storage = converted.impl().storage;
    impl.offset = 0;
    impl.strides = converted.strides();
    impl.dtype = dtype;
    impl.refresh();
    impl.grad = nullptr;
    if (impl.grad_accumulator) {
      static_cast<AccumulateGrad*>(impl.grad_accumulator.get())->forget_variable();
      impl.grad_accumulator = nullptr;
    }
  }
}

std::string Module::name() const {
  const char* mangled = typeid(*this).name();
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string full = status == 0 && demangled ? demangled : mangled;
  std::free(demangled);
  size_t colon = full.rfind("::");  // "ag::nn::Linear" -> "Linear"
  return colon == std::string::npos ? full : full.substr(colon + 2);
}

// PyTorch's layout: "Name(extra)" when there are no children, otherwise one line per
// extra-repr and per child, indented by two spaces per level.
void Module::print(std::ostream& os, int indent) const {
  const std::string extra = extra_repr();
  os << name() << '(';
  if (children_.empty()) {
    os << extra << ')';
    return;
  }
  const std::string pad(static_cast<size_t>(indent) + 2, ' ');
  os << '\n';
  if (!extra.empty()) os << pad << extra << '\n';
  for (const auto& [n, c] : children_) {
    os << pad << '(' << n << "): ";
    c->print(os, indent + 2);
    os << '\n';
  }
  os << std::string(static_cast<size_t>(indent), ' ') << ')';
}

std::ostream& operator<<(std::ostream& os, const Module& m) {
  m.print(os, 0);
  return os;
}

}  // namespace ag::nn
