// Plots through PLplot (PNG via the cairo driver, SVG by extension): seed 000's
// plot_multiple_functions, a function with its autograd derivatives, heatmaps (the softmax
// Jacobian of seed 002), training curves and confusion matrices for `gradflow train`.
//
//   gf::viz::PlotOptions o;
//   o.file = "functions.png";
//   gf::viz::plot_functions({{"sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }},
//                            {"tanh", [](const gf::Tensor& x) { return gf::tanh(x); }}}, o);
//
// Every function writes the file named by its `file` argument/option; the format comes from the
// extension (.png or .svg). Misuse (unknown extension, unwritable path, empty data, bad range)
// throws gf::Error naming the plot and the problem. Pictures are drawn in memory and written
// with io::write_file_atomic: when writing fails (a full disk, a missing folder) the error
// names the file and the step, and the previous file, if any, is left as it was.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::viz {

// A named function of one variable: either a scalar function or a tensor function applied to
// the whole grid of x values at once (Float64, shape [points]).
struct Function1D {
  std::string name;
  std::function<double(double)> scalar;
  std::function<Tensor(const Tensor&)> tensor;
  Function1D(std::string name, std::function<double(double)> f)
      : name(std::move(name)), scalar(std::move(f)) {}
  Function1D(std::string name, std::function<Tensor(const Tensor&)> f)
      : name(std::move(name)), tensor(std::move(f)) {}
};

struct PlotOptions {
  double start = -10, end = 10;  // x range
  int64_t points = 100;          // samples, like np.linspace(start, end, points)
  bool log_y = false;            // log scale on y (non-positive values are left out)
  std::string title = "Plot of Multiple Functions";
  std::string xlabel = "x", ylabel = "y";
  int width = 800, height = 600;  // pixels
  std::string file;               // .png or .svg
};

// seed 000's plot_multiple_functions: one line per function, legend, grid, title, labels.
void plot_functions(const std::vector<Function1D>& functions, const PlotOptions& options);

// f, f′ and f″ (both by autograd: grad with create_graph) over the range; two panels side by
// side: f on the left, f′ and f″ on the right (sigmoid next to s(1−s), as in seed 000).
// f must act elementwise. options.title "" or the default becomes `name`.
void plot_with_derivatives(const std::string& name, const std::function<Tensor(const Tensor&)>& f,
                           PlotOptions options);

struct HeatmapOptions {
  std::string title;
  std::string xlabel, ylabel;
  bool annotate = true;  // write each cell's value
  int precision = 3;     // digits after the point in annotations (integers print as such)
  int width = 800, height = 700;
};

// A colour map of a 2-D matrix (rows top to bottom), with row/column labels (empty: indices)
// and a colour bar. Values of both signs get a diverging blue-white-red map centred on 0;
// otherwise viridis.
void heatmap(const Tensor& matrix, const std::vector<std::string>& row_labels,
             const std::vector<std::string>& col_labels, const std::string& file,
             const HeatmapOptions& options = {});

// One row of runs/NAME/metrics.csv (columns epoch,train_loss,train_acc,valid_loss,valid_acc,
// seconds; columns may come in any order, missing ones read as NaN).
struct MetricsRow {
  int64_t epoch = 0;
  double train_loss = 0, train_acc = 0, valid_loss = 0, valid_acc = 0, seconds = 0;
};
std::vector<MetricsRow> read_metrics_csv(const std::string& path);

// Two panels: loss by epoch (train, valid) and accuracy by epoch (train, valid).
void plot_training_curves(const std::vector<MetricsRow>& rows, const std::string& file,
                          const std::string& title = "Training curves", int width = 1200,
                          int height = 500);

// A confusion matrix: rows = true class, columns = predicted class (Int64 [C, C] counts).
// runs/NAME/confusion.csv holds it as
//   true\predicted,T-shirt/top,Trouser,...
//   T-shirt/top,812,3,...
struct ConfusionMatrix {
  Tensor counts;                         // Int64 [C, C]
  std::vector<std::string> class_names;  // C names
};
ConfusionMatrix read_confusion_csv(const std::string& path);
void write_confusion_csv(const Tensor& counts, const std::vector<std::string>& class_names,
                         const std::string& path);
void plot_confusion_matrix(const Tensor& counts, const std::vector<std::string>& class_names,
                           const std::string& file, const std::string& title = "Confusion matrix");

}  // namespace gf::viz
