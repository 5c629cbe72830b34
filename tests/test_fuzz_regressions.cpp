// Replays every fuzz input committed under tests/fuzz/regressions/<target>/ (findings of
// scripts/fuzz) and tests/fuzz/corpus/<target>/ (the seed corpus) through the normal readers, with
// the same harnesses the libFuzzer targets use (fuzz/harness.hpp): each input must either load
// (with the harness's invariants holding) or throw gf::Error — never crash, never throw anything
// else. Under the ASan+UBSan build this also catches memory errors and UB the inputs once caused.
// (The command-line target's inputs are replayed by scripts/fuzz through fuzz_cli.)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../fuzz/harness.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kFuzzDir = fs::path(GF_SOURCE_DIR) / "tests" / "fuzz";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> inputs(const std::string& kind, const std::string& target) {
  std::vector<fs::path> files;
  fs::path dir = kFuzzDir / kind / target;
  if (!fs::is_directory(dir)) return files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

using Harness = bool (*)(const uint8_t*, std::size_t);

bool run(Harness h, const fs::path& file) {
  std::string bytes = slurp(file);
  return h(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// Replays a directory; returns how many inputs loaded and how many were refused.
std::pair<int, int> replay(Harness h, const std::string& kind, const std::string& target) {
  int loaded = 0, refused = 0;
  for (const fs::path& f : inputs(kind, target)) {
    SCOPED_TRACE(f.string());
    bool ok = false;
    EXPECT_NO_THROW(ok = run(h, f)) << "only gf::Error may escape a reader";
    ++(ok ? loaded : refused);
  }
  return {loaded, refused};
}

struct Target {
  const char* name;
  Harness harness;
};
const Target kTargets[] = {{"idx", gf::fuzz::run_idx},
                           {"csv", gf::fuzz::run_csv},
                           {"safetensors", gf::fuzz::run_safetensors}};

TEST(FuzzRegressions, SeedCorpusLoadsOrThrowsError) {
  for (const Target& t : kTargets) {
    SCOPED_TRACE(t.name);
    auto [loaded, refused] = replay(t.harness, "corpus", t.name);
    // The corpus holds valid files and broken ones: both outcomes must occur.
    EXPECT_GT(loaded, 3);
    EXPECT_GT(refused, 3);
  }
}

TEST(FuzzRegressions, FindingsLoadOrThrowError) {
  int total = 0;
  for (const Target& t : kTargets) {
    SCOPED_TRACE(t.name);
    auto [loaded, refused] = replay(t.harness, "regressions", t.name);
    total += loaded + refused;
  }
  RecordProperty("regression_inputs", total);
}

// The corpus's known files have the expected outcome, so the harnesses really reach the readers.
TEST(FuzzRegressions, KnownCorpusFilesHaveTheExpectedOutcome) {
  auto expect = [](Harness h, const std::string& target, const std::string& name, bool loads) {
    SCOPED_TRACE(target + "/" + name);
    EXPECT_EQ(run(h, kFuzzDir / "corpus" / target / name), loads);
  };
  expect(gf::fuzz::run_idx, "idx", "u8", true);
  expect(gf::fuzz::run_idx, "idx", "f64-gz", true);
  expect(gf::fuzz::run_idx, "idx", "two-members", false);  // trailing data after the IDX data
  expect(gf::fuzz::run_idx, "idx", "huge-dims", false);
  expect(gf::fuzz::run_idx, "idx", "huge-dims-gz", false);
  expect(gf::fuzz::run_csv, "csv", "iris", true);
  expect(gf::fuzz::run_csv, "csv", "nan", false);
  expect(gf::fuzz::run_csv, "csv", "ragged", false);
  expect(gf::fuzz::run_safetensors, "safetensors", "valid", true);
  expect(gf::fuzz::run_safetensors, "safetensors", "torch-reference", true);
  expect(gf::fuzz::run_safetensors, "safetensors", "overflow-shape", false);
  expect(gf::fuzz::run_safetensors, "safetensors", "length-max", false);
}

// The memfd path the harness gives the path-based readers is a real path: the same bytes load
// the same way from a regular file.
TEST(FuzzRegressions, MemFileMatchesARegularFile) {
  std::string bytes = slurp(kFuzzDir / "corpus" / "safetensors" / "valid");
  gf::fuzz::MemFile mem(bytes);
  auto a = gf::io::load_safetensors(mem.path());
  auto b = gf::io::load_safetensors((kFuzzDir / "corpus" / "safetensors" / "valid").string());
  ASSERT_EQ(a.tensors.size(), 3u);
  ASSERT_EQ(b.tensors.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(gf::fuzz::raw_bytes(a.tensors[i].second), gf::fuzz::raw_bytes(b.tensors[i].second));
}

}  // namespace
