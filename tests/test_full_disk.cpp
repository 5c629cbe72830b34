// Pictures on a full disk (issue 12, item 2): every picture — Graphviz (render) and PLplot (plots,
// heatmaps, curves) — is drawn in memory and written with io::write_file_atomic. On a full disk
// the library throws gf::Error naming the file and "No space left on device", the CLI exits 2 with
// that message and prints no "wrote …", the previous good file is left byte for byte, and no
// temporary file is left behind. The disk is a small tmpfs the test mounts and unmounts itself;
// where mounting is forbidden (not root, no CAP_SYS_ADMIN) the tests skip and say why. And a
// `plot` or `graph` killed at any moment leaves the previous picture or the new one, never an
// emptied or truncated file.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gradflow/gradflow.hpp>
#include <gradflow/viz/graph.hpp>
#include <gradflow/viz/plot.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_run.hpp"
#include "support/errors.hpp"
#include "support/files.hpp"

namespace fs = std::filesystem;
using gf::test::error_of;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

const std::string& kBinary = gf::test::kCliBinary;

// A tmpfs of `bytes` mounted on a fresh directory; unmounted and removed at the end.
class SmallDisk {
 public:
  explicit SmallDisk(std::size_t bytes) {
    std::string templ = (fs::temp_directory_path() / "gradflow-disk-XXXXXX").string();
    if (!::mkdtemp(templ.data())) {
      problem_ = std::string("mkdtemp failed: ") + std::strerror(errno);
      return;
    }
    dir_ = templ;
    const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      problem_ = std::string("mounting a tmpfs is not allowed here: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    if (!dir_.empty()) ::rmdir(dir_.c_str());
  }
  const std::string& problem() const { return problem_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // Fills the disk with a filler file, then frees `leave` bytes of it: what is left is less
  // than any picture needs, so a write starts and then fails part-way (the truncation case).
  void fill(std::size_t leave) {
    const std::string filler = path("filler");
    std::FILE* f = std::fopen(filler.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::vector<char> block(4096, 'f');
    std::size_t written = 0;
    while (std::fwrite(block.data(), 1, block.size(), f) == block.size()) written += block.size();
    std::fclose(f);
    ASSERT_EQ(::truncate(filler.c_str(), static_cast<off_t>(written > leave ? written - leave : 0)),
              0);
  }
  // Every file in the folder except the filler (no temporary file may be left over).
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().filename() != "filler") names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string dir_, problem_;
  bool mounted_ = false;
};

#define MOUNT_OR_SKIP(disk) \
  if (!(disk).problem().empty()) GTEST_SKIP() << (disk).problem();

std::string read(const std::string& path) { return gf::test::read_bytes(path); }

void write(const std::string& path, const std::string& text) { gf::test::write_bytes(path, text); }

std::string seed001_dot() {
  auto x = gf::scalar_tensor(-2).requires_grad_();
  auto y = gf::scalar_tensor(5).requires_grad_();
  auto z = gf::scalar_tensor(-4).requires_grad_();
  return gf::viz::make_dot({(x + y) * z}, {{"x", x}, {"y", y}, {"z", z}});
}

gf::viz::PlotOptions sigmoid_plot(const std::string& file) {
  gf::viz::PlotOptions o;
  o.file = file;
  return o;
}

void plot_sigmoid(const std::string& file) {
  gf::viz::plot_functions({{"sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }}},
                          sigmoid_plot(file));
}

TEST(FullDisk, RenderKeepsThePreviousPictureAndSaysWhy) {
  SmallDisk disk(256 * 1024);
  MOUNT_OR_SKIP(disk);
  const std::string svg = disk.path("graph.svg"), png = disk.path("graph.png");
  const std::string dot = seed001_dot();
  gf::viz::render(dot, svg);  // room enough: the previous good pictures
  gf::viz::render(dot, png);
  const std::string good_svg = read(svg), good_png = read(png);
  ASSERT_GT(good_svg.size(), 500u);
  ASSERT_EQ(good_png.substr(1, 3), "PNG");

  disk.fill(1024);  // 1 KiB left: less than either picture
  for (const std::string& file : {svg, png}) {
    std::string message = error_of([&] { gf::viz::render(dot, file); });
    EXPECT_THAT(message, HasSubstr("render: "));
    EXPECT_THAT(message, HasSubstr(file));
    EXPECT_THAT(message, HasSubstr("No space left on device"));
  }
  EXPECT_EQ(read(svg), good_svg);
  EXPECT_EQ(read(png), good_png);
  // A new file is not created at all (no 0-byte or truncated picture), and no temporary stays.
  EXPECT_THAT(error_of([&] { gf::viz::render(dot, disk.path("new.svg")); }),
              HasSubstr("No space left on device"));
  EXPECT_EQ(disk.files(), (std::vector<std::string>{"graph.png", "graph.svg"}));
}

TEST(FullDisk, PlotsKeepThePreviousPictureAndSayWhy) {
  SmallDisk disk(512 * 1024);
  MOUNT_OR_SKIP(disk);
  const std::string png = disk.path("functions.png"), svg = disk.path("functions.svg"),
                    heat = disk.path("confusion.png"), curves = disk.path("curves.png"),
                    csv = disk.path("confusion.csv");
  const gf::Tensor counts = gf::tensor({5, 1, 2, 7}, {2, 2}, gf::DType::Int64);
  const std::vector<gf::viz::MetricsRow> rows = {{1, 0.9, 0.6, 1.0, 0.55, 1},
                                                 {2, 0.5, 0.8, 0.6, 0.75, 1}};
  plot_sigmoid(png);
  plot_sigmoid(svg);
  gf::viz::plot_confusion_matrix(counts, {"a", "b"}, heat);
  gf::viz::plot_training_curves(rows, curves);
  gf::viz::write_confusion_csv(counts, {"a", "b"}, csv);
  const std::vector<std::string> names = disk.files();
  std::vector<std::string> good;
  for (const auto& n : names) good.push_back(read(disk.path(n)));
  ASSERT_EQ(good[3].substr(1, 3), "PNG");  // functions.png

  disk.fill(2048);
  auto expect_full = [&](const std::string& message, const char* what, const std::string& file) {
    EXPECT_THAT(message, HasSubstr(what));
    EXPECT_THAT(message, HasSubstr(file));
    EXPECT_THAT(message, HasSubstr("No space left on device"));
  };
  expect_full(error_of([&] { plot_sigmoid(png); }), "plot_functions: ", png);
  expect_full(error_of([&] { plot_sigmoid(svg); }), "plot_functions: ", svg);
  expect_full(error_of([&] {
                gf::viz::plot_with_derivatives(
                    "tanh", [](const gf::Tensor& x) { return gf::tanh(x); }, sigmoid_plot(png));
              }),
              "plot_with_derivatives: ", png);
  expect_full(error_of([&] {
                gf::viz::plot_confusion_matrix(counts, {"a", "b"}, heat);
              }),
              "heatmap: ", heat);
  expect_full(error_of([&] { gf::viz::plot_training_curves(rows, curves); }),
              "plot_training_curves: ", curves);
  disk.fill(0);
  expect_full(error_of([&] {
                gf::viz::write_confusion_csv(counts, {"a", "b"}, csv);
              }),
              "write_confusion_csv: ", csv);
  EXPECT_EQ(disk.files(), names);
  for (std::size_t i = 0; i < names.size(); ++i)
    EXPECT_EQ(read(disk.path(names[i])), good[i]) << names[i];
}

using CliRun = gf::test::CliResult;
CliRun run(const std::string& args) { return gf::test::run_cli(args); }

TEST(FullDisk, CliGraphAndPlotExit2WithTheReasonAndWriteNothing) {
  if (!fs::exists(kBinary)) GTEST_SKIP() << "the gradflow binary is not built (" << kBinary << ")";
  SmallDisk disk(512 * 1024);
  MOUNT_OR_SKIP(disk);
  const std::string svg = disk.path("g.svg"), png = disk.path("f.png"), json = disk.path("g.json");
  const std::string graph = "graph --expr '(x+y)*z' --out '" + svg + "' --json '" + json + "'";
  const std::string plot = "plot --functions sigmoid,tanh --out '" + png + "'";
  CliRun ok = run(graph);
  ASSERT_EQ(ok.status, 0) << ok.output;
  ok = run(plot);
  ASSERT_EQ(ok.status, 0) << ok.output;
  const std::string good_svg = read(svg), good_png = read(png), good_json = read(json);

  disk.fill(1024);
  for (const std::string& args : {graph, plot, "graph --model softmax --out '" + svg + "'",
                                  "plot --functions relu --derivatives --out '" + png + "'"}) {
    CliRun r = run(args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr("No space left on device")) << args;
    EXPECT_THAT(r.output, Not(HasSubstr("wrote "))) << args;
  }
  // --json on the full disk, the picture elsewhere: the picture is written, the JSON is not.
  const std::string elsewhere = gf::test::scratch_dir() + "/g.svg";
  CliRun r = run("graph --expr '(x+y)*z' --out '" + elsewhere + "' --json '" + json + "'");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr(json));
  EXPECT_THAT(r.output, HasSubstr("No space left on device"));
  EXPECT_THAT(r.output, Not(HasSubstr("wrote " + json)));
  EXPECT_EQ(read(svg), good_svg);
  EXPECT_EQ(read(png), good_png);
  EXPECT_EQ(read(json), good_json);
  for (const std::string& name : disk.files())
    EXPECT_TRUE(name == "g.svg" || name == "f.png" || name == "g.json") << name;
}

TEST(FullDisk, TrainSavesTheRunAndSaysWhichPictureDidNotFit) {
  if (!fs::exists(kBinary)) GTEST_SKIP() << "the gradflow binary is not built (" << kBinary << ")";
  // 64 KiB: the checkpoints, metrics and confusion.csv of a tiny run (~36 KiB in 4 KiB pages,
  // with the temporary of an atomic replace) fit; the two pictures (~35 and ~44 KiB) do not both.
  SmallDisk disk(64 * 1024);
  MOUNT_OR_SKIP(disk);
  const std::string run_dir = disk.path("run");
  CliRun r =
      run("train --data synthetic --epochs 1 --hidden 8 --threads 1 --out '" + run_dir + "'");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("plots not drawn: "));
  EXPECT_THAT(r.output, HasSubstr("No space left on device"));
  EXPECT_THAT(r.output, Not(HasSubstr("plots: ")));
  EXPECT_GT(fs::file_size(run_dir + "/last.safetensors"), 0u);
  EXPECT_GT(fs::file_size(run_dir + "/metrics.csv"), 0u);
  // A picture that is there is complete: it ends with PNG's IEND chunk.
  for (const char* name : {"curves.png", "confusion.png"}) {
    const std::string path = run_dir + "/" + name;
    if (!fs::exists(path)) continue;
    const std::string png = read(path);
    ASSERT_GE(png.size(), 12u) << name;
    EXPECT_EQ(png.substr(png.size() - 8, 4), "IEND") << name;
  }
  for (const auto& e : fs::directory_iterator(run_dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

// A picture is either the previous file or a complete new one: PNG ends with its IEND chunk,
// SVG with </svg>.
bool complete_picture(const std::string& bytes) {
  if (bytes.size() > 12 && bytes.substr(1, 3) == "PNG")
    return bytes.substr(bytes.size() - 8, 4) == "IEND";
  return bytes.find("</svg>") != std::string::npos;
}

TEST(InterruptedPicture, SigkillLeavesThePreviousOrTheNewPicture) {
  if (!fs::exists(kBinary)) GTEST_SKIP() << "the gradflow binary is not built (" << kBinary << ")";
  const std::string dir = gf::test::scratch_dir();
  const std::string png = dir + "/f.png", svg = dir + "/g.svg";
  ASSERT_EQ(run("plot --functions relu --out '" + png + "'").status, 0);
  ASSERT_EQ(run("graph --model mlp --hidden 64,32 --out '" + svg + "'").status, 0);
  const std::string old_png = read(png), old_svg = read(svg);
  // Slow enough (millions of points, a model graph) to be killed part-way at some delay.
  const std::vector<std::vector<std::string>> commands = {
      {"plot", "--functions", "sigmoid,tanh", "--points", "3000000", "--out", png},
      {"graph", "--model", "mlp", "--hidden", "512,256,128", "--show-saved", "--out", svg}};
  for (const auto& args : commands)
    for (int delay_ms : {150, 500, 1000}) {
      gf::test::CliChild child = gf::test::spawn_cli(args, dir + "/log.txt");
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      ::kill(child.pid, SIGKILL);
      gf::test::wait_for(child);
      const std::string& target = args[0] == "plot" ? png : svg;
      const std::string now = read(target);
      EXPECT_TRUE(now == (args[0] == "plot" ? old_png : old_svg) || complete_picture(now))
          << args[0] << " killed after " << delay_ms << " ms left " << now.size() << " bytes";
    }
}

}  // namespace
