// Minimal reproductions of the bugs the fuzzers found (tests/fuzz/*_fuzz.cpp; see
// docs/fuzzing.md for how a crash becomes a case here), each checking what PyTorch gives.
// Each comment says what ag did before the fix. Cases that only UBSan could see (undefined
// behaviour with a right result) fail only where it runs: the asan and fuzz presets.
#include <doctest/doctest.h>

#include <ag/ag.hpp>
#include <cmath>
#include <limits>
#include <vector>

namespace {

ag::TensorOptions f64() { return ag::TensorOptions().dtype(ag::kFloat64); }

}  // namespace

// expand accepted a negative size (other than -1) for a size-1 dim and made a tensor of shape
// [-2, 3] with numel -6, whose sum() read memory as if it held elements. PyTorch refuses.
TEST_CASE("expand to a negative size is refused") {
  ag::Tensor x = ag::ones({1, 3}, f64());
  CHECK_THROWS_AS(x.expand({-2, -1}), ag::Error);
  CHECK_THROWS_AS(x.expand({-2, 3}), ag::Error);
  CHECK_THROWS_AS(ag::ones({1}, f64()).expand({-3}), ag::Error);
  // Still allowed: -1 keeps a size, and a size-1 dim expands to 0.
  CHECK(x.expand({0, -1}).shape() == ag::Shape{0, 3});
  CHECK(x.expand({2, 1, -1}).shape() == ag::Shape{2, 1, 3});
}

// For a 0-dim tensor, ag accepted dims that PyTorch and ag's own other ops refuse. PyTorch
// treats a 0-dim tensor as having one dim for wrapping (only -1 and 0 are valid) and refuses
// repeated dims for any tensor:
//   softmax(s, 5), log_softmax(s, -2)  ag: 1 and 0; PyTorch: "Dimension out of range
//                                      (expected to be in range of [-1, 0], but got 5)"
//   flatten(s, 3, 7)                   ag: shape [1]; PyTorch: the same IndexError
//   sum(s, {0, -1}), sum(s, {0, 0})    ag: s; PyTorch: "dim 0 appears multiple times in the
//                                      list of dims"
TEST_CASE("0-dim tensors: dims are checked") {
  ag::Tensor s = ag::full({}, 2.0, f64());
  // valid
  CHECK(ag::softmax(s, 0).item<double>() == 1.0);
  CHECK(ag::log_softmax(s, -1).item<double>() == 0.0);
  CHECK(ag::flatten(s, 0, -1).shape() == ag::Shape{1});
  CHECK(ag::sum(s, ag::Shape{0}).item<double>() == 2.0);
  CHECK(ag::sum(s, 0).item<double>() == 2.0);  // sum(dim) and others already check
  CHECK_THROWS_AS(ag::sum(s, 1), ag::Error);
  CHECK_THROWS_AS(ag::transpose(s, 0, 1), ag::Error);
  // were accepted by ag, are refused by PyTorch
  CHECK_THROWS_AS(ag::softmax(s, 5), ag::Error);
  CHECK_THROWS_AS(ag::softmax(s, 1), ag::Error);
  CHECK_THROWS_AS(ag::log_softmax(s, -2), ag::Error);
  CHECK_THROWS_AS(ag::flatten(s, 3, 7), ag::Error);
  CHECK_THROWS_AS(ag::flatten(s, 0, 1), ag::Error);
  CHECK_THROWS_AS(ag::sum(s, ag::Shape{0, -1}), ag::Error);
  CHECK_THROWS_AS(ag::sum(s, ag::Shape{0, 0}), ag::Error);
}

// A >= 3-D tensor with inner size 0 times a 1-D or 2-D one threw "reshape: shape [-1, 0] is
// invalid for input of size 0": matmul folded the batch with reshape({-1, k}), ambiguous when
// k == 0 (fixed independently on main in c072632). PyTorch returns zeros. A 2-D tensor times
// a >= 3-D one goes the same way (ag computes it as (bᵀ aᵀ)ᵀ).
TEST_CASE("matmul with inner size 0 folds the batch") {
  ag::Tensor a = ag::zeros({2, 3, 0}, f64().requires_grad(true));
  ag::Tensor b = ag::zeros({0, 4}, f64().requires_grad(true));
  ag::Tensor v = ag::zeros({0}, f64());
  ag::Tensor c, d;
  REQUIRE_NOTHROW(c = ag::matmul(a, b));
  CHECK(c.shape() == ag::Shape{2, 3, 4});
  CHECK(c.to_vector<double>() == std::vector<double>(24, 0.0));
  REQUIRE_NOTHROW(d = ag::matmul(a, v));
  CHECK(d.shape() == ag::Shape{2, 3});
  ag::Tensor e;
  REQUIRE_NOTHROW(e = ag::matmul(ag::zeros({3, 0}, f64()), ag::zeros({2, 0, 4}, f64())));
  CHECK(e.shape() == ag::Shape{2, 3, 4});
  // The same shapes work when the batch is broadcast instead (the bmm path).
  CHECK(ag::matmul(a, b.unsqueeze(0)).shape() == ag::Shape{2, 3, 4});
  c.sum().backward();
  CHECK(a.grad().shape() == ag::Shape{2, 3, 0});
  CHECK(b.grad().to_vector<double>().empty());
}

// An empty tensor's storage has no data (nullptr), yet a view of it can have a non-zero
// offset (here 1: the strides of [2, 0] are [1, 1]), and TensorImpl::data() computed
// nullptr + offset * 8: undefined behaviour, which UBSan reported at the first kernel that
// asked for the data (e.g. `e + 1.0`); without UBSan data_ptr() returned the bogus pointer
// 0x8. ag makes such views itself: the backward of cat, stack, select, narrow and slice, and
// bmm on empty operands. data() now returns nullptr for a storage without data.
TEST_CASE("an empty view at an offset") {
  ag::Tensor e = ag::zeros({2, 0}, f64()).narrow(0, 1, 1);
  REQUIRE(e.numel() == 0);
  CHECK((e.impl().storage->data != nullptr || e.data_ptr<double>() == nullptr));
  CHECK((e + 1.0).numel() == 0);
  CHECK(ag::zeros({3, 0}, f64()).select(0, 2).sum().item<double>() == 0.0);
  // Inside ag too: bmm takes c.select(0, i) of an empty batched product (UBSan stops here).
  CHECK(ag::matmul(ag::zeros({2, 3, 0}, f64()), ag::zeros({2, 0, 3}, f64())).shape() ==
        ag::Shape{2, 3, 3});
}

// relu(NaN) was 0 (the kernel computed v > 0 ? v : 0), so a NaN upstream of a relu silently
// vanished. PyTorch's relu, and ag's own clamp, keep NaN; relu's backward
// (threshold_backward: 0 where y <= 0, else g) then passes the gradient to the NaN.
TEST_CASE("relu keeps NaN") {
  const double nan = std::nan("");
  ag::Tensor x = ag::from_vector(std::vector<double>{nan, -1.0, 2.0}, {3}, f64().requires_grad(true));
  ag::Tensor y = ag::relu(x);
  std::vector<double> v = y.to_vector<double>();
  CHECK(std::isnan(v[0]));
  CHECK(v[1] == 0.0);
  CHECK(v[2] == 2.0);
  y.backward(ag::from_vector(std::vector<double>{3.0, 4.0, 5.0}));
  CHECK(x.grad().to_vector<double>() == std::vector<double>{3.0, 0.0, 5.0});
}

// softmax and log_softmax (and their backward) over a dim of size 0 computed
// `px + o * n * inner + i` from the null data pointer of the empty input for every inner index
// i: undefined behaviour ("applying non-zero offset 8 to null pointer" in
// src/kernels/softmax.cpp). Nothing was read, so only UBSan saw it; the result was right.
TEST_CASE("softmax over an empty dim") {
  ag::Tensor x = ag::zeros({3, 0, 2}, f64().requires_grad(true));
  ag::Tensor y = ag::softmax(x, 1);
  CHECK(y.shape() == ag::Shape{3, 0, 2});
  ag::Tensor z = ag::log_softmax(x, 1);
  CHECK(z.shape() == ag::Shape{3, 0, 2});
  (y.sum() + z.sum()).backward();
  CHECK(x.grad().shape() == ag::Shape{3, 0, 2});
}

// clamp's backward multiplied the incoming gradient by a 0/1 mask, so where x is outside
// [min, max] a NaN or infinite incoming gradient became NaN (inf * 0) instead of 0. PyTorch
// computes where(min <= x <= max, grad, 0) (clamp_backward), so nothing leaks through the
// clamped positions; ag's own relu does the same. Found as: leaf v0 = 1,
// v3 = clamp(v0, -inf, -inf) = -inf, v5 = log_softmax(v3, -1) = NaN, whose NaN gradient came
// back through the clamp to v0 as NaN where PyTorch gives 0.
TEST_CASE("clamp's gradient is 0 outside [min, max]") {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
  ag::Tensor x = ag::from_vector(std::vector<double>{-5.0, 0.5, 5.0}, {3}, f64().requires_grad(true));
  ag::clamp(x, -1.0, 1.0).backward(ag::from_vector(std::vector<double>{inf, nan, -inf}));
  std::vector<double> g = x.grad().to_vector<double>();
  CHECK(g[0] == 0.0);  // was NaN
  CHECK(std::isnan(g[1]));
  CHECK(g[2] == 0.0);  // was NaN
}

// The backward of max() (all elements) shares the gradient among the elements equal to the
// maximum, found as the mask x == max; when the maximum was NaN that mask was all 0, and
// mask * (g / sum(mask)) = 0 * (g / 0) was NaN for every element. PyTorch
// (evenly_distribute_backward) sends the gradient to the NaN elements when the maximum is NaN
// and gives exactly 0 to the others, even for an infinite gradient: for x = [1, NaN, 2],
// max(x).backward() gives x.grad = [0, 1, 0] (ag gave [NaN, NaN, NaN]).
// Found as: v3 = mean(log(v0)) with a negative element in v0, then max(v3).
TEST_CASE("max() with NaN sends the gradient to the NaNs") {
  const double nan = std::nan("");
  ag::Tensor x = ag::from_vector(std::vector<double>{1.0, nan, 2.0}, {3}, f64().requires_grad(true));
  ag::Tensor m = ag::max(x);
  CHECK(std::isnan(m.item<double>()));
  m.backward();
  CHECK(x.grad().to_vector<double>() == std::vector<double>{0.0, 1.0, 0.0});
  const double inf = std::numeric_limits<double>::infinity();
  ag::Tensor z = ag::from_vector(std::vector<double>{1.0, 3.0, 3.0}, {3}, f64().requires_grad(true));
  ag::max(z).backward(ag::full({}, inf, f64()));
  CHECK(z.grad().to_vector<double>() == std::vector<double>{0.0, inf, inf});  // not NaN at 1.0
  // max(dim) was already right: its gradient goes to the index of the (first) NaN.
  ag::Tensor y = ag::from_vector(std::vector<double>{1.0, nan, 2.0}, {3}, f64().requires_grad(true));
  std::get<0>(ag::max(y, 0)).backward();
  CHECK(y.grad().to_vector<double>() == std::vector<double>{0.0, 1.0, 0.0});
}
