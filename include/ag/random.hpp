// Random tensors that are bit-identical to PyTorch's CPU generator (torch 1.13, AVX2 build).
//
// After ag::manual_seed(s), the same sequence of calls as after torch.manual_seed(s) gives the
// same numbers, float32 and float64, any size:
//
//   ag::manual_seed(42);
//   ag::Tensor x = ag::randn({4});                  // == torch.randn(4)
//   ag::Tensor W = ag::randn({6, 4});               // == torch.randn(6, 4)
//   W.uniform_(-0.5, 0.5);                          // == W.uniform_(-0.5, 0.5)
//
// The global generator is shared by all threads and guarded by a mutex. A separate
// ag::Generator can be passed to the overloads that take a Generator*.
#pragma once

#include <cstdint>
#include <memory>

#include "ag/tensor.hpp"

namespace ag {

namespace detail {
struct GeneratorState;
}

/// A Mersenne Twister stream with PyTorch's CPU generator semantics (torch.Generator()).
/// Not copyable; every draw locks it, so threads may share one.
class Generator {
 public:
  /// torch.Generator() starts from this seed.
  static constexpr uint64_t kDefaultSeed = 67280421310721ULL;

  /// A generator seeded as torch.Generator().manual_seed(seed).
  explicit Generator(uint64_t seed = kDefaultSeed);
  ~Generator();
  Generator(Generator&&) noexcept;
  Generator& operator=(Generator&&) noexcept;
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  /// Restarts the stream from `seed` (only its low 32 bits reach the Twister, as in PyTorch;
  /// a negative Python seed s corresponds to uint64_t(s)) and drops the cached normal sample.
  Generator& manual_seed(uint64_t seed);
  /// The seed given last (what torch.initial_seed() reports).
  uint64_t initial_seed() const;

  /// Internal: the state the fill kernels lock and draw from.
  detail::GeneratorState& state() const;

 private:
  std::unique_ptr<detail::GeneratorState> state_;
};

/// The global generator used when no Generator is given. Like PyTorch's, it starts from a
/// non-deterministic seed until manual_seed is called.
Generator& default_generator();

/// torch.manual_seed(seed): reseeds the global generator.
void manual_seed(uint64_t seed);
/// torch.initial_seed(): the global generator's seed.
uint64_t initial_seed();

/// torch.randn: N(0, 1) samples (float32 or float64).
Tensor randn(const Shape& shape, TensorOptions options = {});
Tensor randn(const Shape& shape, TensorOptions options, Generator* generator);
/// torch.rand: U[0, 1) samples (float32 or float64).
Tensor rand(const Shape& shape, TensorOptions options = {});
Tensor rand(const Shape& shape, TensorOptions options, Generator* generator);
/// torch.randn_like / torch.rand_like: same shape and dtype as t (t must be floating).
Tensor randn_like(const Tensor& t);
Tensor rand_like(const Tensor& t);

/// torch.randint(low, high, shape): integers uniform in [low, high), int64 by default
/// (float32 and float64 also allowed, as in PyTorch).
Tensor randint(int64_t low, int64_t high, const Shape& shape, TensorOptions options = kInt64);
Tensor randint(int64_t low, int64_t high, const Shape& shape, TensorOptions options,
               Generator* generator);
/// torch.randint(high, shape): integers uniform in [0, high).
Tensor randint(int64_t high, const Shape& shape, TensorOptions options = kInt64);

/// self.uniform_(from, to) drawing from `generator` (the global one when null).
Tensor& uniform_(Tensor& self, double from, double to, Generator* generator = nullptr);
/// self.normal_(mean, std) drawing from `generator` (the global one when null).
Tensor& normal_(Tensor& self, double mean, double std, Generator* generator = nullptr);
/// self.bernoulli_(p) drawing from `generator` (the global one when null).
Tensor& bernoulli_(Tensor& self, double p, Generator* generator = nullptr);

}  // namespace ag
