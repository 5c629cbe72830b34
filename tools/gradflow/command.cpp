// The subcommand registry (command.hpp): filled by each cmd_*.cpp's static Registration, read by
// main.cpp and by the CLI fuzz target; and the helpers the commands share.
#include "command.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace gf::cli {

std::vector<std::pair<std::string, Setup>>& registry() {
  static std::vector<std::pair<std::string, Setup>> r;
  return r;
}

Registration::Registration(std::string name, Setup setup) {
  registry().emplace_back(std::move(name), std::move(setup));
}

std::string plural(int64_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string format_count(double v) {
  std::string digits = std::to_string(std::llround(v)), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    out += digits[i];
    const size_t left = digits.size() - 1 - i;
    if (left > 0 && left % 3 == 0 && digits[i] != '-') out += ',';
  }
  return out;
}

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

std::vector<int64_t> parse_sizes(const std::string& text, const std::string& flag) {
  std::vector<int64_t> sizes;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 1 || v > (1 << 20))
      throw UsageError(flag + ": '" + item + "' is not a layer size in 1..1048576 (e.g. " + flag +
                       " 256,128)");
    sizes.push_back(v);
  }
  if (sizes.empty()) throw UsageError(flag + ": no layer sizes given");
  return sizes;
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_-./=:,+@%") == std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

namespace {
// A CLI11 check from a predicate and the message for a value that fails it.
CLI::Validator check(bool (*ok)(const std::string&), std::string what, std::string name) {
  return CLI::Validator(
      [ok, what](std::string& s) { return ok(s) ? std::string() : "'" + s + "' " + what; }, name);
}
}  // namespace

CLI::Validator positive_number() {
  return check(
      [](const std::string& s) {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        return !s.empty() && *end == '\0' && std::isfinite(v) && v > 0;
      },
      "is not a positive finite number", "POSITIVE");
}

CLI::Validator non_negative_integer() {
  return check(
      [](const std::string& s) {
        return !s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == s.npos;
      },
      "is not a whole number in 0..9999999999999999999", "UINT");
}

CLI::Validator one_character() {
  return check([](const std::string& s) { return s.size() == 1; }, "is not one character", "CHAR");
}

std::string nearest(const std::string& word, const std::vector<std::string>& names) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diag = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
        diag = up;
      }
    }
    return row[b.size()];
  };
  std::string best;
  size_t best_d = std::max<size_t>(2, word.size() / 2) + 1;
  for (const auto& n : names)
    if (size_t d = distance(word, n); d < best_d) best_d = d, best = n;
  return best;
}

}  // namespace gf::cli
