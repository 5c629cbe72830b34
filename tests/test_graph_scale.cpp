// `graph --expr` at scale (issue 12, item 3): parsing and graph building are linear (10,000
// terms in well under a second, memory bounded), a graph too big for a picture is refused with
// a message naming its size and the way out (DOT text) instead of running Graphviz for minutes
// and gigabytes, and --expr-file reads formulas longer than a command line can hold.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <gradflow/gradflow.hpp>
#include <gradflow/viz/expr.hpp>
#include <gradflow/viz/graph.hpp>
#include <string>

#include "support/cli_run.hpp"
#include "support/errors.hpp"
#include "support/files.hpp"

namespace fs = std::filesystem;
using gf::test::error_of;
using ::testing::HasSubstr;

namespace {

const std::string& kBinary = gf::test::kCliBinary;

// "x*y+x*y+...": every term uses the same two leaves, so dot would thread n² virtual nodes
// through the layout — the shape that took 35 s at 100 terms and 22 GB at 10,000.
std::string shared_sum(int terms) {
  std::string s;
  for (int i = 0; i < terms; ++i) s += i ? "+x*y" : "x*y";
  return s;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

TEST(GraphScale, TenThousandTermsParseAndBuildInLinearTime) {
  const auto t0 = std::chrono::steady_clock::now();
  auto e = gf::viz::parse_expression(shared_sum(10000), {{"x", 3}, {"y", -2}}, gf::DType::Float64);
  EXPECT_EQ(e.result.item(), 10000 * 3 * -2);
  ASSERT_EQ(e.variables.size(), 2u);
  e.result.backward({}, true);
  EXPECT_EQ(e.variables[0].second.grad().item(), 10000 * -2);  // dL/dx = Σ y
  EXPECT_EQ(e.variables[1].second.grad().item(), 10000 * 3);   // dL/dy = Σ x
  const std::string dot = gf::viz::make_dot({e.result}, e.variables);
  EXPECT_EQ(count(dot, "MulBackward0"), 10000u);
  EXPECT_EQ(count(dot, "AddBackward0"), 9999u);
  EXPECT_EQ(count(dot, " -> "), 10000u * 2 + 9999u * 2);
  // 20,000 distinct variables: a hash lookup each, not a scan of the ones seen so far.
  std::string distinct;
  std::map<std::string, double> values;
  for (int i = 0; i < 10000; ++i) {
    distinct += (i ? "+a" : "a") + std::to_string(i) + "*b" + std::to_string(i);
    values["a" + std::to_string(i)] = i;
    values["b" + std::to_string(i)] = 2;
  }
  auto d = gf::viz::parse_expression(distinct, values, gf::DType::Float64);
  EXPECT_EQ(d.variables.size(), 20000u);
  EXPECT_EQ(d.result.item(), 2.0 * (9999.0 * 10000 / 2));  // Σ 2i
  // Release does all of this in ~0.1 s; the bound only catches a quadratic relapse (ASan ~10×).
  EXPECT_LT(seconds_since(t0), 20.0);
}

TEST(GraphScale, RenderRefusesWhatAPictureCannotShow) {
  const fs::path dir = gf::test::scratch_dir();
  auto small = gf::viz::parse_expression(shared_sum(20), {{"x", 1}, {"y", 1}});
  gf::viz::render(gf::viz::make_dot({small.result}, small.variables), (dir / "ok.svg").string());
  EXPECT_TRUE(fs::exists(dir / "ok.svg"));

  // 100 shared terms: only 201 boxes, but ~10,000 points (x and y reach across every rank).
  auto e = gf::viz::parse_expression(shared_sum(100), {{"x", 1}, {"y", 1}});
  const std::string dot = gf::viz::make_dot({e.result}, e.variables);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string message = error_of([&] { gf::viz::render(dot, (dir / "big.svg").string()); });
  EXPECT_THAT(message, HasSubstr("render: cannot draw '" + (dir / "big.svg").string() + "'"));
  EXPECT_THAT(message, HasSubstr("201 boxes"));
  EXPECT_THAT(message, HasSubstr("a .dot file"));
  EXPECT_LT(seconds_since(t0), 5.0);  // refused before the layout, not after 15 s of it
  EXPECT_FALSE(fs::exists(dir / "big.svg"));
  gf::viz::render(dot, (dir / "big.dot").string());  // the text is always available
  EXPECT_EQ(gf::test::read_bytes((dir / "big.dot").string()), dot);

  // Expression errors quote the neighbourhood of the problem, not 40 KB of formula.
  const std::string bad = shared_sum(10000) + "+)";
  const std::string err = error_of([&] { gf::viz::parse_expression(bad, {{"x", 1}, {"y", 1}}); });
  EXPECT_THAT(err, HasSubstr("at position 40001"));
  EXPECT_LT(err.size(), 200u);
}

struct Measured {
  int status = -1;
  std::string output;
  double seconds = 0;
  long max_rss_kb = 0;
};

// Runs the real binary (output to `log`), with its exit status, time and peak memory (wait4).
Measured run_measured(const std::vector<std::string>& args, const fs::path& log) {
  Measured m;
  const auto t0 = std::chrono::steady_clock::now();
  gf::test::CliChild child = gf::test::spawn_cli(args, log);
  int status = 0;
  struct rusage usage {};
  ::wait4(child.pid, &status, 0, &usage);
  m.seconds = seconds_since(t0);
  m.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  m.max_rss_kb = usage.ru_maxrss;
  m.output = gf::test::read_bytes(log.string());
  return m;
}

TEST(GraphScale, CliExprFileWithTenThousandTerms) {
  if (!fs::exists(kBinary)) GTEST_SKIP() << "the gradflow binary is not built (" << kBinary << ")";
  const fs::path dir = gf::test::scratch_dir();
  const std::string formula = (dir / "sum.txt").string();
  gf::test::write_bytes(formula, shared_sum(10000) + "\n");  // 39,999 characters

  Measured dot = run_measured({"graph", "--expr-file", formula, "--values", "x=3,y=-2", "--out",
                               (dir / "sum.dot").string()},
                              dir / "run.log");
  EXPECT_EQ(dot.status, 0) << dot.output;
  EXPECT_THAT(dot.output, HasSubstr("x*y+x*y"));
  EXPECT_THAT(dot.output, HasSubstr("(39999 characters) = -60000"));
  EXPECT_THAT(dot.output, HasSubstr("dL/dx = -20000"));
  EXPECT_EQ(count(gf::test::read_bytes((dir / "sum.dot").string()), "MulBackward0"), 10000u);
  EXPECT_LT(dot.seconds, 20.0);
  EXPECT_LT(dot.max_rss_kb, 512 * 1024) << "peak memory " << dot.max_rss_kb << " KB";

  Measured svg = run_measured(
      {"graph", "--expr-file", formula, "--out", (dir / "sum.svg").string()}, dir / "run.log");
  EXPECT_EQ(svg.status, 2) << svg.output;
  EXPECT_THAT(svg.output, HasSubstr("cannot draw"));  // 60,003 DOT lines: refused unparsed
  EXPECT_THAT(svg.output, HasSubstr("a .dot file"));
  EXPECT_THAT(svg.output, ::testing::Not(HasSubstr("wrote")));
  EXPECT_LT(svg.seconds, 20.0);
  EXPECT_LT(svg.max_rss_kb, 512 * 1024) << "peak memory " << svg.max_rss_kb << " KB";
  EXPECT_FALSE(fs::exists(dir / "sum.svg"));

  Measured both = run_measured({"graph", "--expr", "x", "--expr-file", formula}, dir / "run.log");
  EXPECT_EQ(both.status, 2) << both.output;
  Measured missing =
      run_measured({"graph", "--expr-file", (dir / "none.txt").string()}, dir / "run.log");
  EXPECT_EQ(missing.status, 2) << missing.output;
  EXPECT_THAT(missing.output, HasSubstr("--expr-file: "));
  EXPECT_THAT(missing.output, HasSubstr("none.txt"));
}

}  // namespace
