// Tensor indexing as torch's: t[key] is gf::index and t[key] = v is gf::index_put_
// (include/gradflow/indexing.hpp), the key translated item by item into gf::indexing::TensorIndex:
// ints select, slices slice, None and ... as in Python; integer tensors, lists and arrays are
// advanced indices, Bool ones masks. The C++ code does the rest (broadcasting the advanced
// indices, where the result's dims go, IndexBackward0 / IndexPutBackward0). Also the mask ops of
// ops.hpp: masked_fill(_), masked_select, nonzero, any, all.
#include <cstring>

#include "common.hpp"

namespace gfpy {

namespace {

using gf::indexing::TensorIndex;

int64_t as_index(py::handle v) {
  auto i = py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()));
  if (!i) throw py::error_already_set();
  return i.cast<int64_t>();
}
std::optional<int64_t> slice_field(py::handle v) {
  if (v.is_none()) return std::nullopt;
  return as_index(v);
}

// An advanced index from a Python object: a Tensor as is (uint8 masks read as Bool, as torch
// does), a list or array as torch.tensor would make it (an empty one is Int64, not float).
Tensor advanced_index(py::handle obj) {
  if (py::isinstance<Tensor>(obj)) {
    Tensor t = obj.cast<Tensor>();
    return t.dtype() == DType::UInt8 ? t.to(DType::Bool) : t;
  }
  Tensor t = tensor_from_data(obj, std::nullopt);
  if (t.numel() == 0 && gf::is_floating(t.dtype())) return t.to(DType::Int64);
  return t;
}

TensorIndex index_item(py::handle h) {
  if (h.is_none()) return gf::indexing::None;
  if (h.ptr() == Py_Ellipsis) return gf::indexing::Ellipsis;
  if (py::isinstance<py::slice>(h))
    return gf::indexing::Slice(slice_field(h.attr("start")), slice_field(h.attr("stop")),
                               slice_field(h.attr("step")));
  if (py::isinstance<Tensor>(h)) return advanced_index(h);
  if (PyBool_Check(h.ptr()))  // x[True] is x[None] masked by a 0-d Bool: not supported by gf
    return gf::scalar_tensor(h.ptr() == Py_True ? 1 : 0, DType::Bool);
  if (py::isinstance<py::array>(h)) return advanced_index(h);  // (arrays also have __index__)
  if (PyIndex_Check(h.ptr()))  // int, numpy integers
    return TensorIndex(as_index(h));
  if (py::isinstance<py::sequence>(h) && !py::isinstance<py::str>(h)) return advanced_index(h);
  throw py::type_error(
      "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
      "indices (got " +
      std::string(py::str(py::type::handle_of(h).attr("__name__"))) + ")");
}

// torch's treatSequenceAsTuple (numpy's old rule): a short non-tuple sequence holding a
// sequence, slice, tensor, None or ... is read as a tuple, so x[[[0, 1], [2, 2]]] is x[[0, 1],
// [2, 2]] and x[[0, 1]] stays one advanced index.
bool sequence_as_tuple(py::handle key) {
  if (py::isinstance<py::tuple>(key)) return true;
  if (py::isinstance<Tensor>(key) || py::isinstance<py::str>(key) || !PySequence_Check(key.ptr()))
    return false;
  Py_ssize_t n = PySequence_Size(key.ptr());
  if (n < 0) {
    PyErr_Clear();
    return false;
  }
  if (n >= 32) return false;
  for (Py_ssize_t i = 0; i < n; ++i) {
    py::object item = py::reinterpret_steal<py::object>(PySequence_GetItem(key.ptr(), i));
    if (!item) throw py::error_already_set();
    if (py::isinstance<Tensor>(item) || PySequence_Check(item.ptr()) ||
        py::isinstance<py::slice>(item) || item.is_none() || item.ptr() == Py_Ellipsis)
      return true;
  }
  return false;
}

std::vector<TensorIndex> index_key(py::handle key) {
  std::vector<TensorIndex> out;
  if (sequence_as_tuple(key)) {
    for (py::handle h : key) out.push_back(index_item(h));
  } else {
    out.push_back(index_item(key));
  }
  return out;
}

// torch raises IndexError for every indexing error except a negative step (ValueError) and
// the assignment's own checks (shape mismatch, a leaf that requires grad: RuntimeError).
[[noreturn]] void raise_indexing_error(const gf::Error& e) {
  const char* what = e.what();
  if (std::strstr(what, "step must be greater than zero")) throw py::value_error(what);
  if (std::strstr(what, "index_put_:")) throw;
  throw py::index_error(what);
}

Tensor get_item(const Tensor& self, py::handle key) {
  std::vector<TensorIndex> idx = index_key(key);
  try {
    return gf::index(self, idx);
  } catch (const gf::Error& e) {
    raise_indexing_error(e);
  }
}

// The value of t[key] = value as a tensor of t's dtype (a number as a 0-d tensor; a tensor of
// another dtype converted, differentiably, as torch's copy converts it).
Tensor assigned_value(const Tensor& self, py::handle value) {
  if (py::isinstance<Tensor>(value)) {
    Tensor v = value.cast<Tensor>();
    return v.dtype() == self.dtype() ? v : v.to(self.dtype());
  }
  if (PyFloat_Check(value.ptr()) || PyLong_Check(value.ptr()))
    return gf::scalar_tensor(value.cast<double>(), self.dtype());
  return tensor_from_data(value, self.dtype());
}

void set_item(Tensor& self, py::handle key, py::handle value) {
  std::vector<TensorIndex> idx = index_key(key);
  Tensor v = assigned_value(self, value);
  try {
    gf::index_put_(self, idx, v);
  } catch (const gf::Error& e) {
    raise_indexing_error(e);
  }
}

// torch's dim argument of any/all: None (all dims), an int, or a tuple of ints.
template <class R>
Tensor reduce_bool(const Tensor& x, py::handle dim, bool keepdim, R reduce) {
  if (dim.is_none()) return reduce(x, std::vector<int64_t>{}, keepdim, true);
  if (py::isinstance<py::int_>(dim)) return reduce(x, {dim.cast<int64_t>()}, keepdim, false);
  return reduce(x, dim.cast<std::vector<int64_t>>(), keepdim, false);
}

}  // namespace

void init_indexing(py::module_& m) {
  auto cls = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  cls.def("__getitem__", &get_item)
      .def("__setitem__",
           [](Tensor& t, py::handle key, py::handle value) { set_item(t, key, value); })
      .def(
          "index_put_",
          [](TensorObject self, py::tuple indices, const Tensor& values, bool accumulate) {
            Tensor& t = self.cast<Tensor&>();
            std::vector<TensorIndex> idx;
            for (py::handle h : indices) idx.push_back(advanced_index(h));
            try {
              gf::index_put_(t, idx, values, accumulate);
            } catch (const gf::Error& e) {
              raise_indexing_error(e);
            }
            return self;
          },
          py::arg("indices"), py::arg("values"), py::arg("accumulate") = false)
      .def(
          "index_put",
          [](const Tensor& t, py::tuple indices, const Tensor& values, bool accumulate) {
            std::vector<TensorIndex> idx;
            for (py::handle h : indices) idx.push_back(advanced_index(h));
            try {
              return gf::index_put(t, idx, values, accumulate);
            } catch (const gf::Error& e) {
              raise_indexing_error(e);
            }
          },
          py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);

  // ---- masks (ops.hpp, src/ops/masked.cpp) ----
  def_op(
      m, cls, "masked_fill",
      [](const Tensor& x, const Tensor& mask, py::handle value) {
        if (py::isinstance<Tensor>(value)) return gf::masked_fill(x, mask, value.cast<Tensor>());
        return gf::masked_fill(x, mask, value.cast<double>());
      },
      py::arg("mask"), py::arg("value"));
  // In place: x[mask] = value with the mask broadcast to x's shape (gf::index_put_, so the
  // grad_fn is IndexPutBackward0 where torch's is MaskedFillBackward0; the gradients agree).
  cls.def(
      "masked_fill_",
      [](TensorObject self, const Tensor& mask, py::handle value) {
        Tensor& t = self.cast<Tensor&>();
        GF_CHECK(mask.dtype() == DType::Bool,
                 "masked_fill_: expected a mask of dtype torch.bool, got ",
                 gf::dtype_name(mask.dtype()));
        Tensor full = mask.sizes() == t.sizes() ? mask : mask.expand(t.sizes());
        gf::index_put_(t, {TensorIndex(full)}, assigned_value(t, value));
        return self;
      },
      py::arg("mask"), py::arg("value"));
  def_op(m, cls, "masked_select", &gf::masked_select, py::arg("mask"));
  def_op(
      m, cls, "nonzero",
      [](const Tensor& x, bool as_tuple) -> py::object {
        Tensor nz = gf::nonzero(x);
        if (!as_tuple) return py::cast(nz);
        // torch.nonzero(as_tuple=True): one 1-D index tensor per dim (a 0-d x counts as 1-D)
        py::tuple cols(std::max<int64_t>(x.dim(), 1));
        for (int64_t d = 0; d < nz.size(1); ++d) cols[d] = nz.select(1, d).contiguous();
        if (x.dim() == 0) cols[0] = gf::zeros({nz.size(0)}, DType::Int64);
        return cols;
      },
      py::kw_only(), py::arg("as_tuple") = false);
  def_op(
      m, cls, "any",
      [](const Tensor& x, py::handle dim, bool keepdim) {
        return reduce_bool(x, dim, keepdim,
                           [](const Tensor& t, std::vector<int64_t> dims, bool k, bool all_dims) {
                             return all_dims ? gf::any(t) : gf::any(t, dims, k);
                           });
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  def_op(
      m, cls, "all",
      [](const Tensor& x, py::handle dim, bool keepdim) {
        return reduce_bool(x, dim, keepdim,
                           [](const Tensor& t, std::vector<int64_t> dims, bool k, bool all_dims) {
                             return all_dims ? gf::all(t) : gf::all(t, dims, k);
                           });
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
}

}  // namespace gfpy
