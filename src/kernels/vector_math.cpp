// The array forms of vector_math.hpp: the AVX-512 or AVX2 build when the CPU has it, else the
// portable loop (which compilers vectorise for the baseline instruction set). All three give
// the same bits.
#include "kernels/vector_math.hpp"

namespace ag::kernels {

namespace avx2 {
bool available();
void tanh(float* y, const float* x, int64_t n);
void sigmoid(float* y, const float* x, int64_t n);
void exp(float* y, const float* x, int64_t n);
}  // namespace avx2

namespace avx512 {
bool available();
void tanh(float* y, const float* x, int64_t n);
void sigmoid(float* y, const float* x, int64_t n);
void exp(float* y, const float* x, int64_t n);
}  // namespace avx512

namespace {
const bool use_avx512 = avx512::available();
const bool use_avx2 = avx2::available();
}

void tanh(float* y, const float* x, int64_t n) {
  if (use_avx512) return avx512::tanh(y, x, n);
  if (use_avx2) return avx2::tanh(y, x, n);
  for (int64_t i = 0; i < n; ++i) y[i] = vm::tanh(x[i]);
}

void sigmoid(float* y, const float* x, int64_t n) {
  if (use_avx512) return avx512::sigmoid(y, x, n);
  if (use_avx2) return avx2::sigmoid(y, x, n);
  for (int64_t i = 0; i < n; ++i) y[i] = vm::sigmoid(x[i]);
}

void exp(float* y, const float* x, int64_t n) {
  if (use_avx512) return avx512::exp(y, x, n);
  if (use_avx2) return avx2::exp(y, x, n);
  for (int64_t i = 0; i < n; ++i) y[i] = vm::exp(x[i]);
}

}  // namespace ag::kernels
