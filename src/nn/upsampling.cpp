// Upsample (torch/nn/modules/upsampling.py): forward calls F::interpolate; printing is torch's
// extra_repr (scale_factor as floats, or size, then the mode).
#include "gradflow/nn/upsampling.hpp"

#include "python_repr.hpp"

namespace gf::nn {

Tensor Upsample::forward(const Tensor& input) {
  return functional::interpolate(input, functional::InterpolateFuncOptions()
                                            .size(options_.size())
                                            .scale_factor(options_.scale_factor())
                                            .mode(options_.mode())
                                            .align_corners(options_.align_corners()));
}

namespace {
template <class T, class F>
std::string number_or_tuple(const std::vector<T>& v, F repr) {
  if (v.size() == 1) return repr(v[0]);
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + repr(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}
}  // namespace

std::string Upsample::extra_repr() const {
  std::string s;
  if (options_.scale_factor())
    s = "scale_factor=" +
        number_or_tuple(*options_.scale_factor(), [](double v) { return detail::python_float(v); });
  else
    s = "size=" + (options_.size() ? number_or_tuple(*options_.size(),
                                                     [](int64_t v) { return std::to_string(v); })
                                   : std::string("None"));
  return s + ", mode=" + functional::interpolate_mode_name(options_.mode());
}

}  // namespace gf::nn
