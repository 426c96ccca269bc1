// Per-element transforms of raw Twister output, as in ATen's TransformationHelper.h and
// DistributionsHelper.h: uniform floats, the scalar Box-Muller normal, Bernoulli, integers.
//
// Internal; only src/random/*.cpp include it, and they are built with -ffp-contract=off so
// that the only fused multiply-adds are the std::fma calls written here.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

#include "random/generator.hpp"

namespace ag::detail {

/// U[0, 1) from one 32-bit output: its low 24 bits over 2^24 (exact in float).
inline float uniform_float(uint32_t r) {
  return static_cast<float>(r & 0xFFFFFFu) * 0x1p-24f;
}

/// U[0, 1) from one 64-bit draw: its low 53 bits over 2^53 (exact in double).
inline double uniform_double(uint64_t r) {
  return static_cast<double>(r & ((uint64_t{1} << 53) - 1)) * 0x1p-53;
}

/// U[0, 1) of type T: float uses one output, double uses two.
template <class T>
inline T uniform01(GeneratorState& g) {
  if constexpr (sizeof(T) == 4)
    return uniform_float(g.random());
  else
    return uniform_double(g.random64());
}

/// u * (to - from) + from. NOTE: PyTorch's AVX2 build contracts this into one FMA (a single
/// rounding), in float for float tensors; width = to - from is rounded in T first.
inline float scale_uniform(float u, float width, float from) { return std::fmaf(u, width, from); }
inline double scale_uniform(double u, double width, double from) {
  return std::fma(u, width, from);
}

/// One N(0, 1) sample from the scalar path: Box-Muller in double with one cached sample.
/// NOTE: u1 (drawn first) sets the angle and u2 the radius, the reverse of the block path.
inline double standard_normal_scalar(GeneratorState& g) {
  if (g.has_cached_normal) {
    g.has_cached_normal = false;
    return g.cached_normal;
  }
  const double u1 = uniform_double(g.random64());
  const double u2 = uniform_double(g.random64());
  const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
  const double theta = 2.0 * std::numbers::pi * u1;
  g.cached_normal = r * std::sin(theta);
  g.has_cached_normal = true;
  return r * std::cos(theta);
}

/// value * std + mean as one FMA (PyTorch's AVX2 build fuses it), in double.
inline double scale_normal(double value, double mean, double std) {
  return std::fma(value, std, mean);
}

/// 1 with probability p: a float64 uniform (two outputs) compared with p.
inline bool bernoulli_draw(GeneratorState& g, double p) {
  return uniform_double(g.random64()) < p;
}

/// An integer in [base, base + range): one output when range < 2^32, else a 64-bit draw;
/// wrap-around arithmetic as PyTorch's uniform_int_from_to.
inline int64_t uniform_int(GeneratorState& g, uint64_t range, int64_t base) {
  const uint64_t r = range >= (uint64_t{1} << 32) ? g.random64() : g.random();
  return static_cast<int64_t>(r % range + static_cast<uint64_t>(base));
}

}  // namespace ag::detail
