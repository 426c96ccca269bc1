// Matrix products: mm, bmm, dot, mv and matmul, which dispatches on the ranks as torch.matmul.
//
// Backward of C = A B:  dA = dC Bᵀ,  dB = Aᵀ dC. The GEMM kernel reads the transposes through
// their strides, so nothing is copied.
#include "ag/ops/linalg.hpp"

#include "ag/ops/elementwise.hpp"
#include "ag/ops/reduce.hpp"
#include "ag/ops/shape.hpp"
#include "autograd/node.hpp"
#include "core/make.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/gemm.hpp"

namespace ag {
namespace {

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  detail::check_floating(a, op);
  detail::check_floating(b, op);
  AG_CHECK(a.dtype() == b.dtype(), op, ": expected both operands to have the same dtype, but got ",
           dtype_name(a.dtype()), " ", a.shape(), " and ", dtype_name(b.dtype()), " ", b.shape());
}

// c = a @ b (+ c when accumulate) for 2-D views with any strides.
void mm_into(const Tensor& c, const Tensor& a, const Tensor& b, bool accumulate = false) {
  const int64_t m = a.shape()[0], k = a.shape()[1], n = b.shape()[1];
  kernels::dispatch_floating(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    kernels::gemm(m, n, k, T(1), {a.data_ptr<T>(), a.strides()[0], a.strides()[1]},
                  {b.data_ptr<T>(), b.strides()[0], b.strides()[1]}, T(accumulate ? 1 : 0),
                  {c.data_ptr<T>(), c.strides()[0], c.strides()[1]});
  });
}

// op(a) @ op(b) as a new tensor, op transposing when its flag is set: backward's g bᵀ and aᵀ g.
// The kernel reads the transposes through swapped strides, so no view or op bookkeeping is made.
// The result is laid out like `like` (row- or column-major), as PyTorch's mm backward does: the
// gradient of a weight used as w.t() then arrives at w dense.
Tensor product(const Tensor& a, bool ta, const Tensor& b, bool tb, const Tensor& like) {
  const int64_t m = a.shape()[ta ? 1 : 0], k = a.shape()[ta ? 0 : 1], n = b.shape()[tb ? 0 : 1];
  const int64_t a0 = a.strides()[0], a1 = a.strides()[1], b0 = b.strides()[0], b1 = b.strides()[1];
  const bool column_major = like.strides()[0] == 1 && like.strides()[1] == m && n > 1;
  Tensor c = detail::empty(column_major ? Shape{n, m} : Shape{m, n}, a.dtype());
  kernels::dispatch_floating(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    kernels::gemm(m, n, k, T(1), {a.data_ptr<T>(), ta ? a1 : a0, ta ? a0 : a1},
                  {b.data_ptr<T>(), tb ? b1 : b0, tb ? b0 : b1}, T(0),
                  {c.data_ptr<T>(), column_major ? 1 : n, column_major ? m : 1});
  });
  return column_major ? detail::make_view(c, {m, n}, {1, m}, 0) : c;
}

void check_mm_shapes(const Tensor& a, const Tensor& b, const char* op) {
  AG_CHECK(a.dim() == 2 && b.dim() == 2, op, ": expected 2-D tensors, got shapes ", a.shape(),
           " and ", b.shape());
  AG_CHECK(a.shape()[1] == b.shape()[0], op, ": cannot multiply ", a.shape(), " by ", b.shape(),
           ": inner sizes ", a.shape()[1], " and ", b.shape()[0], " differ");
}

// Reshape recorded under PyTorch's name for matmul's internal reshapes.
Tensor unsafe_view(const Tensor& x, const Shape& shape) {
  Tensor out = detail::alias(x).reshape(shape);
  const Shape in = x.shape();
  record(out, "UnsafeViewBackward0", {x}, {}, [in](const BackwardContext& c) -> Grads {
    return {c.grad.reshape(in)};
  });
  return out;
}

// The [1, m] -> [m] squeeze of the 1-D · 2-D case, under PyTorch's name for it.
Tensor squeeze_row(const Tensor& x) {
  Tensor out = detail::alias(x).squeeze(0);
  record(out, "SqueezeBackward3", {x}, {}, [](const BackwardContext& c) -> Grads {
    return {c.grad.unsqueeze(0)};
  });
  return out;
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  check_same_dtype(a, b, "mm");
  check_mm_shapes(a, b, "mm");
  Tensor c = detail::empty({a.shape()[0], b.shape()[1]}, a.dtype());
  mm_into(c, a, b);
  record(c, "MmBackward0", {a, b}, {a, b}, [](const BackwardContext& ctx) -> Grads {
    // c = a b:  da = g bᵀ,  db = aᵀ g
    const Tensor a = ctx.saved(0), b = ctx.saved(1);
    return {ctx.needs(0) ? product(ctx.grad, false, b, true, a) : Tensor(),
            ctx.needs(1) ? product(a, true, ctx.grad, false, b) : Tensor()};
  });
  return c;
}

Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b) {
  check_same_dtype(a, b, "addmm");
  detail::check_defined(bias, "addmm");
  AG_CHECK(bias.dtype() == a.dtype(), "addmm: bias is ", dtype_name(bias.dtype()),
           " but the matrices are ", dtype_name(a.dtype()));
  check_mm_shapes(a, b, "addmm");
  const Shape shape{a.shape()[0], b.shape()[1]};
  AG_CHECK(broadcast_shapes(bias.shape(), shape, "addmm") == shape, "addmm: bias of shape ",
           bias.shape(), " does not broadcast to the product's shape ", shape);
  Tensor c = detail::empty(shape, a.dtype());
  kernels::copy(c, bias);  // c = bias, broadcast (and converted to a's dtype)
  mm_into(c, a, b, /*accumulate=*/true);
  record(c, "AddmmBackward0", {bias, a, b}, {a, b}, [](const BackwardContext& ctx) -> Grads {
    // c = bias + a b:  dbias = g (summed to bias's shape by the engine), da = g bᵀ, db = aᵀ g
    const Tensor a = ctx.saved(0), b = ctx.saved(1);
    return {ctx.grad, ctx.needs(1) ? product(ctx.grad, false, b, true, a) : Tensor(),
            ctx.needs(2) ? product(a, true, ctx.grad, false, b) : Tensor()};
  });
  return c;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_same_dtype(a, b, "bmm");
  AG_CHECK(a.dim() == 3 && b.dim() == 3, "bmm: expected 3-D tensors, got shapes ", a.shape(),
           " and ", b.shape());
  AG_CHECK(a.shape()[0] == b.shape()[0], "bmm: batch sizes differ: ", a.shape(), " and ",
           b.shape());
  AG_CHECK(a.shape()[2] == b.shape()[1], "matmul: cannot multiply ", a.shape(), " by ", b.shape(),
           ": inner sizes ", a.shape()[2], " and ", b.shape()[1], " differ");
  const int64_t batch = a.shape()[0];
  Tensor c = detail::empty({batch, a.shape()[1], b.shape()[2]}, a.dtype());
  {
    AutoGradMode no_record(false);
    for (int64_t i = 0; i < batch; ++i) mm_into(c.select(0, i), a.select(0, i), b.select(0, i));
  }
  record(c, "BmmBackward0", {a, b}, {a, b}, [](const BackwardContext& ctx) -> Grads {
    return {ctx.needs(0) ? bmm(ctx.grad, ctx.saved(1).transpose(1, 2)) : Tensor(),
            ctx.needs(1) ? bmm(ctx.saved(0).transpose(1, 2), ctx.grad) : Tensor()};
  });
  return c;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  check_same_dtype(a, b, "dot");
  AG_CHECK(a.dim() == 1 && b.dim() == 1, "dot: expected 1-D tensors, got shapes ", a.shape(),
           " and ", b.shape());
  AG_CHECK(a.shape()[0] == b.shape()[0], "dot: inconsistent tensor size, expected tensor [",
           a.shape()[0], "] and src [", b.shape()[0], "] to have the same number of elements");
  Tensor c = detail::empty({1, 1}, a.dtype());
  {
    AutoGradMode no_record(false);
    mm_into(c, a.unsqueeze(0), b.unsqueeze(1));
  }
  c = detail::make_view(c, {}, {}, 0);
  record(c, "DotBackward0", {a, b}, {a, b}, [](const BackwardContext& ctx) -> Grads {
    return {ctx.needs(0) ? mul(ctx.saved(1), ctx.grad) : Tensor(),
            ctx.needs(1) ? mul(ctx.saved(0), ctx.grad) : Tensor()};
  });
  return c;
}

Tensor mv(const Tensor& a, const Tensor& b) {
  check_same_dtype(a, b, "mv");
  AG_CHECK(a.dim() == 2 && b.dim() == 1, "mv: expected a 2-D and a 1-D tensor, got shapes ",
           a.shape(), " and ", b.shape());
  AG_CHECK(a.shape()[1] == b.shape()[0], "matmul: cannot multiply ", a.shape(), " by ", b.shape(),
           ": inner sizes ", a.shape()[1], " and ", b.shape()[0], " differ");
  Tensor c = detail::empty({a.shape()[0], 1}, a.dtype());
  {
    AutoGradMode no_record(false);
    mm_into(c, a, b.unsqueeze(1));
  }
  c = detail::make_view(c, {a.shape()[0]}, {1}, 0);
  record(c, "MvBackward0", {a, b}, {a, b}, [](const BackwardContext& ctx) -> Grads {
    // c = a b:  da = g ⊗ b,  db = aᵀ g
    return {ctx.needs(0) ? mm(ctx.grad.unsqueeze(1), ctx.saved(1).unsqueeze(0)) : Tensor(),
            ctx.needs(1) ? mv(ctx.saved(0).t(), ctx.grad) : Tensor()};
  });
  return c;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_same_dtype(a, b, "matmul");
  const int64_t da = a.dim(), db = b.dim();
  AG_CHECK(da > 0 && db > 0, "matmul: both arguments need at least 1 dimension, got shapes ",
           a.shape(), " and ", b.shape());
  const int64_t ka = a.shape()[da - 1], kb = b.shape()[db == 1 ? 0 : db - 2];
  AG_CHECK(ka == kb, "matmul: cannot multiply ", a.shape(), " by ", b.shape(), ": inner sizes ",
           ka, " and ", kb, " differ");
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) return squeeze_row(mm(a.unsqueeze(0), b));
  if (da == 2 && db == 2) return mm(a, b);
  if (da == 2 && db >= 3) {
    // (a b) = ((b)ᵀ aᵀ)ᵀ per batch: fold the batch of b into one GEMM, then transpose back.
    return matmul(b.transpose(-1, -2), a.t()).transpose(-1, -2).contiguous();
  }
  if (da >= 3 && db <= 2) {
    // Fold the batch into the rows: one GEMM, [..., n, k] @ [k, m].
    Shape out_shape(a.shape().begin(), a.shape().end() - 1);
    Tensor rows = a.reshape({out_shape.numel(), ka});  // (explicit: -1 is ambiguous when k = 0)
    if (db == 1) return unsafe_view(mv(rows, b), out_shape);
    out_shape.push_back(b.shape()[1]);
    return unsafe_view(mm(rows, b), out_shape);
  }
  // General batched case: broadcast the batch dims, then bmm.
  Tensor a3 = da == 1 ? a.unsqueeze(0) : a;
  Tensor b3 = db == 1 ? b.unsqueeze(1) : b;
  Shape batch_a(a3.shape().begin(), a3.shape().end() - 2);
  Shape batch_b(b3.shape().begin(), b3.shape().end() - 2);
  Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  const int64_t n = a3.shape()[a3.dim() - 2], k = a3.shape()[a3.dim() - 1];
  const int64_t m = b3.shape()[b3.dim() - 1];
  Shape ea = batch, eb = batch;
  ea.push_back(n);
  ea.push_back(k);
  eb.push_back(k);
  eb.push_back(m);
  const int64_t nb = batch.numel();
  Tensor c = bmm(a3.expand(ea).reshape({nb, n, k}), b3.expand(eb).reshape({nb, k, m}));
  Shape out = batch;
  if (da > 1) out.push_back(n);
  if (db > 1) out.push_back(m);
  return unsafe_view(c, out);
}

Tensor Tensor::matmul(const Tensor& o) const { return ag::matmul(*this, o); }
Tensor Tensor::mm(const Tensor& o) const { return ag::mm(*this, o); }

}  // namespace ag
