// PyTorch's tensor printing (torch/_tensor_str.py): one formatter for the whole tensor chosen
// from its values (integers as "2.", fixed "%.4f", or "%.4e" when magnitudes span > 1000x or
// exceed 1e8 or fall below 1e-4), right-aligned to a common width, 80-column rows, and
// summarised with "..." above 1000 elements.
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "gradflow/tensor.hpp"

namespace gf {

namespace {

constexpr int kLineWidth = 80;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;

struct Formatter {
  enum Mode { Boolean, Integer, IntegerFloat, Fixed, Scientific } mode = Fixed;
  int width = 1;

  std::string format(double v) const {
    char buf[64];
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    switch (mode) {
      case Boolean: return v != 0 ? "True" : "False";
      case Integer: std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v)); break;
      case IntegerFloat: std::snprintf(buf, sizeof buf, "%.0f.", v); break;
      case Fixed: std::snprintf(buf, sizeof buf, "%.4f", v); break;
      case Scientific: std::snprintf(buf, sizeof buf, "%.4e", v); break;
    }
    return buf;
  }
  std::string padded(double v) const {
    std::string s = format(v);
    return std::string(std::max<int>(0, width - static_cast<int>(s.size())), ' ') + s;
  }
};

Formatter make_formatter(const std::vector<double>& values, DType dtype) {
  Formatter f;
  if (dtype == DType::Bool) {
    f.mode = Formatter::Boolean;
  } else if (is_integral(dtype, false)) {
    f.mode = Formatter::Integer;
  } else {
    bool all_int = true;
    double lo = INFINITY, hi = 0;
    bool any = false;
    for (double v : values) {
      if (!std::isfinite(v)) continue;
      if (std::ceil(v) != v) all_int = false;
      double a = std::fabs(v);
      if (a == 0) continue;
      any = true;
      lo = std::min(lo, a);
      hi = std::max(hi, a);
    }
    if (all_int) {
      f.mode = any && (hi / lo > 1000 || hi > 1e8) ? Formatter::Scientific : Formatter::IntegerFloat;
    } else {
      f.mode = any && (hi / lo > 1000 || hi > 1e8 || lo < 1e-4) ? Formatter::Scientific
                                                                 : Formatter::Fixed;
    }
  }
  for (double v : values) f.width = std::max<int>(f.width, static_cast<int>(f.format(v).size()));
  return f;
}

// Recursively prints dims [d, ndim) of the row-major `values` starting at `base`.
void print_dims(std::ostream& out, const std::vector<double>& values, const Shape& shape,
                const Shape& strides, std::size_t d, int64_t base, int indent, bool summarize,
                const Formatter& f) {
  int64_t n = shape[d];
  auto shown = [&](int64_t i) { return !summarize || n <= 2 * kEdgeItems || i < kEdgeItems || i >= n - kEdgeItems; };
  out << '[';
  if (d + 1 == shape.size()) {
    int per_line = std::max(1, (kLineWidth - indent) / (f.width + 2));
    int on_line = 0;
    bool first = true;
    for (int64_t i = 0; i < n; ++i) {
      if (!shown(i)) {
        if (i == kEdgeItems) {
          out << (first ? "" : ", ") << "...";
          first = false;
        }
        continue;
      }
      if (!first) {
        if (on_line == per_line) {
          out << ",\n" << std::string(indent + 1, ' ');
          on_line = 0;
        } else {
          out << ", ";
        }
      }
      out << f.padded(values[base + i * strides[d]]);
      ++on_line;
      first = false;
    }
  } else {
    std::string sep = "," + std::string(shape.size() - d - 1, '\n') + std::string(indent + 1, ' ');
    bool first = true;
    for (int64_t i = 0; i < n; ++i) {
      if (!shown(i)) {
        if (i == kEdgeItems) {
          out << sep << "...";
        }
        continue;
      }
      if (!first) out << sep;
      print_dims(out, values, shape, strides, d + 1, base + i * strides[d], indent + 1,
                 summarize, f);
      first = false;
    }
  }
  out << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const Tensor& t) {
  if (!t.defined()) return out << "[ Tensor (undefined) ]";
  std::vector<double> values = t.tolist();
  bool summarize = t.numel() > kThreshold;
  Shape strides = contiguous_strides(t.sizes());
  std::vector<double> shown;
  if (summarize) {  // the formatter looks only at the values that will be printed
    for (int64_t i = 0; i < t.numel(); ++i) {
      bool keep = true;
      int64_t rem = i;
      for (std::size_t d = 0; d < t.sizes().size(); ++d) {
        int64_t idx = rem / strides[d];
        rem %= strides[d];
        int64_t n = t.sizes()[d];
        if (n > 2 * kEdgeItems && idx >= kEdgeItems && idx < n - kEdgeItems) keep = false;
      }
      if (keep) shown.push_back(values[i]);
    }
  }
  Formatter f = make_formatter(summarize ? shown : values, t.dtype());
  out << "tensor(";
  if (t.numel() == 0) {
    out << "[]";
  } else if (t.dim() == 0) {
    out << f.format(values[0]);
  } else {
    print_dims(out, values, t.sizes(), strides, 0, 0, 7, summarize, f);
  }
  if (t.numel() == 0 && t.dim() != 1) {
    out << ", size=(";
    for (std::size_t i = 0; i < t.sizes().size(); ++i) out << (i ? ", " : "") << t.sizes()[i];
    out << (t.dim() == 1 ? ",)" : ")");
  }
  // Like torch: int64 and bool are implied by the values, except when there are none.
  bool implied = t.dtype() == default_dtype() ||
                 (t.numel() > 0 && (t.dtype() == DType::Int64 || t.dtype() == DType::Bool));
  if (!implied) out << ", dtype=" << dtype_name(t.dtype());
  if (t.grad_fn()) {
    out << ", grad_fn=<" << t.grad_fn_name() << '>';
  } else if (t.requires_grad()) {
    out << ", requires_grad=True";
  }
  return out << ')';
}

std::string to_string(const Tensor& t) {
  std::ostringstream out;
  out << t;
  return out.str();
}

}  // namespace gf
