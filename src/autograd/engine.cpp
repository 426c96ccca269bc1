// The backward engine.
//
// 1. Collect every node reachable from the roots (iterative depth-first search: a 100,000-step
//    chain must not overflow the stack).
// 2. Run them in decreasing creation order. A node is always created after the nodes of its
//    inputs, so this is a topological order, and it is the order PyTorch's engine runs them
//    in, so gradients that meet in one place are summed in the same order.
// 3. Each node receives the sum of the gradients sent to it, runs its backward, and sends one
//    gradient per input along its edges. Arriving gradients are reduced to the node's shape
//    (broadcasting) and converted to its dtype here, once for all ops.
// 4. A backward may instead send a product aᵀ·b (BackwardContext::defer_product); a node's
//    deferred products are stacked and added as one matrix product just before it runs, so a
//    weight used at every step of a loop gets its gradient from one product, not one per step.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <atomic>
#include <span>
#include <vector>

#include "ag/factory.hpp"
#include "ag/ops/elementwise.hpp"
#include "ag/ops/reduce.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/gemm.hpp"

namespace ag {
namespace {

thread_local bool grad_enabled = true;
thread_local bool anomaly_enabled = false;

// Under anomaly detection: refuses a gradient containing NaN or Inf, naming where it came from.
void check_finite(const Node& node, const Grads& grads) {
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    for (double v : grads[i].to_vector<double>()) {
      if (std::isfinite(v)) continue;
      detail::fail("anomaly detected: function '", node.name(), "' returned ",
                   std::isnan(v) ? "nan" : "inf", " values in its ", i, "th output (shape ",
                   grads[i].shape(), "); the node was created by the forward op ",
                   node.forward_info.empty() ? std::string("(unknown: recorded without anomaly detection)")
                                             : node.forward_info);
    }
  }
}
std::atomic<uint64_t> run_counter{0};
thread_local bool capturing_run = false;  // the current run is autograd::grad's

// True when `t` is the only handle to its dense data, so adding into it in place is safe.
bool exclusive(const Tensor& t) {
  return t.impl().use_count() == 1 && t.impl().storage->use_count() == 1 && t.is_contiguous();
}

void accumulate(Node& node, Tensor grad) {
  if (!(grad.shape() == node.shape)) grad = sum_to_size(grad, node.shape);
  if (grad.dtype() != node.dtype) grad = grad.to(node.dtype);
  if (!node.grad_buffer.defined())
    node.grad_buffer = std::move(grad);
  else if (exclusive(node.grad_buffer))  // only the engine sees it: add without add_'s checks
    kernels::dispatch_floating(grad.dtype(), [&](auto zero) {
      using T = decltype(zero);
      kernels::map2<T>(node.grad_buffer, node.grad_buffer, grad, [](T x, T y) { return x + y; });
    });
  else
    node.grad_buffer = node.grad_buffer + grad;
}

// Adds the node's deferred products Σ aₖᵀ·bₖ to its gradient as one product: the a's and the
// b's stacked by rows (in the order they came), so each element is one sum over all of them.
void flush_deferred(Node& node) {
  if (node.deferred.empty()) return;
  Tensor a = node.deferred[0].first, b = node.deferred[0].second;
  if (node.deferred.size() > 1) {  // stacked by plain copies (every piece is dense)
    int64_t rows = 0;
    for (const auto& piece : node.deferred) rows += piece.first.size(0);
    a = detail::empty({rows, a.size(1)}, a.dtype());
    b = detail::empty({rows, b.size(1)}, b.dtype());
    char* pa = static_cast<char*>(a.impl().data());
    char* pb = static_cast<char*>(b.impl().data());
    for (const auto& [ak, bk] : node.deferred) {
      const size_t na = ak.numel() * element_size(ak.dtype());
      const size_t nb = bk.numel() * element_size(bk.dtype());
      std::memcpy(pa, ak.impl().data(), na);
      std::memcpy(pb, bk.impl().data(), nb);
      pa += na;
      pb += nb;
    }
  }
  node.deferred.clear();
  const int64_t m = a.size(1), n = b.size(1), k = a.size(0);
  const bool add = node.grad_buffer.defined() && exclusive(node.grad_buffer);
  Tensor c = add ? node.grad_buffer : detail::empty({m, n}, a.dtype());
  kernels::dispatch_floating(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    kernels::gemm(m, n, k, T(1), {a.data_ptr<T>(), 1, m}, {b.data_ptr<T>(), n, 1}, T(add ? 1 : 0),
                  {c.data_ptr<T>(), n, 1});
  });
  if (!add) accumulate(node, std::move(c));
}

struct Root {
  detail::Ref<Node> node;
  Tensor grad;
};

// Scratch vectors kept between backward calls of a thread, so a training step does not
// allocate them every time. A nested backward (a user calling backward inside gradcheck's
// function, say) simply finds them taken and allocates its own.
struct Scratch {
  std::vector<Node*> order, stack;
  ~Scratch() { gone = true; }
  static thread_local bool gone;
};
thread_local bool Scratch::gone = false;
thread_local Scratch scratch;

std::vector<Node*> take(std::vector<Node*>& spare) {
  std::vector<Node*> v = Scratch::gone ? std::vector<Node*>() : std::move(spare);
  v.clear();
  return v;
}
void give_back(std::vector<Node*>& spare, std::vector<Node*>&& v) {
  if (!Scratch::gone) spare = std::move(v);
}

std::vector<Node*> collect(const Root* roots, size_t count, uint64_t mark) {
  std::vector<Node*> order = take(scratch.order), stack = take(scratch.stack);
  for (const Root& r : std::span(roots, count)) {
    if (r.node->visit_mark == mark) continue;
    r.node->visit_mark = mark;
    stack.push_back(r.node.get());
  }
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    order.push_back(n);
    for (const auto& e : n->next_edges) {
      if (e && e->visit_mark != mark) {
        e->visit_mark = mark;
        stack.push_back(e.get());
      }
    }
  }
  give_back(scratch.stack, std::move(stack));
  std::sort(order.begin(), order.end(),
            [](const Node* a, const Node* b) { return a->sequence_nr > b->sequence_nr; });
  return order;
}

void keep_retained_grad(Node& node, const Tensor& grad) {
  detail::TensorImpl* t = node.retain_target;
  if (!t) return;
  if (!t->grad)
    t->grad = grad.clone().impl_ref();
  else
    t->grad = (Tensor(t->grad) + grad).impl_ref();
}

// One pass of the engine. With `targets` empty, gradients flow into the leaves' grad();
// otherwise the gradient arriving at each target node is returned instead (autograd::grad).
std::vector<Tensor> run(const Root* roots, size_t root_count, bool retain_graph,
                        const std::vector<Node*>& targets) {
  NoGradGuard no_grad;
  const uint64_t mark = ++run_counter;
  std::vector<Node*> order = collect(roots, root_count, mark);
  const bool capturing = !targets.empty();
  struct Capturing {  // what defer_product sees; restored for a backward run inside another
    bool saved = capturing_run;
    explicit Capturing(bool on) { capturing_run = on; }
    ~Capturing() { capturing_run = saved; }
  } capturing_scope(capturing);
  std::vector<Tensor> captured(targets.size());
  if (capturing) {
    // A node must run only if a target lies below it; children come later in `order`.
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Node* n = *it;
      n->needed = std::find(targets.begin(), targets.end(), n) != targets.end();
      for (const auto& e : n->next_edges) n->needed = n->needed || (e && e->needed);
    }
  }
  try {
    for (const Root& r : std::span(roots, root_count)) accumulate(*r.node, r.grad);
    for (Node* n : order) {
      flush_deferred(*n);
      if (!n->grad_buffer.defined()) continue;
      Tensor grad = std::move(n->grad_buffer);
      n->grad_buffer = Tensor();
      if (capturing) {
        for (size_t i = 0; i < targets.size(); ++i)
          if (targets[i] == n) captured[i] = grad;
        bool below = false;
        for (const auto& e : n->next_edges) below = below || (e && e->needed);
        if (!below) continue;
      } else {
        keep_retained_grad(*n, grad);
      }
      Grads out = n->apply(std::move(grad));
      if (anomaly_enabled) check_finite(*n, out);
      if (!retain_graph) n->release_saved();
      for (size_t i = 0; i < out.size() && i < n->next_edges.size(); ++i) {
        Node* next = n->next_edges[i].get();
        if (next && out[i].defined() && (!capturing || next->needed))
          accumulate(*next, std::move(out[i]));
      }
    }
  } catch (...) {
    for (Node* n : order) {
      n->grad_buffer = Tensor();
      n->deferred.clear();
    }
    give_back(scratch.order, std::move(order));
    throw;
  }
  give_back(scratch.order, std::move(order));
  return captured;
}

// The root for `t` (the i-th of the tensors given), with its gradient or the implicit 1.
Root make_root(const Tensor& t, Tensor grad, size_t i, const char* op) {
  AG_CHECK(t.defined(), op, ": tensor ", i, " is undefined");
  AG_CHECK(t.requires_grad(), op, ": element ", i,
           " of tensors does not require grad and does not have a grad_fn");
  if (!grad.defined()) {
    AG_CHECK(t.numel() == 1, op,
             ": grad can be implicitly created only for scalar outputs, but the tensor has "
             "shape ",
             t.shape(), "; pass a gradient of that shape");
    grad = ones_like(t);
  } else {
    AG_CHECK(grad.shape() == t.shape(), op, ": gradient of shape ", grad.shape(),
             " does not match the tensor's shape ", t.shape());
  }
  return Root{autograd::gradient_edge(t), std::move(grad)};
}

std::vector<Root> make_roots(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grads,
                             const char* op) {
  AG_CHECK(grads.empty() || grads.size() == tensors.size(), op, ": got ", tensors.size(),
           " tensors but ", grads.size(), " gradients");
  std::vector<Root> roots;
  for (size_t i = 0; i < tensors.size(); ++i)
    roots.push_back(make_root(tensors[i], grads.empty() ? Tensor() : grads[i], i, op));
  return roots;
}

}  // namespace

bool BackwardContext::defer_product(size_t i, const Tensor& a, const Tensor& b) const {
  // Not under anomaly detection: there each node's own gradient is checked.
  if (anomaly_enabled || !needs(i)) return false;
  Node& next = *node.next_edges[i];
  if (capturing_run && !next.needed) return true;  // autograd::grad does not need it: dropped
  if (a.dim() != 2 || b.dim() != 2 || a.size(0) != b.size(0) || !a.is_contiguous() ||
      !b.is_contiguous() || a.dtype() != next.dtype || b.dtype() != next.dtype ||
      !(next.shape == Shape{a.size(1), b.size(1)}))
    return false;
  next.deferred.emplace_back(a, b);
  return true;
}

bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }
bool is_anomaly_enabled() { return anomaly_enabled; }
void set_anomaly_enabled(bool enabled) { anomaly_enabled = enabled; }

namespace autograd {

void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grads,
              bool retain_graph) {
  std::vector<Root> roots = make_roots(tensors, grads, "backward");
  run(roots.data(), roots.size(), retain_graph, {});
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool retain_graph,
                         bool allow_unused) {
  std::vector<Root> roots = make_roots(outputs, grad_outputs, "autograd::grad");
  std::vector<detail::Ref<Node>> keep;  // holds accumulators created just for this call
  std::vector<Node*> targets;
  for (size_t i = 0; i < inputs.size(); ++i) {
    AG_CHECK(inputs[i].defined() && inputs[i].requires_grad(), "autograd::grad: input ", i,
             " does not require grad");
    keep.push_back(gradient_edge(inputs[i]));
    targets.push_back(keep.back().get());
  }
  std::vector<Tensor> result = run(roots.data(), roots.size(), retain_graph, targets);
  for (size_t i = 0; i < result.size(); ++i)
    AG_CHECK(result[i].defined() || allow_unused, "autograd::grad: input ", i, " of shape ",
             inputs[i].shape(),
             " was not used in the graph of the outputs; pass allow_unused=true to get an "
             "undefined gradient instead");
  return result;
}

}  // namespace autograd

void Tensor::backward(const Tensor& grad, bool retain_graph) const {
  const Root root = make_root(*this, grad, 0, "backward");
  run(&root, 1, retain_graph, {});
}

}  // namespace ag
