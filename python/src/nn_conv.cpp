// gradflow.nn's second round: convolutions and pools (functional and modules), pad, the
// activations with options, and gradflow.models (AlexNet, LeNet5). Python's keyword arguments
// become libtorch's option structs; an int or a tuple becomes an ExpandingArray, like torch.
#include "common.hpp"

namespace gfpy {

namespace {

namespace NF = gf::nn::functional;
using gf::nn::ExpandingArray;
using gf::nn::Module;

template <std::size_t D>
ExpandingArray<D> expanding(py::handle v) {
  if (py::isinstance<py::int_>(v)) return ExpandingArray<D>(v.cast<int64_t>());
  return ExpandingArray<D>(v.cast<std::vector<int64_t>>());
}
template <std::size_t D>
gf::nn::ConvPadding<D> conv_padding(py::handle v) {
  if (py::isinstance<py::str>(v)) return gf::nn::ConvPadding<D>(v.cast<std::string>());
  return gf::nn::ConvPadding<D>(expanding<D>(v));
}

// Convolutions and pools release the GIL when the input is big.
bool heavy(const Tensor& x) { return x.numel() > kHeavyWork; }

template <std::size_t D>
Tensor conv(const Tensor& x, const Tensor& w, std::optional<Tensor> b, py::handle stride,
            py::handle padding, py::handle dilation, int64_t groups) {
  auto o = NF::ConvFuncOptions<D>()
               .stride(expanding<D>(stride))
               .padding(conv_padding<D>(padding))
               .dilation(expanding<D>(dilation))
               .groups(groups);
  if (b) o.bias(*b);
  MaybeRelease release(heavy(x));
  if constexpr (D == 1)
    return NF::conv1d(x, w, o);
  else
    return NF::conv2d(x, w, o);
}
template <std::size_t D>
Tensor conv_transpose(const Tensor& x, const Tensor& w, std::optional<Tensor> b, py::handle stride,
                      py::handle padding, py::handle output_padding, int64_t groups,
                      py::handle dilation) {
  auto o = NF::ConvTransposeFuncOptions<D>()
               .stride(expanding<D>(stride))
               .padding(expanding<D>(padding))
               .output_padding(expanding<D>(output_padding))
               .groups(groups)
               .dilation(expanding<D>(dilation));
  if (b) o.bias(*b);
  MaybeRelease release(heavy(x));
  if constexpr (D == 1)
    return NF::conv_transpose1d(x, w, o);
  else
    return NF::conv_transpose2d(x, w, o);
}

NF::MaxPool2dFuncOptions max_pool_options(py::handle kernel, py::handle stride, py::handle padding,
                                          py::handle dilation, bool ceil_mode) {
  NF::MaxPool2dFuncOptions o(expanding<2>(kernel));
  if (!stride.is_none()) o.stride(expanding<2>(stride));
  return o.padding(expanding<2>(padding)).dilation(expanding<2>(dilation)).ceil_mode(ceil_mode);
}
NF::AvgPool2dFuncOptions avg_pool_options(py::handle kernel, py::handle stride, py::handle padding,
                                          bool ceil_mode, bool count_include_pad,
                                          std::optional<int64_t> divisor_override) {
  NF::AvgPool2dFuncOptions o(expanding<2>(kernel));
  if (!stride.is_none()) o.stride(expanding<2>(stride));
  return o.padding(expanding<2>(padding))
      .ceil_mode(ceil_mode)
      .count_include_pad(count_include_pad)
      .divisor_override(divisor_override);
}
py::object maybe_indices(std::tuple<Tensor, Tensor> out, bool return_indices) {
  if (return_indices) return py::make_tuple(std::get<0>(out), std::get<1>(out));
  return py::cast(std::get<0>(out));
}

NF::PadMode pad_mode_of(const std::string& mode) {
  if (mode == "constant") return NF::PadMode::Constant;
  if (mode == "reflect") return NF::PadMode::Reflect;
  if (mode == "replicate") return NF::PadMode::Replicate;
  if (mode == "circular") return NF::PadMode::Circular;
  throw py::value_error("Unrecognised padding mode " + mode);
}

template <class M>
using ModuleClass = py::class_<M, Module, std::shared_ptr<M>>;

// weight and bias of a layer as gradflow.nn.Parameter (the registered tensors themselves).
template <class M, class C>
void def_weight_bias(C& c) {
  c.def_property_readonly("weight", [](const M& l) {
     return as_parameter(l.weight);
   }).def_property_readonly("bias", [](const M& l) { return as_parameter(l.bias); });
}

// Conv1d / Conv2d: torch's constructor (ints or tuples, padding also "same"/"valid").
template <std::size_t N, class M, class Options>
void def_conv(py::module_& nn, const char* name) {
  auto cls = ModuleClass<M>(nn, name);
  cls.def(py::init([](int64_t in, int64_t out, py::handle k, py::handle s, py::handle p,
                      py::handle d, int64_t groups, bool bias, std::optional<DType> dtype) {
            return std::make_shared<M>(Options(in, out, expanding<N>(k))
                                           .stride(expanding<N>(s))
                                           .padding(conv_padding<N>(p))
                                           .dilation(expanding<N>(d))
                                           .groups(groups)
                                           .bias(bias)
                                           .dtype(dtype.value_or(gf::default_dtype())));
          }),
          py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"),
          py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1,
          py::arg("groups") = 1, py::arg("bias") = true, py::arg("dtype") = py::none());
  def_weight_bias<M>(cls);
}

}  // namespace

void init_nn_conv(py::module_& m) {
  auto nn = py::reinterpret_borrow<py::module_>(m.attr("nn"));
  auto f = py::reinterpret_borrow<py::module_>(nn.attr("functional"));

  // ---- functional: convolutions ----
  f.def("conv1d", &conv<1>, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(),
        py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1,
        py::arg("groups") = 1);
  f.def("conv2d", &conv<2>, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(),
        py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1,
        py::arg("groups") = 1);
  f.def("conv_transpose1d", &conv_transpose<1>, py::arg("input"), py::arg("weight"),
        py::arg("bias") = py::none(), py::arg("stride") = 1, py::arg("padding") = 0,
        py::arg("output_padding") = 0, py::arg("groups") = 1, py::arg("dilation") = 1);
  f.def("conv_transpose2d", &conv_transpose<2>, py::arg("input"), py::arg("weight"),
        py::arg("bias") = py::none(), py::arg("stride") = 1, py::arg("padding") = 0,
        py::arg("output_padding") = 0, py::arg("groups") = 1, py::arg("dilation") = 1);

  // ---- functional: pools ----
  f.def(
      "max_pool2d",
      [](const Tensor& x, py::handle k, py::handle s, py::handle p, py::handle d, bool ceil_mode,
         bool return_indices) {
        auto o = max_pool_options(k, s, p, d, ceil_mode);
        MaybeRelease release(heavy(x));
        if (!return_indices) return py::cast(NF::max_pool2d(x, o));
        return maybe_indices(NF::max_pool2d_with_indices(x, o), true);
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(),
      py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("ceil_mode") = false,
      py::arg("return_indices") = false);
  f.def(
      "avg_pool2d",
      [](const Tensor& x, py::handle k, py::handle s, py::handle p, bool ceil_mode, bool cip,
         std::optional<int64_t> divisor) {
        auto o = avg_pool_options(k, s, p, ceil_mode, cip, divisor);
        MaybeRelease release(heavy(x));
        return NF::avg_pool2d(x, o);
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(),
      py::arg("padding") = 0, py::arg("ceil_mode") = false, py::arg("count_include_pad") = true,
      py::arg("divisor_override") = py::none());
  f.def(
      "adaptive_avg_pool2d",
      [](const Tensor& x, py::handle size) {
        return NF::adaptive_avg_pool2d(x, expanding<2>(size));
      },
      py::arg("input"), py::arg("output_size"));
  f.def(
      "adaptive_max_pool2d",
      [](const Tensor& x, py::handle size, bool return_indices) {
        return maybe_indices(NF::adaptive_max_pool2d_with_indices(x, expanding<2>(size)),
                             return_indices);
      },
      py::arg("input"), py::arg("output_size"), py::arg("return_indices") = false);
  f.def(
      "pad",
      [](const Tensor& x, std::vector<int64_t> pad, const std::string& mode, double value) {
        return NF::pad(x, NF::PadFuncOptions(std::move(pad)).mode(pad_mode_of(mode)).value(value));
      },
      py::arg("input"), py::arg("pad"), py::arg("mode") = "constant", py::arg("value") = 0.0);

  // ---- functional: activations with options ----
  f.def(
      "leaky_relu",
      [](const Tensor& x, double slope) {
        return NF::leaky_relu(x, NF::LeakyReLUFuncOptions().negative_slope(slope));
      },
      py::arg("input"), py::arg("negative_slope") = 0.01);
  f.def(
      "elu",
      [](const Tensor& x, double alpha) { return NF::elu(x, NF::ELUFuncOptions().alpha(alpha)); },
      py::arg("input"), py::arg("alpha") = 1.0);
  f.def(
      "celu",
      [](const Tensor& x, double alpha) { return NF::celu(x, NF::CELUFuncOptions().alpha(alpha)); },
      py::arg("input"), py::arg("alpha") = 1.0);
  f.def(
      "gelu",
      [](const Tensor& x, const std::string& approximate) {
        return NF::gelu(x, NF::GELUFuncOptions().approximate(approximate));
      },
      py::arg("input"), py::arg("approximate") = "none");
  f.def(
      "softplus",
      [](const Tensor& x, double beta, double threshold) {
        return NF::softplus(x, NF::SoftplusFuncOptions().beta(beta).threshold(threshold));
      },
      py::arg("input"), py::arg("beta") = 1.0, py::arg("threshold") = 20.0);
  f.def(
      "hardtanh",
      [](const Tensor& x, double lo, double hi) {
        return NF::hardtanh(x, NF::HardtanhFuncOptions().min_val(lo).max_val(hi));
      },
      py::arg("input"), py::arg("min_val") = -1.0, py::arg("max_val") = 1.0);
  f.def(
      "glu", [](const Tensor& x, int64_t dim) { return NF::glu(x, NF::GLUFuncOptions(dim)); },
      py::arg("input"), py::arg("dim") = -1);
  f.def(
      "selu", [](const Tensor& x) { return NF::selu(x); }, py::arg("input"));
  f.def(
      "relu6", [](const Tensor& x) { return NF::relu6(x); }, py::arg("input"));
  f.def("silu", &NF::silu, py::arg("input"));
  f.def("mish", &NF::mish, py::arg("input"));
  f.def("softsign", &NF::softsign, py::arg("input"));
  f.def("hardsigmoid", &NF::hardsigmoid, py::arg("input"));
  f.def("hardswish", &NF::hardswish, py::arg("input"));
  f.def("logsigmoid", &NF::logsigmoid, py::arg("input"));
  f.def("prelu", &NF::prelu, py::arg("input"), py::arg("weight"));

  // ---- modules: convolutions ----
  def_conv<1, gf::nn::Conv1d, gf::nn::Conv1dOptions>(nn, "Conv1d");
  def_conv<2, gf::nn::Conv2d, gf::nn::Conv2dOptions>(nn, "Conv2d");
  auto convt = ModuleClass<gf::nn::ConvTranspose2d>(nn, "ConvTranspose2d");
  convt.def(
      py::init([](int64_t in, int64_t out, py::handle k, py::handle s, py::handle p, py::handle op,
                  int64_t groups, bool bias, py::handle d, std::optional<DType> dtype) {
        return std::make_shared<gf::nn::ConvTranspose2d>(
            gf::nn::ConvTranspose2dOptions(in, out, expanding<2>(k))
                .stride(expanding<2>(s))
                .padding(expanding<2>(p))
                .output_padding(expanding<2>(op))
                .groups(groups)
                .bias(bias)
                .dilation(expanding<2>(d))
                .dtype(dtype.value_or(gf::default_dtype())));
      }),
      py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"),
      py::arg("stride") = 1, py::arg("padding") = 0, py::arg("output_padding") = 0,
      py::arg("groups") = 1, py::arg("bias") = true, py::arg("dilation") = 1,
      py::arg("dtype") = py::none());
  def_weight_bias<gf::nn::ConvTranspose2d>(convt);

  // ---- modules: pools ----
  ModuleClass<gf::nn::MaxPool2d>(nn, "MaxPool2d")
      .def(py::init([](py::handle k, py::handle s, py::handle p, py::handle d, bool ceil_mode) {
             return std::make_shared<gf::nn::MaxPool2d>(max_pool_options(k, s, p, d, ceil_mode));
           }),
           py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
           py::arg("dilation") = 1, py::arg("ceil_mode") = false);
  ModuleClass<gf::nn::AvgPool2d>(nn, "AvgPool2d")
      .def(py::init([](py::handle k, py::handle s, py::handle p, bool ceil_mode, bool cip,
                       std::optional<int64_t> divisor) {
             return std::make_shared<gf::nn::AvgPool2d>(
                 avg_pool_options(k, s, p, ceil_mode, cip, divisor));
           }),
           py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
           py::arg("ceil_mode") = false, py::arg("count_include_pad") = true,
           py::arg("divisor_override") = py::none());
  ModuleClass<gf::nn::AdaptiveAvgPool2d>(nn, "AdaptiveAvgPool2d")
      .def(py::init([](py::handle size) {
             return std::make_shared<gf::nn::AdaptiveAvgPool2d>(expanding<2>(size));
           }),
           py::arg("output_size"));
  ModuleClass<gf::nn::AdaptiveMaxPool2d>(nn, "AdaptiveMaxPool2d")
      .def(py::init([](py::handle size) {
             return std::make_shared<gf::nn::AdaptiveMaxPool2d>(expanding<2>(size));
           }),
           py::arg("output_size"));

  // ---- gradflow.models: torchvision's names, so a torch state_dict loads unchanged ----
  py::module_ models = m.def_submodule("models", "torchvision.models' architectures");
  ModuleClass<gf::models::AlexNet>(models, "AlexNet")
      .def(py::init([](int64_t num_classes, double dropout, std::optional<DType> dtype) {
             return std::make_shared<gf::models::AlexNet>(num_classes, dropout,
                                                          dtype.value_or(gf::default_dtype()));
           }),
           py::arg("num_classes") = 1000, py::arg("dropout") = 0.5, py::arg("dtype") = py::none())
      .def_readonly("features", &gf::models::AlexNet::features)
      .def_readonly("avgpool", &gf::models::AlexNet::avgpool)
      .def_readonly("classifier", &gf::models::AlexNet::classifier);
  ModuleClass<gf::models::LeNet5>(models, "LeNet5")
      .def(py::init([](int64_t num_classes, std::optional<DType> dtype) {
             return std::make_shared<gf::models::LeNet5>(num_classes,
                                                         dtype.value_or(gf::default_dtype()));
           }),
           py::arg("num_classes") = 10, py::arg("dtype") = py::none())
      .def_readonly("conv1", &gf::models::LeNet5::conv1)
      .def_readonly("conv2", &gf::models::LeNet5::conv2)
      .def_readonly("fc1", &gf::models::LeNet5::fc1)
      .def_readonly("fc2", &gf::models::LeNet5::fc2)
      .def_readonly("fc3", &gf::models::LeNet5::fc3);
}

}  // namespace gfpy
