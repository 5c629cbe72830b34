// plot_functions (seed 000's plot_multiple_functions) and plot_with_derivatives (f, f′, f″ by
// autograd), drawn with PLplot on a Canvas.
#include "gradflow/viz/plot.hpp"

#include <cmath>

#include "canvas.hpp"
#include "gradflow/autograd/engine.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf::viz {

namespace {

using detail::Canvas;

void check_range(const char* what, const PlotOptions& o) {
  GF_CHECK(std::isfinite(o.start) && std::isfinite(o.end) && o.start < o.end, what, ": the range [",
           o.start, ", ", o.end, "] is empty (start must be below end)");
  GF_CHECK(o.points >= 2, what, ": need at least 2 points, got ", o.points);
}

// np.linspace(start, end, points)
std::vector<double> grid(const PlotOptions& o) {
  std::vector<double> x(o.points);
  for (int64_t i = 0; i < o.points; ++i)
    x[i] = i + 1 == o.points ? o.end : o.start + (o.end - o.start) * i / (o.points - 1);
  return x;
}

std::vector<double> evaluate(const Function1D& f, const std::vector<double>& x) {
  if (f.scalar) {
    std::vector<double> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = f.scalar(x[i]);
    return y;
  }
  GF_CHECK(static_cast<bool>(f.tensor), "plot_functions: function '", f.name, "' is empty");
  Tensor t = tensor(x, {static_cast<int64_t>(x.size())}, DType::Float64);
  Tensor y;
  {
    NoGradGuard no_grad;
    y = f.tensor(t);
  }
  GF_CHECK(y.defined() && y.numel() == t.numel(), "plot_functions: function '", f.name,
           "' returned ", y.defined() ? y.numel() : 0, " values for ", t.numel(),
           " points (it must act elementwise)");
  return y.tolist();
}

// A line with no finite value (or, on a log scale, no positive one) would leave a blank picture:
// say so instead.
void check_drawable(const char* what, const std::string& name, const std::vector<double>& y,
                    const PlotOptions& o, bool log_y) {
  for (double v : y)
    if (std::isfinite(v) && (!log_y || v > 0)) return;
  ::gf::detail::fail(what, ": every value of '", name, "' over [", o.start, ", ", o.end, "] is ",
                     log_y
                         ? "NaN, infinite or not positive (a log scale shows only positive values)"
                         : "NaN or infinite",
                     ": nothing to draw");
}

std::vector<double> for_log(std::vector<double> y, bool log_y) {
  if (log_y)
    for (double& v : y) v = v > 0 ? std::log10(v) : NAN;  // matplotlib masks them too
  return y;
}

// One panel of lines with legend. Viewport in page fractions.
void draw_lines(Canvas& c, double vx0, double vx1, double vy0, double vy1,
                const std::vector<double>& x, const std::vector<std::vector<double>>& ys,
                const std::vector<std::string>& names, const std::vector<int>& styles, bool log_y,
                const std::string& xlabel, const std::string& ylabel, const std::string& title) {
  double lo, hi;
  detail::padded_range(ys, log_y, lo, hi);
  c.panel(vx0, vx1, vy0, vy1, x.front(), x.back(), lo, hi, log_y);
  std::vector<int> colours;
  for (std::size_t i = 0; i < ys.size(); ++i) {
    int colour = detail::kFirstSeries + static_cast<int>(i % detail::kNumSeries);
    colours.push_back(colour);
    c.polyline(x, for_log(ys[i], log_y), colour, 2.0, styles.empty() ? 1 : styles[i]);
  }
  c.frame(log_y);
  c.labels(xlabel, ylabel, title);
  c.legend(names, colours, styles, PL_POSITION_TOP | PL_POSITION_LEFT);
}

}  // namespace

void plot_functions(const std::vector<Function1D>& functions, const PlotOptions& options) {
  GF_CHECK(!functions.empty(), "plot_functions: no functions to plot");
  check_range("plot_functions", options);
  const std::vector<double> x = grid(options);
  std::vector<std::vector<double>> ys;
  std::vector<std::string> names;
  for (const Function1D& f : functions) {
    ys.push_back(evaluate(f, x));
    names.push_back(f.name);
    check_drawable("plot_functions", f.name, ys.back(), options, options.log_y);
  }
  Canvas c("plot_functions", options.file, options.width, options.height);
  const double w = options.width, h = options.height;
  draw_lines(c, 95 / w, 1 - 25 / w, 70 / h, 1 - 50 / h, x, ys, names, {}, options.log_y,
             options.xlabel, options.ylabel, options.title);
  c.finish();
}

void plot_with_derivatives(const std::string& name, const std::function<Tensor(const Tensor&)>& f,
                           PlotOptions options) {
  GF_CHECK(static_cast<bool>(f), "plot_with_derivatives: function '", name, "' is empty");
  check_range("plot_with_derivatives", options);
  if (options.title.empty() || options.title == PlotOptions().title) options.title = name;
  const std::vector<double> xs = grid(options);
  Tensor x = tensor(xs, {options.points}, DType::Float64).requires_grad_();
  Tensor y = f(x);
  GF_CHECK(y.defined() && y.sizes() == x.sizes(), "plot_with_derivatives: '", name,
           "' must act elementwise (got shape ", y.defined() ? y.sizes() : Shape{}, " for ",
           x.sizes(), ")");
  // f acts elementwise, so d(sum f)/dx_i = f′(x_i), and the same again for f″.
  std::vector<double> d1(xs.size(), 0.0), d2(xs.size(), 0.0);
  if (y.requires_grad()) {
    Tensor g1 = autograd::grad({y.sum()}, {x}, {}, true, true, true)[0];
    if (g1.defined()) {
      d1 = g1.tolist();
      if (g1.requires_grad()) {
        Tensor g2 = autograd::grad({g1.sum()}, {x}, {}, false, false, true)[0];
        if (g2.defined()) d2 = g2.tolist();
      }
    }
  }
  std::vector<double> values = y.detach().tolist();
  check_drawable("plot_with_derivatives", name, values, options, options.log_y);
  const std::string prime = "′", second = "″";
  Canvas c("plot_with_derivatives", options.file, options.width, options.height);
  const double w = options.width, h = options.height, mid = 0.5;
  draw_lines(c, 95 / w, mid - 30 / w, 70 / h, 1 - 50 / h, xs, {values}, {name}, {}, options.log_y,
             options.xlabel, name + "(x)", options.title);
  draw_lines(c, mid + 95 / w, 1 - 25 / w, 70 / h, 1 - 50 / h, xs, {d1, d2},
             {name + prime, name + second}, {1, 2}, false, options.xlabel, "derivative",
             name + prime + " and " + name + second + " (autograd)");
  c.finish();
}

}  // namespace gf::viz
