// libFuzzer target: the idx reader (see harness.hpp for the input format).
#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gf::fuzz::run_idx(data, size);
  return 0;
}
