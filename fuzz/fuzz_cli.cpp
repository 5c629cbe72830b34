// libFuzzer target: the gradflow command line. The input is argv (after "gradflow"), arguments
// separated by NUL bytes. Two parts:
//  1. The whole CLI11 App built exactly as tools/gradflow/main.cpp builds it (every registered
//     subcommand with its options, validators, exclusions, requirements and help formatting) parses
//     the arguments; the main app's parse-complete callback throws before any subcommand's
//     callback can run, so nothing is trained, read or written — only parsed and validated.
//  2. For "train": the train flags on their own App, then finish_flags (hidden sizes, per-optimizer
//     defaults), merge_resume_config against a saved config, and the config's JSON round trip.
// Allowed outcomes: success, CLI::Error (what main turns into usage/help output), UsageError,
// gf::Error. Any other exception escaping is a finding (main would report it as a runtime failure).
#include <gradflow/error.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "command.hpp"
#include "harness.hpp"
#include "training.hpp"

namespace {

struct ParsedOnly {};

std::vector<std::string> split_args(const uint8_t* data, size_t size) {
  std::vector<std::string> args;
  std::string cur;
  for (size_t i = 0; i < size && args.size() < 32; ++i) {
    if (data[i] == 0) {
      args.push_back(cur);
      cur.clear();
    } else if (cur.size() < 512) {
      cur += static_cast<char>(data[i]);
    }
  }
  if (!cur.empty() && args.size() < 32) args.push_back(cur);
  return args;
}

void parse_whole_app(const std::vector<std::string>& args) {
  CLI::App app{"gradflow: tensors, autograd and training from first principles"};
  app.require_subcommand(1);
  auto commands = gf::cli::registry();
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, setup] : commands) setup(app);
  app.parse_complete_callback([] { throw ParsedOnly{}; });
  std::vector<std::string> rev(args.rbegin(), args.rend());  // CLI11 parses a reversed vector
  std::ostringstream out, err;
  try {
    app.parse(rev);
  } catch (const CLI::ParseError& e) {
    app.exit(e, out, err);  // help / usage text, as main prints it
  } catch (const ParsedOnly&) {
  }
}

void parse_train(std::vector<std::string> args) {
  if (args.empty() || args[0] != "train") return;
  args.erase(args.begin());
  CLI::App cmd{"train"};
  gf::cli::TrainFlags flags;
  gf::cli::add_train_flags(cmd, flags);
  std::vector<std::string> rev(args.rbegin(), args.rend());
  try {
    cmd.parse(rev);
  } catch (const CLI::ParseError&) {
    return;
  }
  gf::cli::finish_flags(flags);
  const auto& c = flags.config;
  GF_FUZZ_ASSERT(c.model != "mlp" || !c.hidden.empty());
  GF_FUZZ_ASSERT(c.epochs >= 1 && c.batch_size >= 1 && c.lr > 0);
  GF_FUZZ_ASSERT(c.schedule == "cosine" || c.schedule == "none");
  gf::cli::TrainConfig saved;
  saved.data = "synthetic";
  gf::cli::TrainConfig merged = gf::cli::merge_resume_config(flags, saved, "last.safetensors");
  gf::cli::TrainConfig back = gf::cli::config_from_json(gf::cli::to_json(merged), "round trip");
  GF_FUZZ_ASSERT(gf::cli::to_json(back) == gf::cli::to_json(merged));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args = split_args(data, size);
  try {
    parse_whole_app(args);
    parse_train(args);
  } catch (const CLI::Error&) {
  } catch (const gf::cli::UsageError&) {
  } catch (const gf::Error&) {
  } catch (const nlohmann::json::type_error& e) {
    // Known finding (tests/fuzz/regressions/cli/json-invalid-utf8-data-flag): a flag value that
    // is not UTF-8 (e.g. a csv: path) makes the config's JSON dump throw type_error 316, which
    // main reports as a runtime failure (exit 1). Tolerated here until train_config handles it,
    // so fuzzing goes on past it; any other type_error is still a finding.
    if (e.id != 316) throw;
  }
  return 0;
}
