// Crash-safe file writes. write_file_atomic writes the bytes to a temporary file in the same
// directory, flushes and fsyncs it, renames it over `path` and fsyncs the directory, so a reader
// (or a crash at any moment) sees either the previous complete file or the new complete file,
// never a torn one. Used for checkpoints (safetensors) and metrics by the training helper.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gf::io {

// Replaces `path` with `bytes` atomically. Throws gf::Error naming the path and the failing step
// ("write_file_atomic: runs/a/last.safetensors: rename failed: Permission denied"); on failure
// the temporary file is removed and `path` is left untouched.
void write_file_atomic(const std::string& path, std::string_view bytes);
// Same, writing the pieces one after another (no concatenated copy of large tensors).
void write_file_atomic(const std::string& path, const std::vector<std::string_view>& pieces);

// Reads a whole file (at most max_bytes; larger files are an error naming the size).
std::string read_file(const std::string& path, std::uint64_t max_bytes = (1ULL << 34));

}  // namespace gf::io
