// The fuzz harnesses: one function per reader, shared by the libFuzzer targets (fuzz/fuzz_*.cpp,
// built with clang and -fsanitize=fuzzer,address,undefined) and by the normal test suite
// (tests/test_fuzz_regressions.cpp replays every corpus and regression file through them with the
// gcc build). Each takes the raw fuzz input, runs the reader, and returns true when it loaded and
// false when it threw gf::Error. Anything else — another exception type, a crash, a sanitizer
// report, a broken invariant of a successful load (GF_FUZZ_ASSERT aborts) — is a finding.
//
// Inputs whose first byte is a mode byte (IDX, CSV) are documented at each harness; the seed
// corpus under tests/fuzz/corpus/<target>/ is written by fuzz/make_corpus.py.
#pragma once
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <gradflow/data/csv.hpp>
#include <gradflow/data/idx.hpp>
#include <gradflow/error.hpp>
#include <gradflow/io/safetensors.hpp>
#include <string>
#include <string_view>

#define GF_FUZZ_ASSERT(cond)                                                                 \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

namespace gf::fuzz {

// An in-memory file (memfd) with a path the path-based readers can open: /proc/self/fd/N.
// The IDX reader and load_safetensors take paths only (no buffer entry point), so this is how
// the fuzzer reaches them without touching the disk.
class MemFile {
 public:
  explicit MemFile(std::string_view bytes) {
    fd_ = ::memfd_create("gf-fuzz", 0);
    GF_FUZZ_ASSERT(fd_ >= 0);
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t w = ::write(fd_, bytes.data() + done, bytes.size() - done);
      GF_FUZZ_ASSERT(w > 0);
      done += static_cast<std::size_t>(w);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// The bytes of a contiguous tensor.
inline std::string_view raw_bytes(const Tensor& t) {
  const auto* base = static_cast<const char*>(t.impl().storage->data);
  const std::size_t item = element_size(t.dtype());
  return {base + t.storage_offset() * item, static_cast<std::size_t>(t.numel()) * item};
}

// gzip (RFC 1952) of `in`, one member, with zlib.
inline std::string gzip(std::string_view in) {
  z_stream z{};
  GF_FUZZ_ASSERT(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  GF_FUZZ_ASSERT(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// IDX. Byte 0 is the mode (low 2 bits), the rest is the payload P:
//   0: P is the file as is (plain IDX, or a hand-made / corrupt gzip file)
//   1: gzip(P)                          — well-formed gzip, so the IDX checks behind it are reached
//   2: gzip(first half of P) + second half raw  — garbage after the gzip stream
//   3: gzip(first half) + gzip(second half)     — two concatenated gzip members
inline bool run_idx(const uint8_t* data, std::size_t size) {
  if (size == 0) return false;
  std::string_view p(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string file;
  switch (data[0] & 3) {
    case 0:
      file = p;
      break;
    case 1:
      file = gzip(p);
      break;
    case 2:
      file = gzip(p.substr(0, p.size() / 2)) + std::string(p.substr(p.size() / 2));
      break;
    default:
      file = gzip(p.substr(0, p.size() / 2)) + gzip(p.substr(p.size() / 2));
  }
  MemFile f(file);
  try {
    Tensor t = data::read_idx(f.path());
    GF_FUZZ_ASSERT(t.defined() && t.dim() >= 1);
    GF_FUZZ_ASSERT(t.dtype() == DType::Int64 || t.dtype() == DType::Float32 ||
                   t.dtype() == DType::Float64);
    // Every element was decoded from the file: the data cannot be larger than what it held
    // (decompressed), which bounds the allocation by the input.
    GF_FUZZ_ASSERT(static_cast<std::size_t>(t.numel()) <= p.size() * 2 + 64 || (data[0] & 3) == 0);
    return true;
  } catch (const Error&) {
    return false;
  }
}

// CSV. Byte 0 picks the options, the rest is the text:
//   bits 0-1 label_column (-1, 0, 1, -2), bit 2 has_labels, bits 3-4 header (Auto, Present,
//   Absent), bits 5-6 delimiter (',' ';' '\t' ' '), bit 7 dtype (default / Float64).
inline bool run_csv(const uint8_t* data, std::size_t size) {
  if (size == 0) return false;
  const uint8_t m = data[0];
  data::CsvOptions o;
  static const int64_t kLabel[] = {-1, 0, 1, -2};
  static const char kDelim[] = {',', ';', '\t', ' '};
  o.label_column = kLabel[m & 3];
  o.has_labels = (m & 4) == 0;
  o.has_header = static_cast<data::CsvHeader>(((m >> 3) & 3) % 3);
  o.delimiter = kDelim[(m >> 5) & 3];
  if (m & 128) o.dtype = DType::Float64;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    data::CsvData d = data::parse_csv(text, "fuzz.csv", o);
    const int64_t rows = d.features.size(0);
    GF_FUZZ_ASSERT(d.features.dim() == 2 && is_floating(d.features.dtype()));
    GF_FUZZ_ASSERT(static_cast<int64_t>(d.column_names.size()) == d.features.size(1));
    if (o.has_labels) {
      GF_FUZZ_ASSERT(d.labels.dim() == 1 && d.labels.size(0) == rows);
      const int64_t* l = d.labels.data_ptr<int64_t>();
      for (int64_t i = 0; i < rows; ++i) GF_FUZZ_ASSERT(l[i] >= 0 && l[i] < d.num_classes);
    }
    // Values are finite (the reader refuses nan/inf with the row number).
    Tensor f = d.features.to(DType::Float64).contiguous();
    const double* v = f.data_ptr<double>();
    for (int64_t i = 0; i < f.numel(); ++i) GF_FUZZ_ASSERT(std::isfinite(v[i]));
    return true;
  } catch (const Error&) {
    return false;
  }
}

// safetensors: the input is the file. parse_safetensors (bytes) and load_safetensors (the same
// bytes as a file) must agree; a loaded file must serialize and parse back to the same tensors.
inline bool run_safetensors(const uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  bool parsed_ok = false, loaded_ok = false;
  io::SafetensorsFile parsed, loaded;
  try {
    parsed = io::parse_safetensors(bytes, "fuzz.safetensors");
    parsed_ok = true;
  } catch (const Error&) {
  }
  {
    MemFile f(bytes);
    try {
      loaded = io::load_safetensors(f.path());
      loaded_ok = true;
    } catch (const Error&) {
    }
  }
  GF_FUZZ_ASSERT(parsed_ok == loaded_ok);
  if (!parsed_ok) return false;
  GF_FUZZ_ASSERT(parsed.tensors.size() == loaded.tensors.size());
  GF_FUZZ_ASSERT(parsed.metadata == loaded.metadata);
  for (std::size_t i = 0; i < parsed.tensors.size(); ++i) {
    const Tensor& a = parsed.tensors[i].second;
    const Tensor& b = loaded.tensors[i].second;
    GF_FUZZ_ASSERT(parsed.tensors[i].first == loaded.tensors[i].first);
    GF_FUZZ_ASSERT(a.sizes() == b.sizes() && a.dtype() == b.dtype());
    GF_FUZZ_ASSERT(raw_bytes(a) == raw_bytes(b));
  }
  // Round trip: what loads can be written and reads back identical (the writer may refuse
  // names or metadata the reader accepts — that is an Error, not a crash).
  std::string again;
  try {
    again = io::serialize_safetensors(parsed.tensors, parsed.metadata);
  } catch (const Error&) {
    return true;
  }
  io::SafetensorsFile back = io::parse_safetensors(again, "round-trip");
  GF_FUZZ_ASSERT(back.tensors.size() == parsed.tensors.size());
  for (const auto& [name, t] : parsed.tensors) {
    GF_FUZZ_ASSERT(back.contains(name));
    const Tensor& u = back.at(name);
    GF_FUZZ_ASSERT(u.sizes() == t.sizes() && u.dtype() == t.dtype());
    GF_FUZZ_ASSERT(raw_bytes(u) == raw_bytes(t));
  }
  return true;
}

}  // namespace gf::fuzz
