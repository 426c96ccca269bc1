// Shared test helpers: compare a tensor with PyTorch's numbers, and run gradcheck.
#pragma once

#include <doctest/doctest.h>

#include <ag/ag.hpp>
#include <ag/gradcheck.hpp>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace test {

inline std::string show(const std::vector<double>& v) {
  std::ostringstream os;
  os.precision(9);
  os << '{';
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  return os.str() + '}';
}

/// Every element of `t` within atol + rtol * |expected| of `expected` (row-major).
inline void check_close(const ag::Tensor& t, const std::vector<double>& expected,
                        double rtol = 1e-5, double atol = 1e-6) {
  REQUIRE(t.defined());
  std::vector<double> got = t.to_vector<double>();
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element ", i, ": got ", show(got), ", expected ", show(expected));
    bool both_nan = std::isnan(got[i]) && std::isnan(expected[i]);
    CHECK((both_nan || got[i] == expected[i] ||  // (== also matches equal infinities)
           std::abs(got[i] - expected[i]) <= atol + rtol * std::abs(expected[i])));
  }
}

inline void check_shape(const ag::Tensor& t, const ag::Shape& shape) {
  INFO("shape ", t.shape().str(), " expected ", shape.str());
  CHECK(t.shape() == shape);
}

/// gradcheck must pass; on failure the message names the worst element.
inline void check_gradients(const std::function<ag::Tensor(const std::vector<ag::Tensor>&)>& fn,
                            const std::vector<ag::Tensor>& inputs,
                            const ag::GradcheckOptions& options = {}) {
  ag::GradcheckResult r = ag::gradcheck(fn, inputs, options);
  INFO(r.message);
  CHECK(r.ok);
}

/// A float64 leaf that requires grad, holding `values`.
inline ag::Tensor f64(const std::vector<double>& values, const ag::Shape& shape) {
  return ag::from_vector(values, shape).requires_grad_();
}

/// A float32 leaf that requires grad, holding `values`.
inline ag::Tensor f32(const std::vector<double>& values, const ag::Shape& shape) {
  return ag::from_vector(values, shape, ag::kFloat32).requires_grad_();
}

}  // namespace test
