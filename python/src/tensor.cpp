// gradflow.Tensor: the handle, its autograd state, numpy interop (zero-copy both ways and the
// buffer protocol), operators, indexing, printing, pickling; and the factories.
#include <cstring>
#include <sstream>

#include "common.hpp"

namespace gfpy {

namespace {

py::object g_size_class;  // gradflow.Size, set by the Python package (a tuple subclass)

bool is_integral_number(py::handle obj) {
  return py::isinstance<py::int_>(obj) || py::isinstance<py::bool_>(obj);
}

// Nested Python lists of a tensor's values (ints for integer dtypes), like torch's tolist().
// A value as the Python number torch's item() gives: bool, int or float by dtype.
py::object python_number(double v, DType dtype) {
  if (dtype == DType::Bool) return py::bool_(v != 0);
  if (!gf::is_floating(dtype)) return py::int_(static_cast<int64_t>(v));
  return py::float_(v);
}

// Nested Python lists of a tensor's values, like torch's tolist().
py::object nested_list(const std::vector<double>& values, const Shape& shape, std::size_t d,
                       int64_t& pos, DType dtype) {
  if (d == shape.size()) return python_number(values[pos++], dtype);
  py::list out(shape[d]);
  for (int64_t i = 0; i < shape[d]; ++i) out[i] = nested_list(values, shape, d + 1, pos, dtype);
  return out;
}

// ---- in-place arithmetic: a -= b is a.sub_(b) (recorded by autograd; a leaf that requires
// grad refuses, with torch's message); the Python object stays the same ----
template <class F>
py::object inplace(py::object self, py::handle other, F op) {
  Tensor& t = self.cast<Tensor&>();
  op(t, operand(other, t));
  return self;
}

}  // namespace

// ---- conversions -------------------------------------------------------------------------------

Shape to_shape(py::handle obj) {
  if (py::isinstance<py::int_>(obj)) return Shape{obj.cast<int64_t>()};
  if (py::isinstance<Tensor>(obj)) return obj.cast<Tensor>().sizes();
  std::vector<int64_t> dims;
  for (py::handle h : obj) dims.push_back(h.cast<int64_t>());
  return Shape(dims);
}

Shape shape_from_args(const py::args& args) {
  if (args.size() == 1 && !py::isinstance<py::int_>(args[0])) return to_shape(args[0]);
  std::vector<int64_t> dims;
  for (py::handle h : args) dims.push_back(h.cast<int64_t>());
  return Shape(dims);
}

py::object size_object(const Shape& shape) {
  py::tuple t(shape.size());
  for (std::size_t i = 0; i < shape.size(); ++i) t[i] = py::int_(shape[i]);
  if (g_size_class) return g_size_class(t);
  return t;
}

Tensor from_numpy(py::array array) {
  DType dtype = dtype_from_numpy(array.dtype());
  std::size_t item = gf::element_size(dtype);
  auto impl = std::make_shared<gf::TensorImpl>();
  impl->dtype = dtype;
  std::vector<int64_t> sizes, strides;
  int64_t span = 1;  // bytes the view reaches
  for (py::ssize_t i = 0; i < array.ndim(); ++i) {
    py::ssize_t stride = array.strides(i);
    GF_CHECK(stride >= 0,
             "from_numpy: At least one stride in the given numpy array is negative, and tensors "
             "with negative strides are not currently supported. (You can probably work around "
             "this by making a copy of your array  with array.copy().) ");
    GF_CHECK(stride % static_cast<py::ssize_t>(item) == 0,
             "from_numpy: given numpy array strides not a multiple of the element byte size. "
             "Copy the numpy array to reallocate the memory.");
    sizes.push_back(array.shape(i));
    strides.push_back(stride / static_cast<py::ssize_t>(item));
    if (array.shape(i) == 0)
      span = 0;
    else if (span)
      span += (array.shape(i) - 1) * stride / static_cast<py::ssize_t>(item);
  }
  impl->sizes = Shape(sizes);
  impl->strides = Shape(strides);
  auto storage = std::make_shared<gf::Storage>(0);
  storage->data = const_cast<void*>(array.data());
  storage->nbytes = static_cast<std::size_t>(span) * item;
  PyObject* owner = array.release().ptr();
  storage->owner = std::shared_ptr<void>(owner, [](void* p) {
    if (!Py_IsInitialized()) return;
    py::gil_scoped_acquire gil;
    Py_DECREF(static_cast<PyObject*>(p));
  });
  impl->storage = std::move(storage);
  return Tensor(std::move(impl));
}

py::array to_numpy(const Tensor& t) {
  const gf::TensorImpl& impl = t.impl();
  std::size_t item = gf::element_size(t.dtype());
  std::vector<py::ssize_t> shape, strides;
  for (std::size_t i = 0; i < impl.sizes.size(); ++i) {
    shape.push_back(impl.sizes[i]);
    strides.push_back(impl.strides[i] * static_cast<py::ssize_t>(item));
  }
  auto* keep = new std::shared_ptr<gf::Storage>(impl.storage);
  py::capsule base(keep, [](void* p) { delete static_cast<std::shared_ptr<gf::Storage>*>(p); });
  char* data = static_cast<char*>(impl.storage->data) + impl.offset * static_cast<int64_t>(item);
  return py::array(py::dtype(numpy_name(t.dtype())), shape, strides, data, base);
}

Tensor tensor_from_data(py::handle data, std::optional<DType> dtype) {
  if (py::isinstance<Tensor>(data)) {
    Tensor t = data.cast<Tensor>().detach();
    return dtype && *dtype != t.dtype() ? t.to(*dtype) : t.clone();
  }
  if (PyFloat_Check(data.ptr()))
    return gf::scalar_tensor(data.cast<double>(), dtype.value_or(gf::default_dtype()));
  if (PyBool_Check(data.ptr()))
    return gf::scalar_tensor(data.ptr() == Py_True ? 1 : 0, dtype.value_or(DType::Bool));
  if (PyLong_Check(data.ptr()))
    return gf::scalar_tensor(data.cast<double>(), dtype.value_or(DType::Int64));
  py::module_ np = py::module_::import("numpy");
  bool was_array = py::isinstance<py::array>(data);
  py::array a = np.attr("asarray")(data);
  std::string kind = py::str(a.dtype().attr("kind"));
  DType target;
  if (dtype)
    target = *dtype;
  else if (kind == "f")
    target = was_array ? dtype_from_numpy(a.dtype()) : gf::default_dtype();
  else if (kind == "b")
    target = DType::Bool;
  else if (kind == "i" || kind == "u")  // an array keeps int32 / uint8; lists give int64
    target = was_array ? dtype_from_numpy(a.dtype()) : DType::Int64;
  else
    throw py::type_error("tensor: can't convert data of numpy type " +
                         std::string(py::str(a.dtype())));
  // asarray(order="C"), not ascontiguousarray: that one makes a 0-d array 1-d
  a = np.attr("asarray")(a, py::arg("dtype") = numpy_name(target), py::arg("order") = "C");
  std::vector<int64_t> sizes(a.shape(), a.shape() + a.ndim());
  Tensor t = gf::empty(Shape(sizes), target);
  if (t.numel())
    std::memcpy(t.impl().storage->data, a.data(), t.numel() * gf::element_size(target));
  return t;
}

Tensor operand(py::handle obj, const Tensor& like) {
  if (py::isinstance<Tensor>(obj)) return obj.cast<Tensor>();
  DType dt = like.dtype();
  if (PyBool_Check(obj.ptr())) return gf::scalar_tensor(obj.ptr() == Py_True ? 1 : 0, DType::Bool);
  if (!gf::is_floating(dt) && !is_integral_number(obj)) dt = gf::default_dtype();
  if (dt == DType::Bool) dt = DType::Int64;  // bool tensor + 2 is int64, as in torch
  if (PyFloat_Check(obj.ptr()) || PyLong_Check(obj.ptr()))
    return gf::scalar_tensor(obj.cast<double>(), dt);
  return tensor_from_data(obj, std::nullopt);
}

void init_tensor(py::module_& m) {
  m.def("_set_size_class", [](py::object cls) { g_size_class = cls; });
  // Drop the Size class before the interpreter tears down.
  py::module_::import("atexit").attr("register")(
      py::cpp_function([]() { g_size_class = py::object(); }));

  py::class_<Tensor> cls(m, "Tensor", py::dynamic_attr(), py::buffer_protocol());
  // nn.Parameter: Tensor(data, requires_grad, _share=True) is a new leaf on data's storage;
  // _alias=True is data itself (the same autograd state: a module's registered parameter).
  cls.def(py::init([](const Tensor& data, bool requires_grad, bool share) {
            GF_CHECK(share, "Tensor: _share must be True");
            Tensor t = data.detach();
            if (requires_grad) t.requires_grad_(true);
            return t;
          }),
          py::arg("data"), py::arg("requires_grad"), py::kw_only(), py::arg("_share"));
  cls.def(py::init([](const Tensor& data, bool, bool alias) {
            GF_CHECK(alias, "Tensor: _alias must be True");
            return data;
          }),
          py::arg("data"), py::arg("requires_grad"), py::kw_only(), py::arg("_alias"));
  cls.def(py::init([](py::object data, std::optional<DType> dtype, bool requires_grad) {
            Tensor t = data.is_none() ? gf::empty(Shape{0}, dtype.value_or(gf::default_dtype()))
                                      : tensor_from_data(data, dtype);
            if (requires_grad) t.requires_grad_(true);
            return t;
          }),
          py::arg("data") = py::none(), py::arg("dtype") = py::none(),
          py::arg("requires_grad") = false);
  cls.def_buffer([](Tensor& t) -> py::buffer_info {
    const gf::TensorImpl& impl = t.impl();
    auto item = static_cast<py::ssize_t>(gf::element_size(t.dtype()));
    std::vector<py::ssize_t> shape, strides;
    for (std::size_t i = 0; i < impl.sizes.size(); ++i) {
      shape.push_back(impl.sizes[i]);
      strides.push_back(impl.strides[i] * item);
    }
    std::string format = gf::dispatch(t.dtype(), [](auto tag) {
      return std::string(py::format_descriptor<decltype(tag)>::format());
    });
    return py::buffer_info(static_cast<char*>(impl.storage->data) + impl.offset * item, item,
                           format, static_cast<py::ssize_t>(shape.size()), shape, strides);
  });

  // ---- metadata ----
  cls.def_property_readonly("shape", [](const Tensor& t) { return size_object(t.sizes()); })
      .def(
          "size",
          [](const Tensor& t, std::optional<int64_t> dim) -> py::object {
            if (dim) return py::int_(t.size(*dim));
            return size_object(t.sizes());
          },
          py::arg("dim") = py::none())
      .def(
          "stride",
          [](const Tensor& t, std::optional<int64_t> dim) -> py::object {
            if (dim) return py::int_(t.strides()[gf::wrap_dim(*dim, t.dim(), "stride")]);
            return py::tuple(py::cast(t.strides().vec()));
          },
          py::arg("dim") = py::none())
      .def_property_readonly("dtype", &Tensor::dtype)
      .def_property_readonly("ndim", &Tensor::dim)
      .def("dim", &Tensor::dim)
      .def("ndimension", &Tensor::dim)
      .def("numel", &Tensor::numel)
      .def("nelement", &Tensor::numel)
      .def("element_size", [](const Tensor& t) { return gf::element_size(t.dtype()); })
      .def("storage_offset", &Tensor::storage_offset)
      .def("is_contiguous", &Tensor::is_contiguous)
      .def("is_floating_point", [](const Tensor& t) { return gf::is_floating(t.dtype()); })
      .def("data_ptr",
           [](const Tensor& t) {
             return reinterpret_cast<std::uintptr_t>(static_cast<char*>(t.impl().storage->data) +
                                                     t.storage_offset() *
                                                         gf::element_size(t.dtype()));
           })
      .def_property_readonly("device", [](const Tensor&) { return "cpu"; })
      .def_property_readonly("is_cuda", [](const Tensor&) { return false; })
      .def("__len__", [](const Tensor& t) {
        if (t.dim() == 0) throw py::type_error("len() of a 0-d tensor");
        return t.size(0);
      });

  // ---- values ----
  cls.def("item", [](const Tensor& t) { return python_number(t.item(), t.dtype()); })
      .def("tolist",
           [](const Tensor& t) {
             int64_t pos = 0;
             return nested_list(t.tolist(), t.sizes(), 0, pos, t.dtype());
           })
      .def("numpy",
           [](const Tensor& t) {
             if (t.requires_grad())
               throw gf::Error(
                   "Can't call numpy() on Tensor that requires grad. Use "
                   "tensor.detach().numpy() instead.");
             return to_numpy(t);
           })
      .def(
          "__array__",
          [](const Tensor& t, py::object dtype) -> py::object {
            py::array a = to_numpy(t.detach());
            if (dtype.is_none()) return a;
            return a.attr("astype")(dtype);
          },
          py::arg("dtype") = py::none())
      .def("__float__", [](const Tensor& t) { return t.item(); })
      .def("__int__", [](const Tensor& t) { return static_cast<int64_t>(t.item()); })
      .def("__index__",
           [](const Tensor& t) {
             GF_CHECK(!gf::is_floating(t.dtype()) && t.numel() == 1,
                      "only integer tensors of a single element can be converted to an index");
             return static_cast<int64_t>(t.item());
           })
      .def("__bool__",
           [](const Tensor& t) {
             GF_CHECK(t.numel() == 1,
                      "Boolean value of Tensor with more than one value is ambiguous");
             return t.item() != 0;
           })
      .def("__repr__", [](const Tensor& t) { return gf::to_string(t); })
      .def("__str__", [](const Tensor& t) { return gf::to_string(t); })
      .def("__hash__", [](py::handle self) { return reinterpret_cast<std::intptr_t>(self.ptr()); })
      .def("__reduce__",
           [](const Tensor& t) {
             py::array values = to_numpy(t.detach().contiguous()).attr("copy")();
             return py::make_tuple(py::module_::import("gradflow").attr("_rebuild_tensor"),
                                   py::make_tuple(values, t.requires_grad()));
           })
      .def(
          "to", [](const Tensor& t, DType d) { return t.to(d); }, py::arg("dtype"))
      .def(
          "type", [](const Tensor& t, DType d) { return t.to(d); }, py::arg("dtype"))
      .def("float", [](const Tensor& t) { return t.to(DType::Float32); })
      .def("double", [](const Tensor& t) { return t.to(DType::Float64); })
      .def("long", [](const Tensor& t) { return t.to(DType::Int64); })
      .def("int", [](const Tensor& t) { return t.to(DType::Int32); })
      .def("byte", [](const Tensor& t) { return t.to(DType::UInt8); })
      .def("bool", [](const Tensor& t) { return t.to(DType::Bool); })
      .def("cpu", [](const Tensor& t) { return t; })
      .def("contiguous", &Tensor::contiguous)
      .def("clone", &Tensor::clone)
      .def("detach", &Tensor::detach)
      .def("detach_", in_place([](Tensor& t) {
             gf::TensorImpl& impl = t.impl();
             impl.grad_fn.reset();
             impl.requires_grad = false;
           }))
      .def("fill_", in_place<double>([](Tensor& t, double v) { t.fill_(v); }), py::arg("value"))
      .def("zero_", in_place([](Tensor& t) { t.zero_(); }))
      .def("copy_", in_place<py::handle>([](Tensor& t, py::handle src) { t.copy_(operand(src, t)); }),
           py::arg("src"));

  // ---- autograd state ----
  cls.def_property("requires_grad", &Tensor::requires_grad,
                   [](Tensor& t, bool on) { t.requires_grad_(on); })
      .def("requires_grad_", in_place<bool>([](Tensor& t, bool on) { t.requires_grad_(on); }),
           py::arg("requires_grad") = true)
      .def_property_readonly("is_leaf", &Tensor::is_leaf)
      .def_property(
          "grad",
          [](const Tensor& t) -> py::object {
            Tensor g = t.grad();
            if (!g.defined()) return py::none();
            return py::cast(g);
          },
          [](Tensor& t, py::object g) {
            if (g.is_none())
              t.zero_grad();
            else
              t.set_grad(g.cast<Tensor>());
          })
      .def_property(
          "data", [](const Tensor& t) { return t.detach(); },
          [](Tensor& t, const Tensor& src) {
            gf::NoGradGuard no_grad;
            GF_CHECK(src.sizes() == t.sizes(), "data: shape ", src.sizes().str(),
                     " does not match ", t.sizes().str());
            t.copy_(src);
          })
      .def("retain_grad", &Tensor::retain_grad)
      .def_property_readonly("retains_grad", [](const Tensor& t) { return t.impl().retains_grad; })
      .def_property_readonly("grad_fn",
                             [](const Tensor& t) -> py::object {
                               if (!t.grad_fn()) return py::none();
                               return py::cast(t.grad_fn());
                             })
      .def_property_readonly("output_nr", &Tensor::output_nr)
      .def_property(
          "name", [](const Tensor& t) { return t.impl().name; },
          [](Tensor& t, const std::string& n) { t.impl().name = n; })
      .def(
          "backward",
          [](const Tensor& t, std::optional<Tensor> gradient, std::optional<bool> retain_graph,
             bool create_graph) {
            InterruptibleBackward interruptible;
            py::gil_scoped_release release;
            t.backward(gradient.value_or(Tensor()), retain_graph.value_or(create_graph),
                       create_graph);
          },
          py::arg("gradient") = py::none(), py::arg("retain_graph") = py::none(),
          py::arg("create_graph") = false);

  // ---- operators ----
  // Arithmetic with a number uses the library's (Tensor, double) overloads for floating
  // tensors; otherwise the number becomes a 0-d tensor and promotion decides the dtype.
#define GF_PY_BINARY(py_name, rpy_name, OP)                                                   \
  cls.def(                                                                                    \
         py_name, [](const Tensor& a, const Tensor& b) { return a OP b; }, py::is_operator()) \
      .def(                                                                                   \
          py_name,                                                                            \
          [](const Tensor& a, double b) {                                                     \
            if (gf::is_floating(a.dtype())) return a OP b;                                    \
            return a OP operand(py::float_(b), a);                                            \
          },                                                                                  \
          py::is_operator())                                                                  \
      .def(                                                                                   \
          rpy_name,                                                                           \
          [](const Tensor& a, double b) {                                                     \
            if (gf::is_floating(a.dtype())) return b OP a;                                    \
            return operand(py::float_(b), a) OP a;                                            \
          },                                                                                  \
          py::is_operator());
  GF_PY_BINARY("__add__", "__radd__", +)
  GF_PY_BINARY("__sub__", "__rsub__", -)
  GF_PY_BINARY("__mul__", "__rmul__", *)
  GF_PY_BINARY("__truediv__", "__rtruediv__", /)
#undef GF_PY_BINARY
  // Integer tensors with integer numbers stay integer (torch: int64 + 1 is int64).
  cls.def(
         "__add__", [](const Tensor& a, int64_t b) { return a + operand(py::int_(b), a); },
         py::is_operator())
      .def(
          "__radd__", [](const Tensor& a, int64_t b) { return operand(py::int_(b), a) + a; },
          py::is_operator())
      .def(
          "__mul__", [](const Tensor& a, int64_t b) { return a * operand(py::int_(b), a); },
          py::is_operator())
      .def(
          "__rmul__", [](const Tensor& a, int64_t b) { return operand(py::int_(b), a) * a; },
          py::is_operator())
      .def(
          "__sub__", [](const Tensor& a, int64_t b) { return a - operand(py::int_(b), a); },
          py::is_operator())
      .def(
          "__rsub__", [](const Tensor& a, int64_t b) { return operand(py::int_(b), a) - a; },
          py::is_operator());
  cls.def("__neg__", [](const Tensor& a) { return -a; })
      .def("__pos__", [](const Tensor& a) { return a; })
      .def("__abs__", [](const Tensor& a) { return gf::abs(a); })
      .def(
          "__pow__", [](const Tensor& a, double p) { return gf::pow(a, p); }, py::is_operator())
      .def(
          "__pow__", [](const Tensor& a, const Tensor& p) { return gf::pow(a, p); },
          py::is_operator())
      .def(
          "__rpow__",
          [](const Tensor& a, double base) { return gf::pow(operand(py::float_(base), a), a); },
          py::is_operator())
      .def(
          "__matmul__",
          [](const Tensor& a, const Tensor& b) {
            MaybeRelease release(a.numel() * (b.dim() ? b.size(-1) : 1) > kHeavyWork);
            return gf::matmul(a, b);
          },
          py::is_operator())
      .def(
          "__rmatmul__", [](const Tensor& a, const Tensor& b) { return gf::matmul(b, a); },
          py::is_operator());
  cls.def("__iadd__",
          [](py::object a, py::handle b) {
            return inplace(a, b, [](Tensor& x, const Tensor& y) { x.add_(y); });
          })
      .def("__isub__",
           [](py::object a, py::handle b) {
             return inplace(a, b, [](Tensor& x, const Tensor& y) { x.sub_(y); });
           })
      .def("__imul__",
           [](py::object a, py::handle b) {
             return inplace(a, b, [](Tensor& x, const Tensor& y) { x.mul_(y); });
           })
      .def("__itruediv__", [](py::object a, py::handle b) {
        return inplace(a, b, [](Tensor& x, const Tensor& y) { x.div_(y); });
      });
#define GF_PY_COMPARE(py_name, fn)                                               \
  cls.def(                                                                       \
         py_name, [](const Tensor& a, const Tensor& b) { return gf::fn(a, b); }, \
         py::is_operator())                                                      \
      .def(                                                                      \
          py_name, [](const Tensor& a, double b) { return gf::fn(a, b); }, py::is_operator());
  GF_PY_COMPARE("__eq__", eq)
  GF_PY_COMPARE("__ne__", ne)
  GF_PY_COMPARE("__lt__", lt)
  GF_PY_COMPARE("__le__", le)
  GF_PY_COMPARE("__gt__", gt)
  GF_PY_COMPARE("__ge__", ge)
#undef GF_PY_COMPARE

  // ---- indexing ----
  cls.def("__iter__", [](const Tensor& t) {
        if (t.dim() == 0) throw py::type_error("iteration over a 0-d tensor");
        py::list rows;
        for (int64_t i = 0; i < t.size(0); ++i) rows.append(t.select(0, i));
        return py::iter(rows);
      });

  // ---- factories ----
  auto dtype_or = [](std::optional<DType> d) { return d.value_or(gf::default_dtype()); };
  auto finish = [](Tensor t, bool requires_grad) {
    if (requires_grad) t.requires_grad_(true);
    return t;
  };
  m.def(
      "tensor",
      [finish](py::handle data, std::optional<DType> dtype, bool requires_grad) {
        return finish(tensor_from_data(data, dtype), requires_grad);
      },
      py::arg("data"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("requires_grad") = false);
  m.def(
      "as_tensor",
      [](py::handle data, std::optional<DType> dtype) {
        if (py::isinstance<Tensor>(data)) {
          Tensor t = data.cast<Tensor>();
          return dtype && *dtype != t.dtype() ? t.to(*dtype) : t;
        }
        if (py::isinstance<py::array>(data) && !dtype)
          return from_numpy(py::reinterpret_borrow<py::array>(data));
        return tensor_from_data(data, dtype);
      },
      py::arg("data"), py::arg("dtype") = py::none());
  m.def("from_numpy", &from_numpy, py::arg("ndarray"));
  m.def(
      "scalar_tensor",
      [dtype_or, finish](double v, std::optional<DType> dtype, bool rg) {
        return finish(gf::scalar_tensor(v, dtype_or(dtype)), rg);
      },
      py::arg("s"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("requires_grad") = false);
#define GF_PY_SIZED_FACTORY(name)                                              \
  m.def(                                                                       \
      #name,                                                                   \
      [dtype_or, finish](py::args size, std::optional<DType> dtype, bool rg) { \
        return finish(gf::name(shape_from_args(size), dtype_or(dtype)), rg);   \
      },                                                                       \
      py::kw_only(), py::arg("dtype") = py::none(), py::arg("requires_grad") = false);
  GF_PY_SIZED_FACTORY(zeros)
  GF_PY_SIZED_FACTORY(ones)
  GF_PY_SIZED_FACTORY(rand)
  GF_PY_SIZED_FACTORY(randn)
  GF_PY_SIZED_FACTORY(empty)
#undef GF_PY_SIZED_FACTORY
  m.def(
      "full",
      [finish](py::handle size, py::handle v, std::optional<DType> dtype, bool rg) {
        DType d = dtype.value_or(is_integral_number(v) ? DType::Int64 : gf::default_dtype());
        return finish(gf::full(to_shape(size), v.cast<double>(), d), rg);
      },
      py::arg("size"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("requires_grad") = false);
  m.def(
      "zeros_like",
      [finish](const Tensor& t, std::optional<DType> dtype, bool rg) {
        return finish(gf::zeros(t.sizes(), dtype.value_or(t.dtype())), rg);
      },
      py::arg("input"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("requires_grad") = false);
  m.def(
      "ones_like",
      [finish](const Tensor& t, std::optional<DType> dtype, bool rg) {
        return finish(gf::ones(t.sizes(), dtype.value_or(t.dtype())), rg);
      },
      py::arg("input"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("requires_grad") = false);
  m.def(
      "full_like",
      [finish](const Tensor& t, double v, std::optional<DType> dtype, bool rg) {
        return finish(gf::full(t.sizes(), v, dtype.value_or(t.dtype())), rg);
      },
      py::arg("input"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("requires_grad") = false);
  m.def(
      "rand_like", [](const Tensor& t) { return gf::rand(t.sizes(), t.dtype()); },
      py::arg("input"));
  m.def(
      "randn_like", [](const Tensor& t) { return gf::randn(t.sizes(), t.dtype()); },
      py::arg("input"));
  m.def(
      "eye",
      [dtype_or, finish](int64_t n, std::optional<DType> dtype, bool rg) {
        return finish(gf::eye(n, dtype_or(dtype)), rg);
      },
      py::arg("n"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("requires_grad") = false);
  // torch.arange: integer arguments give int64, any float the default dtype.
  m.def(
      "arange",
      [finish](py::object start, py::object end, py::object step, std::optional<DType> dtype,
               bool rg) {
        if (end.is_none()) {
          end = start;
          start = py::int_(0);
        }
        bool all_int =
            is_integral_number(start) && is_integral_number(end) && is_integral_number(step);
        DType d = dtype.value_or(all_int ? DType::Int64 : gf::default_dtype());
        return finish(gf::arange(start.cast<double>(), end.cast<double>(), step.cast<double>(), d),
                      rg);
      },
      py::arg("start"), py::arg("end") = py::none(), py::arg("step") = 1, py::kw_only(),
      py::arg("dtype") = py::none(), py::arg("requires_grad") = false);
  m.def(
      "linspace",
      [dtype_or, finish](double start, double end, int64_t steps, std::optional<DType> dtype,
                         bool rg) {
        return finish(gf::linspace(start, end, steps, dtype_or(dtype)), rg);
      },
      py::arg("start"), py::arg("end"), py::arg("steps"), py::kw_only(),
      py::arg("dtype") = py::none(), py::arg("requires_grad") = false);
  m.def(
      "randint",
      [](int64_t low, py::object high, py::object size) {
        if (size.is_none()) {  // randint(high, size)
          size = high;
          high = py::int_(low);
          low = 0;
        }
        return gf::randint(low, high.cast<int64_t>(), to_shape(size));
      },
      py::arg("low"), py::arg("high"), py::arg("size") = py::none());
  m.def("randperm", &gf::randperm, py::arg("n"));
}

}  // namespace gfpy
