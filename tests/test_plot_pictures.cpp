// What is on the plots (issue 12, item 9): nothing to draw is an error, not a blank picture; the
// ×10ⁿ offset of large values sits inside the page; the confusion matrix has its true/predicted
// axis titles. Read from the SVG that PLplot's svgcairo driver writes: each glyph is a
// <use xlink:href="#glyph…" x=".." y=".."/> at its baseline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <gradflow/gradflow.hpp>
#include <gradflow/viz/plot.hpp>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "support/cli_run.hpp"
#include "support/errors.hpp"
#include "support/files.hpp"

namespace fs = std::filesystem;
using gf::test::error_of;
using ::testing::HasSubstr;

namespace {

struct Glyph {
  double x, y;
};

std::vector<Glyph> glyphs(const std::string& svg_path) {
  const std::string svg = gf::test::read_bytes(svg_path);
  static const std::regex use(
      R"re(<use xlink:href="#glyph[^"]*" x="([-0-9.e]+)" y="([-0-9.e]+)")re");
  std::vector<Glyph> out;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), use); it != std::sregex_iterator();
       ++it)
    out.push_back({std::stod((*it)[1]), std::stod((*it)[2])});
  return out;
}

TEST(PlotPictures, LargeValuesKeepTheirOffsetLabelInsideThePage) {
  const std::string file = gf::test::scratch_dir() + "/exp.svg";
  gf::viz::PlotOptions o;  // 800 x 600
  o.start = 0;
  o.end = 30;  // e^30 ≈ 1.07e13: the axis is labelled in units of 10¹³
  o.file = file;
  gf::viz::plot_functions({{"exp", [](double x) { return std::exp(x); }}}, o);
  const std::vector<Glyph> g = glyphs(file);
  ASSERT_GT(g.size(), 20u);
  double top = 1e9;
  for (const Glyph& p : g) {
    EXPECT_GE(p.x, 0);
    EXPECT_LE(p.x, 800);
    top = std::min(top, p.y);
  }
  // A 17 px font needs ~12 px above its baseline; PLplot's own "(x10¹³)" had its baseline at 9 px.
  EXPECT_GE(top, 20) << "a label is cut by the top of the page";
}

TEST(PlotPictures, ConfusionMatrixShowsTrueAndPredictedTitles) {
  const std::string dir = gf::test::scratch_dir();
  const std::vector<std::string> names = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                          "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                          "Bag",         "Ankle boot"};
  std::vector<double> counts(100);
  for (int i = 0; i < 100; ++i) counts[i] = i % 11 == 0 ? 900 : i % 7;
  const gf::Tensor m = gf::tensor(counts, {10, 10}, gf::DType::Int64);
  gf::viz::plot_confusion_matrix(m, names, dir + "/with.svg", "Confusion matrix");
  gf::viz::HeatmapOptions bare;  // the same picture without the two axis titles
  bare.title = "Confusion matrix";
  bare.width = 900;
  bare.height = 800;
  gf::viz::heatmap(m, names, names, dir + "/without.svg", bare);
  const std::vector<Glyph> with = glyphs(dir + "/with.svg"), without = glyphs(dir + "/without.svg");
  // "Predicted label" and "True label": 23 glyphs besides the spaces, all on the page.
  EXPECT_GE(with.size(), without.size() + 23);
  for (const Glyph& p : with) {
    EXPECT_GE(p.x, 0);
    EXPECT_LE(p.x, 900);
    EXPECT_GE(p.y, 0);
    EXPECT_LE(p.y, 800);
  }
}

TEST(PlotPictures, NothingToDrawIsAnError) {
  const std::string dir = gf::test::scratch_dir();
  gf::viz::PlotOptions o;
  o.start = -10;
  o.end = -1;
  o.file = dir + "/log.png";
  EXPECT_THAT(error_of([&] {
                gf::viz::plot_functions({{"log", [](double x) { return std::log(x); }}}, o);
              }),
              HasSubstr("plot_functions: every value of 'log' over [-10, -1] is NaN or infinite"));
  EXPECT_THAT(error_of([&] {
                gf::viz::plot_with_derivatives(
                    "log", [](const gf::Tensor& x) { return gf::log(x); }, o);
              }),
              HasSubstr("plot_with_derivatives: every value of 'log'"));
  o.start = -5;
  o.end = 5;
  o.log_y = true;  // tanh is never positive on [-5, 0] but is on (0, 5]: drawable
  o.file = dir + "/tanh.png";
  gf::viz::plot_functions({{"tanh", [](double x) { return std::tanh(x); }}}, o);
  o.end = 0;
  EXPECT_THAT(error_of([&] {
                gf::viz::plot_functions({{"tanh", [](double x) { return std::tanh(x); }}}, o);
              }),
              HasSubstr("not positive"));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(error_of([&] {
                gf::viz::heatmap(gf::full({2, 2}, nan), {}, {}, dir + "/h.png");
              }),
              HasSubstr("heatmap: every value of the 2x2 matrix is NaN or infinite"));
  EXPECT_THAT(error_of([&] {
                gf::viz::plot_training_curves({{1, nan, nan, nan, nan, 0}}, dir + "/c.png");
              }),
              HasSubstr("plot_training_curves: every loss and accuracy of the 1 epochs"));
  EXPECT_FALSE(fs::exists(dir + "/log.png"));
  EXPECT_FALSE(fs::exists(dir + "/h.png"));
  EXPECT_FALSE(fs::exists(dir + "/c.png"));
}

TEST(PlotPictures, CliNothingToDrawExits2) {
  if (!fs::exists(gf::test::kCliBinary)) GTEST_SKIP() << "the gradflow binary is not built";
  const std::string out = gf::test::scratch_dir() + "/log.png";
  const gf::test::CliResult r =
      gf::test::run_cli("plot --functions log --range=-10,-1 --out '" + out + "'");
  const std::string& text = r.output;
  EXPECT_EQ(r.status, 2) << text;
  EXPECT_THAT(text, HasSubstr("every value of 'log' over [-10, -1] is NaN or infinite"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("wrote")));
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
