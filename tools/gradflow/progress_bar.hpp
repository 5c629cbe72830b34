// The per-epoch progress display of `gradflow train`. On a terminal: one bar redrawn in place
// (at most 10 times a second, so drawing costs nothing next to training):
//   epoch 3/10 [██████████░░░░░░░░░░] 210/422  loss 0.3412  acc 87.55%  131,204 samples/s  ETA 0:02
// Elsewhere (a pipe, a log file, CI) nothing during the epoch; the caller prints one line at its
// end.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace gf::cli {

bool stdout_is_terminal();
std::string format_count(double v);  // 131204 -> "131,204"

class ProgressBar {
 public:
  ProgressBar(bool enabled, int64_t epoch, int64_t epochs, int64_t batches);
  // After batch `done` (1-based count of batches finished this epoch).
  // eta_seconds: the caller's estimate for the rest of the epoch.
  void update(int64_t done, double loss, double acc, double samples_per_second,
              double eta_seconds) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (done < batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw(done, loss, acc, samples_per_second, eta_seconds);
  }
  void clear();  // erases the bar (before the epoch's summary line)

 private:
  void draw(int64_t done, double loss, double acc, double samples_per_second, double eta);
  bool enabled_;
  int64_t epoch_, epochs_, batches_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace gf::cli
