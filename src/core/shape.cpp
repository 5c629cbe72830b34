#include "gradflow/shape.hpp"

#include <ostream>
#include <sstream>

#include "gradflow/error.hpp"

namespace gf {

Shape::Shape(std::initializer_list<int64_t> dims) {
  GF_CHECK(dims.size() <= kMaxDims, "Shape: at most ", kMaxDims, " dims, got ", dims.size());
  for (int64_t d : dims) d_[n_++] = d;
}

Shape::Shape(const std::vector<int64_t>& dims) {
  GF_CHECK(dims.size() <= kMaxDims, "Shape: at most ", kMaxDims, " dims, got ", dims.size());
  for (int64_t d : dims) d_[n_++] = d;
}

Shape Shape::filled(std::size_t n, int64_t value) {
  Shape s;
  s.resize(n, value);
  return s;
}

void Shape::push_back(int64_t v) {
  GF_CHECK(n_ < kMaxDims, "Shape: at most ", kMaxDims, " dims");
  d_[n_++] = v;
}

void Shape::insert(std::size_t pos, int64_t v) {
  GF_CHECK(n_ < kMaxDims, "Shape: at most ", kMaxDims, " dims");
  for (std::size_t i = n_; i > pos; --i) d_[i] = d_[i - 1];
  d_[pos] = v;
  ++n_;
}

void Shape::erase(std::size_t pos) {
  for (std::size_t i = pos; i + 1 < n_; ++i) d_[i] = d_[i + 1];
  --n_;
}

void Shape::resize(std::size_t n, int64_t value) {
  GF_CHECK(n <= kMaxDims, "Shape: at most ", kMaxDims, " dims, got ", n);
  for (std::size_t i = n_; i < n; ++i) d_[i] = value;
  n_ = static_cast<uint8_t>(n);
}

std::string Shape::str() const {
  std::ostringstream out;
  out << *this;
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Shape& s) {
  out << '[';
  for (std::size_t i = 0; i < s.size(); ++i) out << (i ? ", " : "") << s[i];
  return out << ']';
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides = Shape::filled(shape.size(), 1);
  int64_t acc = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = acc;
    acc *= std::max<int64_t>(shape[i], 1);
  }
  return strides;
}

// numpy rule: align trailing dims; each pair must be equal or contain a 1.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  if (a == b) return a;
  std::size_t n = std::max(a.size(), b.size());
  Shape out = Shape::filled(n, 1);
  for (std::size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    GF_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", a, " and ", b,
             " cannot be broadcast (dim ", i, ": ", da, " vs ", db, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  int64_t n = std::max<int64_t>(ndim, 1);  // a 0-d tensor accepts dim 0 and -1, like PyTorch
  GF_CHECK(dim >= -n && dim < n, op, ": dim ", dim, " out of range for a tensor with ", ndim,
           " dims (expected in [", -n, ", ", n - 1, "])");
  return dim < 0 ? dim + n : dim;
}

}  // namespace gf
