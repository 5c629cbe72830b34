// PLACEHOLDER — being written (max, argmax).
#include "gradflow/ops.hpp"
namespace gf {
#define GF_TODO(sig) sig { detail::fail("not implemented yet: " #sig); }
GF_TODO(Tensor max(const Tensor&))
GF_TODO(Tensor max(const Tensor&, int64_t, bool))
GF_TODO(Tensor argmax(const Tensor&, int64_t, bool))
}  // namespace gf
