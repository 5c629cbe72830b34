// The second round's ops (ops.hpp: more elementwise math, logical and bitwise ops, reductions over
// dims, scans, sort/topk, scatter, shape ops, einsum) and the in-place methods and gradient hooks
// of Tensor (tensor.hpp), each bound once as gradflow.<op> and, where torch has it, Tensor.<op>.
#include "common.hpp"

namespace gfpy {

namespace {

// torch's `dim` argument: None (all dims), an int, or a sequence of ints.
std::vector<int64_t> dims_of(py::handle dim) {
  if (dim.is_none()) return {};
  return to_shape(dim).vec();
}

py::object return_type(const char* kind, const Tensor& values, const Tensor& indices) {
  return py::module_::import("gradflow").attr("_return_types").attr(kind)(values, indices);
}

py::list tensor_list(const std::vector<Tensor>& ts) {
  py::list out;
  for (const Tensor& t : ts) out.append(py::cast(t));
  return out;
}

}  // namespace

void init_ops_breadth(py::module_& m) {
  auto cls = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));

  // ---- elementwise math, rounding (ops.hpp: src/ops/math.cpp, rounding.cpp) ----
#define GF_PY_UNARY(name) def_op(m, cls, #name, [](const Tensor& x) { return gf::name(x); });
  GF_PY_UNARY(sin)
  GF_PY_UNARY(cos)
  GF_PY_UNARY(tan)
  GF_PY_UNARY(asin)
  GF_PY_UNARY(acos)
  GF_PY_UNARY(atan)
  GF_PY_UNARY(sinh)
  GF_PY_UNARY(cosh)
  GF_PY_UNARY(asinh)
  GF_PY_UNARY(acosh)
  GF_PY_UNARY(atanh)
  GF_PY_UNARY(exp2)
  GF_PY_UNARY(expm1)
  GF_PY_UNARY(log2)
  GF_PY_UNARY(log10)
  GF_PY_UNARY(rsqrt)
  GF_PY_UNARY(reciprocal)
  GF_PY_UNARY(erf)
  GF_PY_UNARY(erfc)
  GF_PY_UNARY(floor)
  GF_PY_UNARY(ceil)
  GF_PY_UNARY(round)
  GF_PY_UNARY(trunc)
  GF_PY_UNARY(frac)
  GF_PY_UNARY(logical_not)
  GF_PY_UNARY(bitwise_not)
  GF_PY_UNARY(isnan)
  GF_PY_UNARY(isinf)
  GF_PY_UNARY(isfinite)
#undef GF_PY_UNARY
#define GF_PY_BINARY(name)                                                                     \
  def_op(                                                                                      \
      m, cls, #name, [](const Tensor& a, py::handle b) { return gf::name(a, operand(b, a)); }, \
      py::arg("other"));
  GF_PY_BINARY(atan2)
  GF_PY_BINARY(logical_and)
  GF_PY_BINARY(logical_or)
  GF_PY_BINARY(logical_xor)
  GF_PY_BINARY(bitwise_and)
  GF_PY_BINARY(bitwise_or)
  GF_PY_BINARY(bitwise_xor)
  GF_PY_BINARY(fmod)
  GF_PY_BINARY(remainder)
#undef GF_PY_BINARY
  def_op(m, cls, "clamp_min", &gf::clamp_min, py::arg("min"));
  def_op(m, cls, "clamp_max", &gf::clamp_max, py::arg("max"));
  cls.def(
         "__and__", [](const Tensor& a, py::handle b) { return a & operand(b, a); },
         py::is_operator())
      .def(
          "__or__", [](const Tensor& a, py::handle b) { return a | operand(b, a); },
          py::is_operator())
      .def(
          "__xor__", [](const Tensor& a, py::handle b) { return a ^ operand(b, a); },
          py::is_operator())
      .def("__invert__", [](const Tensor& a) { return ~a; })
      .def(
          "__mod__", [](const Tensor& a, py::handle b) { return gf::remainder(a, operand(b, a)); },
          py::is_operator())
      .def(
          "__rmod__", [](const Tensor& a, py::handle b) { return gf::remainder(operand(b, a), a); },
          py::is_operator());

  // ---- reductions over dims (src/ops/reduce_dims.cpp) ----
  // sum/mean/amax/amin take dim as an int, a tuple of ints or None (all), like torch.
  def_op(
      m, cls, "prod",
      [](const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
        return dim ? gf::prod(x, *dim, keepdim) : gf::prod(x);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  auto var_like = [](auto fn) {
    return [fn](const Tensor& x, py::handle dim, std::optional<int64_t> correction,
                std::optional<bool> unbiased, bool keepdim) {
      int64_t c = correction ? *correction : unbiased ? (*unbiased ? 1 : 0) : 1;
      std::optional<std::vector<int64_t>> dims;
      if (!dim.is_none()) dims = dims_of(dim);
      return fn(x, dims, c, keepdim);
    };
  };
  auto var_args = [](py::module_& mm, py::class_<Tensor>& c, const char* name, auto f) {
    def_op(mm, c, name, f, py::arg("dim") = py::none(), py::kw_only(),
           py::arg("correction") = py::none(), py::arg("unbiased") = py::none(),
           py::arg("keepdim") = false);
  };
  var_args(m, cls, "var",
           var_like([](const Tensor& x, std::optional<std::vector<int64_t>> d, int64_t c, bool k) {
             return gf::var(x, d, c, k);
           }));
  var_args(m, cls, "std",
           var_like([](const Tensor& x, std::optional<std::vector<int64_t>> d, int64_t c, bool k) {
             return gf::std(x, d, c, k);
           }));
  def_op(
      m, cls, "norm",
      [](const Tensor& x, py::object p, py::handle dim, bool keepdim) {
        double pv = 2;
        if (py::isinstance<py::str>(p)) {
          GF_CHECK(p.cast<std::string>() == "fro", "norm: unsupported p '", p.cast<std::string>(),
                   "'");
        } else if (!p.is_none()) {
          pv = p.cast<double>();
        }
        return gf::norm(x, pv, dims_of(dim), keepdim);
      },
      py::arg("p") = "fro", py::arg("dim") = py::none(), py::arg("keepdim") = false);
  def_op(m, cls, "cumsum", &gf::cumsum, py::arg("dim"));
  def_op(m, cls, "cumprod", &gf::cumprod, py::arg("dim"));

  // ---- sorting (src/ops/sort.cpp) ----
  def_op(
      m, cls, "sort",
      [](const Tensor& x, int64_t dim, bool descending, bool stable) {
        auto [v, i] = gf::sort(x, stable, dim, descending);
        return return_type("sort", v, i);
      },
      py::arg("dim") = -1, py::arg("descending") = false, py::kw_only(), py::arg("stable") = false);
  def_op(
      m, cls, "argsort",
      [](const Tensor& x, int64_t dim, bool descending) {
        return std::get<1>(gf::sort(x, dim, descending));
      },
      py::arg("dim") = -1, py::arg("descending") = false);
  def_op(
      m, cls, "topk",
      [](const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
        auto [v, i] = gf::topk(x, k, dim, largest, sorted);
        return return_type("topk", v, i);
      },
      py::arg("k"), py::arg("dim") = -1, py::arg("largest") = true, py::arg("sorted") = true);

  // ---- median (src/ops/median.cpp): over all elements, or (values, indices) along a dim ----
  def_op(
      m, cls, "median",
      [](const Tensor& x, std::optional<int64_t> dim, bool keepdim) -> py::object {
        if (!dim) return py::cast(gf::median(x));
        auto [v, i] = gf::median(x, *dim, keepdim);
        return return_type("median", v, i);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);

  // ---- scatter (src/ops/scatter.cpp) ----
  def_op(
      m, cls, "scatter",
      [](const Tensor& x, int64_t dim, const Tensor& index, py::handle src,
         std::optional<std::string> reduce) {
        if (py::isinstance<Tensor>(src)) {
          Tensor s = src.cast<Tensor>();
          return reduce ? gf::scatter(x, dim, index, s, *reduce) : gf::scatter(x, dim, index, s);
        }
        double v = src.cast<double>();
        return reduce ? gf::scatter(x, dim, index, v, *reduce) : gf::scatter(x, dim, index, v);
      },
      py::arg("dim"), py::arg("index"), py::arg("src"), py::kw_only(),
      py::arg("reduce") = py::none());
  def_op(m, cls, "scatter_add", &gf::scatter_add, py::arg("dim"), py::arg("index"), py::arg("src"));

  // ---- shape ops (src/ops/shape_ops.cpp) ----
  def_op(
      m, cls, "flip", [](const Tensor& x, py::handle dims) { return gf::flip(x, dims_of(dims)); },
      py::arg("dims"));
  def_op(
      m, cls, "roll",
      [](const Tensor& x, py::handle shifts, py::handle dims) {
        return gf::roll(x, dims_of(shifts), dims_of(dims));
      },
      py::arg("shifts"), py::arg("dims") = py::none());
  cls.def("repeat", [](const Tensor& x, py::args sizes) {
    return gf::repeat(x, shape_from_args(sizes).vec());
  });
  m.def(
      "tile", [](const Tensor& x, py::handle dims) { return gf::tile(x, dims_of(dims)); },
      py::arg("input"), py::arg("dims"));
  cls.def("tile",
          [](const Tensor& x, py::args dims) { return gf::tile(x, shape_from_args(dims).vec()); });
  def_op(
      m, cls, "split",
      [](const Tensor& x, py::handle size, int64_t dim) {
        if (py::isinstance<py::int_>(size))
          return tensor_list(gf::split(x, size.cast<int64_t>(), dim));
        return tensor_list(gf::split(x, dims_of(size), dim));
      },
      py::arg("split_size_or_sections"), py::arg("dim") = 0);
  def_op(
      m, cls, "chunk",
      [](const Tensor& x, int64_t chunks, int64_t dim) {
        return tensor_list(gf::chunk(x, chunks, dim));
      },
      py::arg("chunks"), py::arg("dim") = 0);
  def_op(
      m, cls, "unbind",
      [](const Tensor& x, int64_t dim) { return py::tuple(tensor_list(gf::unbind(x, dim))); },
      py::arg("dim") = 0);
  def_op(
      m, cls, "movedim",
      [](const Tensor& x, py::handle source, py::handle destination) {
        if (py::isinstance<py::int_>(source))
          return gf::movedim(x, source.cast<int64_t>(), destination.cast<int64_t>());
        return gf::movedim(x, dims_of(source), dims_of(destination));
      },
      py::arg("source"), py::arg("destination"));
  def_op(
      m, cls, "moveaxis",
      [](const Tensor& x, py::handle source, py::handle destination) {
        if (py::isinstance<py::int_>(source))
          return gf::movedim(x, source.cast<int64_t>(), destination.cast<int64_t>());
        return gf::movedim(x, dims_of(source), dims_of(destination));
      },
      py::arg("source"), py::arg("destination"));
  def_op(m, cls, "tril", &gf::tril, py::arg("diagonal") = 0);
  def_op(m, cls, "triu", &gf::triu, py::arg("diagonal") = 0);
  // einsum("ij,jk->ik", a, b) or einsum("ij,jk->ik", [a, b]), like torch.
  m.def("einsum", [](const std::string& equation, py::args operands) {
    std::vector<Tensor> ops;
    if (operands.size() == 1 && !py::isinstance<Tensor>(operands[0]))
      ops = operands[0].cast<std::vector<Tensor>>();
    else
      for (py::handle h : operands) ops.push_back(h.cast<Tensor>());
    int64_t work = 1;
    for (const Tensor& t : ops) work *= std::max<int64_t>(t.numel(), 1);
    MaybeRelease release(ops.size() > 1 && work > kHeavyWork);
    return gf::einsum(equation, ops);
  });

  // ---- in-place methods (tensor.hpp): recorded by autograd, bump the version counter ----
  cls.def("add_",
          in_place<py::handle, double>(
              [](Tensor& t, py::handle o, double alpha) { t.add_(operand(o, t), alpha); }),
          py::arg("other"), py::kw_only(), py::arg("alpha") = 1.0)
      .def("sub_",
           in_place<py::handle, double>(
               [](Tensor& t, py::handle o, double alpha) { t.sub_(operand(o, t), alpha); }),
           py::arg("other"), py::kw_only(), py::arg("alpha") = 1.0)
      .def("mul_",
           in_place<py::handle>([](Tensor& t, py::handle o) { t.mul_(operand(o, t)); }),
           py::arg("other"))
      .def("div_",
           in_place<py::handle>([](Tensor& t, py::handle o) { t.div_(operand(o, t)); }),
           py::arg("other"))
      .def("clamp_",
           in_place<std::optional<double>, std::optional<double>>(
               [](Tensor& t, std::optional<double> lo, std::optional<double> hi) {
                 GF_CHECK(lo || hi, "clamp_: At least one of 'min' or 'max' must not be None");
                 if (lo && hi)
                   t.clamp_(*lo, *hi);
                 else if (lo)
                   t.clamp_min_(*lo);
                 else
                   t.clamp_max_(*hi);
               }),
           py::arg("min") = py::none(), py::arg("max") = py::none())
      .def("clamp_min_", in_place<double>([](Tensor& t, double lo) { t.clamp_min_(lo); }),
           py::arg("min"))
      .def("clamp_max_", in_place<double>([](Tensor& t, double hi) { t.clamp_max_(hi); }),
           py::arg("max"))
      .def("neg_", in_place([](Tensor& t) { t.neg_(); }))
      .def("exp_", in_place([](Tensor& t) { t.exp_(); }))
      .def("relu_", in_place([](Tensor& t) { t.relu_(); }))
      .def("sigmoid_", in_place([](Tensor& t) { t.sigmoid_(); }))
      .def("tanh_", in_place([](Tensor& t) { t.tanh_(); }))
      .def_property_readonly("_version", &Tensor::_version);

  // ---- gradient hooks: hook(grad) -> None or a replacement; the handle's remove() drops it ----
  cls.def(
      "register_hook",
      [](Tensor& t, py::function hook) {
        GF_CHECK(t.requires_grad(),
                 "cannot register a hook on a tensor that doesn't require gradient");
        // The engine may run without the GIL (backward releases it): take it for the call.
        // The hook may be dropped on a thread without the GIL: its deleter takes it.
        std::shared_ptr<py::function> fn(new py::function(std::move(hook)), [](py::function* f) {
          if (!Py_IsInitialized()) return;
          py::gil_scoped_acquire gil;
          delete f;
        });
        std::size_t id = t.register_hook([fn](const Tensor& grad) -> Tensor {
          py::gil_scoped_acquire gil;
          py::object out = (*fn)(grad);
          return out.is_none() ? Tensor() : out.cast<Tensor>();
        });
        py::object handle_cls = py::module_::import("gradflow").attr("_RemovableHandle");
        return handle_cls(py::cast(t), id);
      },
      py::arg("hook"));
  cls.def("_remove_hook", &Tensor::remove_hook, py::arg("handle"));
}

}  // namespace gfpy
