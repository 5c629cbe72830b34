// error_of(f): the what() of the gf::Error that f throws, or "(no gf::Error thrown)", so that a
// test asserts the message: EXPECT_THAT(error_of([&] { ... }), HasSubstr("matmul: shapes")).
#pragma once
#include <string>

#include <gradflow/error.hpp>

namespace gf::test {

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no gf::Error thrown)";
}

}  // namespace gf::test
