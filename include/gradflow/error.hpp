// gf::Error — the one exception type of the library. Every misuse throws it, and its what()
// names the operation and the offending shapes or values, e.g.
//   "matmul: shapes [10, 5] and [3, 5] cannot be multiplied".
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace gf {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
// Builds a message from any streamable pieces: fail("matmul: shapes ", a, " and ", b).
template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  throw Error(out.str());
}
}  // namespace detail

// GF_CHECK(cond, "op: message ", value, ...) throws gf::Error when cond is false.
#define GF_CHECK(cond, ...)                              \
  do {                                                   \
    if (!(cond)) ::gf::detail::fail(__VA_ARGS__);        \
  } while (0)

}  // namespace gf
