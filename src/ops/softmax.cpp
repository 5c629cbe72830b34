// PLACEHOLDER — being written (softmax, log_softmax, logsumexp).
#include "gradflow/ops.hpp"
namespace gf {
#define GF_TODO(sig) sig { detail::fail("not implemented yet: " #sig); }
GF_TODO(Tensor softmax(const Tensor&, int64_t))
GF_TODO(Tensor log_softmax(const Tensor&, int64_t))
GF_TODO(Tensor logsumexp(const Tensor&, int64_t, bool))
}  // namespace gf
