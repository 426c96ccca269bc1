// ag::Generator, the global generator, manual_seed and initial_seed.
#include <random>

#include "random/generator.hpp"

namespace ag {

Generator::Generator(uint64_t seed) : state_(std::make_unique<detail::GeneratorState>(seed)) {}
Generator::~Generator() = default;
Generator::Generator(Generator&&) noexcept = default;
Generator& Generator::operator=(Generator&&) noexcept = default;

detail::GeneratorState& Generator::state() const {
  AG_CHECK(state_, "Generator: this generator was moved from");
  return *state_;
}

Generator& Generator::manual_seed(uint64_t seed) {
  detail::GeneratorState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.reseed(seed);
  return *this;
}

uint64_t Generator::initial_seed() const {
  detail::GeneratorState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.seed;
}

namespace {

// PyTorch seeds its default CPU generator non-deterministically; so does ag.
uint64_t nondeterministic_seed() {
  std::random_device device;
  const uint64_t hi = device();
  return (hi << 32) | device();
}

}  // namespace

Generator& default_generator() {
  static Generator generator(nondeterministic_seed());
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }
uint64_t initial_seed() { return default_generator().initial_seed(); }

}  // namespace ag
