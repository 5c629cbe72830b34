// Python's repr of numbers, for module printing (extra_repr) the way PyTorch shows its options.
#pragma once
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace gf::nn::detail {

// Python's repr(float): shortest round-trip digits, fixed notation for 1e-4 <= |v| < 1e16,
// otherwise "1e-05" style; always shows a '.' or an exponent ("1.0", "0.5").
inline std::string python_float(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, end);  // "d.ddde±XX"
  auto e = sci.find('e');
  if (e == std::string::npos) return sci;  // inf / nan
  bool neg = sci[0] == '-';
  std::string mant = sci.substr(neg ? 1 : 0, e - (neg ? 1 : 0));
  int exp = std::atoi(sci.c_str() + e + 1);
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  std::string out = neg ? "-" : "";
  if (exp >= -4 && exp < 16) {
    if (exp < 0) {
      out += "0." + std::string(-exp - 1, '0') + digits;
    } else if (static_cast<int>(digits.size()) <= exp + 1) {
      out += digits + std::string(exp + 1 - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char ebuf[16];
  std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
  return out + ebuf;
}

// An option whose Python default is an int (Softplus's beta=1, threshold=20): integral values
// print as ints, others as floats.
inline std::string python_number(double v) {
  if (std::isfinite(v) && v == static_cast<double>(static_cast<long long>(v)))
    return std::to_string(static_cast<long long>(v));
  return python_float(v);
}

}  // namespace gf::nn::detail
