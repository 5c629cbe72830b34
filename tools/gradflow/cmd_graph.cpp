// `gradflow graph`: draws a backward graph the way torchviz's make_dot does (seed 001).
//   gradflow graph --expr "(x+y)*z" [--values x=-2,y=5,z=-4] --out graph.svg
//   gradflow graph --expr-file formula.txt --out graph.dot   (formulas too long for a command line)
//   gradflow graph --model softmax|mlp [--hidden 256,128] --out graph.svg
// The picture goes through Graphviz (gf::viz::render); --dot/--json also write the graph as text.
#include <cctype>
#include <gradflow/gradflow.hpp>
#include <gradflow/io/atomic_file.hpp>
#include <gradflow/viz/expr.hpp>
#include <gradflow/viz/graph.hpp>
#include <gradflow/viz/trace.hpp>
#include <iostream>
#include <map>
#include <sstream>

#include "command.hpp"

namespace gf::cli {
namespace {

struct GraphFlags {
  std::string expr, expr_file, model, hidden = "256,128", values, out = "graph.svg", json;
  int64_t inputs = 784, classes = 10, batch = 1;
  bool show_saved = false, trace = false;
};

std::vector<int64_t> parse_sizes(const std::string& text, const char* flag) {
  std::vector<int64_t> sizes;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v <= 0)
      throw UsageError(std::string(flag) + ": '" + item + "' is not a positive layer size (e.g. " +
                       flag + " 256,128)");
    sizes.push_back(v);
  }
  if (sizes.empty()) throw UsageError(std::string(flag) + ": no layer sizes given");
  return sizes;
}

void write_outputs(const GraphFlags& f, const std::vector<Tensor>& outputs,
                   const viz::NamedTensors& names) {
  viz::DotOptions options;
  options.show_saved = f.show_saved;
  const std::string dot = viz::make_dot(outputs, names, options);
  viz::render(dot, f.out);
  std::cout << "wrote " << f.out << "\n";
  if (!f.json.empty()) {
    try {
      io::write_file_atomic(f.json, viz::make_dot_json(outputs, names, options) + "\n");
    } catch (const gf::Error& e) {
      throw UsageError(std::string("--json: ") + e.what());
    }
    std::cout << "wrote " << f.json << "\n";
  }
}

// A long formula is echoed by its start and its length.
std::string shortened(const std::string& text) {
  if (text.size() <= 80) return text;
  return text.substr(0, 60) + "… (" + std::to_string(text.size()) + " characters)";
}

void run_expr(GraphFlags& f) {
  if (!f.expr_file.empty()) {
    try {
      f.expr = io::read_file(f.expr_file, 64 << 20);
    } catch (const gf::Error& e) {
      throw UsageError(std::string("--expr-file: ") + e.what());
    }
    while (!f.expr.empty() && std::isspace(static_cast<unsigned char>(f.expr.back())))
      f.expr.pop_back();
    if (f.expr.empty()) throw UsageError("--expr-file: '" + f.expr_file + "' holds no formula");
  }
  std::map<std::string, double> values = {{"x", -2.0}, {"y", 5.0}, {"z", -4.0}};  // seed 001
  try {
    for (const auto& [k, v] : viz::parse_values(f.values)) values[k] = v;
  } catch (const gf::Error& e) {
    throw UsageError(std::string("--values: ") + e.what());
  }
  viz::Expression e;
  try {
    e = viz::parse_expression(f.expr, values);
  } catch (const gf::Error& err) {
    throw UsageError((f.expr_file.empty() ? "--expr: " : "--expr-file: ") +
                     std::string(err.what()));
  }
  std::cout << shortened(f.expr) << " = " << e.result.item() << "  (" << e.variables.size()
            << " variables)\n";
  if (e.result.requires_grad()) {  // retain_graph keeps the saved tensors for --show-saved
    if (f.trace) {
      std::cout << "backward pass, node by node:\n";
      autograd::TraceGuard guard(std::cout, e.variables);
      e.result.backward({}, true);
    } else {
      e.result.backward({}, true);
    }
    for (const auto& [name, t] : e.variables)
      std::cout << "  dL/d" << name << " = " << t.grad().item() << "\n";
  }
  write_outputs(f, {e.result}, e.variables);
}

void run_model(const GraphFlags& f) {
  if (f.model != "softmax" && f.model != "mlp")
    throw UsageError("--model: '" + f.model + "' is not a model (use softmax or mlp)");
  if (f.inputs <= 0 || f.classes <= 1 || f.batch <= 0)
    throw UsageError("--inputs, --classes and --batch must be positive (classes at least 2)");
  manual_seed(0);
  nn::Sequential model;
  if (f.model == "softmax") {
    model.push_back(nn::Linear(f.inputs, f.classes));
  } else {
    int64_t in = f.inputs;
    for (int64_t h : parse_sizes(f.hidden, "--hidden")) {
      model.push_back(nn::Linear(in, h));
      model.push_back(nn::ReLU());
      in = h;
    }
    model.push_back(nn::Linear(in, f.classes));
  }
  Tensor x = randn({f.batch, f.inputs});
  Tensor y = randint(0, f.classes, {f.batch});
  Tensor loss = nn::functional::cross_entropy(model.forward(x), y);
  std::cout << model << "\nloss = " << loss.item() << "  (" << loss.grad_fn_name() << ")\n";
  write_outputs(f, {loss}, model.named_parameters());
}

void setup(CLI::App& app) {
  auto flags = std::make_shared<GraphFlags>();
  auto* cmd = app.add_subcommand("graph", "Draw a backward graph like torchviz's make_dot");
  auto* expr = cmd->add_option("--expr", flags->expr,
                               "A formula over scalar variables, e.g. \"(x+y)*z\" (+ - * /, "
                               "exp log sigmoid tanh relu)");
  auto* expr_file = cmd->add_option("--expr-file", flags->expr_file,
                                    "Read the --expr formula from this file (up to 64 MiB)");
  auto* model = cmd->add_option("--model", flags->model, "softmax or mlp: its training graph")
                    ->check(CLI::IsMember({"softmax", "mlp"}));
  expr->excludes(model);
  expr->excludes(expr_file);
  expr_file->excludes(model);
  cmd->add_option("--values", flags->values, "Variable values, e.g. x=-2,y=5,z=-4 (the default)");
  cmd->add_option("--hidden", flags->hidden, "mlp hidden layer sizes")->capture_default_str();
  cmd->add_option("--inputs", flags->inputs, "Input features of the model")->capture_default_str();
  cmd->add_option("--classes", flags->classes, "Classes of the model")->capture_default_str();
  cmd->add_option("--batch", flags->batch, "Batch size of the example input")
      ->capture_default_str();
  cmd->add_option("--out", flags->out, "Picture to write: .svg, .png, .pdf or .dot")
      ->capture_default_str();
  cmd->add_option("--json", flags->json, "Also write the graph as JSON to this file");
  cmd->add_flag("--show-saved", flags->show_saved, "Show the tensors saved for backward");
  cmd->add_flag("--trace", flags->trace, "--expr: print the backward pass node by node");
  cmd->callback([flags] {
    if (flags->expr.empty() && flags->expr_file.empty() && flags->model.empty())
      throw UsageError("graph: give --expr \"(x+y)*z\", --expr-file FILE or --model softmax|mlp");
    try {
      if (!flags->expr.empty() || !flags->expr_file.empty())
        run_expr(*flags);
      else
        run_model(*flags);
    } catch (const UsageError&) {
      throw;
    } catch (const gf::Error& e) {
      throw UsageError(e.what());
    }
  });
}

const Registration reg("graph", setup);

}  // namespace
}  // namespace gf::cli
