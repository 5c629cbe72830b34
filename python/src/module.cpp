// The extension module gradflow._gradflow: dtypes, global settings, grad mode, the error
// translation, and the calls into each part's init_* function.
#include <cstring>

#include "common.hpp"

namespace gfpy {

const std::vector<DType>& all_dtypes() {
  static const std::vector<DType> dtypes = {DType::Bool,  DType::UInt8,   DType::Int32,
                                            DType::Int64, DType::Float32, DType::Float64};
  return dtypes;
}

std::string numpy_name(DType dtype) {
  std::string name = gf::dtype_name(dtype);  // "torch.float32"
  return name.substr(name.find('.') + 1);
}

DType dtype_from_numpy(const py::dtype& dtype) {
  std::string name = py::str(static_cast<const py::handle&>(dtype));
  for (DType d : all_dtypes())
    if (numpy_name(d) == name) return d;
  throw gf::Error(
      "from_numpy: can't convert np.ndarray of type numpy." + name +
      ". The only supported types are: float64, float32, int64, int32, uint8, and bool.");
}

namespace {

// gf::Error carries no kind, so the Python type is chosen by the message: each rule names the
// words of gf's message (and, where a word is shared, the op prefix) of a case where torch
// raises something other than RuntimeError. The first rule that matches wins; the message is
// gf's, unchanged. Indexing (t[key]) chooses at its call site (src/indexing.cpp).
struct ErrorRule {
  const char* prefix;    // the message starts with this (nullptr: any)
  const char* contains;  // and contains this
  PyObject* const* type;
};
const ErrorRule kErrorRules[] = {
    // IndexError: a dim or an index out of range (torch: "Dimension out of range", "index 5 is
    // out of bounds for dimension 0 with size 3", "Target 7 is out of bounds.")
    {nullptr, " out of range for a tensor with ", &PyExc_IndexError},  // wrap_dim: every op
    {"select: ", "out of range for tensor of size", &PyExc_IndexError},
    {"index_select: ", "is out of bounds", &PyExc_IndexError},
    {"index: ", "", &PyExc_IndexError},
    {"narrow: ", "out of range", &PyExc_IndexError},
    {nullptr, ": target class ", &PyExc_IndexError},  // cross_entropy, nll_loss
    {"Sequential: index ", "", &PyExc_IndexError},
    {nullptr, "is out of range for a dataset of size", &PyExc_IndexError},
    // ValueError: invalid constructor arguments and conversions (torch's Python-side checks)
    {nullptr, ": Invalid ", &PyExc_ValueError},  // optimizers' lr, betas, eps, ...
    {nullptr, "probability has to be between 0 and 1", &PyExc_ValueError},
    {"BatchNorm", "D input (got ", &PyExc_ValueError},
    {"GroupNorm: ", "must be divisible by num_groups", &PyExc_ValueError},
    {"Conv", "must be divisible by groups", &PyExc_ValueError},  // the modules, not F.conv*
    {"Conv", "is not supported for strided convolutions", &PyExc_ValueError},
    {nullptr, "Invalid padding string", &PyExc_ValueError},
    {"interpolate: ", "only one of size or scale_factor", &PyExc_ValueError},
    {"interpolate: ", "either size or scale_factor", &PyExc_ValueError},
    {"interpolate: ", "align_corners option can only be set", &PyExc_ValueError},
    {nullptr, "cannot be converted to a scalar", &PyExc_ValueError},  // item(), float(), int()
    {nullptr, "stride in the given numpy array is negative", &PyExc_ValueError},
    // TypeError: a Python value of the wrong type
    {nullptr, "can't convert np.ndarray of type", &PyExc_TypeError},
    {nullptr, "can be converted to an index", &PyExc_TypeError},
    // NotImplementedError: torch's for these inputs; gf's for what it does not implement
    {"interpolate: ", "Only 3D, 4D and 5D input", &PyExc_NotImplementedError},
    {nullptr, "is not implemented in gradflow", &PyExc_NotImplementedError},
    {nullptr, ": forward is not implemented", &PyExc_NotImplementedError},
};

void translate(const gf::Error& e) {
  const char* what = e.what();
  for (const ErrorRule& r : kErrorRules) {
    if (r.prefix && std::strncmp(what, r.prefix, std::strlen(r.prefix)) != 0) continue;
    if (!std::strstr(what, r.contains)) continue;
    PyErr_SetString(*r.type, what);
    return;
  }
  PyErr_SetString(PyExc_RuntimeError, what);
}

}  // namespace

}  // namespace gfpy

PYBIND11_MODULE(_gradflow, m) {
  using namespace gfpy;
  m.doc() =
      "gradflow: tensors, autograd and neural networks (the C++ library, bound with pybind11)";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const gf::Error& e) {
      translate(e);
    }
  });

  py::enum_<DType>(m, "dtype")
      .value("bool", DType::Bool)
      .value("uint8", DType::UInt8)
      .value("int32", DType::Int32)
      .value("int64", DType::Int64)
      .value("float32", DType::Float32)
      .value("float64", DType::Float64)
      .def("__repr__", [](DType d) { return "gradflow." + numpy_name(d); })
      .def("__str__", [](DType d) { return "gradflow." + numpy_name(d); })
      .def_property_readonly("is_floating_point", [](DType d) { return gf::is_floating(d); })
      .def_property_readonly("is_signed",
                             [](DType d) { return d != DType::Bool && d != DType::UInt8; })
      .def_property_readonly("itemsize", [](DType d) { return gf::element_size(d); })
      .def("__reduce__", [](DType d) {
        return py::make_tuple(py::module_::import("gradflow").attr("_dtype_by_name"),
                              py::make_tuple(numpy_name(d)));
      });
  for (DType d : all_dtypes()) m.attr(numpy_name(d).c_str()) = d;

  m.def("set_default_dtype", &gf::set_default_dtype, py::arg("d"));
  m.def("get_default_dtype", &gf::default_dtype);
  m.def("promote_types", &gf::promote_types, py::arg("type1"), py::arg("type2"));
  m.def("manual_seed", &gf::manual_seed, py::arg("seed"));
  m.def("set_num_threads", &gf::set_num_threads, py::arg("n"));
  m.def("get_num_threads", &gf::get_num_threads);
  m.def("is_grad_enabled", &gf::is_grad_enabled);
  m.def("set_grad_enabled", &gf::set_grad_enabled, py::arg("mode"));
  m.def("set_detect_anomaly", &gf::set_detect_anomaly, py::arg("mode"));
  m.def("is_anomaly_enabled", &gf::is_anomaly_enabled);

  init_tensor(m);
  init_ops(m);
  init_ops_breadth(m);
  init_indexing(m);
  init_autograd(m);
  init_nn(m);
  init_nn_conv(m);
  init_nn_norm(m);
  init_optim(m);
  init_data(m);
  init_io(m);
  init_viz(m);
}
