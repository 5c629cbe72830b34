// The differentiable ops, bound once each as a free function (gradflow.exp(x)) and as a method
// (x.exp()), with torch's argument names. A new op in ops.hpp is one line here.
#include "common.hpp"

namespace gfpy {

namespace {

py::object values_indices(const char* kind, const Tensor& values, const Tensor& indices) {
  py::object tuple = py::module_::import("gradflow").attr("_return_types").attr(kind);
  return tuple(values, indices);
}

}  // namespace

void init_ops(py::module_& m) {
  auto cls = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));

  // ---- arithmetic ----
  auto binary = [](auto fn) {
    return [fn](const Tensor& a, py::handle b) { return fn(a, operand(b, a)); };
  };
  def_op(m, cls, "add", binary([](const Tensor& a, const Tensor& b) { return gf::add(a, b); }),
         py::arg("other"));
  def_op(m, cls, "sub", binary([](const Tensor& a, const Tensor& b) { return gf::sub(a, b); }),
         py::arg("other"));
  def_op(m, cls, "mul", binary([](const Tensor& a, const Tensor& b) { return gf::mul(a, b); }),
         py::arg("other"));
  def_op(m, cls, "div", binary([](const Tensor& a, const Tensor& b) { return gf::div(a, b); }),
         py::arg("other"));
  def_op(m, cls, "maximum",
         binary([](const Tensor& a, const Tensor& b) { return gf::maximum(a, b); }),
         py::arg("other"));
  def_op(m, cls, "minimum",
         binary([](const Tensor& a, const Tensor& b) { return gf::minimum(a, b); }),
         py::arg("other"));
  def_op(m, cls, "neg", [](const Tensor& a) { return gf::neg(a); });
  def_op(
      m, cls, "pow",
      [](const Tensor& a, py::handle p) {
        if (py::isinstance<Tensor>(p)) return gf::pow(a, p.cast<Tensor>());
        return gf::pow(a, p.cast<double>());
      },
      py::arg("exponent"));

  // ---- unary math ----
#define GF_PY_UNARY(name) def_op(m, cls, #name, [](const Tensor& x) { return gf::name(x); });
  GF_PY_UNARY(exp)
  GF_PY_UNARY(log)
  GF_PY_UNARY(sqrt)
  GF_PY_UNARY(abs)
  GF_PY_UNARY(relu)
  GF_PY_UNARY(sigmoid)
  GF_PY_UNARY(tanh)
  GF_PY_UNARY(log1p)
  GF_PY_UNARY(sign)
  GF_PY_UNARY(square)
#undef GF_PY_UNARY
  def_op(
      m, cls, "clamp",
      [](const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
        return gf::clamp(x, lo.value_or(-INFINITY), hi.value_or(INFINITY));
      },
      py::arg("min") = py::none(), py::arg("max") = py::none());
  m.def(
      "where",
      [](const Tensor& cond, py::handle a, py::handle b) {
        Tensor ta = py::isinstance<Tensor>(a) ? a.cast<Tensor>() : Tensor();
        Tensor tb = py::isinstance<Tensor>(b) ? b.cast<Tensor>() : Tensor();
        const Tensor& like = ta.defined() ? ta : tb.defined() ? tb : cond;
        return gf::where(cond, operand(a, like), operand(b, like));
      },
      py::arg("condition"), py::arg("input"), py::arg("other"));

  // ---- comparisons ----
#define GF_PY_COMPARE(name)                                                  \
  def_op(                                                                    \
      m, cls, #name,                                                         \
      [](const Tensor& a, py::handle b) {                                    \
        if (py::isinstance<Tensor>(b)) return gf::name(a, b.cast<Tensor>()); \
        return gf::name(a, b.cast<double>());                                \
      },                                                                     \
      py::arg("other"));
  GF_PY_COMPARE(eq)
  GF_PY_COMPARE(ne)
  GF_PY_COMPARE(lt)
  GF_PY_COMPARE(le)
  GF_PY_COMPARE(gt)
  GF_PY_COMPARE(ge)
#undef GF_PY_COMPARE
  def_op(m, cls, "allclose", &gf::allclose, py::arg("other"), py::arg("rtol") = 1e-5,
         py::arg("atol") = 1e-8);
  def_op(
      m, cls, "equal",
      [](const Tensor& a, const Tensor& b) {
        return a.sizes() == b.sizes() && a.tolist() == b.tolist();
      },
      py::arg("other"));

  // ---- reductions ----
  // dim: None (all), an int, or a tuple of ints (one pass over several dims), like torch.
  def_op(
      m, cls, "sum",
      [](const Tensor& x, py::handle dim, bool keepdim) {
        if (dim.is_none()) return keepdim ? gf::sum(x, std::vector<int64_t>{}, true) : gf::sum(x);
        if (py::isinstance<py::int_>(dim)) return gf::sum(x, dim.cast<int64_t>(), keepdim);
        return gf::sum(x, to_shape(dim).vec(), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  def_op(
      m, cls, "mean",
      [](const Tensor& x, py::handle dim, bool keepdim) {
        if (dim.is_none()) return keepdim ? gf::mean(x, std::vector<int64_t>{}, true) : gf::mean(x);
        if (py::isinstance<py::int_>(dim)) return gf::mean(x, dim.cast<int64_t>(), keepdim);
        return gf::mean(x, to_shape(dim).vec(), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  // torch.max(x) is the value; torch.max(x, dim) is (values, indices); torch.max(x, y) maximum.
  def_op(
      m, cls, "max",
      [](const Tensor& x, py::object dim, bool keepdim) -> py::object {
        if (dim.is_none()) return py::cast(gf::max(x));
        if (py::isinstance<Tensor>(dim)) return py::cast(gf::maximum(x, dim.cast<Tensor>()));
        int64_t d = dim.cast<int64_t>();
        return values_indices("max", gf::max(x, d, keepdim), gf::argmax(x, d, keepdim));
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  def_op(
      m, cls, "min",
      [](const Tensor& x, py::object dim, bool keepdim) -> py::object {
        if (dim.is_none()) return py::cast(gf::min(x));
        if (py::isinstance<Tensor>(dim)) return py::cast(gf::minimum(x, dim.cast<Tensor>()));
        int64_t d = dim.cast<int64_t>();
        return values_indices("min", gf::min(x, d, keepdim), gf::argmin(x, d, keepdim));
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  // amax/amin split the gradient among ties (AmaxBackward0), unlike max/min along a dim.
  def_op(
      m, cls, "amax",
      [](const Tensor& x, py::handle dim, bool keepdim) {
        if (py::isinstance<py::int_>(dim)) return gf::amax(x, dim.cast<int64_t>(), keepdim);
        return gf::amax(x, to_shape(dim).vec(), keepdim);
      },
      py::arg("dim") = py::tuple(), py::arg("keepdim") = false);
  def_op(
      m, cls, "amin",
      [](const Tensor& x, py::handle dim, bool keepdim) {
        if (py::isinstance<py::int_>(dim)) return gf::amin(x, dim.cast<int64_t>(), keepdim);
        return gf::amin(x, to_shape(dim).vec(), keepdim);
      },
      py::arg("dim") = py::tuple(), py::arg("keepdim") = false);
  def_op(
      m, cls, "argmax",
      [](const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
        return dim ? gf::argmax(x, *dim, keepdim) : gf::argmax(x);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  def_op(
      m, cls, "argmin",
      [](const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
        return dim ? gf::argmin(x, *dim, keepdim) : gf::argmin(x);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  def_op(
      m, cls, "logsumexp",
      [](const Tensor& x, py::handle dim, bool keepdim) {
        if (py::isinstance<py::int_>(dim)) return gf::logsumexp(x, dim.cast<int64_t>(), keepdim);
        return gf::logsumexp(x, to_shape(dim).vec(), keepdim);
      },
      py::arg("dim"), py::arg("keepdim") = false);

  // ---- shape and views ----
  def_op(m, cls, "transpose", &gf::transpose, py::arg("dim0"), py::arg("dim1"));
  def_op(m, cls, "swapaxes", &gf::transpose, py::arg("axis0"), py::arg("axis1"));
  def_op(m, cls, "t", &gf::t);
  cls.def_property_readonly("T", [](const Tensor& x) {
    Shape dims;
    for (int64_t d = x.dim() - 1; d >= 0; --d) dims.push_back(d);
    return gf::permute(x, dims);
  });
  m.def(
      "permute", [](const Tensor& x, py::handle dims) { return gf::permute(x, to_shape(dims)); },
      py::arg("input"), py::arg("dims"));
  cls.def("permute",
          [](const Tensor& x, py::args dims) { return gf::permute(x, shape_from_args(dims)); });
  m.def(
      "reshape", [](const Tensor& x, py::handle shape) { return gf::reshape(x, to_shape(shape)); },
      py::arg("input"), py::arg("shape"));
  cls.def("reshape",
          [](const Tensor& x, py::args shape) { return gf::reshape(x, shape_from_args(shape)); });
  cls.def("view", [](const Tensor& x, py::args shape) { return x.view(shape_from_args(shape)); });
  cls.def(
      "view_as", [](const Tensor& x, const Tensor& o) { return x.view(o.sizes()); },
      py::arg("other"));
  cls.def(
      "reshape_as", [](const Tensor& x, const Tensor& o) { return gf::reshape(x, o.sizes()); },
      py::arg("other"));
  cls.def("expand",
          [](const Tensor& x, py::args shape) { return gf::expand(x, shape_from_args(shape)); });
  cls.def(
      "expand_as", [](const Tensor& x, const Tensor& o) { return gf::expand(x, o.sizes()); },
      py::arg("other"));
  def_op(m, cls, "flatten", &gf::flatten, py::arg("start_dim") = 0, py::arg("end_dim") = -1);
  def_op(m, cls, "ravel", [](const Tensor& x) { return gf::reshape(x, {-1}); });
  def_op(m, cls, "unsqueeze", &gf::unsqueeze, py::arg("dim"));
  def_op(
      m, cls, "squeeze",
      [](const Tensor& x, std::optional<int64_t> dim) {
        if (dim) return gf::squeeze(x, *dim);
        Tensor out = x;
        for (int64_t d = x.dim() - 1; d >= 0; --d)
          if (x.size(d) == 1) out = gf::squeeze(out, d);
        return out;
      },
      py::arg("dim") = py::none());
  def_op(m, cls, "narrow", &gf::narrow, py::arg("dim"), py::arg("start"), py::arg("length"));
  def_op(m, cls, "select", &gf::select, py::arg("dim"), py::arg("index"));

  // ---- indexing and joining ----
  def_op(m, cls, "gather", &gf::gather, py::arg("dim"), py::arg("index"));
  def_op(m, cls, "index_select", &gf::index_select, py::arg("dim"), py::arg("index"));
  m.def("cat", &gf::cat, py::arg("tensors"), py::arg("dim") = 0);
  m.def("concat", &gf::cat, py::arg("tensors"), py::arg("dim") = 0);
  m.def("stack", &gf::stack, py::arg("tensors"), py::arg("dim") = 0);

  // ---- linear algebra (GIL released for big products) ----
  auto big = [](const Tensor& a, const Tensor& b) {
    return a.numel() * (b.dim() ? b.size(-1) : 1) > kHeavyWork;
  };
  def_op(
      m, cls, "matmul",
      [big](const Tensor& a, const Tensor& b) {
        MaybeRelease release(big(a, b));
        return gf::matmul(a, b);
      },
      py::arg("other"));
  def_op(
      m, cls, "mm",
      [big](const Tensor& a, const Tensor& b) {
        MaybeRelease release(big(a, b));
        return gf::mm(a, b);
      },
      py::arg("mat2"));
  def_op(
      m, cls, "addmm",
      [big](const Tensor& bias, const Tensor& a, const Tensor& b) {
        MaybeRelease release(big(a, b));
        return gf::addmm(bias, a, b);
      },
      py::arg("mat1"), py::arg("mat2"));
  def_op(m, cls, "outer", &gf::outer, py::arg("vec2"));
  def_op(m, cls, "dot", &gf::dot, py::arg("other"));

  // ---- softmax family ----
  def_op(m, cls, "softmax", &gf::softmax, py::arg("dim"));
  def_op(m, cls, "log_softmax", &gf::log_softmax, py::arg("dim"));
}

}  // namespace gfpy
