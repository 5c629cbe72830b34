#include "gradflow/factories.hpp"

#include <cmath>
#include <numeric>

#include "gradflow/generator.hpp"

namespace gf {

namespace {
// Fills a new tensor with f(i) for i = 0..numel-1.
template <class F>
Tensor generate(const Shape& shape, DType dtype, F f) {
  Tensor out = empty(shape, dtype);
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = out.data_ptr<T>();
    for (int64_t i = 0, n = out.numel(); i < n; ++i) p[i] = convert<T>(f(i));
  });
  return out;
}
}  // namespace

Tensor tensor(std::vector<double> values, const Shape& shape, DType dtype) {
  GF_CHECK(static_cast<int64_t>(values.size()) == shape.numel(), "tensor: ", values.size(),
           " values do not fill shape ", shape, " (", shape.numel(), " elements)");
  return generate(shape, dtype, [&](int64_t i) { return values[i]; });
}

Tensor tensor(std::initializer_list<double> values, DType dtype) {
  return tensor(std::vector<double>(values), Shape{static_cast<int64_t>(values.size())}, dtype);
}

Tensor scalar_tensor(double v, DType dtype) { return full({}, v, dtype); }
Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor full(const Shape& shape, double v, DType dtype) { return empty(shape, dtype).fill_(v); }
Tensor zeros_like(const Tensor& t) { return zeros(t.sizes(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.sizes(), t.dtype()); }
Tensor full_like(const Tensor& t, double v) { return full(t.sizes(), v, t.dtype()); }

Tensor eye(int64_t n, DType dtype) {
  GF_CHECK(n >= 0, "eye: n must be non-negative, got ", n);
  return generate({n, n}, dtype, [n](int64_t i) { return i / n == i % n ? 1.0 : 0.0; });
}

Tensor arange(double end, DType dtype) { return arange(0, end, 1, dtype); }

Tensor arange(double start, double end, double step, DType dtype) {
  GF_CHECK(step != 0, "arange: step must be nonzero");
  GF_CHECK((end - start) / step >= 0, "arange: upper bound and larger bound inconsistent with "
           "step sign (start=", start, ", end=", end, ", step=", step, ")");
  auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  return generate({n}, dtype, [&](int64_t i) { return start + step * static_cast<double>(i); });
}

Tensor linspace(double start, double end, int64_t steps, DType dtype) {
  GF_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  // Like PyTorch: the second half counts back from `end` so both ends are exact.
  int64_t half = steps / 2;
  return generate({steps}, dtype, [&](int64_t i) {
    if (steps == 1) return start;  // torch.linspace(5, 10, 1) is [5]
    return i < half ? start + step * static_cast<double>(i)
                    : end - step * static_cast<double>(steps - 1 - i);
  });
}

Tensor rand(const Shape& shape, DType dtype) {
  Generator& g = default_generator();
  return generate(shape, dtype, [&](int64_t) { return g.uniform(); });
}

Tensor randn(const Shape& shape, DType dtype) {
  Generator& g = default_generator();
  return generate(shape, dtype, [&](int64_t) { return g.normal(); });
}

Tensor randint(int64_t low, int64_t high, const Shape& shape) {
  GF_CHECK(low < high, "randint: low (", low, ") must be less than high (", high, ")");
  Generator& g = default_generator();
  return generate(shape, DType::Int64, [&](int64_t) { return g.randint(low, high); });
}

// Fisher-Yates from the default generator.
Tensor randperm(int64_t n) {
  GF_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  Tensor out = arange(static_cast<double>(n));
  int64_t* p = out.data_ptr<int64_t>();
  Generator& g = default_generator();
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[g.randint(0, i + 1)]);
  return out;
}

}  // namespace gf
