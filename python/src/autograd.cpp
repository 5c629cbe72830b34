// gradflow.autograd: graph nodes (grad_fn) as Python objects, grad/backward, the functional
// derivatives, gradcheck, and custom Functions written in Python (forward/backward static
// methods) running on the C++ custom-function node.
#include <cstdio>

#include "common.hpp"

namespace gfpy {

namespace {

using gf::autograd::Node;

std::vector<Tensor> tensors_of(py::handle obj) {
  if (py::isinstance<Tensor>(obj)) return {obj.cast<Tensor>()};
  std::vector<Tensor> out;
  for (py::handle h : obj) out.push_back(h.is_none() ? Tensor() : h.cast<Tensor>());
  return out;
}

py::tuple tuple_of(const std::vector<Tensor>& ts) {
  py::tuple out(ts.size());
  for (std::size_t i = 0; i < ts.size(); ++i)
    out[i] = ts[i].defined() ? py::cast(ts[i]) : py::none();
  return out;
}

// ---- custom Functions in Python --------------------------------------------------------------

struct PyFunctionNode;

// The `ctx` a Python Function's forward and backward receive. It lives as long as its node
// (the node owns it); it refers back to the node weakly, so there is no reference cycle.
struct FunctionCtx {
  std::weak_ptr<PyFunctionNode> node;
  gf::autograd::Context& context() const;
};

struct PyFunctionNode final : gf::autograd::detail::CustomNodeBase {
  py::object function;  // the gradflow.autograd.Function subclass
  py::object py_ctx;    // its FunctionCtx (with the user's attributes)

  ~PyFunctionNode() override {
    if (!Py_IsInitialized()) {  // interpreter gone: nothing left to release
      function.release();
      py_ctx.release();
      return;
    }
    py::gil_scoped_acquire gil;
    function = py::object();
    py_ctx = py::object();
  }

  gf::autograd::Grads apply(const gf::autograd::Grads& grad_outputs) override {
    py::gil_scoped_acquire gil;
    for (std::size_t i = 0; i < next_edges.size(); ++i)
      ctx.input_needs_grad[i] = next_edges[i].valid();
    // one gradient per output (zeros for an output that got none, unless
    // ctx.set_materialize_grads(False): then None)
    std::vector<Tensor> user_grads = grad_outputs_for_user(grad_outputs);
    py::tuple args(user_grads.size() + 1);
    args[0] = py_ctx;
    for (std::size_t i = 0; i < user_grads.size(); ++i)
      args[i + 1] = user_grads[i].defined() ? py::cast(user_grads[i]) : py::none();
    py::object result = function.attr("backward")(*args);
    std::vector<Tensor> grads;
    if (py::isinstance<py::tuple>(result) || py::isinstance<py::list>(result)) {
      grads = tensors_of(result);
    } else {
      grads.push_back(result.is_none() ? Tensor() : result.cast<Tensor>());
    }
    return finish(std::move(grads));
  }
};

gf::autograd::Context& FunctionCtx::context() const {
  auto n = node.lock();
  GF_CHECK(n != nullptr, "ctx: the Function's graph node no longer exists");
  return n->ctx;
}

// Function.apply(*args): forward under no_grad, then CustomNodeBase::wire (what
// gf::autograd::Function<D>::apply does): if any tensor input requires grad, one node is the
// grad_fn of every floating output (output k is its output_nr k), and its backward calls the
// class's backward with one gradient per output. forward returns a Tensor or a tuple of them.
py::object function_apply(py::object function, py::args args) {
  std::vector<Tensor> inputs;
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (py::isinstance<Tensor>(args[i])) {
      inputs.push_back(args[i].cast<Tensor>());
      positions.push_back(i);
    }
  }
  auto node = std::make_shared<PyFunctionNode>();
  node->function = function;
  node->py_ctx = py::cast(FunctionCtx{node});
  node->ctx.input_needs_grad.resize(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i)
    node->ctx.input_needs_grad[i] = inputs[i].requires_grad();
  py::tuple fargs(args.size() + 1);
  fargs[0] = node->py_ctx;
  for (std::size_t i = 0; i < args.size(); ++i) fargs[i + 1] = args[i];
  py::object result;
  {
    gf::NoGradGuard no_grad;
    result = function.attr("forward")(*fargs);
  }
  std::string name = py::str(function.attr("__name__"));
  bool several = py::isinstance<py::tuple>(result) || py::isinstance<py::list>(result);
  std::vector<Tensor> outs;
  for (py::handle h : several ? result : py::make_tuple(result)) {
    if (!py::isinstance<Tensor>(h))
      throw py::type_error(name + ".forward must return a gradflow.Tensor or a tuple of them, got " +
                           std::string(py::str(py::type::handle_of(h).attr("__name__"))));
    outs.push_back(h.cast<Tensor>());
  }
  node->wire(name, inputs, std::move(positions), args.size(), outs);
  if (!several) return py::cast(outs[0]);
  return tuple_of(outs);
}

std::string node_repr(const Node& n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, " object at %p>", static_cast<const void*>(&n));
  return "<" + n.name() + buf;
}

gf::autograd::MultiFn multi_fn(py::function f) {
  return [f](const std::vector<Tensor>& xs) {
    py::gil_scoped_acquire gil;
    return f(*tuple_of(xs)).cast<Tensor>();
  };
}
gf::autograd::Fn single_fn(py::function f) {
  return [f](const Tensor& x) {
    py::gil_scoped_acquire gil;
    return f(x).cast<Tensor>();
  };
}
Tensor single_input(py::handle inputs, const char* op) {
  if (py::isinstance<Tensor>(inputs)) return inputs.cast<Tensor>();
  auto ts = tensors_of(inputs);
  GF_CHECK(ts.size() == 1, op, ": one input tensor is supported, got ", ts.size());
  return ts[0];
}

thread_local unsigned t_nodes_since_check = 0;

void check_signals_hook(const Node&, const std::vector<Tensor>&, const std::vector<Tensor>&) {
  if (++t_nodes_since_check < 256) return;
  t_nodes_since_check = 0;
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

}  // namespace

InterruptibleBackward::InterruptibleBackward() {
  if (gf::autograd::trace_hook() == nullptr) {
    gf::autograd::set_trace_hook(&check_signals_hook);
    installed_ = true;
  }
}
InterruptibleBackward::~InterruptibleBackward() {
  if (installed_) gf::autograd::set_trace_hook(nullptr);
}

void init_autograd(py::module_& m) {
  py::module_ ag = m.def_submodule("autograd", "reverse-mode differentiation");

  py::class_<Node, std::shared_ptr<Node>>(ag, "Node")
      .def("name", &Node::name)
      .def("__repr__", [](const Node& n) { return node_repr(n); })
      .def_property_readonly("next_functions",
                             [](const Node& n) {
                               py::tuple out(n.next_edges.size());
                               for (std::size_t i = 0; i < n.next_edges.size(); ++i) {
                                 const auto& e = n.next_edges[i];
                                 out[i] =
                                     py::make_tuple(e.fn ? py::cast(e.fn) : py::none(), e.input_nr);
                               }
                               return out;
                             })
      .def_property_readonly(
          "variable",
          [](const Node& n) -> py::object {
            auto* acc = dynamic_cast<const gf::autograd::AccumulateGrad*>(&n);
            if (!acc)
              throw py::attribute_error("'" + n.name() + "' object has no attribute 'variable'");
            auto leaf = acc->leaf.lock();
            if (!leaf) return py::none();
            return py::cast(Tensor(leaf));
          })
      .def(
          "saved", [](const Node& n) { return n.saved(); },
          "the tensors this node saved for backward, as (name, tensor) pairs")
      .def("__call__", [](Node& n, py::args grads) {
        std::vector<Tensor> g;
        for (py::handle h : grads) g.push_back(h.is_none() ? Tensor() : h.cast<Tensor>());
        return tuple_of(n.apply(g));
      });

  py::class_<FunctionCtx>(ag, "FunctionCtx", py::dynamic_attr())
      .def("save_for_backward",
           [](FunctionCtx& c, py::args tensors) {
             c.context().save_for_backward(tensors_of(tensors));
           })
      .def_property_readonly(
          "saved_tensors",
          [](const FunctionCtx& c) { return tuple_of(c.context().saved_tensors()); })
      .def_property_readonly("needs_input_grad",
                             [](const FunctionCtx& c) {
                               const auto& needs = c.context().input_needs_grad;
                               py::tuple out(needs.size());
                               for (std::size_t i = 0; i < needs.size(); ++i)
                                 out[i] = py::bool_(needs[i]);
                               return out;
                             })
      .def("mark_non_differentiable",
           [](FunctionCtx& c, py::args tensors) {
             c.context().mark_non_differentiable(tensors_of(tensors));
           })
      .def(
          "set_materialize_grads",
          [](FunctionCtx& c, bool value) { c.context().set_materialize_grads(value); },
          py::arg("value"));
  ag.def("_function_apply", &function_apply);

  ag.def(
      "grad",
      [](py::handle outputs, py::handle inputs, py::object grad_outputs,
         std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
        auto outs = tensors_of(outputs), ins = tensors_of(inputs);
        std::vector<Tensor> gouts =
            grad_outputs.is_none() ? std::vector<Tensor>{} : tensors_of(grad_outputs);
        std::vector<Tensor> grads;
        {
          InterruptibleBackward interruptible;
          py::gil_scoped_release release;
          grads = gf::autograd::grad(outs, ins, gouts, retain_graph.value_or(create_graph),
                                     create_graph, allow_unused);
        }
        return tuple_of(grads);
      },
      py::arg("outputs"), py::arg("inputs"), py::arg("grad_outputs") = py::none(),
      py::arg("retain_graph") = py::none(), py::arg("create_graph") = false,
      py::arg("allow_unused") = false);
  ag.def(
      "backward",
      [](py::handle tensors, py::object grad_tensors, std::optional<bool> retain_graph,
         bool create_graph) {
        auto outs = tensors_of(tensors);
        std::vector<Tensor> gouts =
            grad_tensors.is_none() ? std::vector<Tensor>{} : tensors_of(grad_tensors);
        InterruptibleBackward interruptible;
        py::gil_scoped_release release;
        gf::autograd::backward(outs, gouts, retain_graph.value_or(create_graph), create_graph);
      },
      py::arg("tensors"), py::arg("grad_tensors") = py::none(),
      py::arg("retain_graph") = py::none(), py::arg("create_graph") = false);

  // ---- torch.autograd.functional ----
  py::module_ fn = ag.def_submodule("functional", "Jacobians, Hessians and products");
  fn.def(
      "jacobian",
      [](py::function f, py::handle inputs, bool create_graph) {
        Tensor x = single_input(inputs, "jacobian");
        py::gil_scoped_release release;
        return gf::autograd::jacobian(single_fn(f), x, create_graph);
      },
      py::arg("func"), py::arg("inputs"), py::arg("create_graph") = false);
  fn.def(
      "hessian",
      [](py::function f, py::handle inputs) {
        Tensor x = single_input(inputs, "hessian");
        py::gil_scoped_release release;
        return gf::autograd::hessian(single_fn(f), x);
      },
      py::arg("func"), py::arg("inputs"));
#define GF_PY_PRODUCT(name)                                    \
  fn.def(                                                      \
      #name,                                                   \
      [](py::function f, py::handle inputs, const Tensor& v) { \
        Tensor x = single_input(inputs, #name);                \
        py::gil_scoped_release release;                        \
        return gf::autograd::name(single_fn(f), x, v);         \
      },                                                       \
      py::arg("func"), py::arg("inputs"), py::arg("v"));
  GF_PY_PRODUCT(vjp)
  GF_PY_PRODUCT(jvp)
  GF_PY_PRODUCT(hvp)
#undef GF_PY_PRODUCT
  fn.def(
      "numerical_gradient",
      [](py::function f, const Tensor& x, double eps) {
        py::gil_scoped_release release;
        return gf::autograd::numerical_gradient(single_fn(f), x, eps);
      },
      py::arg("func"), py::arg("inputs"), py::arg("eps") = 1e-6);

  py::class_<gf::autograd::GradcheckResult>(ag, "GradcheckResult")
      .def_readonly("ok", &gf::autograd::GradcheckResult::ok)
      .def_readonly("max_abs_error", &gf::autograd::GradcheckResult::max_abs_error)
      .def_readonly("max_rel_error", &gf::autograd::GradcheckResult::max_rel_error)
      .def_readonly("report", &gf::autograd::GradcheckResult::report)
      .def("__bool__", [](const gf::autograd::GradcheckResult& r) { return r.ok; });
#define GF_PY_CHECK(name)                                                                \
  ag.def(                                                                                \
      "_" #name,                                                                         \
      [](py::function f, py::handle inputs, double eps, double atol, double rtol) {      \
        auto xs = tensors_of(inputs);                                                    \
        py::gil_scoped_release release;                                                  \
        return gf::autograd::name(multi_fn(f), xs, eps, atol, rtol);                     \
      },                                                                                 \
      py::arg("func"), py::arg("inputs"), py::arg("eps") = 1e-6, py::arg("atol") = 1e-5, \
      py::arg("rtol") = 1e-3);
  GF_PY_CHECK(gradcheck)
  GF_PY_CHECK(gradgradcheck)
#undef GF_PY_CHECK
}

}  // namespace gfpy
