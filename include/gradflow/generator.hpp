// The random number generator behind rand/randn/randint/randperm, dropout and shuffling.
// Its stream is defined here (SplitMix64 seeding a xoshiro256** state, our own uniform and
// Box-Muller normal), not by the standard library, so the same seed gives the same numbers on
// every machine and compiler.
#pragma once
#include <array>
#include <cstdint>

namespace gf {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) { seed_(seed); }
  void manual_seed(uint64_t seed) { seed_(seed); }
  uint64_t next_u64();
  double uniform();                       // [0, 1), 53 random bits
  double normal();                        // standard normal (Box-Muller, caches the pair)
  int64_t randint(int64_t low, int64_t high);  // [low, high), unbiased

  // The whole state, for checkpoints (resume reproduces the same stream).
  struct State {
    std::array<uint64_t, 4> s;
    bool has_spare;
    double spare;
  };
  State state() const { return {s_, has_spare_, spare_}; }
  void set_state(const State& st) {
    s_ = st.s;
    has_spare_ = st.has_spare;
    spare_ = st.spare;
  }

 private:
  void seed_(uint64_t seed);
  std::array<uint64_t, 4> s_{};
  bool has_spare_ = false;
  double spare_ = 0;
};

// The default generator, seeded by manual_seed (one per process).
Generator& default_generator();

}  // namespace gf
