// gf::nn::ExpandingArray<D> — libtorch's ExpandingArray: one int means the same value in every
// spatial dimension (`stride(2)` is {2, 2}); a list must have exactly D values (three values for
// a 2-d kernel throw gf::Error at run time). It remembers whether it was given one int, so
// modules print like PyTorch: MaxPool2d(kernel_size=3, ...) but kernel_size=(3, 3) for a pair.
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "gradflow/error.hpp"

namespace gf::nn {

template <std::size_t D>
class ExpandingArray {
 public:
  ExpandingArray(int64_t v) : single_(true) { values_.fill(v); }  // NOLINT: implicit like libtorch
  ExpandingArray(std::initializer_list<int64_t> list) { assign(list.begin(), list.size()); }
  ExpandingArray(const std::vector<int64_t>& list) { assign(list.data(), list.size()); }
  ExpandingArray(const std::array<int64_t, D>& list) : values_(list) {}

  int64_t operator[](std::size_t i) const { return values_[i]; }
  const std::array<int64_t, D>& values() const { return values_; }
  std::size_t size() const { return D; }
  bool operator==(const ExpandingArray& o) const { return values_ == o.values_; }
  // True when every value equals v.
  bool all(int64_t v) const {
    for (int64_t x : values_)
      if (x != v) return false;
    return true;
  }
  // Python's tuple: "(3, 3)" or "(3,)".
  std::string tuple_repr() const {
    std::string s = "(";
    for (std::size_t i = 0; i < D; ++i) s += (i ? ", " : "") + std::to_string(values_[i]);
    return s + (D == 1 ? ",)" : ")");
  }
  // As the user gave it: "3" for one int, "(3, 3)" for a list.
  std::string repr() const { return single_ ? std::to_string(values_[0]) : tuple_repr(); }

 private:
  void assign(const int64_t* v, std::size_t n) {
    GF_CHECK(n == D, "ExpandingArray: expected ", D, " values, but instead got ", n);
    for (std::size_t i = 0; i < D; ++i) values_[i] = v[i];
  }
  std::array<int64_t, D> values_{};
  bool single_ = false;
};

// libtorch's TORCH_ARG: `opts.stride(2)` sets, `opts.stride()` reads; chainable.
#define GF_NN_ARG(T, name)                  \
 public:                                    \
  auto& name(const T& new_##name) {         \
    this->name##_ = new_##name;             \
    return *this;                           \
  }                                         \
  const T& name() const { return name##_; } \
                                            \
 private:                                   \
  T name##_

}  // namespace gf::nn
