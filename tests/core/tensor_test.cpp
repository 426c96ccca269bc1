// Tensors: factories, accessors, dtypes and promotion, views sharing storage, 0-dim and empty
// tensors, in-place ops, and the message of every misuse.
#include "support/check.hpp"

using ag::Tensor;
using test::check_close;

TEST_CASE("factories make the asked shape, dtype and values") {
  Tensor z = ag::zeros({2, 3});
  CHECK(z.shape() == std::vector<int64_t>{2, 3});
  CHECK(z.dtype() == ag::kFloat32);
  CHECK(z.numel() == 6);
  CHECK(z.dim() == 2);
  check_close(z, {0, 0, 0, 0, 0, 0});
  Tensor o = ag::ones({2}, ag::TensorOptions().dtype(ag::kFloat64).requires_grad(true));
  CHECK(o.dtype() == ag::kFloat64);
  CHECK(o.requires_grad());
  CHECK(o.is_leaf());
  check_close(ag::full({3}, 2.5), {2.5, 2.5, 2.5});
  check_close(ag::arange(5), {0, 1, 2, 3, 4});
  check_close(ag::arange(1, 2, 0.25), {1, 1.25, 1.5, 1.75});
  check_close(ag::linspace(-1, 1, 5), {-1, -0.5, 0, 0.5, 1});
  check_close(ag::zeros_like(o), {0, 0});
  CHECK(ag::ones_like(o).dtype() == ag::kFloat64);
  CHECK_FALSE(ag::ones_like(o).requires_grad());
  Tensor v = ag::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {3, 2});
  CHECK(v.size(0) == 3);
  CHECK(v.size(-1) == 2);
  CHECK(v.stride(0) == 2);
  check_close(v.select(0, 1), {3, 4});
  CHECK(ag::from_vector(std::vector<double>{1, 2}).dtype() == ag::kFloat64);
  Tensor idx = ag::from_vector(std::vector<int64_t>{3, 1, 2}, {3});
  CHECK(idx.dtype() == ag::kInt64);
  CHECK(idx.to_vector<int64_t>() == std::vector<int64_t>{3, 1, 2});
}

TEST_CASE("linspace gives torch.linspace's values bit for bit") {
  // torch.linspace(a, b, n, dtype) hashed with FNV-1a over its bytes (PyTorch 1.13, AVX2 kernel)
  struct Case {
    double a, b;
    int64_t n;
    ag::Dtype dtype;
    uint64_t fnv;
  };
  const Case cases[] = {
      {-1, 1, 16, ag::kFloat32, 0xa6ce041c3dfdbcd2ull},
      {-1, 1, 20, ag::kFloat32, 0x5cc11b977113e6adull},
      {-3.7, 12.1, 103, ag::kFloat32, 0x0f9a3321915d0f5aull},
      {-1, 1, 2000, ag::kFloat32, 0x42830dd85c11e5f5ull},
      {5, -2, 11, ag::kFloat64, 0x8bbd2e00d988502aull},
      {0, 1, 1001, ag::kFloat64, 0x551e8b06e2efda3eull},
  };
  for (const Case& c : cases) {
    ag::Tensor t = ag::linspace(c.a, c.b, c.n, c.dtype);
    const auto* p = static_cast<const unsigned char*>(static_cast<const void*>(t.impl().data()));
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < static_cast<size_t>(t.numel()) * ag::element_size(t.dtype()); ++i) {
      h ^= p[i];
      h *= 0x100000001b3ull;
    }
    CAPTURE(c.n);
    CHECK(h == c.fnv);
  }
}

TEST_CASE("ag::tensor reads nested braces like torch.tensor") {
  Tensor a = ag::tensor({{0.1, 0.2}, {0.3, 0.4}});
  CHECK(a.shape() == std::vector<int64_t>{2, 2});
  CHECK(a.dtype() == ag::kFloat32);
  check_close(a, {0.1, 0.2, 0.3, 0.4});
  Tensor i = ag::tensor({1, 2, 300});
  CHECK(i.dtype() == ag::kInt64);
  Tensor s = ag::tensor(3.5);
  CHECK(s.dim() == 0);
  CHECK(s.item<double>() == 3.5);
  Tensor d = ag::tensor({1.5, 2.0}, ag::kFloat64);
  CHECK(d.dtype() == ag::kFloat64);
  CHECK_THROWS_WITH_AS(ag::tensor({{1.0, 2.0}, {3.0}}),
                       "tensor: ragged nested list: expected every item of shape [2] but one has "
                       "shape [1]",
                       ag::Error);
}

TEST_CASE("0-dim and empty tensors behave as in PyTorch") {
  Tensor s = ag::sum(ag::ones({2, 3}));
  CHECK(s.dim() == 0);
  CHECK(s.numel() == 1);
  CHECK(s.item<float>() == 6.0f);
  Tensor e = ag::zeros({0, 3});
  CHECK(e.numel() == 0);
  CHECK(ag::sum(e).item<float>() == 0.0f);
  CHECK(ag::sum(e, 0).shape() == std::vector<int64_t>{3});
  CHECK((e + ag::ones({3})).shape() == std::vector<int64_t>{0, 3});
  CHECK(ag::cat({e, ag::ones({2, 3})}, 0).shape() == std::vector<int64_t>{2, 3});
  CHECK(ag::mean(ag::tensor(4.0)).item<double>() == 4.0);
  CHECK(s.unsqueeze(0).shape() == std::vector<int64_t>{1});
  // An empty inner dimension: PyTorch gives zeros.
  Tensor z = ag::matmul(ag::ones({3, 2, 0}), ag::ones({0, 4}));
  CHECK(z.shape() == std::vector<int64_t>{3, 2, 4});
  check_close(z, std::vector<double>(24, 0.0));
}

TEST_CASE("float32 op float64 promotes to float64; to() converts") {
  Tensor a = ag::ones({2});
  Tensor b = ag::ones({2}, ag::kFloat64);
  CHECK((a + b).dtype() == ag::kFloat64);
  CHECK((a * 2.0).dtype() == ag::kFloat32);
  CHECK((b / 2.0).dtype() == ag::kFloat64);
  Tensor c = a.to(ag::kFloat64);
  CHECK(c.dtype() == ag::kFloat64);
  CHECK(a.to(ag::kFloat32).is_same(a));
  Tensor i = ag::from_vector(std::vector<int64_t>{1, 2});
  CHECK((i + 0.5).dtype() == ag::kFloat32);
  check_close(i + 0.5, {1.5, 2.5});
  CHECK(i.to(ag::kFloat64).to_vector<double>() == std::vector<double>{1, 2});
}

TEST_CASE("type promotion follows PyTorch: 0-dim operands, true division of int64") {
  // torch: ones(2) + tensor(1., float64) is float32; an int64 tensor with a float64 0-dim
  // tensor is float64; int64 / int64 is float32 true division.
  CHECK((ag::ones({2}) + ag::tensor(1.0, ag::kFloat64)).dtype() == ag::kFloat32);
  CHECK((ag::ones({2}, ag::kFloat64) + ag::tensor(1.0)).dtype() == ag::kFloat64);
  CHECK((ag::tensor({1, 2}) + ag::tensor(1.5, ag::kFloat64)).dtype() == ag::kFloat64);
  CHECK((ag::tensor({1, 2}) + ag::tensor(1.5)).dtype() == ag::kFloat32);
  CHECK((ag::tensor(1.0) + ag::tensor(1.0, ag::kFloat64)).dtype() == ag::kFloat64);
  Tensor q = ag::tensor({1, 2}) / ag::tensor({2, 2});
  CHECK(q.dtype() == ag::kFloat32);
  check_close(q, {0.5, 1.0});
}

TEST_CASE("a detached tensor is a new leaf that in-place ops may update") {
  Tensor w = test::f32({1, 2}, {2});
  Tensor d = w.detach();
  d.add_(w);  // allowed in PyTorch too: d now has history through w
  CHECK(d.requires_grad());
  d.sum().backward();
  check_close(w.grad(), {1, 1});
  Tensor z = ag::zeros({3});
  CHECK_THROWS_WITH_AS(z.narrow(0, 1, 2).copy_(w),
                       "copy_: in-place operations on a view are not supported when autograd must "
                       "record them (the view of shape [2] or the other operand requires grad); "
                       "use an out-of-place op (e.g. cat) or clone() the view first",
                       ag::Error);
}

TEST_CASE("views share storage with their base") {
  Tensor base = ag::arange(6).reshape({2, 3});
  Tensor col = base.select(1, 2);
  {
    ag::NoGradGuard no_grad;
    col.fill_(-1.0);
  }
  check_close(base, {0, 1, -1, 3, 4, -1});
  Tensor tr = base.t();
  CHECK_FALSE(tr.is_contiguous());
  CHECK(tr.strides() == std::vector<int64_t>{1, 3});
  check_close(tr.contiguous(), {0, 3, 1, 4, -1, -1});
  Tensor n = base.narrow(1, 1, 2);
  n.mul_(10.0);
  check_close(base, {0, 10, -10, 3, 40, -10});
  check_close(base.transpose(0, -1).unsqueeze(1).squeeze(1), {0, 3, 10, 40, -10, -10});
  CHECK(base.view({3, 2}).shape() == std::vector<int64_t>{3, 2});
  CHECK(base.reshape({-1}).numel() == 6);
}

TEST_CASE("in-place ops compute and bump the version") {
  Tensor t = ag::from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
  uint32_t v0 = t.impl().storage->version;
  t.add_(ag::from_vector(std::vector<float>{10, 20}, {2}));
  check_close(t, {11, 22, 13, 24});
  t.sub_(ag::ones({2, 2}), 2.0);
  t.mul_(ag::full({2, 1}, 0.5));
  t.div_(2.0);
  check_close(t, {2.25, 5, 2.75, 5.5});
  t.clamp_(2.5, 5.0);
  check_close(t, {2.5, 5, 2.75, 5});
  t.copy_(ag::arange(4).reshape({2, 2}).t());
  check_close(t, {0, 2, 1, 3});
  t.add_(t.t());  // reads an overlapping view: computed from a copy
  check_close(t, {0, 3, 3, 6});
  t.zero_();
  check_close(t, {0, 0, 0, 0});
  CHECK(t.impl().storage->version > v0);
  CHECK_THROWS_WITH_AS(t.add_(ag::ones({3})),
                       "add_: shapes [2, 2] and [3] cannot be broadcast together: the size of a "
                       "(2) must match the size of b (3) at non-singleton dimension 1",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({2}).add_(ag::ones({2, 2})),
                       "add_: output with shape [2] doesn't match the broadcast shape [2, 2]",
                       ag::Error);
}

TEST_CASE("item and to_vector convert") {
  Tensor t = ag::from_vector(std::vector<double>{0.25, 0.5}, {2});
  CHECK(t.to_vector<float>() == std::vector<float>{0.25f, 0.5f});
  CHECK(t.select(0, 1).item<float>() == 0.5f);
  CHECK_THROWS_WITH_AS(t.item<float>(),
                       "item: a tensor with 2 elements (shape [2]) cannot be converted to a scalar",
                       ag::Error);
  CHECK_THROWS_WITH_AS(t.data_ptr<float>(),
                       "data_ptr: the tensor is float64 but float32 was requested", ag::Error);
  CHECK_THROWS_WITH_AS(Tensor().dim(),
                       "undefined tensor: this Tensor was default-constructed or moved from",
                       ag::Error);
}

TEST_CASE("misuse is reported with the op, shapes and values") {
  CHECK_THROWS_WITH_AS(ag::matmul(ag::ones({1, 4}), ag::ones({6, 4})),
                       "matmul: cannot multiply [1, 4] by [6, 4]: inner sizes 4 and 6 differ",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::matmul(ag::ones({2, 2}), ag::ones({2, 2}, ag::kFloat64)),
                       "matmul: expected both operands to have the same dtype, but got float32 "
                       "[2, 2] and float64 [2, 2]",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({2, 3}) + ag::ones({2}),
                       "add: shapes [2, 3] and [2] cannot be broadcast together: the size of a "
                       "(3) must match the size of b (2) at non-singleton dimension 1",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({2, 3}).sum(2),
                       "sum: dimension out of range (expected to be in range of [-2, 1], but got 2)",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({2, 3}).select(1, 3),
                       "select: index 3 out of range for tensor of shape [2, 3] at dimension 1",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::zeros({2, -1}), "empty: negative size in shape [2, -1]", ag::Error);
  CHECK_THROWS_WITH_AS(ag::from_vector(std::vector<float>{1, 2, 3}, {2, 2}),
                       "from_vector: 3 values do not fill shape [2, 2] (4 elements)", ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({2, 3}).reshape({4, 2}),
                       "reshape: shape [4, 2] is invalid for input of size 6 (shape [2, 3])",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({2, 3}).t().view({6}),
                       "view: size [6] is not compatible with the input's shape [3, 2] and "
                       "strides [1, 3] (at least one dimension spans across two contiguous "
                       "subspaces); use reshape instead",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::cat({}, 0), "cat: expected a non-empty list of tensors", ag::Error);
  CHECK_THROWS_WITH_AS(ag::cat({ag::ones({2, 3}), ag::ones({2, 2})}, 0),
                       "cat: sizes of tensors must match except in dimension 0: expected size 3 "
                       "but got size 2 for tensor number 1 in the list (shapes [2, 3] and [2, 2])",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::stack({}, 0), "stack: expected a non-empty list of tensors", ag::Error);
  CHECK_THROWS_WITH_AS(ag::stack({ag::ones({2}), ag::ones({3})}, 0),
                       "stack: expects each tensor to be equal size, but got [2] at entry 0 and "
                       "[3] at entry 1",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({2, 3, 4}).t(),
                       "t: expects a tensor with <= 2 dimensions, but got shape [2, 3, 4]; use "
                       "transpose(dim0, dim1)",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({2}).expand({3, 3}),
                       "expand: the expanded size of the tensor (3) must match the existing size "
                       "(2) at non-singleton dimension 1. Target sizes: [3, 3]. Tensor sizes: [2]",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({4}).narrow(0, 2, 3),
                       "narrow: start (2) + length (3) exceeds dimension size (4) of dimension 0 "
                       "(shape [4])",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::tanh(ag::from_vector(std::vector<int64_t>{1})),
                       "tanh: expected a float32 or float64 tensor, got int64 of shape [1]",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::clamp(ag::ones({1}), 1.0, 0.0),
                       "clamp: min (1) must not be greater than max (0)", ag::Error);
  CHECK_THROWS_WITH_AS(ag::max(ag::zeros({2, 0}), 1),
                       "max: expected reduction dim 1 to have non-zero size, but the input has "
                       "shape [2, 0]",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::ones({2, 3}).permute({0, 0}),
                       "permute: repeated dim 0 in [0, 0]", ag::Error);
  CHECK_THROWS_WITH_AS(ag::sum_to_size(ag::ones({2, 3}), {4}),
                       "sum_to_size: size [4] is not expandable to size [2, 3]", ag::Error);
}

TEST_CASE("max and argmax along a dim return values and int64 indices") {
  Tensor x = ag::tensor({{1.0, 5.0, 5.0}, {-2.0, -1.0, -3.0}});
  auto [values, indices] = ag::max(x, 1);
  check_close(values, {5, -1});
  CHECK(indices.dtype() == ag::kInt64);
  CHECK(indices.to_vector<int64_t>() == std::vector<int64_t>{1, 1});  // first of the ties
  CHECK(ag::argmax(x).item<int64_t>() == 1);
  CHECK(ag::argmax(x, 0, true).shape() == std::vector<int64_t>{1, 3});
  CHECK(ag::argmax(x, 0).to_vector<int64_t>() == std::vector<int64_t>{0, 0, 0});
  Tensor n = ag::tensor({1.0, NAN, 3.0});
  CHECK(ag::argmax(n).item<int64_t>() == 1);  // NaN counts as the largest, as in PyTorch
}
