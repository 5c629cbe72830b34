// Turns a runtime flag into a compile-time one, so an optimizer's update loop is compiled once
// per combination of options with no branch inside: with_flag(b, [&](auto on) { if constexpr (on) ... }).
#pragma once
#include <type_traits>

namespace gf::optim::detail {

template <class F>
void with_flag(bool flag, F&& f) {
  if (flag) {
    f(std::true_type{});
  } else {
    f(std::false_type{});
  }
}

}  // namespace gf::optim::detail
