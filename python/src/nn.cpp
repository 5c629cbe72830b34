// gradflow.nn: Module (subclassable from Python: forward overrides, attributes register
// parameters and children like torch), the layers, nn.functional, nn.init and nn.utils.
#include "common.hpp"

namespace gfpy {

namespace {

using gf::nn::Module;
namespace F = gf::nn::functional;

py::object g_parameter_class;  // gradflow.nn.Parameter, set by the Python package

// Lets Python subclasses override forward, extra_repr and train; C++ containers (Sequential)
// then call the Python forward.
class PyModule : public Module {
 public:
  using Module::Module;
  Tensor forward(const Tensor& input) override {
    PYBIND11_OVERRIDE(Tensor, Module, forward, input);
  }
  std::string extra_repr() const override { PYBIND11_OVERRIDE(std::string, Module, extra_repr, ); }
  void train(bool on) override { PYBIND11_OVERRIDE(void, Module, train, on); }
};

gf::nn::Reduction reduction_of(const std::string& r) {
  if (r == "mean") return gf::nn::Reduction::Mean;
  if (r == "sum") return gf::nn::Reduction::Sum;
  if (r == "none") return gf::nn::Reduction::None;
  throw py::value_error(r + " is not a valid value for reduction");
}

gf::nn::init::Nonlinearity nonlinearity_of(const std::string& n) {
  using N = gf::nn::init::Nonlinearity;
  if (n == "linear") return N::Linear;
  if (n == "conv1d") return N::Conv1D;
  if (n == "conv2d") return N::Conv2D;
  if (n == "conv3d") return N::Conv3D;
  if (n == "sigmoid") return N::Sigmoid;
  if (n == "tanh") return N::Tanh;
  if (n == "relu") return N::ReLU;
  if (n == "leaky_relu") return N::LeakyReLU;
  if (n == "selu") return N::SELU;
  throw py::value_error("Unsupported nonlinearity " + n);
}
gf::nn::init::FanMode fan_mode_of(const std::string& m) {
  if (m == "fan_in") return gf::nn::init::FanMode::FanIn;
  if (m == "fan_out") return gf::nn::init::FanMode::FanOut;
  throw py::value_error("Mode " + m + " not supported, please use one of fan_in, fan_out");
}

py::list parameter_list(const std::vector<Tensor>& ts) {
  py::list out;
  for (const Tensor& t : ts) out.append(as_parameter(t));
  return out;
}
py::list pairs(const gf::nn::StateDict& sd, bool parameters = false) {
  py::list out;
  for (const auto& [name, t] : sd)
    out.append(py::make_tuple(name, parameters ? as_parameter(t) : py::cast(t)));
  return out;
}
py::dict ordered(const gf::nn::StateDict& sd) {
  py::dict out;
  for (const auto& [name, t] : sd) out[py::str(name)] = t;
  return out;
}
gf::nn::StateDict state_from(py::handle mapping) {
  gf::nn::StateDict sd;
  for (py::handle item : mapping.attr("items")()) {
    auto kv = py::reinterpret_borrow<py::tuple>(item);
    sd.emplace_back(kv[0].cast<std::string>(), kv[1].cast<Tensor>());
  }
  return sd;
}
std::vector<Tensor> params_from(py::handle obj) {
  if (py::isinstance<Tensor>(obj)) return {obj.cast<Tensor>()};
  std::vector<Tensor> out;
  for (py::handle h : obj) out.push_back(h.cast<Tensor>());
  return out;
}
bool has_parameter(const Module& m, const std::string& name) {
  for (const auto& [n, _] : m.named_parameters(false))
    if (n == name) return true;
  return false;
}

// module.name = value: a Module becomes a child, a Parameter a parameter (both also stay as
// Python attributes so Python subclasses keep their state); re-assigning a registered
// parameter copies the values in place (the registered handle stays the one optimizers hold).
void module_setattr(py::object self, const std::string& name, py::object value) {
  Module& m = self.cast<Module&>();
  if (py::isinstance<Module>(value)) {
    GF_CHECK(!value.is(self), m.type_name(), ": cannot assign a module as its own child ('", name,
             "')");
    m.register_module(name, value.cast<std::shared_ptr<Module>>());
  } else if (g_parameter_class && py::isinstance(value, g_parameter_class)) {
    Tensor p = value.cast<Tensor>();
    if (has_parameter(m, name)) {
      for (auto& [n, t] : m.named_parameters(false)) {
        if (n != name) continue;
        gf::NoGradGuard no_grad;
        GF_CHECK(t.sizes() == p.sizes(), m.type_name(), ": parameter '", name, "' has shape ",
                 t.sizes().str(), ", can't assign shape ", p.sizes().str());
        Tensor(t).copy_(p);
      }
      return;
    }
    m.register_parameter(name, p, p.requires_grad());
  }
  py::module_::import("builtins").attr("object").attr("__setattr__")(self, py::str(name), value);
}

template <class M>
using ModuleClass = py::class_<M, Module, std::shared_ptr<M>>;

}  // namespace

// A registered parameter as a gradflow.nn.Parameter (the same tensor: grads and in-place updates
// are shared), like torch's module.weight.
py::object as_parameter(const Tensor& t) {
  if (!t.defined()) return py::none();
  if (!g_parameter_class) return py::cast(t);
  return g_parameter_class.attr("_wrap")(t);
}

void init_nn(py::module_& m) {
  py::module_ nn = m.def_submodule("nn", "neural network layers");
  nn.def("_set_parameter_class", [](py::object cls) { g_parameter_class = cls; });
  py::module_::import("atexit").attr("register")(
      py::cpp_function([]() { g_parameter_class = py::object(); }));
  nn.def("_parameter_repr", &gf::nn::parameter_repr);

  // No dynamic_attr: Python subclasses (gradflow.nn.Module is one) get their own __dict__, which
  // the garbage collector traverses once (a pybind11 instance dict inherited by a Python
  // subclass is visited twice on Python 3.11, and such cycles are never collected).
  py::class_<Module, PyModule, std::shared_ptr<Module>> mod(nn, "Module");
  // Python subclasses print under their own class name (Module's type_name).
  mod.def(
      "__init__",
      [](py::detail::value_and_holder& v_h) {
        py::handle type(reinterpret_cast<PyObject*>(Py_TYPE(v_h.inst)));
        std::string name = py::str(type.attr("__name__"));
        py::detail::initimpl::construct<decltype(mod)>(v_h, new PyModule(name),
                                                       Py_TYPE(v_h.inst) != v_h.type->type);
      },
      py::detail::is_new_style_constructor());
  mod.def(
         "forward",
         [](Module& self, const Tensor& x) {
           MaybeRelease release(x.numel() > kHeavyWork);
           return self.forward(x);
         },
         py::arg("input"))
      .def("__call__", [](py::object self, py::args args,
                          py::kwargs kwargs) { return self.attr("forward")(*args, **kwargs); })
      .def("__setattr__", &module_setattr)
      .def(
          "parameters",
          [](const Module& self, bool recurse) { return parameter_list(self.parameters(recurse)); },
          py::arg("recurse") = true)
      .def(
          "named_parameters",
          [](const Module& self, const std::string& prefix, bool recurse) {
            gf::nn::StateDict sd = self.named_parameters(recurse);
            if (!prefix.empty())
              for (auto& [n, _] : sd) n = prefix + "." + n;
            return pairs(sd, true);
          },
          py::arg("prefix") = "", py::arg("recurse") = true)
      .def("buffers", &Module::buffers, py::arg("recurse") = true)
      .def(
          "named_buffers",
          [](const Module& self, bool recurse) { return pairs(self.named_buffers(recurse)); },
          py::arg("recurse") = true)
      .def("children", &Module::children)
      .def("named_children",
           [](const Module& self) {
             py::list out;
             for (const auto& [n, c] : self.named_children()) out.append(py::make_tuple(n, c));
             return out;
           })
      .def("modules",
           [](py::object self) {
             py::list out;
             for (const auto& [n, c] : self.cast<Module&>().named_modules())
               out.append(n.empty() ? self : py::cast(c, py::return_value_policy::reference));
             return out;
           })
      .def("named_modules",
           [](py::object self) {
             py::list out;
             for (const auto& [n, c] : self.cast<Module&>().named_modules())
               out.append(py::make_tuple(
                   n, n.empty() ? self : py::cast(c, py::return_value_policy::reference)));
             return out;
           })
      .def("zero_grad", &Module::zero_grad, py::arg("set_to_none") = false)
      .def(
          "train",
          [](py::object self, bool on) {
            self.cast<Module&>().train(on);
            return self;
          },
          py::arg("mode") = true)
      .def("eval",
           [](py::object self) {
             self.cast<Module&>().eval();
             return self;
           })
      .def_property_readonly("training", &Module::is_training)
      .def("state_dict", [](const Module& self) { return ordered(self.state_dict()); })
      .def(
          "load_state_dict",
          [](Module& self, py::handle state, bool strict) {
            self.load_state_dict(state_from(state), strict);
          },
          py::arg("state_dict"), py::arg("strict") = true)
      .def(
          "to",
          [](py::object self, DType d) {
            self.cast<Module&>().to(d);
            return self;
          },
          py::arg("dtype"))
      .def("double",
           [](py::object self) {
             self.cast<Module&>().to(DType::Float64);
             return self;
           })
      .def("float",
           [](py::object self) {
             self.cast<Module&>().to(DType::Float32);
             return self;
           })
      .def(
          "register_parameter",
          [](Module& self, const std::string& name, const Tensor& p) {
            self.register_parameter(name, p, p.requires_grad());
          },
          py::arg("name"), py::arg("param"))
      .def(
          "register_buffer",
          [](py::object self, const std::string& name, const Tensor& t) {
            self.cast<Module&>().register_buffer(name, t);
            py::module_::import("builtins")
                .attr("object")
                .attr("__setattr__")(self, py::str(name), t);
          },
          py::arg("name"), py::arg("tensor"))
      .def(
          "add_module",
          [](py::object self, const std::string& name, py::object child) {
            module_setattr(self, name, child);
          },
          py::arg("name"), py::arg("module"))
      .def(
          "register_module",
          [](py::object self, const std::string& name, py::object child) {
            module_setattr(self, name, child);
          },
          py::arg("name"), py::arg("module"))
      .def(
          "apply",
          [](py::object self, py::function fn) {
            for (const auto& [n, c] : self.cast<Module&>().named_modules())
              fn(n.empty() ? self : py::cast(c, py::return_value_policy::reference));
            return self;
          },
          py::arg("fn"))
      .def("extra_repr", &Module::extra_repr)
      .def("__repr__", &Module::repr)
      .def_property_readonly("_type_name", &Module::type_name);

  // ---- layers ----
  ModuleClass<gf::nn::Linear>(nn, "Linear")
      .def(py::init([](int64_t in, int64_t out, bool bias, std::optional<DType> dtype) {
             return std::make_shared<gf::nn::Linear>(in, out, bias,
                                                     dtype.value_or(gf::default_dtype()));
           }),
           py::arg("in_features"), py::arg("out_features"), py::arg("bias") = true,
           py::arg("dtype") = py::none())
      .def_property_readonly("weight",
                             [](const gf::nn::Linear& l) { return as_parameter(l.weight); })
      .def_property_readonly("bias", [](const gf::nn::Linear& l) { return as_parameter(l.bias); })
      .def_property_readonly("in_features", &gf::nn::Linear::in_features)
      .def_property_readonly("out_features", &gf::nn::Linear::out_features)
      .def("reset_parameters", &gf::nn::Linear::reset_parameters);
  ModuleClass<gf::nn::ReLU>(nn, "ReLU").def(py::init<>());
  ModuleClass<gf::nn::Sigmoid>(nn, "Sigmoid").def(py::init<>());
  ModuleClass<gf::nn::Tanh>(nn, "Tanh").def(py::init<>());
  ModuleClass<gf::nn::Softmax>(nn, "Softmax")
      .def(py::init<int64_t>(), py::arg("dim"))
      .def_property_readonly("dim", &gf::nn::Softmax::dim);
  ModuleClass<gf::nn::LogSoftmax>(nn, "LogSoftmax")
      .def(py::init<int64_t>(), py::arg("dim"))
      .def_property_readonly("dim", &gf::nn::LogSoftmax::dim);
  ModuleClass<gf::nn::Flatten>(nn, "Flatten")
      .def(py::init<int64_t, int64_t>(), py::arg("start_dim") = 1, py::arg("end_dim") = -1);
  ModuleClass<gf::nn::Dropout>(nn, "Dropout")
      .def(py::init<double>(), py::arg("p") = 0.5)
      .def_property_readonly("p", &gf::nn::Dropout::p);
  ModuleClass<gf::nn::Sequential> seq(nn, "Sequential");
  // Children created in Python stay alive (with their Python state) as long as the Sequential.
  seq.def(
      "__init__",
      [](py::detail::value_and_holder& v_h, py::args modules) {
        auto s = std::make_shared<gf::nn::Sequential>();
        for (py::handle h : modules) s->push_back(h.cast<std::shared_ptr<Module>>());
        py::detail::initimpl::construct<decltype(seq)>(v_h, std::move(s), false);
        py::handle self(reinterpret_cast<PyObject*>(v_h.inst));
        if (py::hasattr(self, "__dict__"))  // gradflow.nn.Sequential (a Python subclass) has one
          py::module_::import("builtins")
              .attr("object")
              .attr("__setattr__")(self, "_children_py", py::list(modules));
      },
      py::detail::is_new_style_constructor());
  seq.def(
         "append",
         [](py::object self, py::object child) {
           self.cast<gf::nn::Sequential&>().push_back(child.cast<std::shared_ptr<Module>>());
           py::list keep =
               py::hasattr(self, "_children_py") ? py::list(self.attr("_children_py")) : py::list();
           keep.append(child);
           py::module_::import("builtins")
               .attr("object")
               .attr("__setattr__")(self, "_children_py", keep);
           return self;
         },
         py::arg("module"))
      .def("__len__", &gf::nn::Sequential::size)
      .def("__getitem__",
           [](const gf::nn::Sequential& s, int64_t i) {
             int64_t n = static_cast<int64_t>(s.size());
             if (i < 0) i += n;
             if (i < 0 || i >= n)
               throw py::index_error("index " + std::to_string(i) + " is out of range");
             return s[static_cast<std::size_t>(i)];
           })
      .def("__iter__", [](const gf::nn::Sequential& s) {
        py::list out;
        for (std::size_t i = 0; i < s.size(); ++i) out.append(s[i]);
        return py::iter(out);
      });

  // ---- nn.functional ----
  py::module_ f = nn.def_submodule("functional", "torch.nn.functional");
  f.def(
      "linear",
      [](const Tensor& x, const Tensor& w, std::optional<Tensor> b) {
        MaybeRelease release(x.numel() * w.size(0) > kHeavyWork);
        return F::linear(x, w, b.value_or(Tensor()));
      },
      py::arg("input"), py::arg("weight"), py::arg("bias") = py::none());
  f.def(
      "cross_entropy",
      [](const Tensor& x, const Tensor& t, const std::string& r) {
        return F::cross_entropy(x, t, reduction_of(r));
      },
      py::arg("input"), py::arg("target"), py::arg("reduction") = "mean");
  f.def(
      "nll_loss",
      [](const Tensor& x, const Tensor& t, const std::string& r) {
        return F::nll_loss(x, t, reduction_of(r));
      },
      py::arg("input"), py::arg("target"), py::arg("reduction") = "mean");
  f.def(
      "mse_loss",
      [](const Tensor& x, const Tensor& t, const std::string& r) {
        return F::mse_loss(x, t, reduction_of(r));
      },
      py::arg("input"), py::arg("target"), py::arg("reduction") = "mean");
  f.def(
      "binary_cross_entropy_with_logits",
      [](const Tensor& x, const Tensor& t, const std::string& r) {
        return F::binary_cross_entropy_with_logits(x, t, reduction_of(r));
      },
      py::arg("input"), py::arg("target"), py::arg("reduction") = "mean");
  f.def("one_hot", &F::one_hot, py::arg("tensor"), py::arg("num_classes") = -1);
  f.def(
      "relu", [](const Tensor& x) { return F::relu(x); }, py::arg("input"));
  f.def(
      "sigmoid", [](const Tensor& x) { return F::sigmoid(x); }, py::arg("input"));
  f.def(
      "tanh", [](const Tensor& x) { return F::tanh(x); }, py::arg("input"));
  f.def(
      "softmax", [](const Tensor& x, int64_t dim) { return F::softmax(x, dim); }, py::arg("input"),
      py::arg("dim"));
  f.def(
      "log_softmax", [](const Tensor& x, int64_t dim) { return F::log_softmax(x, dim); },
      py::arg("input"), py::arg("dim"));
  f.def(
      "dropout",
      [](const Tensor& x, double p, bool training) { return gf::nn::dropout(x, p, training); },
      py::arg("input"), py::arg("p") = 0.5, py::arg("training") = true);

  // ---- nn.init ----
  py::module_ init = nn.def_submodule("init", "torch.nn.init");
  namespace I = gf::nn::init;
  init.def(
      "calculate_gain",
      [](const std::string& n, std::optional<double> p) {
        return I::calculate_gain(nonlinearity_of(n), p);
      },
      py::arg("nonlinearity"), py::arg("param") = py::none());
  init.def("_calculate_fan_in_and_fan_out", &I::calculate_fan_in_and_fan_out, py::arg("tensor"));
  // Each returns the tensor object it was given, as torch's (init.zeros_(w) is w).
  init.def("uniform_", in_place<double, double>([](Tensor t, double a, double b) { I::uniform_(t, a, b); }),
           py::arg("tensor"), py::arg("a") = 0.0, py::arg("b") = 1.0);
  init.def("normal_", in_place<double, double>([](Tensor t, double mean, double std) { I::normal_(t, mean, std); }),
           py::arg("tensor"), py::arg("mean") = 0.0, py::arg("std") = 1.0);
  init.def("constant_", in_place<double>([](Tensor t, double v) { I::constant_(t, v); }),
           py::arg("tensor"), py::arg("val"));
  init.def("zeros_", in_place([](Tensor t) { I::zeros_(t); }), py::arg("tensor"));
  init.def("ones_", in_place([](Tensor t) { I::ones_(t); }), py::arg("tensor"));
  init.def("xavier_uniform_", in_place<double>([](Tensor t, double g) { I::xavier_uniform_(t, g); }),
           py::arg("tensor"), py::arg("gain") = 1.0);
  init.def("xavier_normal_", in_place<double>([](Tensor t, double g) { I::xavier_normal_(t, g); }),
           py::arg("tensor"), py::arg("gain") = 1.0);
  init.def(
      "kaiming_uniform_",
      in_place<double, std::string, std::string>([](Tensor t, double a, std::string mode, std::string nl) {
        I::kaiming_uniform_(t, a, fan_mode_of(mode), nonlinearity_of(nl));
      }),
      py::arg("tensor"), py::arg("a") = 0.0, py::arg("mode") = "fan_in",
      py::arg("nonlinearity") = "leaky_relu");
  init.def(
      "kaiming_normal_",
      in_place<double, std::string, std::string>([](Tensor t, double a, std::string mode, std::string nl) {
        I::kaiming_normal_(t, a, fan_mode_of(mode), nonlinearity_of(nl));
      }),
      py::arg("tensor"), py::arg("a") = 0.0, py::arg("mode") = "fan_in",
      py::arg("nonlinearity") = "leaky_relu");

  // ---- nn.utils ----
  py::module_ utils = nn.def_submodule("utils", "torch.nn.utils");
  utils.def(
      "clip_grad_norm_",
      [](py::handle params, double max_norm, double norm_type, bool nonfinite) {
        return gf::nn::utils::clip_grad_norm_(params_from(params), max_norm, norm_type, nonfinite);
      },
      py::arg("parameters"), py::arg("max_norm"), py::arg("norm_type") = 2.0,
      py::arg("error_if_nonfinite") = false);
  utils.def(
      "clip_grad_value_",
      [](py::handle params, double clip) {
        gf::nn::utils::clip_grad_value_(params_from(params), clip);
      },
      py::arg("parameters"), py::arg("clip_value"));
}

}  // namespace gfpy
