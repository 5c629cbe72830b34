// viz: make_dot structure (torchviz's drawing of seed 001 and of a small MLP), rendered SVG/PNG
// validity, PLplot pictures of the requested size, TraceGuard output, the formula parser, CSV
// readers, and the errors for bad paths and formats.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gradflow/gradflow.hpp>
#include <gradflow/viz/expr.hpp>
#include <gradflow/viz/graph.hpp>
#include <gradflow/viz/plot.hpp>
#include <gradflow/viz/trace.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "support/errors.hpp"
#include <sstream>

using namespace gf;
using gf::test::error_of;
namespace fs = std::filesystem;

namespace {

// A scratch folder per test process.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("gradflow_test_viz_" + std::to_string(getpid()));
  ScratchDir() { fs::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};
fs::path scratch(const std::string& name) {
  static const ScratchDir dir;
  return dir.path / name;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A DOT graph as make_dot prints it: id -> (label, attributes), edges as label pairs.
struct Dot {
  std::map<std::string, std::string> label, attrs;
  std::vector<std::pair<std::string, std::string>> edges;  // (from label, to label)
  int undirected = 0;
  int count_label(const std::string& l) const {
    int n = 0;
    for (const auto& [id, lab] : label) n += lab == l;
    return n;
  }
  bool has_edge(const std::string& from, const std::string& to) const {
    return std::count(edges.begin(), edges.end(), std::make_pair(from, to)) > 0;
  }
  int count_edge(const std::string& from, const std::string& to) const {
    return static_cast<int>(std::count(edges.begin(), edges.end(), std::make_pair(from, to)));
  }
  std::string attrs_of(const std::string& l) const {
    for (const auto& [id, lab] : label)
      if (lab == l) return attrs.at(id);
    return "";
  }
};

Dot parse_dot(const std::string& text) {
  Dot d;
  std::regex node(R"re(^\t(\d+) \[label="((?:[^"\\]|\\.)*)"(.*)\]$)re");
  std::regex edge(R"re(^\t(\d+) -> (\d+)( \[dir=none\])?$)re");
  std::istringstream in(text);
  std::string line;
  std::vector<std::tuple<std::string, std::string, bool>> raw;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, node)) {
      d.label[m[1]] = m[2];
      d.attrs[m[1]] = m[3];
    } else if (std::regex_match(line, m, edge)) {
      raw.emplace_back(m[1], m[2], m[3].matched);
    }
  }
  for (const auto& [a, b, und] : raw) {
    if (und) ++d.undirected;
    d.edges.emplace_back(d.label.at(a), d.label.at(b));
  }
  return d;
}

// PNG: signature and IHDR width/height.
bool png_size(const fs::path& p, uint32_t& w, uint32_t& h) {
  const std::string s = read_all(p);
  if (s.size() < 33 || s.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || s.compare(12, 4, "IHDR") != 0)
    return false;
  auto be = [&](std::size_t o) {
    return (uint32_t(uint8_t(s[o])) << 24) | (uint32_t(uint8_t(s[o + 1])) << 16) |
           (uint32_t(uint8_t(s[o + 2])) << 8) | uint32_t(uint8_t(s[o + 3]));
  };
  w = be(16);
  h = be(20);
  return true;
}

// Minimal XML well-formedness: every start tag closed in order; comments, <?...?>, <!...>
// and self-closing tags skipped. Returns the root element's name ("" when malformed).
std::string xml_root(const std::string& s) {
  std::vector<std::string> stack;
  std::string root;
  std::size_t i = 0;
  while ((i = s.find('<', i)) != std::string::npos) {
    if (s.compare(i, 4, "<!--") == 0) {
      i = s.find("-->", i);
      if (i == std::string::npos) return "";
      continue;
    }
    std::size_t end = s.find('>', i);
    if (end == std::string::npos) return "";
    std::string tag = s.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    if (tag[0] == '/') {
      std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name) return "";
      stack.pop_back();
      continue;
    }
    std::string name = tag.substr(0, tag.find_first_of(" \t\n/"));
    if (root.empty()) root = name;
    if (tag.back() != '/') stack.push_back(name);
  }
  return stack.empty() ? root : "";
}

int count_of(const std::string& s, const std::string& what) {
  int n = 0;
  for (std::size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + 1)) ++n;
  return n;
}

struct Seed001 {
  Tensor x = scalar_tensor(-2).requires_grad_();
  Tensor y = scalar_tensor(5).requires_grad_();
  Tensor z = scalar_tensor(-4).requires_grad_();
  Tensor L = (x + y) * z;
  viz::NamedTensors names() const { return {{"x", x}, {"y", y}, {"z", z}}; }
};

}  // namespace

TEST(VizDot, Seed001GraphAsTorchvizDrawsIt) {
  Seed001 s;
  Dot d = parse_dot(viz::make_dot({s.L}, s.names()));
  EXPECT_EQ(d.label.size(), 5u);  // MulBackward0, AddBackward0, x, y, z
  EXPECT_EQ(d.edges.size(), 4u);
  EXPECT_EQ(d.count_label("MulBackward0"), 1);
  EXPECT_EQ(d.count_label("AddBackward0"), 1);
  // Edges point from the next function to the one that used it: dot.edge(id(u[0]), id(fn)).
  EXPECT_TRUE(d.has_edge("AddBackward0", "MulBackward0"));
  EXPECT_TRUE(d.has_edge("x\\n ()", "AddBackward0"));
  EXPECT_TRUE(d.has_edge("y\\n ()", "AddBackward0"));
  EXPECT_TRUE(d.has_edge("z\\n ()", "MulBackward0"));
  EXPECT_NE(d.attrs_of("MulBackward0").find("darkolivegreen1"), std::string::npos);
  EXPECT_NE(d.attrs_of("x\\n ()").find("lightblue"), std::string::npos);
  EXPECT_EQ(d.attrs_of("AddBackward0").find("fillcolor"), std::string::npos);
  EXPECT_EQ(d.undirected, 0);
}

TEST(VizDot, SavedTensorsAreOrangeAndGoneAfterBackward) {
  Seed001 s;
  viz::DotOptions o;
  o.show_saved = true;
  Dot d = parse_dot(viz::make_dot({s.L}, s.names(), o));
  // MulBackward0 saved self = x + y and other = z, both 0-d.
  EXPECT_EQ(d.label.size(), 7u);
  EXPECT_EQ(d.undirected, 2);
  EXPECT_TRUE(d.has_edge("MulBackward0", "self\\n ()"));
  EXPECT_TRUE(d.has_edge("MulBackward0", "other\\n ()"));
  EXPECT_NE(d.attrs_of("self\\n ()").find("orange"), std::string::npos);
  s.L.backward();  // frees them
  EXPECT_EQ(parse_dot(viz::make_dot({s.L}, s.names(), o)).label.size(), 5u);
}

TEST(VizDot, LeafUsedTwiceIsOneBoxWithAnEdgePerUse) {
  Tensor x = scalar_tensor(3).requires_grad_();
  Tensor y = x * x + x;
  Dot d = parse_dot(viz::make_dot({y}, {{"x", x}}));
  EXPECT_EQ(d.label.size(), 3u);  // AddBackward0, MulBackward0, x
  EXPECT_EQ(d.count_label("x\\n ()"), 1);
  EXPECT_EQ(d.count_edge("x\\n ()", "MulBackward0"), 2);
  EXPECT_EQ(d.count_edge("x\\n ()", "AddBackward0"), 1);
  EXPECT_EQ(d.count_edge("MulBackward0", "AddBackward0"), 1);
  EXPECT_EQ(d.edges.size(), 4u);
}

TEST(VizDot, UnnamedLeavesShowTheirShapeAndImplNamesAreUsed) {
  Tensor w = randn({3, 5}).requires_grad_();
  Tensor b = randn({3}).requires_grad_();
  b.impl().name = "bias";
  Dot d = parse_dot(viz::make_dot({(w * 2.0).sum() + b.sum()}));
  EXPECT_EQ(d.count_label("(3, 5)"), 1);
  EXPECT_EQ(d.count_label("bias\\n (3)"), 1);
}

TEST(VizDot, LinearReluLinearCrossEntropy) {
  manual_seed(0);
  nn::Sequential model(nn::Linear(5, 4), nn::ReLU(), nn::Linear(4, 3));
  Tensor x = randn({2, 5});
  Tensor target = tensor({0, 2}, DType::Int64);
  Tensor loss = nn::functional::cross_entropy(model.forward(x), target);
  Dot d = parse_dot(viz::make_dot({loss}, model.named_parameters()));
  EXPECT_EQ(d.count_label(loss.grad_fn_name()), 1);
  EXPECT_NE(d.attrs_of(loss.grad_fn_name()).find("darkolivegreen1"), std::string::npos);
  EXPECT_EQ(d.count_label("AddmmBackward0"), 2);
  EXPECT_EQ(d.count_label("ReluBackward0"), 1);
  EXPECT_EQ(d.count_label("0.weight\\n (4, 5)"), 1);
  EXPECT_EQ(d.count_label("0.bias\\n (4)"), 1);
  EXPECT_EQ(d.count_label("2.weight\\n (3, 4)"), 1);
  EXPECT_EQ(d.count_label("2.bias\\n (3)"), 1);
  EXPECT_TRUE(d.has_edge("0.bias\\n (4)", "AddmmBackward0"));
  EXPECT_TRUE(d.has_edge("AddmmBackward0", "ReluBackward0"));
  EXPECT_TRUE(d.has_edge("ReluBackward0", "AddmmBackward0"));
  EXPECT_TRUE(d.has_edge("AddmmBackward0", loss.grad_fn_name()));
  // x needs no gradient: nothing is drawn for it.
  EXPECT_EQ(d.count_label("(2, 5)"), 0);
}

TEST(VizDot, JsonHasNodesEdgesValuesAndGrads) {
  Seed001 s;
  s.L.backward({}, true);
  auto j = nlohmann::json::parse(viz::make_dot_json({s.L}, s.names()));
  ASSERT_EQ(j["nodes"].size(), 5u);
  ASSERT_EQ(j["edges"].size(), 4u);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& n : j["nodes"]) by_name[n["name"]] = n;
  EXPECT_EQ(by_name["MulBackward0"]["output"], true);
  EXPECT_EQ(by_name["MulBackward0"]["value"][0], -12.0);
  EXPECT_EQ(by_name["x"]["kind"], "leaf");
  EXPECT_EQ(by_name["x"]["value"][0], -2.0);
  EXPECT_EQ(by_name["x"]["grad"][0], -4.0);
  EXPECT_EQ(by_name["z"]["grad"][0], 3.0);
  EXPECT_TRUE(by_name["x"]["shape"].empty());
}

TEST(VizRender, SvgIsXmlWithOneGroupPerNode) {
  Seed001 s;
  fs::path out = scratch("seed001.svg");
  viz::render(viz::make_dot({s.L}, s.names()), out.string());
  std::string svg = read_all(out);
  EXPECT_EQ(xml_root(svg), "svg");
  EXPECT_EQ(count_of(svg, "class=\"node\""), 5);
  EXPECT_EQ(count_of(svg, "class=\"edge\""), 4);
  EXPECT_NE(svg.find("MulBackward0"), std::string::npos);
}

TEST(VizRender, PngHasSignatureAndSize) {
  Seed001 s;
  fs::path out = scratch("seed001.png");
  viz::render(viz::make_dot({s.L}, s.names()), out.string());
  uint32_t w = 0, h = 0;
  ASSERT_TRUE(png_size(out, w, h));
  EXPECT_GT(w, 100u);
  EXPECT_GT(h, 150u);  // three ranks of boxes
}

TEST(VizRender, ErrorsNameThePathAndTheProblem) {
  const std::string dot = "digraph { a -> b }";
  EXPECT_NE(error_of([&] {
              viz::render(dot, "/nonexistent-dir/graph.svg");
            }).find("render: cannot write '/nonexistent-dir/graph.svg'"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              viz::render(dot, scratch("g.xyz").string());
            }).find("cannot tell the image format"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              viz::render("digraph { a -> ", scratch("bad.svg").string());
            }).find("could not parse"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(scratch("bad.svg")));
  viz::render(dot, scratch("g.dot").string());
  EXPECT_EQ(read_all(scratch("g.dot")), dot);
}

TEST(VizPlot, FunctionsPngHasTheRequestedSize) {
  viz::PlotOptions o;
  o.width = 640;
  o.height = 480;
  o.file = scratch("functions.png").string();
  viz::plot_functions({{"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
                       {"tanh", [](double x) { return std::tanh(x); }}},
                      o);
  uint32_t w = 0, h = 0;
  ASSERT_TRUE(png_size(o.file, w, h));
  EXPECT_EQ(w, 640u);
  EXPECT_EQ(h, 480u);
  EXPECT_GT(fs::file_size(o.file), 5000u);  // lines, text and legend, not an empty page
}

TEST(VizPlot, LogScaleDerivativesAndSvg) {
  viz::PlotOptions o;
  o.log_y = true;
  o.file = scratch("exp.svg").string();
  viz::plot_functions({{"exp", [](double x) { return std::exp(x); }}}, o);
  EXPECT_EQ(xml_root(read_all(o.file)), "svg");
  o.log_y = false;
  o.width = 1000;
  o.height = 400;
  o.file = scratch("sigmoid_derivatives.png").string();
  viz::plot_with_derivatives(
      "sigmoid", [](const Tensor& x) { return sigmoid(x); }, o);
  uint32_t w = 0, h = 0;
  ASSERT_TRUE(png_size(o.file, w, h));
  EXPECT_EQ(w, 1000u);
  EXPECT_EQ(h, 400u);
}

TEST(VizPlot, ErrorsNameThePlotAndTheProblem) {
  viz::PlotOptions o;
  o.file = "/nonexistent-dir/f.png";
  auto sig = viz::Function1D("s", [](double x) { return x; });
  EXPECT_NE(error_of([&] {
              viz::plot_functions({sig}, o);
            }).find("plot_functions: cannot write '/nonexistent-dir/f.png'"),
            std::string::npos);
  o.file = scratch("f.jpg").string();
  EXPECT_NE(error_of([&] { viz::plot_functions({sig}, o); }).find("use .png or .svg"),
            std::string::npos);
  o.file = scratch("f.png").string();
  o.start = 3;
  o.end = 3;
  EXPECT_NE(error_of([&] { viz::plot_functions({sig}, o); }).find("range [3, 3] is empty"),
            std::string::npos);
}

TEST(VizPlot, HeatmapConfusionAndCurves) {
  Tensor J = tensor({0.02628707, -0.00441574, -0.02187133, -0.00441574, 0.13672956, -0.13231381,
                     -0.02187133, -0.13231381, 0.15418514},
                    {3, 3}, DType::Float64);
  viz::heatmap(J, {"s1", "s2", "s3"}, {"x1", "x2", "x3"}, scratch("jacobian.png").string());
  uint32_t w = 0, h = 0;
  ASSERT_TRUE(png_size(scratch("jacobian.png"), w, h));
  EXPECT_EQ(w, 800u);
  EXPECT_EQ(h, 700u);
  EXPECT_NE(error_of([&] {
              viz::heatmap(J, {"a"}, {}, scratch("j.png").string());
            }).find("1 row labels for 3 rows"),
            std::string::npos);

  Tensor counts = tensor({5, 1, 0, 2, 7, 1, 0, 0, 9}, {3, 3}, DType::Int64);
  viz::write_confusion_csv(counts, {"cat", "dog", "bird"}, scratch("confusion.csv").string());
  viz::ConfusionMatrix m = viz::read_confusion_csv(scratch("confusion.csv").string());
  EXPECT_EQ(m.class_names, (std::vector<std::string>{"cat", "dog", "bird"}));
  EXPECT_EQ(m.counts.tolist(), counts.tolist());
  viz::plot_confusion_matrix(m.counts, m.class_names, scratch("confusion.png").string());
  ASSERT_TRUE(png_size(scratch("confusion.png"), w, h));
  EXPECT_EQ(w, 900u);

  std::ofstream(scratch("metrics.csv"))
      << "epoch,train_loss,train_acc,valid_loss,valid_acc,seconds\n"
      << "1,1.2,0.6,1.3,0.55,2.0\n2,0.8,0.75,0.9,0.7,2.1\n";
  auto rows = viz::read_metrics_csv(scratch("metrics.csv").string());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].epoch, 2);
  EXPECT_DOUBLE_EQ(rows[1].valid_acc, 0.7);
  EXPECT_DOUBLE_EQ(rows[0].train_loss, 1.2);
  viz::plot_training_curves(rows, scratch("curves.png").string());
  ASSERT_TRUE(png_size(scratch("curves.png"), w, h));
  EXPECT_EQ(w, 1200u);
  EXPECT_EQ(h, 500u);

  std::ofstream(scratch("bad.csv")) << "epoch,train_loss\n1,abc\n";
  EXPECT_NE(error_of([&] {
              viz::read_metrics_csv(scratch("bad.csv").string());
            }).find("line 2: 'abc' is not a number"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] { viz::read_metrics_csv(scratch("missing.csv").string()); }).find("cannot open"),
      std::string::npos);
}

TEST(VizTrace, PrintsEachNodeInExecutionOrderWithLocalGradients) {
  Seed001 s;
  std::ostringstream out;
  {
    autograd::TraceGuard guard(out, s.names());
    s.L.backward();
    EXPECT_EQ(guard.steps(), 5);  // Mul, Add and three AccumulateGrad
  }
  const std::string t = out.str();
  const auto mul = t.find("[1] MulBackward0  receives 1"),
             add = t.find("AddBackward0  receives -4");
  ASSERT_NE(mul, std::string::npos) << t;
  ASSERT_NE(add, std::string::npos) << t;
  EXPECT_LT(mul, add);
  EXPECT_NE(t.find("-> z"), std::string::npos);
  EXPECT_NE(t.find("= local 3 × 1"), std::string::npos);   // dL/dz = (x + y) · 1
  EXPECT_NE(t.find("= local 1 × -4"), std::string::npos);  // dL/dx = 1 · z
  EXPECT_NE(t.find("AccumulateGrad (x)  receives -4"), std::string::npos);
  EXPECT_EQ(autograd::trace_hook(), nullptr);  // restored
  Tensor a = scalar_tensor(2).requires_grad_();
  (a * a).backward();
  EXPECT_EQ(out.str(), t);  // the guard is gone: nothing more printed
}

TEST(VizExpr, ParsesEvaluatesAndReportsErrors) {
  auto e = viz::parse_expression("(x+y)*z", viz::parse_values("x=-2,y=5,z=-4"));
  EXPECT_EQ(e.result.item(), -12);
  ASSERT_EQ(e.variables.size(), 3u);
  EXPECT_EQ(e.variables[0].first, "x");
  e.result.backward();
  EXPECT_EQ(e.variables[0].second.grad().item(), -4);
  EXPECT_EQ(e.variables[2].second.grad().item(), 3);

  auto f = viz::parse_expression("-a / 2 + sigmoid(a) * exp(0)", {{"a", 0.0}});
  EXPECT_DOUBLE_EQ(f.result.item(), 0.5);
  Dot d = parse_dot(viz::make_dot({f.result}, f.variables));
  EXPECT_EQ(d.count_label("SigmoidBackward0"), 1);
  EXPECT_EQ(d.count_label("a\\n ()"), 1);

  EXPECT_NE(error_of([] {
              viz::parse_expression("(x+1", {{"x", 1}});
            }).find("missing ')'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              viz::parse_expression("foo(x)", {{"x", 1}});
            }).find("unknown function 'foo'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              viz::parse_expression("x*w", {{"x", 1}});
            }).find("variable 'w' has no value"),
            std::string::npos);
  EXPECT_NE(error_of([] { viz::parse_values("x=abc"); }).find("'abc' (for x) is not a number"),
            std::string::npos);
}
