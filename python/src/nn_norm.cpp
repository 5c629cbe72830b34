// gradflow.nn's normalization (LayerNorm, GroupNorm, BatchNorm1d/2d/3d and their functional
// forms), Dropout2d, Upsample / interpolate, and the activation modules with options. Python's
// keyword arguments become libtorch's option structs, as in nn_conv.cpp.
#include "common.hpp"

namespace gfpy {

namespace {

namespace NF = gf::nn::functional;
using gf::nn::Module;

template <class M>
using ModuleClass = py::class_<M, Module, std::shared_ptr<M>>;

bool heavy(const Tensor& x) { return x.numel() > kHeavyWork; }
Tensor or_undefined(const std::optional<Tensor>& t) { return t.value_or(Tensor()); }

// A registered buffer as the tensor itself (undefined: None).
py::object buffer(const Tensor& t) { return t.defined() ? py::cast(t) : py::none(); }

NF::InterpolateMode interpolate_mode_of(const std::string& name) {
  using M = NF::InterpolateMode;
  for (M m : {M::Nearest, M::Linear, M::Bilinear, M::Bicubic, M::Trilinear, M::Area,
              M::NearestExact})
    if (name == NF::interpolate_mode_name(m)) return m;
  throw py::value_error("interpolate: unknown mode '" + name +
                        "' (nearest, linear, bilinear, bicubic, trilinear, area, nearest-exact)");
}
// size / scale_factor: None, one number, or one per spatial dim.
std::optional<std::vector<int64_t>> sizes_of(py::handle v) {
  if (v.is_none()) return std::nullopt;
  if (py::isinstance<py::int_>(v)) return std::vector<int64_t>{v.cast<int64_t>()};
  return v.cast<std::vector<int64_t>>();
}
std::optional<std::vector<double>> scales_of(py::handle v) {
  if (v.is_none()) return std::nullopt;
  if (PyNumber_Check(v.ptr()) && !PySequence_Check(v.ptr()))
    return std::vector<double>{v.cast<double>()};
  return v.cast<std::vector<double>>();
}
std::vector<int64_t> normalized_shape_of(py::handle v) {
  if (py::isinstance<py::int_>(v)) return {v.cast<int64_t>()};
  return v.cast<std::vector<int64_t>>();
}

template <class M>
void def_batch_norm(py::module_& nn, const char* name) {
  py::class_<M, gf::nn::BatchNormBase, std::shared_ptr<M>>(nn, name)
      .def(py::init([](int64_t n, double eps, std::optional<double> momentum, bool affine,
                       bool track, std::optional<DType> dtype) {
             return std::make_shared<M>(gf::nn::BatchNormOptions(n)
                                            .eps(eps)
                                            .momentum(momentum)
                                            .affine(affine)
                                            .track_running_stats(track)
                                            .dtype(dtype.value_or(gf::default_dtype())));
           }),
           py::arg("num_features"), py::arg("eps") = 1e-5, py::arg("momentum") = 0.1,
           py::arg("affine") = true, py::arg("track_running_stats") = true,
           py::arg("dtype") = py::none());
}

}  // namespace

void init_nn_norm(py::module_& m) {
  auto nn = py::reinterpret_borrow<py::module_>(m.attr("nn"));
  auto f = py::reinterpret_borrow<py::module_>(nn.attr("functional"));

  // ---- nn.functional ----
  f.def(
      "layer_norm",
      [](const Tensor& x, py::handle shape, std::optional<Tensor> w, std::optional<Tensor> b,
         double eps) {
        MaybeRelease release(heavy(x));
        return NF::layer_norm(x, NF::LayerNormFuncOptions(normalized_shape_of(shape))
                                     .weight(or_undefined(w))
                                     .bias(or_undefined(b))
                                     .eps(eps));
      },
      py::arg("input"), py::arg("normalized_shape"), py::arg("weight") = py::none(),
      py::arg("bias") = py::none(), py::arg("eps") = 1e-5);
  f.def(
      "group_norm",
      [](const Tensor& x, int64_t groups, std::optional<Tensor> w, std::optional<Tensor> b,
         double eps) {
        MaybeRelease release(heavy(x));
        return NF::group_norm(
            x, NF::GroupNormFuncOptions(groups).weight(or_undefined(w)).bias(or_undefined(b)).eps(
                   eps));
      },
      py::arg("input"), py::arg("num_groups"), py::arg("weight") = py::none(),
      py::arg("bias") = py::none(), py::arg("eps") = 1e-5);
  f.def(
      "batch_norm",
      [](const Tensor& x, std::optional<Tensor> mean, std::optional<Tensor> var,
         std::optional<Tensor> w, std::optional<Tensor> b, bool training,
         std::optional<double> momentum, double eps) {
        MaybeRelease release(heavy(x));
        return NF::batch_norm(x, or_undefined(mean), or_undefined(var),
                              NF::BatchNormFuncOptions()
                                  .weight(or_undefined(w))
                                  .bias(or_undefined(b))
                                  .training(training)
                                  .momentum(momentum)
                                  .eps(eps));
      },
      py::arg("input"), py::arg("running_mean"), py::arg("running_var"),
      py::arg("weight") = py::none(), py::arg("bias") = py::none(), py::arg("training") = false,
      py::arg("momentum") = 0.1, py::arg("eps") = 1e-5);
  f.def(
      "interpolate",
      [](const Tensor& x, py::handle size, py::handle scale, const std::string& mode,
         std::optional<bool> align_corners, std::optional<bool> recompute, bool antialias) {
        MaybeRelease release(heavy(x));
        return NF::interpolate(x, NF::InterpolateFuncOptions()
                                      .size(sizes_of(size))
                                      .scale_factor(scales_of(scale))
                                      .mode(interpolate_mode_of(mode))
                                      .align_corners(align_corners)
                                      .recompute_scale_factor(recompute)
                                      .antialias(antialias));
      },
      py::arg("input"), py::arg("size") = py::none(), py::arg("scale_factor") = py::none(),
      py::arg("mode") = "nearest", py::arg("align_corners") = py::none(),
      py::arg("recompute_scale_factor") = py::none(), py::arg("antialias") = false);
  f.def(
      "dropout2d",
      [](const Tensor& x, double p, bool training) {
        return NF::dropout2d(x, NF::Dropout2dFuncOptions(p).training(training));
      },
      py::arg("input"), py::arg("p") = 0.5, py::arg("training") = true);

  // ---- normalization modules ----
  ModuleClass<gf::nn::LayerNorm>(nn, "LayerNorm")
      .def(py::init([](py::handle shape, double eps, bool affine, std::optional<DType> dtype) {
             return std::make_shared<gf::nn::LayerNorm>(
                 gf::nn::LayerNormOptions(normalized_shape_of(shape))
                     .eps(eps)
                     .elementwise_affine(affine)
                     .dtype(dtype.value_or(gf::default_dtype())));
           }),
           py::arg("normalized_shape"), py::arg("eps") = 1e-5,
           py::arg("elementwise_affine") = true, py::arg("dtype") = py::none())
      .def_property_readonly("weight",
                             [](const gf::nn::LayerNorm& l) { return as_parameter(l.weight); })
      .def_property_readonly("bias", [](const gf::nn::LayerNorm& l) { return as_parameter(l.bias); })
      .def_property_readonly("normalized_shape",
                             [](const gf::nn::LayerNorm& l) {
                               return py::tuple(py::cast(l.options().normalized_shape()));
                             })
      .def_property_readonly("eps", [](const gf::nn::LayerNorm& l) { return l.options().eps(); })
      .def_property_readonly(
          "elementwise_affine",
          [](const gf::nn::LayerNorm& l) { return l.options().elementwise_affine(); })
      .def("reset_parameters", &gf::nn::LayerNorm::reset_parameters);
  ModuleClass<gf::nn::GroupNorm>(nn, "GroupNorm")
      .def(py::init([](int64_t groups, int64_t channels, double eps, bool affine,
                       std::optional<DType> dtype) {
             return std::make_shared<gf::nn::GroupNorm>(
                 gf::nn::GroupNormOptions(groups, channels)
                     .eps(eps)
                     .affine(affine)
                     .dtype(dtype.value_or(gf::default_dtype())));
           }),
           py::arg("num_groups"), py::arg("num_channels"), py::arg("eps") = 1e-5,
           py::arg("affine") = true, py::arg("dtype") = py::none())
      .def_property_readonly("weight",
                             [](const gf::nn::GroupNorm& l) { return as_parameter(l.weight); })
      .def_property_readonly("bias", [](const gf::nn::GroupNorm& l) { return as_parameter(l.bias); })
      .def_property_readonly("num_groups",
                             [](const gf::nn::GroupNorm& l) { return l.options().num_groups(); })
      .def_property_readonly("num_channels",
                             [](const gf::nn::GroupNorm& l) { return l.options().num_channels(); })
      .def_property_readonly("eps", [](const gf::nn::GroupNorm& l) { return l.options().eps(); })
      .def_property_readonly("affine",
                             [](const gf::nn::GroupNorm& l) { return l.options().affine(); })
      .def("reset_parameters", &gf::nn::GroupNorm::reset_parameters);
  using BN = gf::nn::BatchNormBase;
  ModuleClass<BN>(nn, "_BatchNorm")
      .def_property_readonly("weight", [](const BN& l) { return as_parameter(l.weight); })
      .def_property_readonly("bias", [](const BN& l) { return as_parameter(l.bias); })
      .def_property_readonly("running_mean", [](const BN& l) { return buffer(l.running_mean); })
      .def_property_readonly("running_var", [](const BN& l) { return buffer(l.running_var); })
      .def_property_readonly("num_batches_tracked",
                             [](const BN& l) { return buffer(l.num_batches_tracked); })
      .def_property_readonly("num_features",
                             [](const BN& l) { return l.options().num_features(); })
      .def_property_readonly("eps", [](const BN& l) { return l.options().eps(); })
      .def_property_readonly("momentum", [](const BN& l) { return l.options().momentum(); })
      .def_property_readonly("affine", [](const BN& l) { return l.options().affine(); })
      .def_property_readonly("track_running_stats",
                             [](const BN& l) { return l.options().track_running_stats(); })
      .def("reset_running_stats", &BN::reset_running_stats)
      .def("reset_parameters", &BN::reset_parameters);
  def_batch_norm<gf::nn::BatchNorm1d>(nn, "BatchNorm1d");
  def_batch_norm<gf::nn::BatchNorm2d>(nn, "BatchNorm2d");
  def_batch_norm<gf::nn::BatchNorm3d>(nn, "BatchNorm3d");

  // ---- dropout, upsampling ----
  ModuleClass<gf::nn::Dropout2d>(nn, "Dropout2d")
      .def(py::init<double>(), py::arg("p") = 0.5)
      .def_property_readonly("p", &gf::nn::Dropout2d::p);
  ModuleClass<gf::nn::Upsample>(nn, "Upsample")
      .def(py::init([](py::handle size, py::handle scale, const std::string& mode,
                       std::optional<bool> align_corners) {
             return std::make_shared<gf::nn::Upsample>(gf::nn::UpsampleOptions()
                                                           .size(sizes_of(size))
                                                           .scale_factor(scales_of(scale))
                                                           .mode(interpolate_mode_of(mode))
                                                           .align_corners(align_corners));
           }),
           py::arg("size") = py::none(), py::arg("scale_factor") = py::none(),
           py::arg("mode") = "nearest", py::arg("align_corners") = py::none())
      .def_property_readonly("mode", [](const gf::nn::Upsample& u) {
        return std::string(NF::interpolate_mode_name(u.options().mode()));
      });

  // ---- activation modules (activation.hpp; the functional forms are in nn_conv.cpp) ----
  namespace N = gf::nn;
  ModuleClass<N::LeakyReLU>(nn, "LeakyReLU")
      .def(py::init([](double slope, bool inplace) {
             return std::make_shared<N::LeakyReLU>(
                 N::LeakyReLUOptions().negative_slope(slope).inplace(inplace));
           }),
           py::arg("negative_slope") = 0.01, py::arg("inplace") = false)
      .def_property_readonly("negative_slope",
                             [](const N::LeakyReLU& l) { return l.options.negative_slope(); });
  ModuleClass<N::ELU>(nn, "ELU")
      .def(py::init([](double alpha, bool inplace) {
             return std::make_shared<N::ELU>(N::ELUOptions().alpha(alpha).inplace(inplace));
           }),
           py::arg("alpha") = 1.0, py::arg("inplace") = false)
      .def_property_readonly("alpha", [](const N::ELU& l) { return l.options.alpha(); });
  ModuleClass<N::CELU>(nn, "CELU")
      .def(py::init([](double alpha, bool inplace) {
             return std::make_shared<N::CELU>(N::CELUOptions().alpha(alpha).inplace(inplace));
           }),
           py::arg("alpha") = 1.0, py::arg("inplace") = false)
      .def_property_readonly("alpha", [](const N::CELU& l) { return l.options.alpha(); });
  ModuleClass<N::SELU>(nn, "SELU").def(py::init([](bool inplace) {
                                         return std::make_shared<N::SELU>(N::SELUOptions(inplace));
                                       }),
                                       py::arg("inplace") = false);
  ModuleClass<N::ReLU6>(nn, "ReLU6")
      .def(py::init([](bool inplace) { return std::make_shared<N::ReLU6>(N::ReLU6Options(inplace)); }),
           py::arg("inplace") = false);
  ModuleClass<N::GELU>(nn, "GELU")
      .def(py::init([](const std::string& approximate) {
             return std::make_shared<N::GELU>(N::GELUOptions().approximate(approximate));
           }),
           py::arg("approximate") = "none")
      .def_property_readonly("approximate",
                             [](const N::GELU& l) { return l.options.approximate(); });
  ModuleClass<N::Softplus>(nn, "Softplus")
      .def(py::init([](double beta, double threshold) {
             return std::make_shared<N::Softplus>(
                 N::SoftplusOptions().beta(beta).threshold(threshold));
           }),
           py::arg("beta") = 1.0, py::arg("threshold") = 20.0);
  ModuleClass<N::Hardtanh>(nn, "Hardtanh")
      .def(py::init([](double lo, double hi, bool inplace) {
             return std::make_shared<N::Hardtanh>(
                 N::HardtanhOptions().min_val(lo).max_val(hi).inplace(inplace));
           }),
           py::arg("min_val") = -1.0, py::arg("max_val") = 1.0, py::arg("inplace") = false);
  ModuleClass<N::GLU>(nn, "GLU")
      .def(py::init([](int64_t dim) { return std::make_shared<N::GLU>(N::GLUOptions(dim)); }),
           py::arg("dim") = -1);
  ModuleClass<N::PReLU>(nn, "PReLU")
      .def(py::init([](int64_t n, double init) {
             return std::make_shared<N::PReLU>(N::PReLUOptions().num_parameters(n).init(init));
           }),
           py::arg("num_parameters") = 1, py::arg("init") = 0.25)
      .def_property_readonly("weight", [](const N::PReLU& l) { return as_parameter(l.weight); });
  ModuleClass<N::SiLU>(nn, "SiLU").def(py::init<>());
  ModuleClass<N::Mish>(nn, "Mish").def(py::init<>());
  ModuleClass<N::Softsign>(nn, "Softsign").def(py::init<>());
  ModuleClass<N::Hardsigmoid>(nn, "Hardsigmoid").def(py::init<>());
  ModuleClass<N::Hardswish>(nn, "Hardswish").def(py::init<>());
  ModuleClass<N::LogSigmoid>(nn, "LogSigmoid").def(py::init<>());
}

}  // namespace gfpy
