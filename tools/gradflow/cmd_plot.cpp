// `gradflow plot`: function plots (seed 000's plot_multiple_functions) and training pictures.
//   gradflow plot --functions sigmoid,tanh,relu --range -10,10 [--points N] [--log-y] --out f.png
//   gradflow plot --functions sigmoid --derivatives --out d.png   (f, f′, f″ by autograd)
//   gradflow plot --metrics runs/NAME/metrics.csv [--out-dir DIR]  (curves.png, confusion.png)
#include <filesystem>
#include <gradflow/gradflow.hpp>
#include <gradflow/viz/plot.hpp>
#include <iostream>
#include <map>
#include <sstream>

#include "command.hpp"

namespace gf::cli {
namespace {

namespace fs = std::filesystem;
using TensorFn = std::function<Tensor(const Tensor&)>;

// The functions --functions knows: every unary op of the library (gf::unary_ops()) and a few
// formulas of the seeds, all written with gradflow ops (so --derivatives can differentiate them).
const std::map<std::string, TensorFn>& known_functions() {
  static const std::map<std::string, TensorFn> fns = [] {
    std::map<std::string, TensorFn> m = {
        {"identity", [](const Tensor& x) { return x * 1.0; }},
        {"sigmoid_derivative",  // seed 000: s(1 - s)
         [](const Tensor& x) { return sigmoid(x) * (1.0 - sigmoid(x)); }},
    };
    for (const UnaryOp& op : unary_ops()) m.emplace(std::string(op.name), op.fn);
    return m;
  }();
  return fns;
}

std::string known_names() {
  std::string r;
  for (const auto& [name, fn] : known_functions()) r += (r.empty() ? "" : ", ") + name;
  return r;
}

struct PlotFlags {
  std::string functions, range = "-10,10", out = "functions.png", metrics, out_dir, title;
  int64_t points = 100;
  int width = 0, height = 0;
  bool log_y = false, derivatives = false;
};

void run_functions(const PlotFlags& f) {
  viz::PlotOptions o;
  double lo = 0, hi = 0;
  char comma = 0;
  std::istringstream r(f.range);
  if (!(r >> lo >> comma >> hi) || comma != ',' || !r.eof() || !(lo < hi))
    throw UsageError("--range: '" + f.range + "' is not start,end with start < end (e.g. -10,10)");
  o.start = lo;
  o.end = hi;
  if (f.points < 2) throw UsageError("--points: need at least 2, got " + std::to_string(f.points));
  o.points = f.points;
  o.log_y = f.log_y;
  o.file = f.out;
  if (!f.title.empty()) o.title = f.title;
  if (f.width > 0) o.width = f.width;
  if (f.height > 0) o.height = f.height;

  std::vector<viz::Function1D> fns;
  std::stringstream list(f.functions);
  std::string name;
  while (std::getline(list, name, ',')) {
    auto it = known_functions().find(name);
    if (it == known_functions().end())
      throw UsageError("--functions: unknown function '" + name + "' (known: " + known_names() +
                       ")");
    fns.emplace_back(name, it->second);
  }
  if (fns.empty()) throw UsageError("--functions: no function names given");
  if (f.derivatives) {
    if (fns.size() != 1) throw UsageError("--derivatives: give exactly one function");
    if (f.width <= 0) o.width = 1200;
    if (f.height <= 0) o.height = 500;
    viz::plot_with_derivatives(fns[0].name, fns[0].tensor, o);
  } else {
    viz::plot_functions(fns, o);
  }
  std::cout << "wrote " << f.out << "\n";
}

void run_metrics(const PlotFlags& f) {
  const fs::path metrics = f.metrics;
  if (!fs::exists(metrics)) throw UsageError("--metrics: '" + f.metrics + "' does not exist");
  const fs::path dir = f.out_dir.empty() ? metrics.parent_path() : fs::path(f.out_dir);
  if (!dir.empty()) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw UsageError("--out-dir: cannot create '" + dir.string() + "': " + ec.message());
  }
  const std::string run = metrics.parent_path().filename().string();
  viz::plot_training_curves(viz::read_metrics_csv(f.metrics), (dir / "curves.png").string(),
                            run.empty() ? "Training curves" : "Training curves: " + run);
  std::cout << "wrote " << (dir / "curves.png").string() << "\n";
  const fs::path confusion = metrics.parent_path() / "confusion.csv";
  if (fs::exists(confusion)) {
    viz::ConfusionMatrix m = viz::read_confusion_csv(confusion.string());
    viz::plot_confusion_matrix(m.counts, m.class_names, (dir / "confusion.png").string(),
                               "Confusion matrix (test set)");
    std::cout << "wrote " << (dir / "confusion.png").string() << "\n";
  } else {
    std::cout << "no " << confusion.string() << ": confusion.png not drawn\n";
  }
}

void setup(CLI::App& app) {
  auto f = std::make_shared<PlotFlags>();
  auto* cmd = app.add_subcommand("plot", "Plot functions, or redraw a run's training pictures");
  cmd->option_defaults()->always_capture_default();
  auto* fns = cmd->add_option("--functions", f->functions, "Comma-separated: " + known_names());
  auto* metrics = cmd->add_option("--metrics", f->metrics,
                                  "A run's metrics.csv: redraw curves.png and confusion.png");
  fns->excludes(metrics);
  // The flags of one mode are refused in the other (CLI11: "--range excludes --metrics").
  for (CLI::Option* o :
       {cmd->add_option("--range", f->range, "start,end of x (write --range=-10,10)"),
        cmd->add_option("--points", f->points, "Samples over the range"),
        cmd->add_flag("--log-y", f->log_y, "Log scale on y"),
        cmd->add_flag("--derivatives", f->derivatives,
                      "One function with its first and second derivative (autograd)"),
        cmd->add_option("--title", f->title, "Plot title"),
        cmd->add_option("--width", f->width, "Image width in pixels"),
        cmd->add_option("--height", f->height, "Image height in pixels"),
        cmd->add_option("--out", f->out, "Picture to write (.png or .svg)")})
    o->excludes(metrics);
  cmd->add_option("--out-dir", f->out_dir,
                  "--metrics: folder for the pictures (default: the run's)")
      ->excludes(fns);
  cmd->callback([f] {  // (gf::Error from viz: exit 2 with its message)
    if (f->functions.empty() && f->metrics.empty())
      throw UsageError(
          "plot: give --functions sigmoid,tanh,relu or --metrics runs/NAME/metrics.csv");
    f->functions.empty() ? run_metrics(*f) : run_functions(*f);
  });
}

const Registration reg("plot", setup);

}  // namespace
}  // namespace gf::cli
