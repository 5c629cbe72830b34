// gradflow.optim: SGD, Adam, AdamW (torch's constructor arguments, param groups as dicts) and
// the learning-rate schedulers.
#include "common.hpp"

namespace gfpy {

namespace {

namespace O = gf::optim;

template <class Options>
void apply_options(Options& o, const py::dict& kw);

template <>
void apply_options(O::SGDOptions& o, const py::dict& kw) {
  for (auto item : kw) {
    std::string key = py::str(item.first);
    py::handle v = item.second;
    if (key == "lr")
      o.lr(v.cast<double>());
    else if (key == "momentum")
      o.momentum(v.cast<double>());
    else if (key == "dampening")
      o.dampening(v.cast<double>());
    else if (key == "weight_decay")
      o.weight_decay(v.cast<double>());
    else if (key == "nesterov")
      o.nesterov(v.cast<bool>());
    else if (key == "maximize")
      o.maximize(v.cast<bool>());
    else if (key != "params")
      throw py::type_error("SGD: unexpected option '" + key + "'");
  }
}

template <class Options>
void apply_adam_options(Options& o, const py::dict& kw, const char* name) {
  for (auto item : kw) {
    std::string key = py::str(item.first);
    py::handle v = item.second;
    if (key == "lr")
      o.lr(v.cast<double>());
    else if (key == "betas")
      o.betas(v.cast<std::pair<double, double>>());
    else if (key == "eps")
      o.eps(v.cast<double>());
    else if (key == "weight_decay")
      o.weight_decay(v.cast<double>());
    else if (key == "amsgrad")
      o.amsgrad(v.cast<bool>());
    else if (key == "maximize")
      o.maximize(v.cast<bool>());
    else if (key != "params")
      throw py::type_error(std::string(name) + ": unexpected option '" + key + "'");
  }
}
template <>
void apply_options(O::AdamOptions& o, const py::dict& kw) {
  apply_adam_options(o, kw, "Adam");
}
template <>
void apply_options(O::AdamWOptions& o, const py::dict& kw) {
  apply_adam_options(o, kw, "AdamW");
}

std::vector<Tensor> tensor_list(py::handle obj) {
  std::vector<Tensor> out;
  if (py::isinstance<Tensor>(obj)) return {obj.cast<Tensor>()};
  for (py::handle h : obj) out.push_back(h.cast<Tensor>());
  return out;
}

// params: an iterable of tensors, or of dicts {"params": [...], "lr": ..., ...} (param groups).
template <class Options>
std::vector<O::OptimizerParamGroup> groups_of(py::handle params, const Options& defaults) {
  py::list items = py::module_::import("builtins").attr("list")(params);
  std::vector<O::OptimizerParamGroup> groups;
  if (items.size() > 0 && py::isinstance<py::dict>(items[0])) {
    for (py::handle h : items) {
      py::dict d = py::reinterpret_borrow<py::dict>(h);
      auto o = std::make_unique<Options>(defaults);
      apply_options(*o, d);
      groups.emplace_back(tensor_list(d["params"]), std::move(o));
    }
  } else {
    GF_CHECK(items.size() > 0, "optimizer got an empty parameter list");
    groups.emplace_back(tensor_list(items));
  }
  return groups;
}

template <class Opt, class Options>
std::shared_ptr<Opt> make_optimizer(py::handle params, py::dict kw) {
  Options defaults;
  apply_options(defaults, kw);
  return std::make_shared<Opt>(groups_of(params, defaults), defaults);
}

}  // namespace

void init_optim(py::module_& m) {
  py::module_ optim = m.def_submodule("optim", "optimizers and schedulers");

  py::class_<O::OptimizerParamGroup>(optim, "ParamGroup")
      .def("__getitem__",
           [](O::OptimizerParamGroup& g, const std::string& key) -> py::object {
             if (key == "lr") return py::float_(g.options().get_lr());
             if (key == "params") return py::cast(g.params());
             throw py::key_error(key);
           })
      .def("__setitem__",
           [](O::OptimizerParamGroup& g, const std::string& key, double v) {
             if (key != "lr") throw py::key_error(key + " (only 'lr' can be set)");
             g.options().set_lr(v);
           })
      .def("keys", [](const O::OptimizerParamGroup&) {
        return std::vector<std::string>{"params", "lr"};
      });

  py::class_<O::Optimizer, std::shared_ptr<O::Optimizer>>(optim, "Optimizer")
      .def(
          "step",
          [](O::Optimizer& o, py::object closure) -> py::object {
            py::object loss = py::none();
            if (!closure.is_none()) {
              gf::AutoGradMode enable(true);
              loss = closure();
            }
            py::gil_scoped_release release;
            o.step();
            return loss;
          },
          py::arg("closure") = py::none())
      .def("zero_grad", &O::Optimizer::zero_grad, py::arg("set_to_none") = false)
      .def_property_readonly(
          "param_groups",
          [](O::Optimizer& o) {
            py::list out;
            for (auto& g : o.param_groups())
              out.append(py::cast(&g, py::return_value_policy::reference));
            return out;
          },
          py::keep_alive<0, 1>())
      .def(
          "add_param_group",
          [](O::Optimizer& o, py::dict group) {
            o.add_param_group(O::OptimizerParamGroup(tensor_list(group["params"])));
            if (group.contains("lr"))
              o.param_groups().back().options().set_lr(group["lr"].cast<double>());
          },
          py::arg("param_group"))
      .def("state_dict",
           [](const O::Optimizer& o) {
             O::OptimizerStateDict sd = o.state_dict();
             py::dict tensors;
             for (auto& [k, t] : sd.tensors) tensors[py::str(k)] = t;
             py::dict out;
             out["tensors"] = tensors;
             out["scalars"] = sd.scalars;
             return out;
           })
      .def(
          "load_state_dict",
          [](O::Optimizer& o, py::dict state) {
            O::OptimizerStateDict sd;
            for (auto [k, v] : py::dict(state["tensors"]))
              sd.tensors.emplace_back(py::str(k), v.cast<Tensor>());
            sd.scalars = state["scalars"].cast<std::map<std::string, double>>();
            o.load_state_dict(sd);
          },
          py::arg("state_dict"));

  py::class_<O::SGD, O::Optimizer, std::shared_ptr<O::SGD>>(optim, "SGD")
      .def(py::init([](py::handle params, double lr, double momentum, double dampening,
                       double weight_decay, bool nesterov, bool maximize) {
             py::dict kw;
             kw["lr"] = lr;
             kw["momentum"] = momentum;
             kw["dampening"] = dampening;
             kw["weight_decay"] = weight_decay;
             kw["nesterov"] = nesterov;
             kw["maximize"] = maximize;
             O::SGDOptions defaults(lr);
             apply_options(defaults, kw);
             return std::make_shared<O::SGD>(groups_of(params, defaults), defaults);
           }),
           py::arg("params"), py::arg("lr"), py::arg("momentum") = 0.0, py::arg("dampening") = 0.0,
           py::arg("weight_decay") = 0.0, py::arg("nesterov") = false, py::kw_only(),
           py::arg("maximize") = false);
#define GF_PY_ADAM(Cls, wd_default)                                                               \
  py::class_<O::Cls, O::Optimizer, std::shared_ptr<O::Cls>>(optim, #Cls)                          \
      .def(py::init([](py::handle params, double lr, std::pair<double, double> betas, double eps, \
                       double weight_decay, bool amsgrad, bool maximize) {                        \
             py::dict kw;                                                                         \
             kw["lr"] = lr;                                                                       \
             kw["betas"] = betas;                                                                 \
             kw["eps"] = eps;                                                                     \
             kw["weight_decay"] = weight_decay;                                                   \
             kw["amsgrad"] = amsgrad;                                                             \
             kw["maximize"] = maximize;                                                           \
             return make_optimizer<O::Cls, O::Cls##Options>(params, kw);                          \
           }),                                                                                    \
           py::arg("params"), py::arg("lr") = 1e-3,                                               \
           py::arg("betas") = std::pair<double, double>(0.9, 0.999), py::arg("eps") = 1e-8,       \
           py::arg("weight_decay") = wd_default, py::arg("amsgrad") = false, py::kw_only(),       \
           py::arg("maximize") = false);
  GF_PY_ADAM(Adam, 0.0)
  GF_PY_ADAM(AdamW, 1e-2)
#undef GF_PY_ADAM

  py::module_ sched = optim.def_submodule("lr_scheduler", "learning-rate schedulers");
  py::class_<O::LRScheduler>(sched, "LRScheduler")
      .def("step", &O::LRScheduler::step)
      .def("get_last_lr", &O::LRScheduler::get_last_lr)
      .def_property_readonly("last_epoch", &O::LRScheduler::last_epoch)
      .def_property_readonly("base_lrs", &O::LRScheduler::base_lrs)
      .def("state_dict", &O::LRScheduler::state_dict)
      .def("load_state_dict", &O::LRScheduler::load_state_dict, py::arg("state_dict"));
  py::class_<O::StepLR, O::LRScheduler>(sched, "StepLR")
      .def(py::init<O::Optimizer&, int64_t, double>(), py::arg("optimizer"), py::arg("step_size"),
           py::arg("gamma") = 0.1, py::keep_alive<1, 2>());
  py::class_<O::CosineAnnealingLR, O::LRScheduler>(sched, "CosineAnnealingLR")
      .def(py::init<O::Optimizer&, int64_t, double>(), py::arg("optimizer"), py::arg("T_max"),
           py::arg("eta_min") = 0.0, py::keep_alive<1, 2>());
}

}  // namespace gfpy
