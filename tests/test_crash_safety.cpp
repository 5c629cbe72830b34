// Crash safety of `gradflow train` and its bad-number reporting, run as a user would run the
// binary (GF_BINARY_DIR/tools/gradflow/gradflow; skipped when it is not built):
//  - SIGKILL at random moments — some at random microsecond offsets after a checkpoint's temp
//    file appears (inotify), i.e. in the middle of writing, fsyncing or renaming it — then
//    --resume, again and again until the run finishes: after every kill each *.safetensors in the
//    run folder loads, and the finished run equals an uninterrupted one with the same seed
//    (metrics.csv but its seconds column, the checkpoint's tensors bit for bit, test accuracy).
//  - SIGINT and SIGTERM stop at the next batch boundary, write a checkpoint holding that batch,
//    exit 128+signal with a message saying how to resume, and the resumed run equals the
//    uninterrupted one.
//  - NaN / Inf in a CSV's features is refused naming the file, line, column and data row.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/inotify.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gradflow/gradflow.hpp>
#include <gradflow/io/checkpoint.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_run.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace gf::test;

namespace {

std::string read_text(const fs::path& p) { return gf::test::read_text(p.string()); }

// metrics.csv without its last column (seconds: the only one allowed to differ).
std::string metrics_without_seconds(const fs::path& p) {
  std::istringstream in(read_text(p));
  std::string line, out;
  while (std::getline(in, line)) out += without_seconds(line) + "\n";
  return out;
}

using Child = CliChild;
using Outcome = CliResult;
Child spawn(const std::vector<std::string>& args, const fs::path& log) {
  return spawn_cli(args, log);
}
Outcome run(const std::vector<std::string>& args, const fs::path& log) {
  return run_cli(args, log);
}

// Every *.safetensors in the folder loads (gf::io::load_safetensors) and is a gradflow
// checkpoint. Returns how many there were.
int check_checkpoints_load(const fs::path& dir, const std::string& when) {
  int n = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".safetensors" || name[0] == '.') continue;
    ++n;
    try {
      gf::io::Checkpoint c = gf::io::load_checkpoint(e.path().string());
      EXPECT_TRUE(c.metadata.count("train.progress")) << name << " " << when;
      EXPECT_FALSE(c.model.empty()) << name << " " << when;
    } catch (const gf::Error& err) {
      ADD_FAILURE() << when << ": " << name << " does not load: " << err.what();
    }
  }
  return n;
}

int count_temp_files(const fs::path& dir) {
  int n = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos) ++n;
  return n;
}

// The checkpoint's tensors as raw bytes, by name.
std::map<std::string, std::string> tensors_of(const fs::path& p) {
  std::map<std::string, std::string> out;
  for (const auto& [name, t] : gf::io::load_safetensors(p.string()).tensors) {
    const auto* base = static_cast<const char*>(t.impl().storage->data);
    out[name] = std::string(base, t.numel() * gf::element_size(t.dtype()));
  }
  return out;
}

gf::io::TrainingPosition position_of(const fs::path& p) {
  return gf::io::load_checkpoint(p.string()).position;
}

class CrashSafety : public CliTest {
 protected:
  // A small synthetic run (about 1.5 s in Release): one thread (bitwise reproducible), many short
  // epochs so checkpoints are frequent. Under AddressSanitizer (the binary is ~5x slower) fewer.
  std::vector<std::string> recipe(const std::string& out) const {
#if defined(__SANITIZE_ADDRESS__)
    const char* epochs = "40";
#else
    const char* epochs = "200";
#endif
    return {"train", "--data",     "synthetic", "--hidden",
            "64",    "--epochs",   epochs,      "--batch-size",
            "32",    "--seed",     "5",         "--threads",
            "1",     "--no-plots", "--out",     (dir_ / out).string()};
  }
};

TEST_F(CrashSafety, RandomSigkillsThenResumeEqualUninterruptedRun) {
  Outcome ref = run(recipe("ref"), dir_ / "ref.log");
  ASSERT_EQ(ref.status, 0) << ref.output;
  const fs::path out = dir_ / "killed";
  fs::create_directories(out);

  // inotify on the run folder: a checkpoint write starts when its temp file is created.
  int ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(ino, 0);
  ASSERT_GE(inotify_add_watch(ino, out.c_str(), IN_CREATE), 0);
  auto drain = [&] {
    char buf[4096];
    while (read(ino, buf, sizeof buf) > 0) {
    }
  };

  std::mt19937 rng(20261122);
  int kills = 0, mid_write = 0, fresh_starts = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(40);
  for (int round = 0; round < 40 && Clock::now() < deadline; ++round) {
    std::vector<std::string> args = recipe("killed");
    const bool resume = fs::exists(out / "last.safetensors");
    if (resume)
      args.push_back("--resume");
    else
      ++fresh_starts;
    drain();
    Child c = spawn(args, dir_ / ("round" + std::to_string(round) + ".log"));
    bool killed = false;
    if (round % 2 == 0) {
      // Wait for a checkpoint write to begin, then kill 0-3000 us into it.
      pollfd p{ino, POLLIN, 0};
      for (int waited = 0; waited < 5000 && !killed; waited += 5) {
        if (poll(&p, 1, 5) > 0) {
          char buf[4096] __attribute__((aligned(8)));
          ssize_t n = read(ino, buf, sizeof buf);
          for (ssize_t i = 0; i < n;) {
            auto* ev = reinterpret_cast<inotify_event*>(buf + i);
            if (ev->len && std::string(ev->name).find(".tmp.") != std::string::npos) {
              std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
              killed = kill(c.pid, SIGKILL) == 0;
              break;
            }
            i += sizeof(inotify_event) + ev->len;
          }
        }
        int st;
        if (!killed && waitpid(c.pid, &st, WNOHANG) == c.pid) {
          c.pid = -1;  // finished before we caught a write
          break;
        }
      }
    } else {
      // Anywhere: 0-400 ms after the start (startup, data loading, training, writing).
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 400000));
      killed = kill(c.pid, SIGKILL) == 0;
    }
    if (c.pid > 0) {
      int st = wait_for(c);
      if (WIFEXITED(st)) {
        ASSERT_EQ(WEXITSTATUS(st), 0) << read_text(c.log);
        break;  // the run finished before the kill
      }
      ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
      ++kills;
      if (count_temp_files(out) > 0) ++mid_write;
      check_checkpoints_load(out, "after kill " + std::to_string(kills));
      // A stale temp file is not a checkpoint and must not confuse the next run; remove nothing.
    } else {
      break;
    }
    if (kills >= 10 && mid_write >= 2) break;
  }
  close(ino);
  RecordProperty("sigkills", kills);
  RecordProperty("kills_mid_checkpoint_write", mid_write);
  std::printf(
      "SIGKILLs: %d (%d left a checkpoint temp file, i.e. landed mid-write), %d fresh "
      "starts\n",
      kills, mid_write, fresh_starts);
  EXPECT_GE(kills, 4);
  EXPECT_GE(mid_write, 1) << "no kill landed during a checkpoint write";

  // Finish the run.
  std::vector<std::string> args = recipe("killed");
  if (fs::exists(out / "last.safetensors")) args.push_back("--resume");
  Outcome last = run(args, dir_ / "final.log");
  ASSERT_EQ(last.status, 0) << last.output;
  EXPECT_EQ(check_checkpoints_load(out, "at the end"), 2);  // last + best
  EXPECT_EQ(metrics_without_seconds(out / "metrics.csv"),
            metrics_without_seconds(dir_ / "ref" / "metrics.csv"));
  EXPECT_EQ(tensors_of(out / "last.safetensors"), tensors_of(dir_ / "ref" / "last.safetensors"));
  EXPECT_EQ(tensors_of(out / "best.safetensors"), tensors_of(dir_ / "ref" / "best.safetensors"));
  const std::string acc = line_with(ref.output, "test accuracy");
  ASSERT_FALSE(acc.empty()) << ref.output;
  EXPECT_EQ(line_with(last.output, "test accuracy"), acc);
}

TEST_F(CrashSafety, SigintAndSigtermStopAtABatchBoundaryAndResumeExactly) {
  Outcome ref = run(recipe("ref"), dir_ / "ref.log");
  ASSERT_EQ(ref.status, 0) << ref.output;
  for (int sig : {SIGINT, SIGTERM}) {
    const std::string name = sig == SIGINT ? "int" : "term";
    SCOPED_TRACE(name);
    const fs::path out = dir_ / name;
    Child c = spawn(recipe(name), dir_ / (name + ".log"));
    // Into the second epoch or later: after the first checkpoint, plus a little.
    wait_until_exists(out / "metrics.csv", std::chrono::seconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(sig == SIGINT ? 3 : 11));
    kill(c.pid, sig);
    int st = wait_for(c);
    const std::string output = read_text(c.log);
    ASSERT_TRUE(WIFEXITED(st)) << output;
    if (WEXITSTATUS(st) == 0) {
      ADD_FAILURE() << "the run finished before the signal; make it longer";
      continue;
    }
    EXPECT_EQ(WEXITSTATUS(st), 128 + sig) << output;
    const std::string stopped = line_with(output, "stopped by");
    EXPECT_NE(stopped.find(sig == SIGINT ? "SIGINT" : "SIGTERM"), std::string::npos) << output;
    EXPECT_NE(
        output.find("resume with: gradflow train --out " + out.string() + " --resume --threads 1"),
        std::string::npos)
        << output;
    // The checkpoint holds the batch the message names ("at epoch E, batch B/N").
    ASSERT_EQ(check_checkpoints_load(out, "after " + name), 2);
    gf::io::TrainingPosition position = position_of(out / "last.safetensors");
    const auto at = stopped.find("at epoch ");
    ASSERT_NE(at, std::string::npos) << stopped;
    long long epoch = 0, batch = 0;
    ASSERT_EQ(std::sscanf(stopped.c_str() + at, "at epoch %lld, batch %lld", &epoch, &batch), 2);
    EXPECT_EQ(position.epoch, epoch - 1);
    EXPECT_EQ(position.batch, batch);
    std::vector<std::string> args = recipe(name);
    args.push_back("--resume");
    Outcome resumed = run(args, dir_ / (name + "-resumed.log"));
    ASSERT_EQ(resumed.status, 0) << resumed.output;
    EXPECT_EQ(metrics_without_seconds(out / "metrics.csv"),
              metrics_without_seconds(dir_ / "ref" / "metrics.csv"));
    EXPECT_EQ(tensors_of(out / "last.safetensors"), tensors_of(dir_ / "ref" / "last.safetensors"));
    EXPECT_EQ(line_with(resumed.output, "test accuracy"), line_with(ref.output, "test accuracy"));
  }
}

TEST_F(CrashSafety, NanOrInfInCsvFeaturesIsReportedWithTheRow) {
  struct Case {
    const char* value;
    const char* shown;
  };
  for (Case k : {Case{"nan", "'nan'"}, Case{"inf", "'inf'"}, Case{"-Infinity", "'-Infinity'"},
                 Case{"1e999", "'1e999'"}}) {
    SCOPED_TRACE(k.value);
    const fs::path csv = dir_ / "bad.csv";
    {
      std::ofstream f(csv);
      f << "a,b,c,label\n";
      for (int i = 0; i < 40; ++i) {
        // Data row 17 (line 18) has the bad value in column 2.
        f << 0.1 * i << "," << (i == 16 ? k.value : std::to_string(i % 7)) << "," << i % 3 << ","
          << i % 2 << "\n";
      }
    }
    Outcome r = run({"train", "--data", "csv:" + csv.string(), "--epochs", "1", "--threads", "1",
                     "--no-plots", "--out", (dir_ / "nan").string()},
                    dir_ / "nan.log");
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find(csv.string() + ":18"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("column 2"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(k.shown), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("data row 17"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir_ / "nan" / "last.safetensors"));
  }
}

}  // namespace
