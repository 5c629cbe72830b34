// What the examples use to check their own numbers. Each check prints one line, "ok" or
// "MISMATCH" with what differed; main() ends with `return examples::finish();`, which is non-zero
// when any check failed (so every example is also a ctest test).
#pragma once
#include <cmath>
#include <gradflow/gradflow.hpp>
#include <iostream>
#include <sstream>
#include <string>

namespace examples {

inline int failures = 0;

inline std::string num(double v) {  // short scientific-or-fixed text, for messages
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

inline void check(bool ok, const std::string& what, const std::string& detail = "") {
  if (!ok) ++failures;
  std::cout << (ok ? "  [ok]       " : "  [MISMATCH] ") << what;
  if (!ok && !detail.empty()) std::cout << ": " << detail;
  std::cout << "\n";
}

// max_i |a_i - b_i| over two tensors of one shape.
inline double max_abs_diff(const gf::Tensor& a, const gf::Tensor& b) {
  if (a.sizes() != b.sizes()) return INFINITY;
  auto x = a.tolist(), y = b.tolist();
  double m = 0;
  for (std::size_t i = 0; i < x.size(); ++i) m = std::fmax(m, std::fabs(x[i] - y[i]));
  return m;
}

// |a - b| <= tol elementwise (shapes must match).
inline void check_close(const std::string& what, const gf::Tensor& a, const gf::Tensor& b,
                        double tol) {
  double d = max_abs_diff(a, b);
  std::string detail = a.sizes() != b.sizes()
                           ? "shapes " + a.sizes().str() + " and " + b.sizes().str()
                           : "max |difference| = " + num(d) + " > " + num(tol) + "\n" +
                                 gf::to_string(a) + "\nvs\n" + gf::to_string(b);
  check(d <= tol, what, detail);
}

inline void check_close(const std::string& what, double a, double b, double tol) {
  check(std::fabs(a - b) <= tol, what, num(a) + " vs " + num(b) + " (tolerance " + num(tol) + ")");
}

inline int finish() {
  if (failures == 0) {
    std::cout << "\nall checks passed\n";
    return 0;
  }
  std::cout << "\n" << failures << " check(s) FAILED\n";
  return 1;
}

}  // namespace examples
