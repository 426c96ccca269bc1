// The in-place rules shared by uniform_, normal_ and bernoulli_.
#include "random/fill.hpp"

#include "ag/factory.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"

namespace ag::detail {

bool begin_random_fill(const Tensor& self, const char* op) {
  const bool record = check_inplace(self, nullptr, op);
  for (int64_t d = 0; d < self.dim(); ++d)
    AG_CHECK(self.stride(d) != 0 || self.size(d) <= 1, op,
             ": unsupported operation: more than one element of the written-to tensor (shape ",
             self.shape(), ", strides ", self.strides(),
             ") refers to a single memory location; clone() it first");
  return record;
}

void end_random_fill(Tensor& self, bool record, const char* node_name) {
  ++self.impl().storage->version;
  if (!record) return;
  // The new contents do not depend on the old ones: the gradient sent back is zero, as
  // PyTorch's derivative (zeros_like(grad)) makes it.
  ag::record(self, node_name, {self}, {},
             [](const BackwardContext& c) -> Grads { return {zeros_like(c.grad)}; });
}

}  // namespace ag::detail
