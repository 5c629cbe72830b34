// PLACEHOLDER — being written (gather, index_select, cat, stack).
#include "gradflow/ops.hpp"
namespace gf {
#define GF_TODO(sig) sig { detail::fail("not implemented yet: " #sig); }
GF_TODO(Tensor gather(const Tensor&, int64_t, const Tensor&))
GF_TODO(Tensor index_select(const Tensor&, int64_t, const Tensor&))
GF_TODO(Tensor cat(const std::vector<Tensor>&, int64_t))
GF_TODO(Tensor stack(const std::vector<Tensor>&, int64_t))
}  // namespace gf
