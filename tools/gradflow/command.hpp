// The gradflow command's subcommands register themselves: each cmd_<name>.cpp defines a
// `static const gf::cli::Registration reg("name", setup);` whose setup adds a CLI11 subcommand.
// Bad input exits with status 2 and a message naming what is wrong (gf::cli::UsageError).
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gf::cli {

// Thrown for bad input (file missing, corrupt, labels out of range...): exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Thrown by a command that finished but must exit with a given status (e.g. 130 after SIGINT,
// 1 when the loss became NaN). Its message, if any, was already printed.
struct ExitStatus {
  int code;
};

using Setup = std::function<void(CLI::App& app)>;

struct Registration {
  Registration(std::string name, Setup setup);
};

// All registered subcommands, sorted by name.
std::vector<std::pair<std::string, Setup>>& registry();

}  // namespace gf::cli
