// ag's random streams against PyTorch's CPU generator, bit for bit.
//
// The expected tensors in torch_random_cases.hpp were produced by torch 1.13.1 (Debian, AVX2
// kernels) with the script below (`/usr/bin/python3 gen.py > torch_random_cases.hpp`). Each
// is {numel, FNV-1a of every element's bytes, {{index, bits}, ...}}: all elements up to 40,
// else 10 positions. The test bodies below repeat the script's calls in the same order.
//
//   import math, torch, numpy as np
//   f, d, i64 = torch.float32, torch.float64, torch.int64
//   def lit(t):  # {n, FNV-1a of all elements' little-endian bytes, {{index, bits}...}}
//       a = t.detach().contiguous().numpy().ravel()
//       b, h = a.view({4: np.uint32, 8: np.uint64}[a.itemsize]).tolist(), 0xcbf29ce484222325
//       for x in a.tobytes(): h = ((h ^ x) * 0x100000001b3) % 2**64
//       n = len(b); idx = range(n) if n <= 40 else sorted({0, 1, 15, 16, 17, n // 2, n - 17, n - 16, n - 2, n - 1})
//       return "{%d, 0x%xu, {%s}}" % (n, h, ", ".join("{%d, 0x%xu}" % (i, b[i]) for i in idx))
//   def emit(name, ts): print("inline const Expect %s[] = {\n    %s};" % (name, ",\n    ".join(map(lit, ts))))
//   def seeded(s, fn): torch.manual_seed(s); return fn()
//   print("// Generated from torch %s by the script in random_test.cpp; do not edit.\n#pragma once\n"
//         "#include \"random_expect.hpp\"\nnamespace rng {" % torch.__version__)
//   S, N = [0, 42, 1234, 2**32 + 7], [1, 4, 6, 15, 16, 17, 24, 31, 32, 33, 100, 1000]
//   for fn in ("rand", "randn"):
//       for dt in (f, d): emit(f"k_{fn}_{str(dt)[6:]}", [seeded(s, lambda: getattr(torch, fn)(n, dtype=dt)) for s in S for n in N])
//   for dt in (f, d):  # 9 calls in a row: the cached sample and the block tails
//       torch.manual_seed(1234)
//       emit(f"k_mixed_{str(dt)[6:]}", [g(*s, dtype=dt) for g, s in [(torch.randn, (3,)), (torch.randn, (17,)), (torch.randn, (1,)),
//            (torch.rand, (5,)), (torch.randn, (5,)), (torch.randn, (33,)), (torch.randn, (2, 3)), (torch.rand, (7, 3)), (torch.randn, (4,))]])
//   torch.manual_seed(0)  # one cache for all dtypes; block path and rand leave it alone; raw sample scaled by the consumer
//   emit("k_cross", [torch.randn(3), torch.randn(16), torch.rand(5), torch.randn(1, dtype=d), torch.randn(5, dtype=d), torch.randn(2),
//                    torch.empty(3).normal_(0.1, 0.3), torch.empty(1, dtype=d).normal_(5, 2), seeded(0, lambda: torch.randn(3)),
//                    seeded(0, lambda: torch.randn(4))])
//   emit("k_params", [seeded(42, lambda: torch.empty(n, dtype=dt).uniform_(a, b) if a is not None else torch.empty(n, dtype=dt).normal_(0.1, 0.3))
//                     for dt in (f, d) for n in (6, 24, 1000)
//                     for a, b in ((-0.5, 0.5), (-1 / math.sqrt(6), 1 / math.sqrt(6)), (2.0, 5.0), (None, None))])
//   torch.manual_seed(7)  # views filled in memory order; the whole base is compared
//   b = [torch.zeros(6, 4), torch.zeros(6, 4), torch.zeros(6, 4), torch.zeros(6, 4), torch.zeros(2, 3, 4, dtype=d), torch.zeros(4, 6)]
//   b[0].t().uniform_(-1, 1); b[1].t().normal_(0.1, 0.3); b[2][:, 1:3].uniform_(); b[3][1:5].normal_()
//   b[4].permute(2, 0, 1).normal_(); b[5].t()[::2].bernoulli_(0.5); emit("k_views", b)
//   torch.manual_seed(0)
//   emit("k_bernoulli", [torch.empty(20).bernoulli_(0.7), torch.empty(20, dtype=d).bernoulli_(0.25), torch.empty(7, dtype=i64).bernoulli_(0.5),
//                        torch.empty(5).bernoulli_(0.0), torch.empty(5).bernoulli_(1.0), seeded(0, lambda: torch.nn.functional.dropout(torch.ones(20), 0.3))])
//   torch.manual_seed(42)
//   emit("k_randint", [torch.randint(0, 2**32 - 1, (4,)), torch.randint(-5, 10, (6,)), torch.randint(10, (5,)), torch.randint(-2**40, 2**40, (4,)),
//                      torch.randint(0, 2**32, (3,)), torch.randint(-2**63, 2**63 - 1, (3,)), torch.randint(3, 4, (2,)),
//                      torch.randint(-100, 100, (2, 3), dtype=f), torch.randint(0, 1000, (3,), dtype=d)])
//   torch.manual_seed(42)  # seed-notebook-replay.md part one: x_t, Wx, Wh, b, Wy
//   r = [torch.randn(s) for s in [(4,), (4,), (6, 4), (6, 4), (6, 4), (6, 6), (6,), (6, 2)]]
//   cell = [torch.randn(s) for _ in range(3) for s in [(6, 4), (6, 6), (6,)]][6:]  # part two: third cell, then x, h0
//   emit("k_replay_one", [r[1], r[4], r[5], r[6], r[7]] + cell + [seeded(42, lambda: torch.randn(1, 4)), torch.randn(1, 6)])
//   torch.manual_seed(42)  # part three: 1,232 outputs, past the Twister's regeneration at 624
//   emit("k_replay_three", [torch.randn(s) for s in [(1, 4), (1, 6)] * 2 + [(6, 4), (6, 6), (6,)] * 7 + [(6, 4), (6, 6), (6,), (1, 6)] * 4][-4:])
//   print("}  // namespace rng")
//
// The replay literals equal every bit pattern of x_t, Wx, Wh, b, Wy (part one), the third
// cell's Wx, Wh, b and x, h0 (part two) and MyRNN #4's Wx, Wh, b, Wy (part three) listed in
// /work/shared/reference/seed-notebook-replay.md.
#include <doctest/doctest.h>

#include <ag/ag.hpp>
#include <ag/random.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "random/random_expect.hpp"
#include "random/torch_random_cases.hpp"

using rng::check_bits;

namespace {

const uint64_t kSeeds[] = {0, 42, 1234, (uint64_t{1} << 32) + 7};
const int64_t kSizes[] = {1, 4, 6, 15, 16, 17, 24, 31, 32, 33, 100, 1000};

// One fresh seed per (seed, size), as the script's first loop.
void check_fresh_streams(const rng::Expect* expected, bool normal, ag::Dtype dtype) {
  size_t k = 0;
  for (uint64_t seed : kSeeds) {
    for (int64_t n : kSizes) {
      CAPTURE(seed);
      CAPTURE(n);
      ag::manual_seed(seed);
      check_bits(normal ? ag::randn({n}, dtype) : ag::rand({n}, dtype), expected[k++]);
    }
  }
}

std::vector<uint32_t> float_bits(const ag::Tensor& t) {
  std::vector<uint32_t> out;
  for (uint64_t b : rng::bit_patterns(t)) out.push_back(static_cast<uint32_t>(b));
  return out;
}

}  // namespace

TEST_CASE("rand and randn equal torch for every size, seed and dtype") {
  SUBCASE("rand float32") { check_fresh_streams(rng::k_rand_float32, false, ag::kFloat32); }
  SUBCASE("rand float64") { check_fresh_streams(rng::k_rand_float64, false, ag::kFloat64); }
  SUBCASE("randn float32 (scalar path below 16, AVX2 Cephes block path from 16)") {
    check_fresh_streams(rng::k_randn_float32, true, ag::kFloat32);
  }
  SUBCASE("randn float64 (scalar path below 16, libm block path from 16)") {
    check_fresh_streams(rng::k_randn_float64, true, ag::kFloat64);
  }
}

TEST_CASE("calls in a row share the cached Box-Muller sample and leave block tails right") {
  for (ag::Dtype dt : {ag::kFloat32, ag::kFloat64}) {
    CAPTURE(dt);
    const rng::Expect* e = dt == ag::kFloat32 ? rng::k_mixed_float32 : rng::k_mixed_float64;
    ag::manual_seed(1234);
    check_bits(ag::randn({3}, dt), e[0]);  // leaves a cached sample
    check_bits(ag::randn({17}, dt), e[1]);  // block path: neither reads nor clears it
    check_bits(ag::randn({1}, dt), e[2]);   // the cached sample
    check_bits(ag::rand({5}, dt), e[3]);
    check_bits(ag::randn({5}, dt), e[4]);
    check_bits(ag::randn({33}, dt), e[5]);
    check_bits(ag::randn({2, 3}, dt), e[6]);
    check_bits(ag::rand({7, 3}, dt), e[7]);
    check_bits(ag::randn({4}, dt), e[8]);
  }
}

TEST_CASE("one cached sample for all dtypes, scaled by whoever consumes it; manual_seed drops it") {
  const rng::Expect* e = rng::k_cross;
  ag::manual_seed(0);
  check_bits(ag::randn({3}), e[0]);
  check_bits(ag::randn({16}), e[1]);
  check_bits(ag::rand({5}), e[2]);
  ag::Tensor cached = ag::randn({1}, ag::kFloat64);  // the float32 call's leftover, in double
  check_bits(cached, e[3]);
  CHECK(cached.item<double>() == 0.5684312772806678);  // torch-compat.md 2.1
  check_bits(ag::randn({5}, ag::kFloat64), e[4]);
  check_bits(ag::randn({2}), e[5]);
  check_bits(ag::empty({3}).normal_(0.1, 0.3), e[6]);
  check_bits(ag::empty({1}, ag::kFloat64).normal_(5, 2), e[7]);  // raw cached sample * 2 + 5
  ag::manual_seed(0);
  check_bits(ag::randn({3}), e[8]);
  ag::manual_seed(0);  // the sample randn(3) left is gone
  check_bits(ag::randn({4}), e[9]);
}

TEST_CASE("uniform_ and normal_ with parameters (fused multiply-add, as torch's AVX2 build)") {
  const double bound = 1 / std::sqrt(6.0);
  const std::pair<double, double> ranges[] = {{-0.5, 0.5}, {-bound, bound}, {2.0, 5.0}};
  size_t k = 0;
  for (ag::Dtype dt : {ag::kFloat32, ag::kFloat64}) {
    for (int64_t n : {6, 24, 1000}) {
      CAPTURE(dt);
      CAPTURE(n);
      for (auto [from, to] : ranges) {
        CAPTURE(from);
        ag::manual_seed(42);
        check_bits(ag::empty({n}, dt).uniform_(from, to), rng::k_params[k++]);
      }
      ag::manual_seed(42);
      check_bits(ag::empty({n}, dt).normal_(0.1, 0.3), rng::k_params[k++]);
    }
  }
}

TEST_CASE("in-place fills of views draw in memory order") {
  const rng::Expect* e = rng::k_views;
  ag::manual_seed(7);
  ag::Tensor b0 = ag::zeros({6, 4}), b1 = ag::zeros({6, 4}), b2 = ag::zeros({6, 4});
  ag::Tensor b3 = ag::zeros({6, 4}), b4 = ag::zeros({2, 3, 4}, ag::kFloat64), b5 = ag::zeros({4, 6});
  b0.t().uniform_(-1, 1);
  b1.t().normal_(0.1, 0.3);  // 24 elements but not contiguous: scalar path
  b2.narrow(1, 1, 2).uniform_();
  b3.narrow(0, 1, 4).normal_();  // contiguous with an offset: block path
  b4.permute({2, 0, 1}).normal_();
  b5.t().slice(0, 0, 6, 2).bernoulli_(0.5);
  check_bits(b0, e[0]);
  check_bits(b1, e[1]);
  check_bits(b2, e[2]);  // the untouched columns stay 0
  check_bits(b3, e[3]);
  check_bits(b4, e[4]);
  check_bits(b5, e[5]);
}

TEST_CASE("bernoulli_ and the dropout mask") {
  const rng::Expect* e = rng::k_bernoulli;
  ag::manual_seed(0);
  check_bits(ag::empty({20}).bernoulli_(0.7), e[0]);
  check_bits(ag::empty({20}, ag::kFloat64).bernoulli_(0.25), e[1]);
  check_bits(ag::empty({7}, ag::kInt64).bernoulli_(0.5), e[2]);
  check_bits(ag::empty({5}).bernoulli_(0.0), e[3]);  // still draws
  check_bits(ag::empty({5}).bernoulli_(1.0), e[4]);
  // F.dropout(x, p) on CPU is x * (empty_like(x).bernoulli_(1 - p) / (1 - p)).
  ag::manual_seed(0);
  const double p = 0.3;
  ag::Tensor mask = ag::empty({20});
  mask.bernoulli_(1 - p);
  check_bits(ag::ones({20}) * (mask / (1 - p)), e[5]);
}

TEST_CASE("randint") {
  const rng::Expect* e = rng::k_randint;
  ag::manual_seed(42);
  ag::Tensor raw = ag::randint(0, 4294967295, {4});  // range < 2^32: one output each
  CHECK(raw.dtype() == ag::kInt64);
  CHECK(raw.to_vector<int64_t>() ==
        std::vector<int64_t>{1608637542, 3421126067, 4083286876, 787846414});  // MT19937(42)
  check_bits(raw, e[0]);
  check_bits(ag::randint(-5, 10, {6}), e[1]);
  check_bits(ag::randint(10, {5}), e[2]);
  check_bits(ag::randint(-(int64_t{1} << 40), int64_t{1} << 40, {4}), e[3]);  // 64-bit draws
  check_bits(ag::randint(0, int64_t{1} << 32, {3}), e[4]);
  check_bits(ag::randint(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                         {3}),
             e[5]);
  check_bits(ag::randint(3, 4, {2}), e[6]);
  check_bits(ag::randint(-100, 100, {2, 3}, ag::kFloat32), e[7]);
  check_bits(ag::randint(0, 1000, {3}, ag::kFloat64), e[8]);
}

TEST_CASE("the starting notebook's draws, part one and two (seed-notebook-replay.md)") {
  const rng::Expect* e = rng::k_replay_one;
  ag::manual_seed(42);
  ag::randn({4});
  ag::Tensor x_t = ag::randn({4});
  ag::randn({6, 4});
  ag::randn({6, 4});
  ag::Tensor Wx = ag::randn({6, 4});
  ag::Tensor Wh = ag::randn({6, 6});
  ag::Tensor b = ag::randn({6});
  ag::Tensor Wy = ag::randn({6, 2});
  CHECK(float_bits(x_t) == std::vector<uint32_t>{0xbf8fb9c2, 0xbe3eccd8, 0x400d532c, 0xbf2353c6});
  check_bits(x_t, e[0]);
  check_bits(Wx, e[1]);
  check_bits(Wh, e[2]);
  check_bits(b, e[3]);
  check_bits(Wy, e[4]);
  // part two: three cells continue the stream (the third is used), then a reseed
  ag::Tensor cell_Wx, cell_Wh, cell_b;
  for (int k = 0; k < 3; ++k) {
    cell_Wx = ag::randn({6, 4});
    cell_Wh = ag::randn({6, 6});
    cell_b = ag::randn({6});
  }
  check_bits(cell_Wx, e[5]);
  check_bits(cell_Wh, e[6]);
  check_bits(cell_b, e[7]);
  ag::manual_seed(42);
  ag::Tensor x = ag::randn({1, 4});
  ag::Tensor h0 = ag::randn({1, 6});
  check_bits(x, e[8]);
  check_bits(h0, e[9]);
}

TEST_CASE("the starting notebook's draws, part three: 1,232 outputs cross the regeneration") {
  ag::manual_seed(42);
  for (int k = 0; k < 2; ++k) {  // earlier cells re-run: x, h0
    ag::randn({1, 4});
    ag::randn({1, 6});
  }
  for (int k = 0; k < 7; ++k) {  // seven cells, discarded
    ag::randn({6, 4});
    ag::randn({6, 6});
    ag::randn({6});
  }
  ag::Tensor Wx, Wh, b, Wy;
  for (int k = 0; k < 4; ++k) {  // four MyRNNs; the fourth is used
    Wx = ag::randn({6, 4});
    Wh = ag::randn({6, 6});
    b = ag::randn({6});
    Wy = ag::randn({1, 6});
  }
  CHECK(float_bits(b) ==
        std::vector<uint32_t>{0x3fb1646e, 0x3f1251f0, 0xbe4e36c4, 0xbdc6b22b, 0x40130b2e, 0xbca8e027});
  check_bits(Wx, rng::k_replay_three[0]);
  check_bits(Wh, rng::k_replay_three[1]);
  check_bits(b, rng::k_replay_three[2]);
  check_bits(Wy, rng::k_replay_three[3]);
}

TEST_CASE("seeds: only the low 32 bits reach the Twister; initial_seed keeps all 64") {
  ag::manual_seed(7);
  std::vector<float> a = ag::randn({20}).to_vector<float>();
  ag::manual_seed((uint64_t{1} << 32) + 7);
  CHECK(ag::initial_seed() == (uint64_t{1} << 32) + 7);
  CHECK(ag::randn({20}).to_vector<float>() == a);
  // torch.manual_seed(-1) is uint64_t(-1): the stream of 2^32 - 1.
  ag::manual_seed(static_cast<uint64_t>(-1));
  CHECK(ag::initial_seed() == std::numeric_limits<uint64_t>::max());
  std::vector<double> c = ag::rand({5}, ag::kFloat64).to_vector<double>();
  ag::manual_seed(4294967295u);
  CHECK(ag::rand({5}, ag::kFloat64).to_vector<double>() == c);
}

TEST_CASE("Generator objects are separate streams") {
  CHECK(ag::Generator().initial_seed() == 67280421310721u);  // torch.Generator().initial_seed()
  ag::manual_seed(42);
  ag::Generator g(7);
  ag::Tensor own = ag::randn({5}, {}, &g);
  // the global stream did not move: this is randn(4) right after manual_seed(42)
  CHECK(float_bits(ag::randn({4})) ==
        std::vector<uint32_t>{0x3eac62ae, 0x3e03e69d, 0x3e7016e7, 0x3e6bdc6c});
  ag::manual_seed(7);
  CHECK(ag::randn({5}).to_vector<float>() == own.to_vector<float>());

  g.manual_seed(1234);
  CHECK(g.initial_seed() == 1234);
  check_bits(ag::rand({100}, ag::kFloat64, &g), rng::k_rand_float64[2 * 12 + 10]);  // seed 1234, n 100
  g.manual_seed(0);
  ag::Tensor t = ag::empty({4});
  ag::uniform_(t, -1, 1, &g);
  ag::normal_(t, 0, 1, &g);
  ag::bernoulli_(t, 0.5, &g);
  ag::Tensor i = ag::randint(0, 10, {3}, ag::kInt64, &g);
  ag::Generator h(0);
  ag::Tensor u = ag::empty({4});
  ag::uniform_(u, -1, 1, &h);
  ag::normal_(u, 0, 1, &h);
  ag::bernoulli_(u, 0.5, &h);
  CHECK(ag::randint(0, 10, {3}, ag::kInt64, &h).to_vector<int64_t>() == i.to_vector<int64_t>());
  CHECK(u.to_vector<float>() == t.to_vector<float>());

  ag::Generator moved = std::move(h);
  CHECK(moved.initial_seed() == 0);
  CHECK_THROWS_WITH_AS(h.initial_seed(), "Generator: this generator was moved from", ag::Error);
}

TEST_CASE("randn_like and rand_like follow the tensor's shape and dtype") {
  ag::Tensor like = ag::zeros({2, 3}, ag::kFloat64);
  ag::manual_seed(3);
  ag::Tensor a = ag::randn_like(like), b = ag::rand_like(like);
  CHECK(a.shape() == ag::Shape{2, 3});
  CHECK(a.dtype() == ag::kFloat64);
  CHECK(b.dtype() == ag::kFloat64);
  ag::manual_seed(3);
  CHECK(ag::randn({2, 3}, ag::kFloat64).to_vector<double>() == a.to_vector<double>());
  CHECK(ag::rand({2, 3}, ag::kFloat64).to_vector<double>() == b.to_vector<double>());
  ag::Tensor r = ag::randn({3}, ag::TensorOptions().requires_grad(true));
  CHECK(r.requires_grad());
  CHECK(r.is_leaf());
  CHECK(ag::randn({0, 3}).numel() == 0);
}

TEST_CASE("two threads drawing from the global generator each get whole runs") {
  constexpr int64_t kRun = 100000;  // long enough for the threads to overlap
  ag::manual_seed(5);
  const std::vector<float> all = ag::rand({20 * kRun}).to_vector<float>();
  ag::manual_seed(5);
  std::vector<std::vector<float>> runs[2];
  auto work = [&runs](int k) {
    for (int i = 0; i < 10; ++i) runs[k].push_back(ag::rand({kRun}).to_vector<float>());
  };
  std::thread first(work, 0), second(work, 1);
  first.join();
  second.join();
  // Every fill holds the generator's lock: each run is one of the 20 consecutive slices.
  std::vector<int> used(20, 0);
  for (const auto& mine : runs) {
    for (const std::vector<float>& run : mine) {
      int found = -1;
      for (int s = 0; s < 20 && found < 0; ++s)
        if (std::equal(run.begin(), run.end(), all.begin() + s * kRun)) found = s;
      REQUIRE(found >= 0);
      ++used[static_cast<size_t>(found)];
    }
  }
  CHECK(used == std::vector<int>(20, 1));
}

TEST_CASE("in-place fills bump the version and follow the in-place autograd rules") {
  ag::Tensor t = ag::zeros({3});
  const uint32_t v0 = t.impl().storage->version;
  t.uniform_(0, 1);
  t.normal_(0, 1);
  t.bernoulli_(0.5);
  CHECK(t.impl().storage->version == v0 + 3);

  ag::Tensor w = ag::zeros({3}, ag::TensorOptions().requires_grad(true));
  CHECK_THROWS_WITH_AS(w.uniform_(-1, 1),
                       "uniform_: a leaf tensor that requires grad (shape [3]) is being used in "
                       "an in-place operation; do it inside ag::NoGradGuard",
                       ag::Error);
  CHECK_THROWS_WITH_AS(w.normal_(0, 1),
                       "normal_: a leaf tensor that requires grad (shape [3]) is being used in "
                       "an in-place operation; do it inside ag::NoGradGuard",
                       ag::Error);
  CHECK_THROWS_WITH_AS(w.bernoulli_(0.5),
                       "bernoulli_: a leaf tensor that requires grad (shape [3]) is being used "
                       "in an in-place operation; do it inside ag::NoGradGuard",
                       ag::Error);
  {
    ag::NoGradGuard no_grad;  // what parameter initialisation does
    ag::manual_seed(42);
    w.uniform_(-1, 1);
  }
  ag::manual_seed(42);
  CHECK(w.to_vector<float>() == ag::empty({3}).uniform_(-1, 1).to_vector<float>());
  CHECK(w.is_leaf());

  // A non-leaf takes the fill's history; the gradient behind it is zero, as in PyTorch.
  ag::Tensor x = ag::ones({3}, ag::TensorOptions().requires_grad(true));
  ag::Tensor y = x * 2.0;
  y.uniform_(0, 1);
  CHECK(y.grad_fn_name() == "UniformBackward0");
  y.sum().backward();
  REQUIRE(x.grad().defined());
  CHECK(x.grad().to_vector<float>() == std::vector<float>{0, 0, 0});
  ag::Tensor z = x * 2.0;
  CHECK(z.normal_(0, 1).grad_fn_name() == "NormalBackward0");
  CHECK(z.bernoulli_(0.5).grad_fn_name() == "BernoulliBackward2");
}

TEST_CASE("errors name the op and the values") {
  ag::Tensor t = ag::empty({3});
  CHECK_THROWS_WITH_AS(t.uniform_(2, 1), "uniform_: expects from <= to, but got from=2 to=1",
                       ag::Error);
  CHECK_THROWS_WITH_AS(t.uniform_(-3e38, 3e38),
                       "uniform_: expects to - from <= 3.40282e+38 (the largest float32), but "
                       "got from=-3e+38 to=3e+38",
                       ag::Error);
  CHECK_THROWS_WITH_AS(t.uniform_(-INFINITY, 0), "uniform_: from=-inf is out of bounds for float32",
                       ag::Error);
  CHECK_THROWS_WITH_AS(t.normal_(0, -1), "normal_: expects std >= 0, but got std=-1", ag::Error);
  CHECK_THROWS_WITH_AS(t.bernoulli_(1.5), "bernoulli_: expects p in [0, 1], but got p=1.5",
                       ag::Error);
  CHECK_THROWS_WITH_AS(t.bernoulli_(-0.1), "bernoulli_: expects p in [0, 1], but got p=-0.1",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::randint(5, 5, {3}), "randint: expects low < high, but got low=5 high=5",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::randint(0, 5, {2, -1}), "randint: negative size in shape [2, -1]",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::randn({2, -1}), "randn: negative size in shape [2, -1]", ag::Error);
  CHECK_THROWS_WITH_AS(ag::rand({-3}), "rand: negative size in shape [-3]", ag::Error);
  CHECK_THROWS_WITH_AS(ag::randn({3}, ag::kInt64),
                       "randn: expected a float32 or float64 dtype, got int64", ag::Error);
  CHECK_THROWS_WITH_AS(ag::rand({3}, ag::kInt64),
                       "rand: expected a float32 or float64 dtype, got int64", ag::Error);
  ag::Tensor ints = ag::zeros({3}, ag::kInt64);
  CHECK_THROWS_WITH_AS(ints.uniform_(0, 1),
                       "uniform_: expected a float32 or float64 tensor, got int64 of shape [3]",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ints.normal_(0, 1),
                       "normal_: expected a float32 or float64 tensor, got int64 of shape [3]",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::randn_like(ints),
                       "randn_like: expected a float32 or float64 tensor, got int64 of shape [3]",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::zeros({3}).expand({2, 3}).uniform_(0, 1),
                       "uniform_: unsupported operation: more than one element of the written-to "
                       "tensor (shape [2, 3], strides [0, 1]) refers to a single memory location; "
                       "clone() it first",
                       ag::Error);
  CHECK_THROWS_WITH_AS(ag::Tensor().normal_(0, 1), "normal_: got an undefined tensor", ag::Error);
}
