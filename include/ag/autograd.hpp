// Autograd switches and entry points beyond Tensor::backward().
//
//   { ag::NoGradGuard no_grad;  w.add_(g, -0.1); }     // update without recording
//   auto [gx] = ag::autograd::grad({y}, {x});          // gradients without touching .grad()
#pragma once

#include <vector>

#include "ag/tensor.hpp"

namespace ag {

/// Whether operations record themselves for backward on this thread (true by default).
bool is_grad_enabled();
void set_grad_enabled(bool enabled);

/// Turns recording off for its scope, as `with torch.no_grad():` does.
class NoGradGuard {
 public:
  NoGradGuard() : previous_(is_grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

/// Turns recording on (or off) for its scope, whatever it was.
class AutoGradMode {
 public:
  explicit AutoGradMode(bool enabled) : previous_(is_grad_enabled()) { set_grad_enabled(enabled); }
  ~AutoGradMode() { set_grad_enabled(previous_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool previous_;
};

/// Whether anomaly detection is on for this thread (off by default).
bool is_anomaly_enabled();
void set_anomaly_enabled(bool enabled);

/// Anomaly detection for its scope, as torch.autograd.detect_anomaly: operations record what
/// made them, and a backward that produces NaN or Inf throws ag::Error naming the backward
/// node and the forward op (with its input shapes) that created it. Costs a scan of every
/// gradient, so it is for debugging.
///   { ag::DetectAnomalyGuard detect;  loss = model(x);  loss.backward(); }
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard() : previous_(is_anomaly_enabled()) { set_anomaly_enabled(true); }
  ~DetectAnomalyGuard() { set_anomaly_enabled(previous_); }
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};

namespace autograd {

/// Backpropagates from several roots at once; grads[i] is the gradient of tensors[i]
/// (may be omitted for one-element roots). Gradients accumulate into the leaves' grad().
void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grads = {},
              bool retain_graph = false);

/// Returns d(outputs)/d(inputs) contracted with grad_outputs, without touching any grad().
/// An input the outputs do not depend on is an error unless allow_unused (then undefined).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool retain_graph = false,
                         bool allow_unused = false);

}  // namespace autograd
}  // namespace ag
