// doctest's main(), shared by every test executable.
//
// AG_TEST_GEMM_ISA=portable|avx2|avx512 runs a suite on those matrix kernels instead of the
// best the CPU has, to check that no test depends on which ones a machine picks.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "kernels/gemm.hpp"

int main(int argc, char** argv) {
  using ag::kernels::GemmIsa;
  if (const char* isa = std::getenv("AG_TEST_GEMM_ISA")) {
    const std::string_view name(isa);
    if (name != "portable" && name != "avx2" && name != "avx512") {
      std::fprintf(stderr, "AG_TEST_GEMM_ISA must be portable, avx2 or avx512, not '%s'\n", isa);
      return 2;
    }
    ag::kernels::set_gemm_isa(name == "portable" ? GemmIsa::kPortable
                              : name == "avx2"   ? GemmIsa::kAvx2
                                                 : GemmIsa::kAvx512);
  }
  return doctest::Context(argc, argv).run();
}
