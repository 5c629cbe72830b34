#include "progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gf::cli {

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

std::string format_count(double v) {
  std::string digits = std::to_string(static_cast<long long>(std::llround(v)));
  std::string out;
  int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    out += digits[i];
    if (digits[i] != '-' && (n - 1 - i) % 3 == 0 && i != n - 1) out += ',';
  }
  return out;
}

ProgressBar::ProgressBar(bool enabled, int64_t epoch, int64_t epochs, int64_t batches)
    : enabled_(enabled), epoch_(epoch), epochs_(epochs), batches_(batches) {}

void ProgressBar::draw(int64_t done, double loss, double acc, double samples_per_second,
                       double eta) {
  constexpr int kWidth = 24;
  int filled = batches_ > 0 ? static_cast<int>(kWidth * done / batches_) : kWidth;
  std::string bar;
  for (int i = 0; i < kWidth; ++i) bar += i < filled ? "\u2588" : "\u2591";
  long long eta_s = std::llround(std::max(0.0, eta));
  std::printf(
      "\r\033[Kepoch %lld/%lld [%s] %lld/%lld  loss %.4f  acc %.2f%%  %s samples/s  "
      "ETA %lld:%02lld",
      static_cast<long long>(epoch_), static_cast<long long>(epochs_), bar.c_str(),
      static_cast<long long>(done), static_cast<long long>(batches_), loss, 100 * acc,
      format_count(samples_per_second).c_str(), eta_s / 60, eta_s % 60);
  std::fflush(stdout);
}

void ProgressBar::clear() {
  if (!enabled_) return;
  std::printf("\r\033[K");
  std::fflush(stdout);
}

}  // namespace gf::cli
