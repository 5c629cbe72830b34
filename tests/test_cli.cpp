// The `gradflow` command, run as a user would: exit codes and messages for bad input, the files
// of a run folder, exact resume (after a finished run and after SIGINT), NaN stops, eval and
// predict checks, and the demo's worked-example numbers. Runs are tiny (synthetic data, one
// thread, a small MLP) so the whole file takes seconds.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/cli_run.hpp"

namespace fs = std::filesystem;
using namespace gf::test;

namespace {

std::string read_text(const fs::path& p) { return gf::test::read_text(p.string()); }
CliResult run(const std::string& args) { return run_cli(args); }

class Cli : public CliTest {
 protected:
  // A quick synthetic run's flags (one thread: bitwise-reproducible and fast).
  std::string small(const std::string& out) const {
    return "train --data synthetic --hidden 32 --threads 1 --no-plots --out '" +
           (dir_ / out).string() + "'";
  }
  // A run of 1,000 epochs (~7 s here; constant learning rate, so a shorter run with the same seed
  // follows the same path) signalled with `sig` once its first epoch is on disk: the signal lands
  // mid-training however late a loaded machine lets this process poll. The caller compares at
  // epochs_done + 2, the last epoch metrics.csv records plus two.
  struct Interrupted {
    int status = 0;
    int64_t epochs_done = 0;
  };
  Interrupted interrupt(const std::string& out, int sig) const {
    CliChild c = spawn_cli({"train", "--data", "synthetic", "--hidden", "32", "--threads", "1",
                            "--no-plots", "--epochs", "1000", "--schedule", "none", "--out",
                            (dir_ / out).string()},
                           dir_ / (out + ".log"));
    wait_until_exists(dir_ / out / "metrics.csv");
    kill(c.pid, sig);
    Interrupted r;
    r.status = wait_for(c);
    r.epochs_done = std::stoll(last_line(read_text(dir_ / out / "metrics.csv")));
    return r;
  }
};

TEST_F(Cli, UnknownFlagExitsWith2) {
  CliResult r = run("train --no-such-flag");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--no-such-flag"), std::string::npos) << r.output;
  EXPECT_EQ(run("no-such-command").status, 2);
  EXPECT_EQ(run("train --optimizer rmsprop").status, 2);
  EXPECT_EQ(run("train --hidden 256,abc").status, 2);
}

TEST_F(Cli, MissingDataNamesThePath) {
  std::string missing = (dir_ / "nowhere").string();
  CliResult r = run("train --data idx:" + missing + " --out '" + (dir_ / "a").string() + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find(missing), std::string::npos) << r.output;
  r = run("train --data csv:" + missing + ".csv --out '" + (dir_ / "b").string() + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find(missing + ".csv"), std::string::npos) << r.output;
  r = run("train --data imagenet");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("expected fashion-mnist, idx:DIR, csv:FILE or synthetic"),
            std::string::npos)
      << r.output;
}

TEST_F(Cli, CorruptIdxExitsWith2NamingTheFile) {
  fs::path idx = dir_ / "idx";
  fs::create_directories(idx);
  // A valid header for 100 28x28 u8 images, but only 10 bytes of pixels.
  std::string header{'\0', '\0', '\x08', '\x03', '\0', '\0', '\0', 'd',
                     '\0', '\0', '\0',   '\x1c', '\0', '\0', '\0', '\x1c'};
  for (const char* name : {"train-images-idx3-ubyte", "t10k-images-idx3-ubyte"})
    std::ofstream(idx / name, std::ios::binary) << header << std::string(10, '\x7f');
  std::string labels{'\0', '\0', '\x08', '\x01', '\0', '\0', '\0', 'd'};
  for (const char* name : {"train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"})
    std::ofstream(idx / name, std::ios::binary) << labels << std::string(100, '\x01');
  CliResult r = run("train --data idx:" + idx.string() + " --out '" + (dir_ / "a").string() + "'");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("images-idx3-ubyte"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("truncated"), std::string::npos) << r.output;
  // Not an IDX file at all.
  std::ofstream(idx / "train-images-idx3-ubyte", std::ios::binary) << "hello, world";
  r = run("train --data idx:" + idx.string() + " --out '" + (dir_ / "b").string() + "'");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("train-images-idx3-ubyte"), std::string::npos) << r.output;
}

TEST_F(Cli, ShortTrainWritesTheRunFolder) {
  CliResult r = run(small("run") + " --epochs 2");
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* f :
       {"metrics.csv", "last.safetensors", "best.safetensors", "config.json", "confusion.csv"})
    EXPECT_TRUE(fs::exists(dir_ / "run" / f)) << f;
  std::string metrics = read_text(dir_ / "run" / "metrics.csv");
  EXPECT_EQ(metrics.substr(0, metrics.find('\n')),
            "epoch,train_loss,train_acc,valid_loss,valid_acc,seconds");
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 3);
  EXPECT_EQ(last_line(metrics).substr(0, 2), "2,");
  // Not a terminal: one plain line per epoch, then the summary.
  EXPECT_NE(r.output.find("epoch 2/2  train loss"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("samples/s"), std::string::npos);
  EXPECT_NE(r.output.find("test accuracy"), std::string::npos);
  EXPECT_NE(r.output.find("true \\ pred"), std::string::npos);
  // The same folder again without --resume is refused (nothing is overwritten by accident).
  CliResult again = run(small("run") + " --epochs 2");
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.output.find("--resume"), std::string::npos) << again.output;
}

// The default recipe's learning rates (docs/cli.md, "The default recipe", has the measurements
// behind them), as the run records them in config.json.
TEST_F(Cli, DefaultLearningRatesFollowTheRecipe) {
  struct Case {
    const char* name;
    std::string flags, lr;
  };
  for (const Case& c :
       {Case{"mlp", "", "\"lr\": 0.0025,"}, Case{"softmax", " --model softmax", "\"lr\": 0.01,"},
        Case{"sgd", " --optimizer sgd", "\"lr\": 0.1,"}}) {
    CliResult r = run("train --data synthetic --threads 1 --no-plots --epochs 1 --out '" +
                      (dir_ / c.name).string() + "'" + c.flags);
    ASSERT_EQ(r.status, 0) << r.output;
    std::string config = read_text(dir_ / c.name / "config.json");
    EXPECT_NE(config.find(c.lr), std::string::npos) << c.name << ": " << config;
  }
}

TEST_F(Cli, ResumeAfterAFinishedRunEqualsAnUninterruptedOne) {
  ASSERT_EQ(run(small("full") + " --epochs 4 --schedule none").status, 0);
  ASSERT_EQ(run(small("part") + " --epochs 2 --schedule none").status, 0);
  CliResult resumed = run(small("part") + " --epochs 4 --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  std::string full = read_text(dir_ / "full" / "metrics.csv");
  std::string part = read_text(dir_ / "part" / "metrics.csv");
  EXPECT_EQ(last_line(full).substr(0, 2), "4,");
  EXPECT_EQ(without_seconds(last_line(full)), without_seconds(last_line(part)));
  CliResult full_eval =
      run("eval --checkpoint '" + (dir_ / "full" / "last.safetensors").string() + "' --threads 1");
  CliResult part_eval =
      run("eval --checkpoint '" + (dir_ / "part" / "last.safetensors").string() + "' --threads 1");
  ASSERT_EQ(full_eval.status, 0) << full_eval.output;
  std::string accuracy = line_with(full_eval.output, "test accuracy");
  EXPECT_FALSE(accuracy.empty());
  EXPECT_EQ(accuracy, line_with(part_eval.output, "test accuracy"));
  // A recipe flag that disagrees with the checkpoint is refused.
  CliResult conflict = run(small("part") + " --epochs 5 --lr 0.5 --resume");
  EXPECT_EQ(conflict.status, 2);
  EXPECT_NE(conflict.output.find("--lr"), std::string::npos) << conflict.output;
  EXPECT_EQ(run(small("nothing") + " --resume").status, 2);
}

TEST_F(Cli, SigintStopsAtABatchAndResumesExactly) {
  Interrupted stopped = interrupt("stopped", SIGINT);
  ASSERT_TRUE(WIFEXITED(stopped.status)) << read_text(dir_ / "stopped.log");
  EXPECT_EQ(WEXITSTATUS(stopped.status), 130);
  const std::string epochs = " --epochs " + std::to_string(stopped.epochs_done + 2);
  ASSERT_EQ(run(small("full") + epochs + " --schedule none").status, 0);
  CliResult resumed = run(small("stopped") + epochs + " --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming from"), std::string::npos) << resumed.output;
  EXPECT_EQ(without_seconds(last_line(read_text(dir_ / "full" / "metrics.csv"))),
            without_seconds(last_line(read_text(dir_ / "stopped" / "metrics.csv"))));
}

TEST_F(Cli, SigkillLosesNothingButTheEpochInProgress) {
  Interrupted killed = interrupt("killed", SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(killed.status));
  const std::string epochs = " --epochs " + std::to_string(killed.epochs_done + 2);
  ASSERT_EQ(run(small("full") + epochs + " --schedule none").status, 0);
  CliResult resumed = run(small("killed") + epochs + " --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_EQ(without_seconds(last_line(read_text(dir_ / "full" / "metrics.csv"))),
            without_seconds(last_line(read_text(dir_ / "killed" / "metrics.csv"))));
}

TEST_F(Cli, NanLossStopsNamingEpochAndBatch) {
  CliResult r = run(small("nan") + " --epochs 2 --optimizer sgd --lr 1e30");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("the loss became"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("at epoch 1, batch "), std::string::npos) << r.output;
}

TEST_F(Cli, EvalAndPredictCheckLabelsAndFeatures) {
  // 3 classes, 4 features, labels in the last column.
  fs::path train_csv = dir_ / "train.csv";
  {
    std::ofstream f(train_csv);
    f << "a,b,c,d,label\n";
    for (int i = 0; i < 90; ++i)
      f << i % 3 + 0.1 * (i % 7) << "," << -(i % 3) << "," << 0.5 * (i % 5) << ",1," << i % 3
        << "\n";
  }
  ASSERT_EQ(run("train --data csv:" + train_csv.string() +
                " --model softmax --epochs 2 --threads 1 --no-plots --out '" +
                (dir_ / "csv").string() + "'")
                .status,
            0);
  std::string checkpoint = (dir_ / "csv" / "last.safetensors").string();
  fs::path bad_labels = dir_ / "bad_labels.csv";
  {
    std::ofstream f(bad_labels);
    for (int i = 0; i < 20; ++i) f << "1,2,3,4," << (i == 7 ? 7 : i % 3) << "\n";
  }
  CliResult r = run("eval --checkpoint '" + checkpoint + "' --data csv:" + bad_labels.string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("label 7 is out of range"), std::string::npos) << r.output;
  fs::path three = dir_ / "three.csv";
  std::ofstream(three) << "1,2,3\n4,5,6\n";
  r = run("predict --checkpoint '" + checkpoint + "' --input csv:" + three.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("3 features per sample but the checkpoint's model expects 4"),
            std::string::npos)
      << r.output;
  fs::path four = dir_ / "four.csv";
  std::ofstream(four) << "0,0,0,1\n1,-1,0.5,1\n2,-2,1,1\n";
  r = run("predict --checkpoint '" + checkpoint + "' --input csv:" + four.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 3) << r.output;
  r = run("eval --checkpoint '" + (dir_ / "missing.safetensors").string() + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("missing.safetensors"), std::string::npos);
}

TEST_F(Cli, HugeLabelIsBadInputNotAnAllocation) {  // fuzz finding: label 1e9 -> bad_alloc
  fs::path csv = dir_ / "huge_label.csv";
  {
    std::ofstream f(csv);
    for (int i = 0; i < 20; ++i)
      f << i << "," << -i << "," << (i == 3 ? 1000000000 : i % 2) << "\n";
  }
  CliResult r = run("train --data csv:" + csv.string() + " --epochs 1 --no-plots --out '" +
                    (dir_ / "huge").string() + "'");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("the largest label is 1000000000, more classes than the 20 samples"),
            std::string::npos)
      << r.output;
}

TEST_F(Cli, DemoPrintsTheWorkedExamples) {
  CliResult r = run("demo");
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* expected :
       {"tensor(-12., grad_fn=<MulBackward0>)", "dL/dx = tensor(-4.)", "dL/dy = tensor(-4.)",
        "dL/dz = tensor(3.)", "tensor(8., grad_fn=<SumBackward0>)", "[27., 27.]",
        "tensor(27., grad_fn=<MeanBackward0>)", "[4.5000, 4.5000]", "0.0270, 0.1634, 0.8095",
        "[ 0.0263, -0.0044, -0.0219]", "1.0240e+02, 1.0240e+03, 1.0240e-01",
        "(x*x).requires_grad() = false", "(x*x).requires_grad() = true",
        "[[ 0.2000, -0.3000,  0.1000]]"})
    EXPECT_NE(r.output.find(expected), std::string::npos) << "missing: " << expected;
  EXPECT_EQ(r.output.find("not available"), std::string::npos) << r.output;
}

}  // namespace
