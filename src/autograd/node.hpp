// Node: one recorded operation in the graph, and record(): how an op adds one.
//
// Every differentiable op follows the same three steps (micrograd's shape):
//   1. compute the output with plain kernels,
//   2. if grad mode is on and an input requires grad, record a node with its inputs' edges,
//      the tensors backward needs (saved, with their version) and a backward lambda,
//   3. return the output, whose grad_fn is now that node.
// The backward lambda receives the gradient of the output and returns one gradient per input
// (undefined where none is needed). Shapes are reduced to the inputs' shapes (broadcasting)
// and dtypes converted by the engine, so a lambda can return the "broadcast" gradient.
//
//   Tensor y = kernels::tanh(x);
//   record(y, "TanhBackward0", {x}, {y}, [](const BackwardContext& c) -> Grads {
//     return {c.grad * (1 - c.saved(0) * c.saved(0))};   // y = tanh(x): dx = dy (1 - y²)
//   });
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "ag/autograd.hpp"
#include "ag/detail/small_vec.hpp"
#include "ag/tensor.hpp"

namespace ag {

using Grads = detail::SmallVec<Tensor, 2>;

/// A tensor kept for backward: a detached alias of the data and the storage version it had.
struct SavedTensor {
  Tensor data;
  uint32_t version = 0;
};

class Node : public detail::RefCounted {
 public:
  explicit Node(const char* name) : name_(name) {}
  virtual ~Node();
  // One node per recorded op: recycled through the caching allocator (sized delete gets the
  // most-derived size through the virtual destructor).
  static void* operator new(size_t n);
  static void operator delete(void* p, size_t n) noexcept;
  /// Frees long chains iteratively, so a 100,000-step graph does not overflow the stack.
  static void destroy(Node* node);

  const char* name() const { return name_; }
  /// Gradients of this node's output -> one gradient per input (same order as next_edges).
  virtual Grads apply(Tensor&& grad) = 0;
  /// For AccumulateGrad: the leaf its gradient goes to (nullptr otherwise or once it is gone).
  virtual detail::TensorImpl* variable() const { return nullptr; }

  /// The saved tensor i, checked against in-place modification and prior release.
  Tensor saved(size_t i) const;
  void release_saved();

  // Where each input's gradient goes (null when that input does not require grad).
  detail::SmallVec<detail::Ref<Node>, 2> next_edges;
  detail::SmallVec<SavedTensor, 2> saved_;
  bool saved_released_ = false;
  // What a gradient arriving here must look like: the forward output's shape and dtype.
  Shape shape;
  Dtype dtype = kFloat32;
  uint64_t sequence_nr = 0;  // creation order; backward runs nodes in reverse of it
  // The non-leaf tensor that asked for retain_grad() (weak; cleared when it dies).
  detail::TensorImpl* retain_target = nullptr;
  // Under anomaly detection: the forward op and its inputs, for the error message.
  std::string forward_info;
  // Extra line for graph pictures, e.g. what a fused node does (a static string).
  const char* note = nullptr;

  // Engine scratch space, valid during one backward call.
  Tensor grad_buffer;
  // Products aᵀ·b still to be added to grad_buffer, as one (BackwardContext::defer_product).
  std::vector<std::pair<Tensor, Tensor>> deferred;
  uint64_t visit_mark = 0;
  bool needed = false;

 private:
  const char* name_;
};

/// The node a leaf's gradient lands in: adds the incoming gradient into leaf.grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(detail::TensorImpl* leaf) : Node("AccumulateGrad"), leaf_(leaf) {}
  Grads apply(Tensor&& grad) override;
  detail::TensorImpl* variable() const override { return leaf_; }
  void forget_variable() { leaf_ = nullptr; }

 private:
  detail::TensorImpl* leaf_;  // weak: the leaf owns this node, and clears this when it dies
};

/// What a backward lambda sees.
struct BackwardContext {
  Tensor grad;  // gradient of the node's output
  const Node& node;
  Tensor saved(size_t i) const { return node.saved(i); }
  /// Whether input i needs a gradient (skip the work otherwise).
  bool needs(size_t i) const { return i < node.next_edges.size() && node.next_edges[i]; }
  /// Asks the engine to add aᵀ·b (a [r, m], b [r, n]) to input i's gradient later, in one
  /// matrix product with every other such contribution to it: a weight used at every step of
  /// a loop then costs one product over all steps instead of one per step. Returns false when
  /// the engine cannot (the backward then returns the product itself).
  bool defer_product(size_t i, const Tensor& a, const Tensor& b) const;
};

template <class F>
class FunctionNode final : public Node {
 public:
  FunctionNode(const char* name, F f) : Node(name), backward_(std::move(f)) {}
  Grads apply(Tensor&& grad) override {
    BackwardContext ctx{std::move(grad), *this};
    return backward_(ctx);
  }

 private:
  F backward_;
};

/// A read-only list of tensors: braces `{a, b}` or a std::vector<Tensor>.
/// Valid for the full expression it appears in, which is all record() needs.
class TensorList {
 public:
  TensorList(std::initializer_list<Tensor> l) : braces_(l), vector_(nullptr) {}
  TensorList(const std::vector<Tensor>& v) : vector_(&v) {}
  const Tensor* begin() const { return vector_ ? vector_->data() : braces_.begin(); }
  const Tensor* end() const { return begin() + size(); }
  size_t size() const { return vector_ ? vector_->size() : braces_.size(); }

 private:
  std::initializer_list<Tensor> braces_;
  const std::vector<Tensor>* vector_;
};

namespace autograd {

/// True when grad mode is on and some input requires grad: the op must record a node.
bool needs_recording(TensorList inputs);

/// Fills edges, saved tensors and metadata of `node` and makes it `output`'s grad_fn.
void attach(Node* node, Tensor& output, TensorList inputs, TensorList saved);

/// The node a gradient for `t` must be sent to (its grad_fn, or its leaf accumulator).
detail::Ref<Node> gradient_edge(const Tensor& t);

}  // namespace autograd

/// Records `output` as made by the op `name` from `inputs`, keeping `saved` for `backward`.
/// Does nothing when grad mode is off or no input requires grad.
template <class F>
void record(Tensor& output, const char* name, TensorList inputs, TensorList saved, F&& backward) {
  if (!autograd::needs_recording(inputs)) return;
  autograd::attach(new FunctionNode<std::decay_t<F>>(name, std::forward<F>(backward)), output,
                   inputs, saved);
}

}  // namespace ag
