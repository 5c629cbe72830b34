// What a new user hit (issue 12), run through the real binary: inputs that silently did the wrong
// thing (graph --values with spaces or unknown names, a stray IDX label of 255, empty CSV
// classes, --valid-fraction 0), output problems that gave raw std::filesystem text or bad_alloc,
// and the smaller messages (unknown subcommands, unreadable range errors, --seed -1, flags that do
// not apply, "1 epochs", non-UTF-8 data paths, which accuracy is whose, predict's class names).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <numeric>
#include <sstream>

#include "support/cli_run.hpp"

namespace fs = std::filesystem;
using namespace gf::test;

namespace {

class CliInput : public CliTest {
 protected:
  std::string out(const std::string& name) const {
    return "--out '" + (dir_ / name).string() + "'";
  }
  // 90 rows of 4 features; label = f(row) in the last column (or as given).
  fs::path csv(const std::string& name, const std::vector<std::string>& labels,
               char delimiter = ',', bool label_first = false) const {
    fs::path p = dir_ / name;
    std::ofstream f(p);
    for (int i = 0; i < 90; ++i) {
      const std::string& l = labels[i % labels.size()];
      std::ostringstream row;
      const int k = static_cast<int>(i % labels.size());
      row << k + 0.1 * (i % 7) << delimiter << -k << delimiter << 0.5 * (i % 5) << delimiter << 1;
      f << (label_first ? l + delimiter + row.str() : row.str() + delimiter + l) << "\n";
    }
    return p;
  }
  static std::string quick() { return " --epochs 1 --threads 1 --no-plots "; }
};

// Writes an IDX file: u8 data with the given dims.
void write_idx(const fs::path& p, const std::vector<uint32_t>& dims,
               const std::vector<unsigned char>& data) {
  std::string bytes{'\0', '\0', '\x08', static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) bytes += static_cast<char>((d >> s) & 0xff);
  bytes.append(data.begin(), data.end());
  write_bytes(p.string(), bytes);
}

TEST_F(CliInput, GraphValuesTrimSpacesAndRefuseUnknownNames) {
  const std::string dot = "--out '" + (dir_ / "g.dot").string() + "'";
  CliResult r = run_cli("graph --expr 'x*y' --values 'x=-2, y=3' " + dot);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("x*y = -6"), std::string::npos) << r.output;  // not -10 (y=5)
  r = run_cli("graph --expr 'x*y' --values 'x=1, w=2' " + dot);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--values: 'w' is not a variable"), std::string::npos) << r.output;
  r = run_cli("graph --expr 'x*y' --hidden 3 " + dot);  // a --model flag with --expr
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--expr excludes --hidden"), std::string::npos) << r.output;
}

TEST_F(CliInput, IdxLabelOutOfRangeIsRefusedNamingFileItemAndLabel) {
  fs::path idx = dir_ / "idx";
  fs::create_directories(idx);
  for (const char* prefix : {"train", "t10k"}) {
    std::vector<unsigned char> labels(30);
    for (int i = 0; i < 30; ++i) labels[i] = static_cast<unsigned char>(i % 10);
    if (std::string(prefix) == "train") labels[17] = 255;
    write_idx(idx / (std::string(prefix) + "-images-idx3-ubyte"), {30, 2, 2},
              std::vector<unsigned char>(120, 7));
    write_idx(idx / (std::string(prefix) + "-labels-idx1-ubyte"), {30}, labels);
  }
  CliResult r = run_cli("train --data idx:" + idx.string() + quick() + out("run"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find((idx / "train-labels-idx1-ubyte").string() + ": label 255 at item 17"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("classes 0..9 have samples"), std::string::npos) << r.output;
}

TEST_F(CliInput, CsvClassWithoutSamplesIsWarnedAbout) {
  fs::path p = csv("gap.csv", {"0", "1", "3"});
  CliResult r =
      run_cli("train --data csv:" + p.string() + " --model softmax" + quick() + out("run"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("warning: " + p.string() + ": no samples of class 2"), std::string::npos)
      << r.output;
}

TEST_F(CliInput, ValidFractionZeroTrainsOnAllTheData) {
  CliResult r =
      run_cli("train --data synthetic --hidden 16 --valid-fraction 0" + quick() + out("run"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("train 9,600, valid 0, test 2,400"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(no validation set)"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(dir_ / "run" / "last.safetensors"));
  EXPECT_FALSE(fs::exists(dir_ / "run" / "best.safetensors"));
}

TEST_F(CliInput, OutputProblemsNameTheFlag) {
  std::ofstream(dir_ / "a_file") << "x";
  CliResult r = run_cli("train --data synthetic" + quick() + out("a_file"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--out " + (dir_ / "a_file").string() + ": is a file"), std::string::npos)
      << r.output;
  r = run_cli("train --data synthetic" + quick() + out(std::string(300, 'n')));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("cannot create the folder: File name too long"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("filesystem error"), std::string::npos) << r.output;
  if (geteuid() != 0) {  // root writes anywhere
    fs::create_directories(dir_ / "locked");
    chmod((dir_ / "locked").c_str(), 0500);
    r = run_cli("train --data synthetic" + quick() + out("locked/run"));
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("--out"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Permission denied"), std::string::npos) << r.output;
    chmod((dir_ / "locked").c_str(), 0700);
  }
  r = run_cli("train --data synthetic --hidden 1048576,1048576" + quick() + out("huge"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("parameters"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("bad_alloc"), std::string::npos) << r.output;
}

TEST_F(CliInput, CsvCheckpointOnOtherDataNamesTheMismatch) {
  fs::path p = csv("four.csv", {"0", "1", "2"});
  ASSERT_EQ(
      run_cli("train --data csv:" + p.string() + " --model softmax" + quick() + out("csv")).status,
      0);
  CliResult r = run_cli("eval --checkpoint '" + (dir_ / "csv" / "last.safetensors").string() +
                        "' --data synthetic");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("synthetic has 20 features per sample but"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("expects 4"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Standardizer"), std::string::npos) << r.output;
}

TEST_F(CliInput, SmallerMessages) {
  CliResult r = run_cli("trian --epochs 1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("'trian' is not a subcommand; did you mean 'train'?"), std::string::npos)
      << r.output;
  r = run_cli("train --lr -1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("'-1' is not a positive finite number"), std::string::npos) << r.output;
  EXPECT_LT(r.output.size(), 400u) << r.output;  // CLI11's own check printed 1.79769e+308 in full
  r = run_cli("train --seed -1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("'-1' is not a whole number"), std::string::npos) << r.output;
  r = run_cli("train --optimizer adam --momentum 0.5" + quick() + out("m"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--momentum applies to --optimizer sgd only"), std::string::npos)
      << r.output;
  r = run_cli("plot --metrics m.csv --range=-1,1");  // a --functions flag with --metrics
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--metrics excludes --range"), std::string::npos) << r.output;
  r = run_cli("train --model softmax --hidden 8" + quick() + out("h"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--hidden does not apply to --model softmax"), std::string::npos)
      << r.output;
  r = run_cli("train --data synthetic --hidden 8" + quick() + out("one"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(", 1 epoch, "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(", 1 thread\n"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("1 threads"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("of the last model (epoch 1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("best.safetensors): its test accuracy is "), std::string::npos)
      << r.output;
}

TEST_F(CliInput, NonUtf8DataPathSurvivesResume) {
  fs::path p = csv("data", {"0", "1", "2"});
  const std::string name = (dir_ / "caf\xe9.csv").string();  // Latin-1 é: not UTF-8
  fs::rename(p, name);
  std::vector<std::string> args = {"train",    "--data",    "csv:" + name, "--model",
                                   "softmax",  "--threads", "1",           "--no-plots",
                                   "--epochs", "1",         "--out",       (dir_ / "run").string()};
  CliResult r = run_cli(args, dir_ / "first.log");
  ASSERT_EQ(r.status, 0) << r.output;
  args[9] = "2";
  args.push_back("--resume");
  r = run_cli(args, dir_ / "resumed.log");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("epoch 2/2"), std::string::npos) << r.output;
}

TEST_F(CliInput, CsvOptionsAndPredictClassNames) {
  // ';'-separated, string labels in the first column.
  fs::path p = csv("animals.csv", {"dog", "cat", "emu"}, ';', /*label_first=*/true);
  CliResult r = run_cli("train --data csv:" + p.string() +
                        " --csv-delimiter ';' --csv-label-column 0 --csv-string-labels"
                        " --model softmax --lr 0.1 --epochs 20 --threads 1 --no-plots " +
                        out("run"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("3 classes"), std::string::npos) << r.output;
  const std::string ck = "--checkpoint '" + (dir_ / "run" / "last.safetensors").string() + "'";
  r = run_cli("eval " + ck);  // the checkpoint's own CSV options
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("cat"), std::string::npos) << r.output;
  // Rows like the training data's classes dog (k=0), cat (k=1), emu (k=2), without labels.
  std::ofstream(dir_ / "in.csv") << "0.3;0;1;1\n1.3;-1;1;1\n2.3;-2;1;1\n";
  r = run_cli("predict " + ck + " --csv-delimiter ';' --input csv:" + (dir_ / "in.csv").string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "dog\ncat\nemu\n");
  r = run_cli("predict " + ck +
              " --csv-delimiter ';' --probabilities --input csv:" + (dir_ / "in.csv").string());
  ASSERT_EQ(r.status, 0) << r.output;
  std::istringstream lines(r.output);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "predicted,cat,dog,emu");  // class ids in sorted order of the names
  std::getline(lines, line);
  EXPECT_EQ(line.substr(0, 4), "dog,") << line;
  double sum = 0, v = 0;
  std::istringstream cells(line.substr(4));
  for (char comma; cells >> v; cells >> comma) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-5) << line;
}

}  // namespace
