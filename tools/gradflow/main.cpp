// gradflow — train, evaluate, inspect and draw neural networks from the command line.
// Exit status: 0 success, 1 runtime failure, 2 bad input (with a message naming what is wrong).
#include <algorithm>
#include <gradflow/gradflow.hpp>
#include <iostream>

#include "command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"gradflow: tensors, autograd and training from first principles"};
  app.require_subcommand(1);
  auto& commands = gf::cli::registry();
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> names;
  for (auto& [name, setup] : commands) setup(app), names.push_back(name);
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(names.begin(), names.end(), argv[1]) == names.end()) {
    const std::string near = gf::cli::nearest(argv[1], names);
    std::cerr << "gradflow: '" << argv[1] << "' is not a subcommand"
              << (near.empty() ? "" : "; did you mean '" + near + "'?") << "\n(subcommands:";
    for (const auto& n : names) std::cerr << " " << n;
    std::cerr << "; gradflow --help lists them)\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const gf::cli::ExitStatus& e) {
    return e.code;
  } catch (const std::exception& e) {  // bad input (UsageError, gf::Error): 2, else 1
    const int code =
        dynamic_cast<const gf::cli::UsageError*>(&e) || dynamic_cast<const gf::Error*>(&e) ? 2 : 1;
    namespace dist = gf::distributed;
    if (dist::world_size() > 1) {
      // One rank's error: the others may wait in a collective for it, so the job is aborted.
      std::cerr << "gradflow (rank " << dist::rank() << " of " << dist::world_size()
                << "): " << e.what() << std::endl;
      dist::abort(code);
    }
    std::cerr << "gradflow: " << e.what() << "\n";
    return code;
  }
  return 0;
}
