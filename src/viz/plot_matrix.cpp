// heatmap (the softmax Jacobian of seed 002), the confusion matrix and the training curves that
// `gradflow train` leaves in its run folder, plus the CSV files they are redrawn from.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>

#include "canvas.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/viz/plot.hpp"
#include "write_picture.hpp"

namespace gf::viz {

namespace {

using detail::Canvas;

std::string format_value(double v, bool integral, int precision) {
  std::ostringstream s;
  if (integral)
    s << static_cast<long long>(std::llround(v));
  else
    s << std::fixed << std::setprecision(precision) << v;
  return s.str();
}

// PLplot's default character height on the cairo devices: 6 mm at 72 dpi = 17 px. mtex
// distances are in these units.
constexpr double kCharPx = 17.0;

// Rough width in pixels of a label at the default character size (DejaVu Sans averages 0.65 of
// the character height per glyph; UTF-8 continuation bytes are not glyphs).
double text_px(const std::string& s) {
  double glyphs = 0;
  for (unsigned char c : s) glyphs += (c & 0xC0) != 0x80;
  return 0.65 * kCharPx * glyphs;
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) {
    while (!cell.empty() && (cell.back() == '\r' || cell.back() == ' ')) cell.pop_back();
    while (!cell.empty() && cell.front() == ' ') cell.erase(cell.begin());
    cells.push_back(cell);
  }
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

double parse_number(const std::string& what, const std::string& path, int line,
                    const std::string& cell) {
  try {
    std::size_t used = 0;
    double v = std::stod(cell, &used);
    if (used == cell.size()) return v;
  } catch (const std::exception&) {
  }
  if (cell == "nan" || cell == "NaN" || cell.empty())
    return std::numeric_limits<double>::quiet_NaN();
  ::gf::detail::fail(what, ": '", path, "' line ", line, ": '", cell, "' is not a number");
}

}  // namespace

void heatmap(const Tensor& matrix, const std::vector<std::string>& row_labels,
             const std::vector<std::string>& col_labels, const std::string& file,
             const HeatmapOptions& options) {
  GF_CHECK(matrix.defined() && matrix.dim() == 2 && matrix.numel() > 0,
           "heatmap: expected a non-empty 2-D matrix, got shape ",
           matrix.defined() ? matrix.sizes() : Shape{});
  const int64_t R = matrix.size(0), C = matrix.size(1);
  GF_CHECK(row_labels.empty() || static_cast<int64_t>(row_labels.size()) == R,
           "heatmap: ", row_labels.size(), " row labels for ", R, " rows");
  GF_CHECK(col_labels.empty() || static_cast<int64_t>(col_labels.size()) == C,
           "heatmap: ", col_labels.size(), " column labels for ", C, " columns");
  std::vector<std::string> rows = row_labels, cols = col_labels;
  if (rows.empty())
    for (int64_t i = 0; i < R; ++i) rows.push_back(std::to_string(i));
  if (cols.empty())
    for (int64_t j = 0; j < C; ++j) cols.push_back(std::to_string(j));

  const std::vector<double> v = matrix.tolist();
  const bool integral = matrix.dtype() == DType::Int64;
  double lo = INFINITY, hi = -INFINITY;
  for (double x : v)
    if (std::isfinite(x)) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  GF_CHECK(std::isfinite(lo), "heatmap: every value of the ", R, "x", C,
           " matrix is NaN or infinite: nothing to draw");
  const bool diverging = lo < 0 && hi > 0;
  if (diverging) {
    double m = std::max(-lo, hi);
    lo = -m;
    hi = m;
  }
  if (hi - lo <= 0) hi = lo + 1;
  auto level = [&](double x) { return std::clamp((x - lo) / (hi - lo), 0.0, 1.0); };

  // Margins in pixels: room for the labels, the axis titles, the title and the colour bar.
  // Row labels end 0.8 characters left of the cells; the y title (text rotated, spanning
  // [disp - 0.65, disp + 0.5] characters) sits clear of them. Column labels (vertical when they
  // do not fit across a cell) hang below; the x title ([disp - 0.5, disp + 0.65]) below them.
  double longest_row = 0, longest_col = 0;
  for (const auto& s : rows) longest_row = std::max(longest_row, text_px(s));
  for (const auto& s : cols) longest_col = std::max(longest_col, text_px(s));
  const bool vertical_cols = longest_col > 0.8 * (options.width - 250.0) / C;
  const double W = options.width, H = options.height, ch = kCharPx;
  const double row_extent = 0.8 * ch + longest_row;
  const double col_extent = vertical_cols ? 0.8 * ch + longest_col : 2.25 * ch;
  const double ylabel_disp = row_extent / ch + 1.05, xlabel_disp = col_extent / ch + 0.9;
  const double left = 8 + (options.ylabel.empty() ? row_extent : (ylabel_disp + 0.5) * ch);
  const double bottom = 8 + (options.xlabel.empty() ? col_extent : (xlabel_disp + 0.65) * ch);
  const double top = options.title.empty() ? 20 : 55, right = 130;
  GF_CHECK(left + right + 40 < W && top + bottom + 40 < H, "heatmap: ", W, "x", H,
           " pixels is too small for ", R, "x", C, " cells and their labels");

  Canvas c("heatmap", file, options.width, options.height);
  plstream& p = c.pls();
  c.colour_map(diverging);
  p.vpor(left / W, 1 - right / W, bottom / H, 1 - top / H);
  p.wind(0, static_cast<double>(C), 0, static_cast<double>(R));
  const double cell_px = std::min((W - left - right) / C, (H - top - bottom) / R);
  const double text_scale = std::clamp(cell_px / 45.0, 0.35, 1.0);
  for (int64_t i = 0; i < R; ++i)
    for (int64_t j = 0; j < C; ++j) {
      const double x = v[i * C + j], t = level(x);
      const double y0 = static_cast<double>(R - 1 - i);
      PLFLT xs[] = {double(j), double(j + 1), double(j + 1), double(j)};
      PLFLT ys[] = {y0, y0, y0 + 1, y0 + 1};
      p.col1(t);
      p.fill(4, xs, ys);
      if (options.annotate && std::isfinite(x)) {
        const bool dark = diverging ? std::abs(t - 0.5) > 0.33 : t < 0.55;
        p.col0(dark ? detail::kWhite : detail::kBlack);
        p.schr(0, text_scale);
        p.ptex(j + 0.5, y0 + 0.5, 1, 0, 0.5, format_value(x, integral, options.precision).c_str());
        p.schr(0, 1.0);
      }
    }
  p.col0(detail::kBlack);
  p.box("bc", 0, 0, "bc", 0, 0);
  p.schr(0, std::clamp(cell_px / 30.0, 0.6, 1.0));
  for (int64_t i = 0; i < R; ++i)
    p.mtex("lv", 0.8, 1 - (i + 0.5) / R, 1.0, detail::plain(rows[i]).c_str());
  for (int64_t j = 0; j < C; ++j) {
    if (vertical_cols)
      p.mtex("bv", 0.8, (j + 0.5) / C, 1.0, detail::plain(cols[j]).c_str());
    else
      p.mtex("b", 1.6, (j + 0.5) / C, 0.5, detail::plain(cols[j]).c_str());
  }
  p.schr(0, 1.0);
  if (!options.xlabel.empty())
    p.mtex("b", xlabel_disp, 0.5, 0.5, detail::plain(options.xlabel).c_str());
  if (!options.ylabel.empty())
    p.mtex("l", ylabel_disp, 0.5, 0.5, detail::plain(options.ylabel).c_str());
  if (!options.title.empty()) {
    p.schr(0, 1.25);
    p.mtex("t", 1.5, 0.5, 0.5, detail::plain(options.title).c_str());
    p.schr(0, 1.0);
  }

  // Colour bar to the right of the cells.
  PLFLT bar_w = 0, bar_h = 0;
  PLINT label_opts[] = {PL_COLORBAR_LABEL_BOTTOM};
  const char* labels[] = {""};
  const char* axis_opts[] = {"bcvtm"};
  PLFLT ticks[] = {0.0};
  PLINT sub_ticks[] = {0};
  PLINT n_values[] = {2};
  PLFLT range[] = {lo, hi};
  const PLFLT* values[] = {range};
  p.colorbar(&bar_w, &bar_h, PL_COLORBAR_GRADIENT,
             PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT, 20 / W, 0, 22 / W, 1.0,
             detail::kBackground, detail::kBlack, 1, 0, 0, detail::kBlack, 0, 0, label_opts, labels,
             1, axis_opts, ticks, sub_ticks, n_values, values);
  c.finish();
}

std::vector<MetricsRow> read_metrics_csv(const std::string& path) {
  std::ifstream in(path);
  GF_CHECK(in.good(), "read_metrics_csv: cannot open '", path, "'");
  std::string line;
  GF_CHECK(static_cast<bool>(std::getline(in, line)), "read_metrics_csv: '", path, "' is empty");
  const std::vector<std::string> header = split_csv(line);
  auto column = [&](const std::string& name) -> int {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  const int epoch = column("epoch"), tl = column("train_loss"), ta = column("train_acc"),
            vl = column("valid_loss"), va = column("valid_acc"), sec = column("seconds");
  GF_CHECK(epoch >= 0, "read_metrics_csv: '", path, "' has no 'epoch' column (header: ", line, ")");
  std::vector<MetricsRow> rows;
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> cells = split_csv(line);
    GF_CHECK(cells.size() == header.size(), "read_metrics_csv: '", path, "' line ", number, " has ",
             cells.size(), " cells, the header has ", header.size());
    auto get = [&](int col) {
      return col < 0 ? std::numeric_limits<double>::quiet_NaN()
                     : parse_number("read_metrics_csv", path, number, cells[col]);
    };
    MetricsRow r;
    r.epoch = static_cast<int64_t>(get(epoch));
    r.train_loss = get(tl);
    r.train_acc = get(ta);
    r.valid_loss = get(vl);
    r.valid_acc = get(va);
    r.seconds = get(sec);
    rows.push_back(r);
  }
  GF_CHECK(!rows.empty(), "read_metrics_csv: '", path, "' has a header but no rows");
  return rows;
}

void plot_training_curves(const std::vector<MetricsRow>& rows, const std::string& file,
                          const std::string& title, int width, int height) {
  GF_CHECK(!rows.empty(), "plot_training_curves: no epochs to plot");
  std::vector<double> epochs, tl, vl, ta, va;
  for (const MetricsRow& r : rows) {
    epochs.push_back(static_cast<double>(r.epoch));
    tl.push_back(r.train_loss);
    vl.push_back(r.valid_loss);
    ta.push_back(r.train_acc);
    va.push_back(r.valid_acc);
  }
  const auto finite = [](const std::vector<double>& v) {
    return std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
  };
  GF_CHECK(finite(tl) || finite(vl) || finite(ta) || finite(va),
           "plot_training_curves: every loss "
           "and accuracy of the ",
           rows.size(), " epochs is NaN or infinite: nothing to draw");
  double x0 = *std::min_element(epochs.begin(), epochs.end());
  double x1 = *std::max_element(epochs.begin(), epochs.end());
  if (x1 - x0 < 1) {
    x0 -= 0.5;
    x1 += 0.5;
  } else {
    double m = 0.03 * (x1 - x0);
    x0 -= m;
    x1 += m;
  }
  Canvas c("plot_training_curves", file, width, height);
  plstream& p = c.pls();
  const double W = width, H = height, mid = 0.5;
  const double xtick = (x1 - x0) <= 12 ? 1 : 0;
  auto panel = [&](double vx0, double vx1, const std::vector<double>& train,
                   const std::vector<double>& valid, const char* ylabel, const char* name,
                   int legend_position) {
    double lo, hi;
    detail::padded_range({train, valid}, false, lo, hi);
    p.vpor(vx0, vx1, 70 / H, 1 - (title.empty() ? 50 : 85) / H);
    p.wind(x0, x1, lo, hi);
    p.col0(detail::kGrid);
    p.box("g", xtick, xtick > 0 ? 1 : 0, "g", 0, 0);
    const int colours[] = {detail::kFirstSeries, detail::kFirstSeries + 1};
    const std::vector<double>* series[] = {&train, &valid};
    std::vector<std::string> names;
    std::vector<int> used;
    for (int s = 0; s < 2; ++s) {
      bool any = std::any_of(series[s]->begin(), series[s]->end(),
                             [](double v) { return std::isfinite(v); });
      if (!any) continue;
      c.polyline(epochs, *series[s], colours[s], 2.0);
      p.col0(colours[s]);
      for (std::size_t i = 0; i < epochs.size(); ++i)
        if (std::isfinite((*series[s])[i])) p.string(1, &epochs[i], &(*series[s])[i], "•");
      names.push_back(s == 0 ? "train" : "valid");
      used.push_back(colours[s]);
    }
    c.axes("bcnst", xtick, xtick > 0 ? 1 : 0, "bcnstv", 0, 0);
    c.labels("epoch", ylabel, name);
    c.legend(names, used, {}, legend_position);
  };
  // Loss falls and accuracy rises: legends in the corners the curves leave free.
  panel(95 / W, mid - 30 / W, tl, vl, "loss", "Loss", PL_POSITION_TOP | PL_POSITION_RIGHT);
  panel(mid + 95 / W, 1 - 25 / W, ta, va, "accuracy", "Accuracy",
        PL_POSITION_BOTTOM | PL_POSITION_RIGHT);
  if (!title.empty()) {
    p.vpor(0, 1, 0, 1);
    p.wind(0, 1, 0, 1);
    p.schr(0, 1.3);
    p.col0(detail::kBlack);
    p.mtex("t", -1.6, 0.5, 0.5, detail::plain(title).c_str());
    p.schr(0, 1.0);
  }
  c.finish();
}

ConfusionMatrix read_confusion_csv(const std::string& path) {
  std::ifstream in(path);
  GF_CHECK(in.good(), "read_confusion_csv: cannot open '", path, "'");
  std::string line;
  GF_CHECK(static_cast<bool>(std::getline(in, line)), "read_confusion_csv: '", path, "' is empty");
  std::vector<std::string> header = split_csv(line);
  GF_CHECK(header.size() >= 2, "read_confusion_csv: '", path,
           "' header needs a corner cell and at least one class name");
  ConfusionMatrix m;
  m.class_names.assign(header.begin() + 1, header.end());
  const int64_t n = static_cast<int64_t>(m.class_names.size());
  std::vector<double> counts;
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line == "\r") continue;
    std::vector<std::string> cells = split_csv(line);
    GF_CHECK(static_cast<int64_t>(cells.size()) == n + 1, "read_confusion_csv: '", path, "' line ",
             number, " has ", cells.size(), " cells, expected ", n + 1);
    for (int64_t j = 1; j <= n; ++j) {
      double v = parse_number("read_confusion_csv", path, number, cells[j]);
      GF_CHECK(std::isfinite(v) && v >= 0 && v == std::floor(v), "read_confusion_csv: '", path,
               "' line ", number, ": '", cells[j], "' is not a count");
      counts.push_back(v);
    }
  }
  GF_CHECK(static_cast<int64_t>(counts.size()) == n * n, "read_confusion_csv: '", path, "' has ",
           counts.size() / std::max<int64_t>(n, 1), " rows for ", n, " classes");
  m.counts = tensor(counts, {n, n}, DType::Int64);
  return m;
}

void write_confusion_csv(const Tensor& counts, const std::vector<std::string>& class_names,
                         const std::string& path) {
  GF_CHECK(counts.defined() && counts.dim() == 2 && counts.size(0) == counts.size(1),
           "write_confusion_csv: expected a square matrix, got shape ",
           counts.defined() ? counts.sizes() : Shape{});
  const int64_t n = counts.size(0);
  GF_CHECK(static_cast<int64_t>(class_names.size()) == n,
           "write_confusion_csv: ", class_names.size(), " class names for ", n, " classes");
  const std::vector<double> v = counts.tolist();
  std::ostringstream out;
  out << "true\\predicted";
  for (const auto& name : class_names) out << "," << name;
  out << "\n";
  for (int64_t i = 0; i < n; ++i) {
    out << class_names[i];
    for (int64_t j = 0; j < n; ++j)
      out << "," << static_cast<long long>(std::llround(v[i * n + j]));
    out << "\n";
  }
  detail::write_picture("write_confusion_csv", path, out.str());
}

void plot_confusion_matrix(const Tensor& counts, const std::vector<std::string>& class_names,
                           const std::string& file, const std::string& title) {
  GF_CHECK(counts.defined() && counts.dim() == 2 && counts.size(0) == counts.size(1),
           "plot_confusion_matrix: expected a square [C, C] matrix, got shape ",
           counts.defined() ? counts.sizes() : Shape{});
  HeatmapOptions o;
  o.title = title;
  o.xlabel = "Predicted label";
  o.ylabel = "True label";
  o.width = 900;
  o.height = 800;
  heatmap(counts.dtype() == DType::Int64 ? counts : counts.to(DType::Int64), class_names,
          class_names, file, o);
}

}  // namespace gf::viz
