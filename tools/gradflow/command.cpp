// The subcommand registry (command.hpp): filled by each cmd_*.cpp's static Registration, read by
// main.cpp and by the CLI fuzz target.
#include "command.hpp"

namespace gf::cli {

std::vector<std::pair<std::string, Setup>>& registry() {
  static std::vector<std::pair<std::string, Setup>> r;
  return r;
}

Registration::Registration(std::string name, Setup setup) {
  registry().emplace_back(std::move(name), std::move(setup));
}

}  // namespace gf::cli
