// Making tensors: zeros, ones, full, arange, linspace, from_vector and nested braces.
//
//   auto a = ag::zeros({2, 3});                                    // float32
//   auto b = ag::ones({4}, ag::TensorOptions().dtype(ag::kFloat64).requires_grad(true));
//   auto c = ag::from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
//   auto d = ag::tensor({{0.1, 0.2}, {0.3, 0.4}});                 // 2x2 float32
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "ag/tensor.hpp"

namespace ag {

/// Uninitialised contents.
Tensor empty(const Shape& shape, TensorOptions options = {});
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
/// Same shape and dtype as t (requires_grad from options only).
Tensor empty_like(const Tensor& t);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);

/// 0, 1, ..., end-1 (float32 unless options say otherwise, as torch.arange(5.)).
Tensor arange(double end, TensorOptions options = {});
/// start, start+step, ... below end.
Tensor arange(double start, double end, double step = 1.0, TensorOptions options = {});
/// `steps` evenly spaced values from start to end inclusive, computed as PyTorch does.
Tensor linspace(double start, double end, int64_t steps, TensorOptions options = {});

/// A tensor holding a copy of `values` with the given shape (the dtype follows the vector:
/// float -> float32, double -> float64, int64_t -> int64, unless options set another).
Tensor from_vector(const std::vector<float>& values, const Shape& shape, TensorOptions options = {});
Tensor from_vector(const std::vector<double>& values, const Shape& shape,
                   TensorOptions options = kFloat64);
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape,
                   TensorOptions options = kInt64);
/// 1-D overloads: the shape is {values.size()}.
Tensor from_vector(const std::vector<float>& values);
Tensor from_vector(const std::vector<double>& values);
Tensor from_vector(const std::vector<int64_t>& values);

/// Nested braces of numbers for ag::tensor: a number, or a brace list of TensorData.
class TensorData {
 public:
  template <std::floating_point F>
  TensorData(F v) : value_(static_cast<double>(v)) {}
  template <std::integral I>
  TensorData(I v) : value_(static_cast<double>(v)), integral_(true) {}
  TensorData(std::initializer_list<TensorData> items) : items_(items), is_list_(true) {}

  /// Shape implied by the nesting; throws on ragged lists.
  Shape shape() const;
  /// The numbers in row-major order.
  void flatten(std::vector<double>& out) const;
  /// True when every number was written as an integer (then ag::tensor makes int64).
  bool all_integral() const;

 private:
  std::vector<TensorData> items_;
  double value_ = 0;
  bool integral_ = false;
  bool is_list_ = false;
};

/// torch.tensor: `ag::tensor({{1.5, 2.0}, {3.0, 4.0}})` (float32), `ag::tensor({1, 2, 3})`
/// (int64, as integers give in PyTorch), `ag::tensor(3.14)` (0-dim).
Tensor tensor(const TensorData& data, TensorOptions options);
Tensor tensor(const TensorData& data);

}  // namespace ag
