// ToDtype: the one place where integer pixels become floating inputs (the IDX loader and the
// per-batch path of the data sets both call it, so both give the same bits).
#include "gradflow/data/transforms.hpp"

#include <limits>
#include <type_traits>

#include "gradflow/error.hpp"
#include "gradflow/factories.hpp"

namespace gf::data {

Tensor ToDtype::operator()(const Tensor& x) const {
  GF_CHECK(x.defined(), "ToDtype: undefined tensor");
  if (!scale || is_floating(x.dtype())) {
    Tensor y = x.detach().to(dtype);  // (x itself when it has the dtype already)
    return y.is_contiguous() ? y : y.contiguous();
  }
  GF_CHECK(is_floating(dtype), "ToDtype: scale=true converts integer values to a floating dtype, ",
           "not ", dtype_name(x.dtype()), " to ", dtype_name(dtype));
  const Tensor in = x.detach().contiguous();
  Tensor out = empty(in.sizes(), dtype);
  const int64_t n = in.numel();
  dispatch_floating(dtype, [&](auto to) {
    using T = decltype(to);
    T* o = out.data_ptr<T>();
    dispatch(in.dtype(), [&](auto from) {
      using S = decltype(from);
      // y = T(x) / T(max of S): a true division (not a multiplication by 1/max, which differs
      // in the last bit for some x), as ToTensor's div(255).
      const T max = static_cast<T>(std::numeric_limits<S>::max());
      const S* p = in.data_ptr<S>();
      for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(p[i]) / max;
    });
  });
  return out;
}

}  // namespace gf::data
