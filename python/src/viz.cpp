// gradflow.viz: make_dot (torchviz's picture of the backward graph, shown inline by Jupyter via
// _repr_svg_ and written by .render), the step-through backward trace, and the PLplot plots
// (each returns a Picture that Jupyter shows inline).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common.hpp"

#ifdef GF_HAVE_VIZ
#include <gradflow/viz/expr.hpp>
#include <gradflow/viz/graph.hpp>
#include <gradflow/viz/plot.hpp>
#include <gradflow/viz/trace.hpp>
#endif

namespace gfpy {

#ifdef GF_HAVE_VIZ
namespace {

namespace V = gf::viz;

std::string read_file(const std::string& path, bool binary) {
  std::ifstream in(path, binary ? std::ios::binary : std::ios::in);
  GF_CHECK(in.good(), "viz: cannot read ", path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A temporary file name with the given extension, removed by the caller.
std::string temp_path(const std::string& ext) {
  char tmpl[] = "/tmp/gradflow-viz-XXXXXX";
  int fd = mkstemp(tmpl);
  GF_CHECK(fd >= 0, "viz: cannot create a temporary file in /tmp");
  close(fd);
  std::remove(tmpl);
  return std::string(tmpl) + ext;
}

// The DOT text of a graph; Jupyter renders it through _repr_svg_.
struct Dot {
  std::string source;
  std::string svg() const {
    std::string path = temp_path(".svg");
    {
      py::gil_scoped_release release;
      V::render(source, path);
    }
    std::string text = read_file(path, false);
    std::remove(path.c_str());
    return text;
  }
  // torchviz/graphviz's render(filename, format): writes filename.format; a filename with an
  // extension is written as is. Returns the path written.
  std::string render(std::string path, std::optional<std::string> format) const {
    if (format) path += "." + *format;
    py::gil_scoped_release release;
    V::render(source, path);
    return path;
  }
};

// A written picture (PNG or SVG) that Jupyter shows inline.
struct Picture {
  std::string path;
  bool is(const char* ext) const {
    std::string e(ext);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  }
};

V::NamedTensors named(py::handle params) {
  V::NamedTensors out;
  if (params.is_none()) return out;
  py::object items = py::hasattr(params, "items") ? params.attr("items")()
                                                  : py::reinterpret_borrow<py::object>(params);
  for (py::handle item : items) {
    auto kv = py::reinterpret_borrow<py::tuple>(item);
    out.emplace_back(kv[0].cast<std::string>(), kv[1].cast<Tensor>());
  }
  return out;
}

std::vector<Tensor> outputs_of(py::handle obj) {
  if (py::isinstance<Tensor>(obj)) return {obj.cast<Tensor>()};
  std::vector<Tensor> out;
  for (py::handle h : obj) out.push_back(h.cast<Tensor>());
  return out;
}

std::function<Tensor(const Tensor&)> tensor_fn(py::function f) {
  return [f](const Tensor& x) {
    py::gil_scoped_acquire gil;
    return f(x).cast<Tensor>();
  };
}

// Prints the step-through trace of every backward pass inside its `with` block into Python's
// sys.stdout (so notebooks show it).
struct Trace {
  V::NamedTensors names;
  std::ostringstream text;
  std::unique_ptr<gf::autograd::TraceGuard> guard;
  void flush() {
    py::module_::import("sys").attr("stdout").attr("write")(text.str());
    text.str("");
  }
};

void apply_plot_options(V::PlotOptions& o, double start, double end, int64_t points, bool log_y,
                        const std::string& title, const std::string& xlabel,
                        const std::string& ylabel, int width, int height) {
  o.start = start;
  o.end = end;
  o.points = points;
  o.log_y = log_y;
  o.title = title;
  o.xlabel = xlabel;
  o.ylabel = ylabel;
  o.width = width;
  o.height = height;
}

}  // namespace
#endif

void init_viz(py::module_& m) {
  py::module_ viz = m.def_submodule("viz", "graphs and plots");
#ifdef GF_HAVE_VIZ
  py::class_<Dot>(viz, "Digraph")
      .def_readonly("source", &Dot::source)
      .def("_repr_svg_", &Dot::svg)
      .def(
          "pipe",
          [](const Dot& d, const std::string& format) {
            GF_CHECK(format == "svg", "pipe: only format='svg' is supported");
            return d.svg();
          },
          py::arg("format") = "svg")
      .def("render", &Dot::render, py::arg("filename"), py::arg("format") = py::none())
      .def(
          "save",
          [](const Dot& d, const std::string& path) { return d.render(path, std::nullopt); },
          py::arg("filename"))
      .def("__str__", [](const Dot& d) { return d.source; });
  viz.def(
      "make_dot",
      [](py::handle var, py::object params, bool /*show_attrs*/, bool show_saved) {
        V::DotOptions o;
        o.show_saved = show_saved;
        return Dot{V::make_dot(outputs_of(var), named(params), o)};
      },
      py::arg("var"), py::arg("params") = py::none(), py::arg("show_attrs") = false,
      py::arg("show_saved") = false);
  viz.def(
      "make_dot_json",
      [](py::handle var, py::object params, bool show_saved) {
        V::DotOptions o;
        o.show_saved = show_saved;
        return V::make_dot_json(outputs_of(var), named(params), o);
      },
      py::arg("var"), py::arg("params") = py::none(), py::arg("show_saved") = false);
  viz.def(
      "render",
      [](const std::string& dot, const std::string& path) {
        py::gil_scoped_release release;
        V::render(dot, path);
      },
      py::arg("dot"), py::arg("path"));
  viz.def(
      "parse_expression",
      [](const std::string& text, const std::map<std::string, double>& values,
         std::optional<DType> dtype) {
        V::Expression e = V::parse_expression(text, values, dtype.value_or(gf::default_dtype()));
        py::dict vars;
        for (auto& [n, t] : e.variables) vars[py::str(n)] = t;
        return py::make_tuple(e.result, vars);
      },
      py::arg("text"), py::arg("values"), py::arg("dtype") = py::none());

  py::class_<Trace>(viz, "trace")
      .def(py::init([](py::object names) {
             auto t = std::make_unique<Trace>();
             t->names = named(names);
             return t;
           }),
           py::arg("names") = py::none())
      .def("__enter__",
           [](py::object self) {
             Trace& t = self.cast<Trace&>();
             t.guard = std::make_unique<gf::autograd::TraceGuard>(t.text, t.names);
             return self;
           })
      .def("__exit__",
           [](Trace& t, py::args) {
             t.guard.reset();
             t.flush();
             return false;
           })
      .def_property_readonly("steps",
                             [](const Trace& t) { return t.guard ? t.guard->steps() : 0; });

  py::class_<Picture>(viz, "Picture")
      .def_readonly("path", &Picture::path)
      .def("_repr_png_",
           [](const Picture& p) -> py::object {
             if (!p.is(".png")) return py::none();
             return py::bytes(read_file(p.path, true));
           })
      .def("_repr_svg_",
           [](const Picture& p) -> py::object {
             if (!p.is(".svg")) return py::none();
             return py::str(read_file(p.path, false));
           })
      .def("__repr__", [](const Picture& p) { return "Picture('" + p.path + "')"; });

  viz.def(
      "plot_functions",
      [](py::handle functions, const std::string& file, double start, double end, int64_t points,
         bool log_y, const std::string& title, const std::string& xlabel, const std::string& ylabel,
         int width, int height) {
        std::vector<V::Function1D> fs;
        py::object items = py::hasattr(functions, "items")
                               ? functions.attr("items")()
                               : py::reinterpret_borrow<py::object>(functions);
        for (py::handle item : items) {
          auto kv = py::reinterpret_borrow<py::tuple>(item);
          fs.emplace_back(kv[0].cast<std::string>(), tensor_fn(kv[1].cast<py::function>()));
        }
        V::PlotOptions o;
        apply_plot_options(o, start, end, points, log_y, title, xlabel, ylabel, width, height);
        o.file = file;
        {
          py::gil_scoped_release release;
          V::plot_functions(fs, o);
        }
        return Picture{file};
      },
      py::arg("functions"), py::arg("file"), py::arg("start") = -10.0, py::arg("end") = 10.0,
      py::arg("points") = 100, py::arg("log_y") = false,
      py::arg("title") = "Plot of Multiple Functions", py::arg("xlabel") = "x",
      py::arg("ylabel") = "y", py::arg("width") = 800, py::arg("height") = 600);
  viz.def(
      "plot_with_derivatives",
      [](const std::string& name, py::function f, const std::string& file, double start, double end,
         int64_t points) {
        V::PlotOptions o;
        o.start = start;
        o.end = end;
        o.points = points;
        o.file = file;
        o.title = "";
        auto fn = tensor_fn(f);
        {
          py::gil_scoped_release release;
          V::plot_with_derivatives(name, fn, o);
        }
        return Picture{file};
      },
      py::arg("name"), py::arg("func"), py::arg("file"), py::arg("start") = -10.0,
      py::arg("end") = 10.0, py::arg("points") = 100);
  viz.def(
      "heatmap",
      [](const Tensor& matrix, const std::string& file, std::vector<std::string> row_labels,
         std::vector<std::string> col_labels, const std::string& title, bool annotate,
         int precision) {
        V::HeatmapOptions o;
        o.title = title;
        o.annotate = annotate;
        o.precision = precision;
        V::heatmap(matrix, row_labels, col_labels, file, o);
        return Picture{file};
      },
      py::arg("matrix"), py::arg("file"), py::arg("row_labels") = std::vector<std::string>{},
      py::arg("col_labels") = std::vector<std::string>{}, py::arg("title") = "",
      py::arg("annotate") = true, py::arg("precision") = 3);
  viz.def(
      "plot_training_curves",
      [](const std::string& metrics_csv, const std::string& file, const std::string& title) {
        V::plot_training_curves(V::read_metrics_csv(metrics_csv), file, title);
        return Picture{file};
      },
      py::arg("metrics_csv"), py::arg("file"), py::arg("title") = "Training curves");
  viz.def(
      "plot_confusion_matrix",
      [](const Tensor& counts, std::vector<std::string> names, const std::string& file,
         const std::string& title) {
        V::plot_confusion_matrix(counts, names, file, title);
        return Picture{file};
      },
      py::arg("counts"), py::arg("class_names"), py::arg("file"),
      py::arg("title") = "Confusion matrix");
#endif
}

}  // namespace gfpy
