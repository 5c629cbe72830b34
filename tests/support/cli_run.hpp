// Running the built `gradflow` binary from a test, as a user would: through the shell
// (run("train --epochs 2 ...")) or as a child process to signal (spawn / wait_for / kill), with a
// fresh scratch folder per test (CliTest) and helpers to pick lines out of the output. Skips the
// test when the binary is not built.
#pragma once
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/files.hpp"

namespace gf::test {

inline const std::string kCliBinary = GF_BINARY_DIR "/tools/gradflow/gradflow";

struct CliResult {
  int status = -1;     // exit status; -1 when killed by a signal
  std::string output;  // stdout and stderr together
};

// Runs the binary with `args`, a shell-quoted string.
inline CliResult run_cli(const std::string& args) {
  CliResult r;
  std::string cmd = "'" + kCliBinary + "' " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A child process running the binary, its stdout and stderr going to `log`.
struct CliChild {
  pid_t pid = -1;
  std::filesystem::path log;
};

inline CliChild spawn_cli(const std::vector<std::string>& args, const std::filesystem::path& log) {
  CliChild c;
  c.log = log;
  c.pid = fork();
  if (c.pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(kCliBinary.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(kCliBinary.c_str(), argv.data());
    _exit(127);
  }
  return c;
}

// waitpid, retried on EINTR; returns the raw status.
inline int wait_for(const CliChild& c) {
  int status = 0;
  while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

inline CliResult run_cli(const std::vector<std::string>& args, const std::filesystem::path& log) {
  CliChild c = spawn_cli(args, log);
  int st = wait_for(c);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, read_text(log.string())};
}

// Sleeps until `path` exists (polling every millisecond, at most `limit`); true if it does.
inline bool wait_until_exists(const std::filesystem::path& path,
                              std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!std::filesystem::exists(path)) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// The first line of `text` containing `needle` ("" when none does).
inline std::string line_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.find(needle) != std::string::npos) return line;
  return "";
}

inline std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of('\n');
  auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - start);
}

// A metrics.csv line without its last column (seconds, the only one allowed to differ).
inline std::string without_seconds(const std::string& line) {
  return line.substr(0, line.rfind(','));
}

// A fixture with an empty scratch folder dir_ per test (removed afterwards); skips when the
// binary is not built.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kCliBinary))
      GTEST_SKIP() << "the gradflow binary is not built (" << kCliBinary
                   << "); build the gradflow_cli target first";
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("gradflow_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

}  // namespace gf::test
