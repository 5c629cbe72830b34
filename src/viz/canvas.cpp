// The PLplot page shared by all plots: device from the extension, white background, tab10.
#include "canvas.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "gradflow/error.hpp"
#include "write_picture.hpp"

namespace gf::viz::detail {

namespace {

const int kTab10[10][3] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                           {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                           {188, 189, 34},  {23, 190, 207}};

std::string device_for(const std::string& what, const std::string& file) {
  std::string ext = std::filesystem::path(file).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".png") return "pngcairo";
  if (ext == ".svg") return "svgcairo";
  ::gf::detail::fail(what, ": cannot tell the image format of '", file, "' (extension '", ext,
                     "'); use .png or .svg");
}

bool device_available(plstream& p, const std::string& device) {
  const char* menu_storage[128];
  const char* name_storage[128];
  const char** menus = menu_storage;
  const char** names = name_storage;
  int n = 128;
  p.gFileDevs(&menus, &names, &n);
  for (int i = 0; i < n; ++i)
    if (device == names[i]) return true;
  return false;
}

}  // namespace

std::mutex& Canvas::mutex() {
  static std::mutex m;  // PLplot keeps global state
  return m;
}

Canvas::Canvas(const std::string& what, const std::string& file, int width, int height)
    : lock_(mutex()), what_(what), file_(file), width_(width), height_(height) {
  GF_CHECK(!file.empty(), what, ": no output file given");
  const std::string device = device_for(what, file);
  GF_CHECK(width >= 50 && height >= 50 && width <= 20000 && height <= 20000, what, ": image size ",
           width, "x", height, " is out of range (50..20000 pixels)");

  // The cookie stream appends to bytes_; PLplot's tidy step may fclose it (the close callback
  // records that), otherwise end_stream() does.
  cookie_io_functions_t io{};
  io.write = [](void* self, const char* data, std::size_t size) -> ssize_t {
    auto* c = static_cast<Canvas*>(self);
    try {
      c->bytes_.append(data, size);
    } catch (const std::bad_alloc&) {
      c->write_failed_ = true;
      errno = ENOMEM;
      return -1;
    }
    return static_cast<ssize_t>(size);
  };
  io.close = [](void* self) -> int {
    static_cast<Canvas*>(self)->memory_closed_ = true;
    return 0;
  };
  memory_ = fopencookie(this, "wb", io);
  GF_CHECK(memory_ != nullptr, what, ": cannot open a memory stream: ", std::strerror(errno));

  pls_ = std::make_unique<plstream>();
  plstream& p = *pls_;
  if (!device_available(p, device)) {
    end_stream();
    ::gf::detail::fail(what, ": PLplot has no '", device,
                       "' device; install Debian's plplot-driver-cairo");
  }
  p.sdev(device.c_str());
  p.sfile(memory_);
  p.spage(0, 0, width, height, 0, 0);
  p.scmap0n(16);
  p.scolbg(255, 255, 255);
  p.scol0(kBlack, 0, 0, 0);
  p.scol0(kGrid, 222, 222, 222);
  for (int i = 0; i < kNumSeries; ++i)
    p.scol0(kFirstSeries + i, kTab10[i][0], kTab10[i][1], kTab10[i][2]);
  p.scol0(kWhite, 255, 255, 255);
  p.scol0(kDarkGrey, 64, 64, 64);
  p.scol0(kLegendFrame, 204, 204, 204);
  p.setopt("drvopt", "text_anti_aliasing=2,graphics_anti_aliasing=2");
  p.init();
  p.adv(0);
  p.schr(0, 1.0);
  p.col0(kBlack);
}

Canvas::~Canvas() { end_stream(); }

void Canvas::end_stream() {
  pls_.reset();  // plend1: the driver writes the page into memory_ here
  if (memory_ && !memory_closed_) std::fclose(memory_);
  memory_ = nullptr;
}

void Canvas::finish() {
  end_stream();
  GF_CHECK(!write_failed_, what_, ": out of memory while drawing '", file_, "'");
  GF_CHECK(!bytes_.empty(), what_, ": PLplot produced no picture for '", file_, "'");
  write_picture(what_.c_str(), file_, bytes_);
}

void Canvas::panel(double vx0, double vx1, double vy0, double vy1, double x0, double x1, double y0,
                   double y1, bool log_y) {
  plstream& p = *pls_;
  p.vpor(vx0, vx1, vy0, vy1);
  p.wind(x0, x1, log_y ? std::log10(y0) : y0, log_y ? std::log10(y1) : y1);
  p.col0(kGrid);
  p.width(1);
  p.lsty(1);
  p.box("g", 0, 0, log_y ? "gl" : "g", 0, 0);
  p.col0(kBlack);
}

void Canvas::frame(bool log_y) { axes("bcnst", 0, 0, log_y ? "bcnstlv" : "bcnstv", 0, 0); }

namespace {

// The power of ten an axis over [lo, hi] is labelled in: 0 for ordinary values.
int offset_exponent(double lo, double hi) {
  const double m = std::max(std::abs(lo), std::abs(hi));
  if (!std::isfinite(m) || m == 0) return 0;
  const int e = static_cast<int>(std::floor(std::log10(m)));
  return e >= 4 || e <= -3 ? e : 0;
}

// plslabelfunc: a tick value divided by the axis's scale, in %g ("2.5", "-1", "0").
void scaled_label(PLINT axis, PLFLT value, char* label, PLINT length, PLPointer data) {
  const double* scale = static_cast<const double*>(data);
  double v = value / scale[axis == PL_Y_AXIS ? 1 : 0];
  if (std::abs(v) < 1e-9) v = 0;  // -1.7e-17 from the tick arithmetic is 0
  std::snprintf(label, static_cast<std::size_t>(length), "%g", v);
}

}  // namespace

void Canvas::axes(const char* xopt, double xtick, int nxsub, const char* yopt, double ytick,
                  int nysub) {
  plstream& p = *pls_;
  PLFLT x0, x1, y0, y1;
  p.gvpw(x0, x1, y0, y1);
  const std::string xs = xopt, ys = yopt;
  const int ex = xs.find('l') == std::string::npos ? offset_exponent(x0, x1) : 0;
  const int ey = ys.find('l') == std::string::npos ? offset_exponent(y0, y1) : 0;
  label_scale_[0] = std::pow(10.0, ex);
  label_scale_[1] = std::pow(10.0, ey);
  p.slabelfunc(scaled_label, label_scale_);
  p.col0(kBlack);
  p.width(1);
  p.lsty(1);
  p.box((xs + (ex ? "o" : "")).c_str(), xtick, nxsub, (ys + (ey ? "o" : "")).c_str(), ytick, nysub);
  p.slabelfunc(nullptr, nullptr);
  // "×10ⁿ" in PLplot's text escapes: #u raises, #d lowers.
  auto offset = [](int e) { return "×10#u" + std::to_string(e) + "#d"; };
  if (ey) p.mtex("t", 0.4, 0.0, 0.0, offset(ey).c_str());
  if (ex) p.mtex("b", 3.4, 1.0, 1.0, offset(ex).c_str());
}

void Canvas::labels(const std::string& xlabel, const std::string& ylabel,
                    const std::string& title) {
  plstream& p = *pls_;
  p.col0(kBlack);
  p.mtex("b", 3.2, 0.5, 0.5, plain(xlabel).c_str());
  p.mtex("l", 4.2, 0.5, 0.5, plain(ylabel).c_str());
  p.schr(0, 1.25);
  p.mtex("t", 1.2, 0.5, 0.5, plain(title).c_str());
  p.schr(0, 1.0);
}

void Canvas::polyline(const std::vector<double>& x, const std::vector<double>& y, int colour,
                      double width, int style) {
  plstream& p = *pls_;
  p.col0(colour);
  p.width(width);
  p.lsty(style);
  std::vector<double> sx, sy;
  auto flush = [&] {
    if (sx.size() >= 2) p.line(static_cast<PLINT>(sx.size()), sx.data(), sy.data());
    sx.clear();
    sy.clear();
  };
  for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
      flush();
      continue;
    }
    sx.push_back(x[i]);
    sy.push_back(y[i]);
  }
  flush();
  p.width(1);
  p.lsty(1);
}

void Canvas::legend(const std::vector<std::string>& names, const std::vector<int>& colours,
                    const std::vector<int>& styles, int position) {
  const int n = static_cast<int>(names.size());
  if (n == 0) return;
  std::vector<std::string> text(n);
  std::vector<const char*> ctext(n);
  std::vector<PLINT> opt(n, PL_LEGEND_LINE), text_colours(n, kBlack), line_colours(n),
      line_styles(n);
  std::vector<PLFLT> line_widths(n, 2.0);
  for (int i = 0; i < n; ++i) {
    text[i] = plain(names[i]);
    ctext[i] = text[i].c_str();
    line_colours[i] = colours[i];
    line_styles[i] = styles.empty() ? 1 : styles[i];
  }
  PLFLT w = 0, h = 0;
  pls_->legend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
               position | PL_POSITION_INSIDE | PL_POSITION_VIEWPORT, 0.02, 0.02, 0.08, kBackground,
               kLegendFrame, 1, 0, 0, n, opt.data(), 1.0, 1.0, 2.0, 0.0, text_colours.data(),
               ctext.data(), nullptr, nullptr, nullptr, nullptr, line_colours.data(),
               line_styles.data(), line_widths.data(), nullptr, nullptr, nullptr, nullptr);
}

void Canvas::colour_map(bool diverging) {
  if (diverging) {  // blue - near white - red, like matplotlib's coolwarm / RdBu_r
    PLFLT pos[] = {0.0, 0.25, 0.5, 0.75, 1.0};
    PLFLT r[] = {59 / 255.0, 141 / 255.0, 242 / 255.0, 244 / 255.0, 180 / 255.0};
    PLFLT g[] = {76 / 255.0, 176 / 255.0, 242 / 255.0, 154 / 255.0, 4 / 255.0};
    PLFLT b[] = {192 / 255.0, 254 / 255.0, 242 / 255.0, 123 / 255.0, 38 / 255.0};
    pls_->scmap1n(256);
    pls_->scmap1l(true, 5, pos, r, g, b, nullptr);
  } else {  // viridis
    PLFLT pos[] = {0.0, 0.25, 0.5, 0.75, 1.0};
    PLFLT r[] = {68 / 255.0, 59 / 255.0, 33 / 255.0, 94 / 255.0, 253 / 255.0};
    PLFLT g[] = {1 / 255.0, 82 / 255.0, 145 / 255.0, 201 / 255.0, 231 / 255.0};
    PLFLT b[] = {84 / 255.0, 139 / 255.0, 140 / 255.0, 98 / 255.0, 37 / 255.0};
    pls_->scmap1n(256);
    pls_->scmap1l(true, 5, pos, r, g, b, nullptr);
  }
}

std::string plain(const std::string& text) {
  std::string r;
  for (char c : text) {
    r += c;
    if (c == '#') r += '#';
  }
  return r;
}

void padded_range(const std::vector<std::vector<double>>& ys, bool log_y, double& lo, double& hi) {
  lo = INFINITY;
  hi = -INFINITY;
  for (const auto& y : ys)
    for (double v : y)
      if (std::isfinite(v) && (!log_y || v > 0)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  if (!std::isfinite(lo)) {  // nothing to show
    lo = log_y ? 0.1 : 0;
    hi = log_y ? 10 : 1;
    return;
  }
  if (log_y) {
    double a = std::log10(lo), b = std::log10(hi);
    if (b - a < 1e-12) {
      a -= 0.5;
      b += 0.5;
    }
    double m = 0.05 * (b - a);
    lo = std::pow(10.0, a - m);
    hi = std::pow(10.0, b + m);
    return;
  }
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
    double d = std::max(0.5, std::abs(hi) * 0.1);
    lo -= d;
    hi += d;
    return;
  }
  double m = 0.05 * (hi - lo);
  lo -= m;
  hi += m;
}

}  // namespace gf::viz::detail
