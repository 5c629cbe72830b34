// The gradflow command's subcommands register themselves: each cmd_<name>.cpp defines a
// `static const gf::cli::Registration reg("name", setup);` whose setup adds a CLI11 subcommand.
// Bad input exits with status 2 and a message naming what is wrong (gf::cli::UsageError).
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
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

// ---- small helpers the commands share ----
std::string plural(int64_t n, const std::string& word);  // "1 epoch", "2 epochs"
std::string format_count(double v);                      // 131204 -> "131,204"
bool stdout_is_terminal();
// "256,128" -> {256, 128}; UsageError naming `flag` unless every size is in [1, 2^20].
std::vector<int64_t> parse_sizes(const std::string& text, const std::string& flag);
// The argument as a shell word: unchanged when it is plain, else in single quotes.
std::string shell_quote(const std::string& s);
// CLI11 checks whose messages show the value as typed (CLI11's own PositiveNumber and
// NonNegativeNumber print their 309-digit bounds).
CLI::Validator positive_number();
CLI::Validator non_negative_integer();
CLI::Validator one_character();
// The closest of `names` to `word` (edit distance), or "" when none is close.
std::string nearest(const std::string& word, const std::vector<std::string>& names);

}  // namespace gf::cli
