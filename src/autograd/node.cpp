// Graph nodes: creation (record/attach), saved tensors, leaf accumulation, iterative freeing.
#include "autograd/node.hpp"

#include <cctype>
#include <string>
#include <vector>

#include "core/make.hpp"

namespace ag {
namespace {

thread_local uint64_t next_sequence_nr = 1;

// "LogSoftmaxBackward0" -> "log_softmax": the forward op a backward node belongs to.
std::string forward_name(const char* node_name) {
  std::string name = node_name, out;
  if (size_t cut = name.find("Backward"); cut != std::string::npos) name.resize(cut);
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

// What anomaly errors say about where a node came from: "log of [2, 3] (float32)".
std::string describe_forward(const Node& node, TensorList inputs) {
  std::string s = forward_name(node.name()) + " of ";
  bool first = true;
  for (const Tensor& t : inputs) {
    if (!first) s += " and ";
    first = false;
    s += t.defined() ? t.shape().str() + " (" + dtype_name(t.dtype()) + ")" : "(undefined)";
  }
  return s;
}

// Nodes whose destruction is pending; see Node::destroy.
thread_local std::vector<Node*>* pending_deletes = nullptr;

// Its storage, kept between calls (and a flag for after the thread's storage is gone).
struct PendingStorage {
  std::vector<Node*> nodes;
  ~PendingStorage() { gone = true; }
  static thread_local bool gone;
};
thread_local bool PendingStorage::gone = false;
thread_local PendingStorage pending_storage;

}  // namespace

Node::~Node() = default;
void* Node::operator new(size_t n) { return detail::allocate_bytes(n); }
void Node::operator delete(void* p, size_t n) noexcept { detail::free_bytes(p, n); }

void Node::destroy(Node* node) {
  if (pending_deletes) {  // already inside the loop below: queue instead of recursing
    pending_deletes->push_back(node);
    return;
  }
  std::vector<Node*> local;
  std::vector<Node*>& pending = PendingStorage::gone ? local : pending_storage.nodes;
  pending.push_back(node);
  pending_deletes = &pending;
  while (!pending.empty()) {
    Node* n = pending.back();
    pending.pop_back();
    delete n;  // releasing its edges queues their nodes when they die too
  }
  pending_deletes = nullptr;
}

Tensor Node::saved(size_t i) const {
  AG_CHECK(!saved_released_, name_,
           ": trying to backward through the graph a second time (or to use saved tensors "
           "after they were freed). Saved tensors are freed by backward(); call "
           "backward(grad, /*retain_graph=*/true) to keep them.");
  const SavedTensor& s = saved_[i];
  uint32_t now = s.data.impl().storage->version;
  AG_CHECK(now == s.version,
           "one of the tensors needed for gradient computation has been modified by an "
           "in-place operation: the ",
           dtype_name(s.data.dtype()), " tensor of shape ", s.data.shape(), " saved by ", name_,
           " is at version ", now, "; expected version ", s.version, " instead");
  return s.data;
}

void Node::release_saved() {
  if (saved_.empty()) return;
  saved_.clear();
  saved_released_ = true;
}

Grads AccumulateGrad::apply(Tensor&& grad) {
  if (!leaf_) return {};  // the leaf is gone; nobody can read this gradient
  detail::TensorImpl& leaf = *leaf_;
  if (!leaf.grad) {
    // Keep the incoming buffer when nothing else can see it; copy otherwise.
    bool exclusive = grad.impl().use_count() == 1 && grad.impl().storage->use_count() == 1 &&
                     grad.is_contiguous();
    leaf.grad = exclusive ? grad.impl_ref() : grad.clone().impl_ref();
  } else {
    Tensor(leaf.grad).add_(grad);
  }
  return {};
}

namespace autograd {

bool needs_recording(TensorList inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

detail::Ref<Node> gradient_edge(const Tensor& t) {
  if (!t.defined()) return {};
  detail::TensorImpl& impl = t.impl();
  if (impl.grad_fn) return impl.grad_fn;
  if (!impl.requires_grad) return {};
  if (!impl.grad_accumulator) {
    auto* acc = new AccumulateGrad(&impl);
    acc->shape = impl.shape;
    acc->dtype = impl.dtype;
    impl.grad_accumulator = detail::Ref<Node>(acc);
  }
  return impl.grad_accumulator;
}

void attach(Node* raw, Tensor& output, TensorList inputs, TensorList saved) {
  detail::Ref<Node> node(raw);
  node->next_edges.reserve(inputs.size());
  for (const Tensor& t : inputs) node->next_edges.push_back(gradient_edge(t));
  node->saved_.reserve(saved.size());
  // Saved through aliases without grad_fn: a saved output's own handle would make the node own
  // itself, and an input can become that too (an in-place op later rebases its history onto a
  // node that leads back here).
  for (const Tensor& t : saved)
    node->saved_.push_back(SavedTensor{detail::alias(t), t.impl().storage->version});
  detail::TensorImpl& out = output.impl();
  node->shape = out.shape;
  node->dtype = out.dtype;
  node->sequence_nr = next_sequence_nr++;
  if (is_anomaly_enabled()) node->forward_info = describe_forward(*node, inputs);
  out.grad_fn = std::move(node);
}

}  // namespace autograd
}  // namespace ag
