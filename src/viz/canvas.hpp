// Internal: one PLplot page (PNG through pngcairo, SVG through svgcairo) with a white
// background and matplotlib's tab10 palette, plus small helpers shared by the plots.
// PLplot calls exit() on fatal errors, so everything it could fail on (device, size) is checked
// here first and reported as gf::Error. PLplot never opens the target file: it draws into a
// memory stream (plsfile), and finish() writes the bytes with io::write_file_atomic, so a full
// disk or an interrupted plot never leaves a truncated picture or empties the previous one.
#pragma once
#include <plplot/plstream.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gf::viz::detail {

// cmap0 slots.
enum Colour : int {
  kBackground = 0,
  kBlack = 1,
  kGrid = 2,
  kFirstSeries = 3,  // tab10: blue, orange, green, red, purple, brown, pink, grey, olive, cyan
  kNumSeries = 10,
  kWhite = 13,
  kDarkGrey = 14,
  kLegendFrame = 15,
};

class Canvas {
 public:
  // `what` names the plot in errors ("plot_functions").
  Canvas(const std::string& what, const std::string& file, int width, int height);
  ~Canvas();  // without finish(): the picture is dropped and `file` is left untouched
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;
  plstream& pls() { return *pls_; }
  int width() const { return width_; }
  int height() const { return height_; }

  // A framed panel in normalized page coordinates with data window [x0,x1]x[y0,y1]: grid
  // first, then (after the caller draws) axes with `frame()`.
  void panel(double vx0, double vx1, double vy0, double vy1, double x0, double x1, double y0,
             double y1, bool log_y = false);
  void frame(bool log_y = false);
  // The axes box (plbox options). A linear axis whose values reach 10⁴ or more (or stay below
  // 10⁻²) gets short tick labels and a "×10ⁿ" offset just above its top-left corner, inside the
  // page, as matplotlib does: PLplot's own "(x10ⁿ)" label sits two lines above the frame and is
  // clipped by the page edge.
  void axes(const char* xopt, double xtick, int nxsub, const char* yopt, double ytick, int nysub);
  void labels(const std::string& xlabel, const std::string& ylabel, const std::string& title);
  // A polyline that breaks at NaN/inf.
  void polyline(const std::vector<double>& x, const std::vector<double>& y, int colour,
                double width, int style = 1);
  void legend(const std::vector<std::string>& names, const std::vector<int>& colours,
              const std::vector<int>& styles, int position);
  // cmap1: viridis (sequential) or a blue-white-red diverging map.
  void colour_map(bool diverging);
  // Ends the page and writes the picture to `file` atomically; gf::Error naming the plot and
  // the file when PLplot produced nothing or the write fails.
  void finish();

 private:
  static std::mutex& mutex();
  void end_stream();
  std::unique_lock<std::mutex> lock_;
  std::string what_, file_;
  std::string bytes_;            // what PLplot wrote
  std::FILE* memory_ = nullptr;  // a FILE* appending to bytes_ (fopencookie)
  bool memory_closed_ = false;   // PLplot's plend fcloses it itself
  bool write_failed_ = false;
  double label_scale_[2] = {1, 1};  // x, y: tick values are divided by these (axes())
  std::unique_ptr<plstream> pls_;
  int width_, height_;
};

// PLplot treats '#' as its escape character: double it in user text.
std::string plain(const std::string& text);

// [lo, hi] padded by 5% on each side like matplotlib's default margins; a flat range widened.
void padded_range(const std::vector<std::vector<double>>& ys, bool log_y, double& lo, double& hi);

}  // namespace gf::viz::detail
