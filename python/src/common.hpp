// Shared pieces of the Python binding: conversions between Python objects and gf types, and the
// init_* functions that each bind one part of the public API (one file per part).
#pragma once
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <gradflow/gradflow.hpp>
#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;

namespace gfpy {

using gf::DType;
using gf::Shape;
using gf::Tensor;

// Every dtype the binding knows, in gf's enum order: extend here when C++ gains one.
const std::vector<DType>& all_dtypes();
// numpy's spelling of a dtype: "float32", "int64", ...
std::string numpy_name(DType dtype);
// The dtype of a numpy array (gf::Error naming it when gf has no such dtype).
DType dtype_from_numpy(const py::dtype& dtype);

// A shape from Python: an int, or a sequence of ints (list, tuple, gf.Size); `args` may also be
// the *sizes of zeros(2, 3) or zeros((2, 3)).
Shape to_shape(py::handle obj);
Shape shape_from_args(const py::args& args);
// torch.Size-like tuple of the sizes.
py::object size_object(const Shape& shape);

// A new tensor holding a copy of `data` (a number, nested sequence, numpy array or Tensor), as
// torch.tensor: floating data becomes `dtype` or the default dtype (a numpy array keeps its own).
Tensor tensor_from_data(py::handle data, std::optional<DType> dtype);
// A tensor sharing the array's memory (the array is kept alive by the tensor's storage).
Tensor from_numpy(py::array array);
// A numpy array viewing t's storage (the storage is kept alive by the array).
py::array to_numpy(const Tensor& t);

// An operand of a binary op: a Tensor as is, a Python number as a 0-d tensor of `like`'s dtype
// (floats with an integer tensor become the default dtype, as torch's type promotion does).
Tensor operand(py::handle obj, const Tensor& like);

// Releases the GIL for its scope when `heavy` (big enough that other threads should run).
struct MaybeRelease {
  explicit MaybeRelease(bool heavy) {
    if (heavy) state_ = PyEval_SaveThread();
  }
  ~MaybeRelease() {
    if (state_) PyEval_RestoreThread(state_);
  }
  MaybeRelease(const MaybeRelease&) = delete;
  MaybeRelease& operator=(const MaybeRelease&) = delete;

 private:
  PyThreadState* state_ = nullptr;
};
// While alive (around a backward pass that runs without the GIL), Ctrl-C stops the pass: every
// 256 graph nodes the engine's per-node hook takes the GIL and runs Python's signal handlers, and
// a KeyboardInterrupt propagates out of backward. Only when no other hook (viz's trace) is set.
struct InterruptibleBackward {
  InterruptibleBackward();
  ~InterruptibleBackward();
  InterruptibleBackward(const InterruptibleBackward&) = delete;
  InterruptibleBackward& operator=(const InterruptibleBackward&) = delete;

 private:
  bool installed_ = false;
};

// Work above this many multiply-adds or elements releases the GIL.
inline constexpr int64_t kHeavyWork = 1 << 15;

// Binds f(const Tensor& input, ...) as gradflow.<name>(input, ...) and Tensor.<name>(...).
template <class F, class... Extra>
void def_op(py::module_& m, py::class_<Tensor>& cls, const char* name, F f, const Extra&... extra) {
  m.def(name, f, py::arg("input"), extra...);
  cls.def(name, f, extra...);
}

// An in-place method that returns the object it was called on, as torch's (x.add_(1) is x):
// in_place<Args...>(f) binds f(Tensor& self, Args...) as self.<name>(args...) -> self.
// The object is a TensorObject: a py::object that signatures (and the stubs) show as Tensor.
class TensorObject : public py::object {
 public:
  using py::object::object;
  static bool check_(py::handle h) { return py::isinstance<Tensor>(h); }
};
template <class... Args, class F>
auto in_place(F f) {
  return [f](TensorObject self, Args... args) {
    f(self.cast<Tensor&>(), std::forward<Args>(args)...);
    return self;
  };
}

// A module's registered parameter as a gradflow.nn.Parameter (the same tensor), None if
// undefined.
py::object as_parameter(const Tensor& t);

void init_tensor(py::module_& m);
void init_ops(py::module_& m);
void init_ops_breadth(py::module_& m);
void init_indexing(py::module_& m);
void init_autograd(py::module_& m);
void init_nn(py::module_& m);
void init_nn_conv(py::module_& m);
void init_nn_norm(py::module_& m);
void init_optim(py::module_& m);
void init_data(py::module_& m);
void init_io(py::module_& m);
void init_viz(py::module_& m);

}  // namespace gfpy

template <>
struct pybind11::detail::handle_type_name<gfpy::TensorObject> {
  static constexpr auto name = const_name("gradflow._gradflow.Tensor");
};
