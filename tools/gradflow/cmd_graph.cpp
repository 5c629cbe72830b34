// `gradflow graph`: draws a backward graph the way torchviz's make_dot does (seed 001).
//   gradflow graph --expr "(x+y)*z" [--values x=-2,y=5,z=-4] --out graph.svg
//   gradflow graph --expr-file formula.txt --out graph.dot   (formulas too long for a command line)
//   gradflow graph --model softmax|mlp|cnn|lenet5 [--hidden 256,128] --out graph.svg
//   gradflow graph --model alexnet --out alexnet.svg   (seed 001: make_dot(AlexNet()(x)), x of
//                                                       1 x 3 x 227 x 227)
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
#include "training.hpp"

namespace gf::cli {
namespace {

struct GraphFlags {
  std::string expr, expr_file, model, hidden = "256,128", values, out = "graph.svg", json;
  int64_t inputs = 784, classes = 10, batch = 1;
  bool show_saved = false, trace = false;
};

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
  for (const auto& [name, v] : viz::parse_values(f.values)) {
    bool used = false;
    for (const auto& var : e.variables) used = used || var.first == name;
    if (!used) throw UsageError("--values: '" + name + "' is not a variable of the formula");
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

// Seed 001's cell: the graph of torchvision's AlexNet()(x) for x of batch x 3 x 227 x 227, its
// parameters named as in named_parameters ("features.0.weight", ...).
void run_alexnet(const GraphFlags& f) {
  if (f.batch <= 0) throw UsageError("--batch must be positive");
  manual_seed(0);
  models::AlexNet model;
  Tensor logits = model.forward(randn({f.batch, 3, 227, 227}));
  std::cout << model.repr() << "\nlogits " << logits.sizes() << "  (" << logits.grad_fn_name()
            << ")\n";
  write_outputs(f, {logits}, model.named_parameters());
}

std::vector<std::string> graph_models() {
  std::vector<std::string> names = model_list();
  names.push_back("alexnet");
  return names;
}

void run_model(const GraphFlags& f) {
  if (f.model == "alexnet") return run_alexnet(f);
  if (f.inputs <= 0 || f.classes <= 1 || f.batch <= 0)
    throw UsageError("--inputs, --classes and --batch must be positive (classes at least 2)");
  TrainConfig config;  // seed 0, float32
  config.model = f.model;
  config.hidden = parse_sizes(f.hidden, "--hidden");
  auto model = build_model(config, f.inputs, f.classes);
  Shape x_shape = input_shape(config, f.inputs);
  x_shape.insert(0, f.batch);
  Tensor x = randn(x_shape);
  Tensor y = randint(0, f.classes, {f.batch});
  Tensor loss = nn::functional::cross_entropy(model->forward(x), y);
  std::cout << model->repr() << "\nloss = " << loss.item() << "  (" << loss.grad_fn_name() << ")\n";
  write_outputs(f, {loss}, model->named_parameters());
}

void setup(CLI::App& app) {
  auto flags = std::make_shared<GraphFlags>();
  auto* cmd = app.add_subcommand("graph", "Draw a backward graph like torchviz's make_dot");
  auto* expr = cmd->add_option("--expr", flags->expr,
                               "A formula over scalar variables, e.g. \"(x+y)*z\" (+ - * /, "
                               "exp log sigmoid tanh relu)");
  auto* expr_file = cmd->add_option("--expr-file", flags->expr_file,
                                    "Read the --expr formula from this file (up to 64 MiB)");
  auto* model =
      cmd->add_option("--model", flags->model,
                      model_names(" | ") + ": its training graph; alexnet: AlexNet()(x) (seed 001)")
          ->check(CLI::IsMember(graph_models()));
  expr->excludes(model);
  expr->excludes(expr_file);
  expr_file->excludes(model);
  // Flags of the other mode are refused (CLI11: "--hidden excludes --expr").
  cmd->add_option("--values", flags->values, "Variable values, e.g. x=-2,y=5,z=-4 (the default)")
      ->excludes(model);
  cmd->add_flag("--trace", flags->trace, "--expr: print the backward pass node by node")
      ->excludes(model);
  cmd->add_option("--hidden", flags->hidden, "mlp hidden layer sizes")
      ->capture_default_str()
      ->excludes(expr)
      ->excludes(expr_file);
  cmd->add_option("--inputs", flags->inputs, "Input features of the model")
      ->capture_default_str()
      ->excludes(expr)
      ->excludes(expr_file);
  cmd->add_option("--classes", flags->classes, "Classes of the model")
      ->capture_default_str()
      ->excludes(expr)
      ->excludes(expr_file);
  cmd->add_option("--batch", flags->batch, "Batch size of the example input")
      ->capture_default_str()
      ->excludes(expr)
      ->excludes(expr_file);
  cmd->add_option("--out", flags->out, "Picture to write: .svg, .png, .pdf or .dot")
      ->capture_default_str();
  cmd->add_option("--json", flags->json, "Also write the graph as JSON to this file");
  cmd->add_flag("--show-saved", flags->show_saved, "Show the tensors saved for backward");
  cmd->callback([flags] {
    if (flags->expr.empty() && flags->expr_file.empty() && flags->model.empty())
      throw UsageError("graph: give --expr \"(x+y)*z\", --expr-file FILE or --model softmax|mlp");
    // (a gf::Error from viz exits 2 with its message, like a UsageError)
    flags->expr.empty() && flags->expr_file.empty() ? run_model(*flags) : run_expr(*flags);
  });
}

const Registration reg("graph", setup);

}  // namespace
}  // namespace gf::cli
