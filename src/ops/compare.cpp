// PLACEHOLDER — being written (eq, ne, lt, le, gt, ge, operators, allclose).
#include "gradflow/ops.hpp"
namespace gf {
#define GF_TODO(sig) sig { detail::fail("not implemented yet: " #sig); }
GF_TODO(Tensor eq(const Tensor&, const Tensor&))
GF_TODO(Tensor ne(const Tensor&, const Tensor&))
GF_TODO(Tensor lt(const Tensor&, const Tensor&))
GF_TODO(Tensor le(const Tensor&, const Tensor&))
GF_TODO(Tensor gt(const Tensor&, const Tensor&))
GF_TODO(Tensor ge(const Tensor&, const Tensor&))
GF_TODO(Tensor operator==(const Tensor&, const Tensor&))
GF_TODO(Tensor operator<(const Tensor&, const Tensor&))
GF_TODO(Tensor operator>(const Tensor&, const Tensor&))
GF_TODO(Tensor operator<=(const Tensor&, const Tensor&))
GF_TODO(Tensor operator>=(const Tensor&, const Tensor&))
GF_TODO(bool allclose(const Tensor&, const Tensor&, double, double))
}  // namespace gf
