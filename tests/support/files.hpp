// Test helpers for file readers: a fresh scratch directory per test, writing bytes (plain or
// gzip), and asserting that a statement throws gf::Error whose message contains a substring.
#pragma once
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <gradflow/error.hpp>
#include <sstream>
#include <string>

namespace gf::test {

// GF_BINARY_DIR/test_tmp/<suite>.<test>, emptied.
inline std::string scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path p = std::filesystem::path(GF_BINARY_DIR) / "test_tmp" /
                            (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  if (!bytes.empty()) gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// The whole file as text ("" when it cannot be read).
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace gf::test

// Asserts that `stmt` throws gf::Error with `substring` in what().
#define EXPECT_ERROR_WITH(stmt, substring)                                        \
  do {                                                                            \
    try {                                                                         \
      stmt;                                                                       \
      ADD_FAILURE() << "expected gf::Error containing \"" << (substring) << "\""; \
    } catch (const ::gf::Error& e) {                                              \
      EXPECT_NE(std::string(e.what()).find(substring), std::string::npos)         \
          << "message: " << e.what() << "\nexpected to contain: " << (substring); \
    }                                                                             \
  } while (0)
