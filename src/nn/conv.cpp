// Conv1d, Conv2d, ConvTranspose2d modules (torch/nn/modules/conv.py): parameters, torch's
// initialisation, printing; forward calls nn::functional.
#include "gradflow/nn/conv.hpp"

#include <cmath>

#include "gradflow/factories.hpp"
#include "gradflow/nn/init.hpp"

namespace gf::nn {

namespace {

// _ConvNd.reset_parameters: kaiming_uniform_(weight, a=√5) = U(±1/√fan_in); bias U(±1/√fan_in).
void reset_conv(Tensor& weight, Tensor& bias) {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

void check_channels(const char* type, int64_t in, int64_t out, int64_t groups) {
  GF_CHECK(groups > 0, type, ": groups must be a positive integer, got ", groups);
  GF_CHECK(in % groups == 0, type, ": in_channels must be divisible by groups (in_channels=", in,
           ", groups=", groups, ")");
  GF_CHECK(out % groups == 0, type,
           ": out_channels must be divisible by groups (out_channels=", out, ", groups=", groups,
           ")");
}

template <std::size_t D>
Shape weight_shape(int64_t a, int64_t b, const ExpandingArray<D>& k) {
  Shape s{a, b};
  for (std::size_t i = 0; i < D; ++i) s.push_back(k[i]);
  return s;
}

}  // namespace

template <std::size_t D>
ConvNd<D>::ConvNd(const ConvOptions<D>& o) : Module(D == 1 ? "Conv1d" : "Conv2d"), options_(o) {
  check_channels(type_name().c_str(), o.in_channels(), o.out_channels(), o.groups());
  GF_CHECK(is_floating(o.dtype()), type_name(), ": dtype must be floating, got ",
           dtype_name(o.dtype()));
  if (o.padding().kind() == PaddingKind::Same)
    GF_CHECK(o.stride().all(1), type_name(),
             ": padding='same' is not supported for strided convolutions");
  weight = register_parameter(
      "weight", empty(weight_shape(o.out_channels(), o.in_channels() / o.groups(), o.kernel_size()),
                      o.dtype()));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_channels()}, o.dtype()));
  reset_parameters();
}

template <std::size_t D>
void ConvNd<D>::reset_parameters() {
  reset_conv(weight, bias);
}

template <std::size_t D>
Tensor ConvNd<D>::forward(const Tensor& input) {
  const auto& o = options_;
  functional::ConvFuncOptions<D> f;
  f.bias(bias).stride(o.stride()).padding(o.padding()).dilation(o.dilation()).groups(o.groups());
  if constexpr (D == 1)
    return functional::conv1d(input, weight, f);
  else
    return functional::conv2d(input, weight, f);
}

template <std::size_t D>
std::string ConvNd<D>::extra_repr() const {
  const auto& o = options_;
  std::string s = std::to_string(o.in_channels()) + ", " + std::to_string(o.out_channels()) +
                  ", kernel_size=" + o.kernel_size().tuple_repr() +
                  ", stride=" + o.stride().tuple_repr();
  const auto& p = o.padding();
  if (p.kind() == PaddingKind::Same) s += ", padding=same";
  if (p.kind() == PaddingKind::Valid) s += ", padding=valid";
  if (p.kind() == PaddingKind::Explicit && !p.values().all(0))
    s += ", padding=" + p.values().tuple_repr();
  if (!o.dilation().all(1)) s += ", dilation=" + o.dilation().tuple_repr();
  if (o.groups() != 1) s += ", groups=" + std::to_string(o.groups());
  if (!o.bias()) s += ", bias=False";
  return s;
}

template class ConvNd<1>;
template class ConvNd<2>;

ConvTranspose2d::ConvTranspose2d(const ConvTranspose2dOptions& o)
    : Module("ConvTranspose2d"), options_(o) {
  check_channels("ConvTranspose2d", o.in_channels(), o.out_channels(), o.groups());
  GF_CHECK(is_floating(o.dtype()), "ConvTranspose2d: dtype must be floating, got ",
           dtype_name(o.dtype()));
  weight = register_parameter(
      "weight", empty(weight_shape(o.in_channels(), o.out_channels() / o.groups(), o.kernel_size()),
                      o.dtype()));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_channels()}, o.dtype()));
  reset_parameters();
}

void ConvTranspose2d::reset_parameters() { reset_conv(weight, bias); }

Tensor ConvTranspose2d::forward(const Tensor& input) {
  const auto& o = options_;
  return functional::conv_transpose2d(input, weight,
                                      functional::ConvTranspose2dFuncOptions()
                                          .bias(bias)
                                          .stride(o.stride())
                                          .padding(o.padding())
                                          .output_padding(o.output_padding())
                                          .groups(o.groups())
                                          .dilation(o.dilation()));
}

std::string ConvTranspose2d::extra_repr() const {
  const auto& o = options_;
  std::string s = std::to_string(o.in_channels()) + ", " + std::to_string(o.out_channels()) +
                  ", kernel_size=" + o.kernel_size().tuple_repr() +
                  ", stride=" + o.stride().tuple_repr();
  if (!o.padding().all(0)) s += ", padding=" + o.padding().tuple_repr();
  if (!o.dilation().all(1)) s += ", dilation=" + o.dilation().tuple_repr();
  if (!o.output_padding().all(0)) s += ", output_padding=" + o.output_padding().tuple_repr();
  if (o.groups() != 1) s += ", groups=" + std::to_string(o.groups());
  if (!o.bias()) s += ", bias=False";
  return s;
}

}  // namespace gf::nn
