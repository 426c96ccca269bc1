// Shape: the sizes (or strides) of a tensor, a small inline vector of int64_t.
//
// Converts from and to std::vector<int64_t> and from braces, so `ag::zeros({2, 3})`,
// `ag::zeros(std::vector<int64_t>{2, 3})` and `std::vector<int64_t> s = t.shape();` all work.
// Prints as PyTorch's error messages do: [2, 3].
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include "ag/detail/small_vec.hpp"

namespace ag {

class Shape : public detail::SmallVec<int64_t, 6> {
  using Base = detail::SmallVec<int64_t, 6>;

 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : Base(dims) {}
  Shape(const std::vector<int64_t>& dims) : Base(dims.begin(), dims.end()) {}
  template <class It, class = typename std::iterator_traits<It>::iterator_category>
  Shape(It first, It last) : Base(first, last) {}
  explicit Shape(size_t n, int64_t value = 0) : Base(n, value) {}

  operator std::vector<int64_t>() const { return std::vector<int64_t>(begin(), end()); }
  std::vector<int64_t> vec() const { return *this; }

  /// Product of the sizes (1 for a 0-dim shape).
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t s : *this) n *= s;
    return n;
  }
  /// "[2, 3]"
  std::string str() const;

  friend bool operator==(const Shape& a, const Shape& b) {
    return static_cast<const Base&>(a) == static_cast<const Base&>(b);
  }
  friend bool operator==(const Shape& a, const std::vector<int64_t>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
};

std::ostream& operator<<(std::ostream& os, const Shape& s);

}  // namespace ag
