// The state behind ag::Generator: PyTorch's CPU generator (CPUGeneratorImpl) in plain C++.
//
// Internal; only src/random/*.cpp include it (they are built with -ffp-contract=off).
#pragma once

#include <cstdint>
#include <mutex>
#include <random>

#include "ag/random.hpp"

namespace ag::detail {

struct GeneratorState {
  // Held for a whole fill, as PyTorch holds generator->mutex_, so that concurrent fills
  // take disjoint runs of the stream.
  std::mutex mutex;
  // NOTE: std::mt19937 seeded with uint32_t(seed) is exactly at::mt19937 (same init_genrand
  // seeding, same regeneration, same tempering); PyTorch drops the seed's high 32 bits too.
  std::mt19937 engine;
  uint64_t seed = 0;
  // Box-Muller's second value from the scalar normal path, kept in double for every dtype.
  bool has_cached_normal = false;
  double cached_normal = 0.0;

  explicit GeneratorState(uint64_t s) { reseed(s); }

  void reseed(uint64_t s) {
    seed = s;
    engine.seed(static_cast<std::mt19937::result_type>(static_cast<uint32_t>(s)));
    has_cached_normal = false;
    cached_normal = 0.0;
  }

  /// One tempered 32-bit output (at::CPUGeneratorImpl::random()).
  uint32_t random() { return static_cast<uint32_t>(engine()); }

  /// Two outputs, the first one in the high half (random64()).
  uint64_t random64() {
    const uint64_t hi = random();
    const uint64_t lo = random();
    return (hi << 32) | lo;
  }
};

/// The state of `generator`, or of the global generator when it is null.
inline GeneratorState& state_of(Generator* generator) {
  return (generator ? *generator : default_generator()).state();
}

}  // namespace ag::detail
