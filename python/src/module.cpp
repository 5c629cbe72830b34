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

// torch raises IndexError for indices and dims out of range, ValueError for invalid optimizer
// arguments; everything else is a RuntimeError. The message is gf's, unchanged.
void translate(const gf::Error& e) {
  const char* what = e.what();
  if (std::strstr(what, "out of range") || std::strstr(what, "out of bounds")) {
    PyErr_SetString(PyExc_IndexError, what);
  } else if (std::strstr(what, ": Invalid ")) {
    PyErr_SetString(PyExc_ValueError, what);
  } else {
    PyErr_SetString(PyExc_RuntimeError, what);
  }
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
