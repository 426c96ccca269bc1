// Single-precision log and sincos as PyTorch's AVX2 randn kernel computes them
// (ATen/native/cpu/avx_mathfun.h, Cephes polynomials), one lane at a time in portable C++.
#pragma once

namespace ag::detail {

/// log256_ps for one lane; meant for x in (0, 1] (x <= 0 gives NaN as in avx_mathfun).
float cephes_logf(float x);

/// sincos256_ps for one lane; meant for |x| below a few thousand (PyTorch passes [0, 2pi)).
void cephes_sincosf(float x, float& sin_out, float& cos_out);

}  // namespace ag::detail
