// Shape: the sizes of a tensor's dimensions, held inline (no heap allocation per op).
// Built implicitly from {2, 3} or from a std::vector<int64_t>.
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <vector>

namespace gf {

class Shape {
 public:
  static constexpr std::size_t kMaxDims = 8;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  Shape(const std::vector<int64_t>& dims);  // NOLINT(google-explicit-constructor)
  static Shape filled(std::size_t n, int64_t value);

  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  int64_t& operator[](std::size_t i) { return d_[i]; }
  int64_t operator[](std::size_t i) const { return d_[i]; }
  int64_t* begin() { return d_.data(); }
  int64_t* end() { return d_.data() + n_; }
  const int64_t* begin() const { return d_.data(); }
  const int64_t* end() const { return d_.data() + n_; }
  const int64_t* data() const { return d_.data(); }
  int64_t back() const { return d_[n_ - 1]; }
  void push_back(int64_t v);
  void insert(std::size_t pos, int64_t v);
  void erase(std::size_t pos);
  void resize(std::size_t n, int64_t value = 0);

  // product of the sizes; 1 for a 0-d shape. Inline, like ==: every op asks (3% of the 1,000-op
  // chain's instructions as out-of-line calls).
  int64_t numel() const {
    int64_t n = 1;
    for (std::size_t i = 0; i < n_; ++i) n *= d_[i];
    return n;
  }
  std::vector<int64_t> vec() const { return {begin(), end()}; }
  operator std::vector<int64_t>() const { return vec(); }  // NOLINT
  std::string str() const;  // "[2, 3]"

  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.n_ != b.n_) return false;
    for (std::size_t i = 0; i < a.n_; ++i)
      if (a.d_[i] != b.d_[i]) return false;
    return true;
  }
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }

 private:
  std::array<int64_t, kMaxDims> d_{};
  uint8_t n_ = 0;
};

std::ostream& operator<<(std::ostream&, const Shape&);

// Contiguous (row-major) strides for a shape.
Shape contiguous_strides(const Shape& shape);
// numpy broadcasting of two shapes; throws gf::Error naming op and both shapes when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// Wraps a possibly negative dim into [0, ndim); throws gf::Error naming op when out of range.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);

}  // namespace gf
