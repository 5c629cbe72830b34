// safetensors read/write. Validation follows the reference implementation (safetensors/src/
// tensor.rs: header <= 100 MB, offsets contiguous from 0 to the end of the file, byte counts equal
// shape x dtype size with overflow checks), and every check runs before any tensor is allocated.
#include "gradflow/io/safetensors.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "gradflow/io/atomic_file.hpp"

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; big-endian hosts need byte swapping here");

namespace gf::io {
namespace {

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // as the reference implementation
constexpr int kMaxJsonDepth = 16;                  // a valid header needs 3

// safetensors dtype names, and their rank in the reference writer's sort (larger first).
const char* st_dtype_name(DType d) {
  switch (d) {
    case DType::Bool: return "BOOL";
    case DType::UInt8: return "U8";
    case DType::Int32: return "I32";
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    default: return "I64";
  }
}
// Position in safetensors' Dtype enum: BOOL U8 I8 I16 U16 F16 BF16 I32 U32 F32 F64 I64 U64.
int st_dtype_rank(DType d) {
  switch (d) {
    case DType::Bool: return 0;
    case DType::UInt8: return 1;
    case DType::Int32: return 7;
    case DType::Float32: return 9;
    case DType::Float64: return 10;
    default: return 11;
  }
}
// A BOOL byte other than 0 or 1 would be an invalid C++ bool: read it as "nonzero".
void normalize_bools(Tensor& t) {
  if (t.dtype() != DType::Bool) return;
  auto* p = static_cast<unsigned char*>(t.impl().storage->data);
  for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = p[i] != 0;
}

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin = 0, end = 0;
};
struct Header {
  std::vector<Entry> entries;  // sorted by offsets
  std::map<std::string, std::string> metadata;
};

// nlohmann's parser recurses per nesting level; refuse absurd nesting before parsing so that a
// header of 100 MB of '[' cannot exhaust the stack.
int json_depth(std::string_view s) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
      if (max_depth > kMaxJsonDepth) return max_depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

std::string offsets_str(const Entry& e) {
  return "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
}

Header parse_header(std::string_view text, uint64_t data_size, const std::string& src) {
  const char* op = "load_safetensors: ";
  GF_CHECK(json_depth(text) <= kMaxJsonDepth, op, src, ": header JSON is nested deeper than ",
           kMaxJsonDepth, " levels");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    detail::fail(op, src, ": header is not valid JSON: ", e.what());
  }
  GF_CHECK(j.is_object(), op, src, ": header is not a JSON object");
  Header h;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    const nlohmann::json& v = it.value();
    if (name == "__metadata__") {
      GF_CHECK(v.is_object(), op, src, ": __metadata__ is not an object of strings");
      for (auto m = v.begin(); m != v.end(); ++m) {
        GF_CHECK(m.value().is_string(), op, src, ": __metadata__ entry '", m.key(),
                 "' is not a string");
        h.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = std::string(op) + src + ": tensor '" + name + "': ";
    GF_CHECK(v.is_object(), where, "entry is not an object");
    auto dt = v.find("dtype");
    auto sh = v.find("shape");
    auto off = v.find("data_offsets");
    GF_CHECK(dt != v.end() && dt->is_string(), where, "missing \"dtype\" string");
    GF_CHECK(sh != v.end() && sh->is_array(), where, "missing \"shape\" array");
    GF_CHECK(off != v.end() && off->is_array() && off->size() == 2, where,
             "\"data_offsets\" must be an array [begin, end]");
    Entry e;
    e.name = name;
    const std::string dname = dt->get<std::string>();
    std::size_t esize = 0;
    if (dname == "BOOL")
      e.dtype = DType::Bool, esize = 1;
    else if (dname == "U8")
      e.dtype = DType::UInt8, esize = 1;
    else if (dname == "I32")
      e.dtype = DType::Int32, esize = 4;
    else if (dname == "F32")
      e.dtype = DType::Float32, esize = 4;
    else if (dname == "F64")
      e.dtype = DType::Float64, esize = 8;
    else if (dname == "I64")
      e.dtype = DType::Int64, esize = 8;
    else
      detail::fail(where, "dtype '", dname, "' is not supported (gradflow reads BOOL, U8, I32, I64, F32, F64)");
    GF_CHECK(sh->size() <= Shape::kMaxDims, where, "shape has ", sh->size(),
             " dimensions; at most ", Shape::kMaxDims, " are supported");
    // The product also runs over max(d, 1): a zero-size tensor whose other dims multiply past
    // int64 would overflow its strides (and Shape::numel) all the same.
    uint64_t numel = 1, span = 1;
    bool overflow = false;
    for (const auto& d : *sh) {
      GF_CHECK(d.is_number_unsigned(), where, "shape ", sh->dump(),
               " must hold non-negative integers");
      uint64_t dv = d.get<uint64_t>();
      GF_CHECK(dv <= static_cast<uint64_t>(INT64_MAX), where, "shape ", sh->dump(),
               " is too large");
      overflow = overflow || __builtin_mul_overflow(numel, dv, &numel) ||
                 __builtin_mul_overflow(span, std::max<uint64_t>(dv, 1), &span);
      e.shape.push_back(static_cast<int64_t>(dv));
    }
    overflow = overflow || span > static_cast<uint64_t>(INT64_MAX);
    uint64_t nbytes = 0;
    overflow = overflow || __builtin_mul_overflow(numel, static_cast<uint64_t>(esize), &nbytes);
    GF_CHECK(!overflow, where, "shape ", sh->dump(), " overflows when multiplied out");
    for (const auto& o : *off)
      GF_CHECK(o.is_number_unsigned(), where, "data_offsets ", off->dump(),
               " must be non-negative integers");
    e.begin = (*off)[0].get<uint64_t>();
    e.end = (*off)[1].get<uint64_t>();
    GF_CHECK(e.begin <= e.end, where, "data_offsets ", offsets_str(e), " end before they begin");
    GF_CHECK(e.end <= data_size, where, "data_offsets ", offsets_str(e),
             " extend past the data section of ", data_size, " bytes (file truncated?)");
    GF_CHECK(e.end - e.begin == nbytes, where, "data_offsets ", offsets_str(e), " hold ",
             e.end - e.begin, " bytes but ", dname, " shape ", e.shape, " needs ", nbytes);
    h.entries.push_back(std::move(e));
  }
  std::sort(h.entries.begin(), h.entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t pos = 0;
  std::string previous;
  for (const Entry& e : h.entries) {
    GF_CHECK(e.begin == pos, op, src, ": tensor '", e.name, "': data_offsets ", offsets_str(e),
             e.begin < pos ? " overlap" : " leave a gap after", " the previous tensor",
             previous.empty() ? std::string() : " '" + previous + "'", " ending at byte ", pos);
    pos = e.end;
    previous = e.name;
  }
  GF_CHECK(pos == data_size, op, src, ": the data section has ", data_size,
           " bytes but the tensors cover ", pos, " (", data_size - pos, " bytes unaccounted for)");
  auto version = h.metadata.find("gradflow_format_version");
  if (version != h.metadata.end()) {
    GF_CHECK(version->second == kGradflowFormatVersion, op, src, ": gradflow_format_version '",
             version->second, "' is not supported (this build reads version ",
             kGradflowFormatVersion, ")");
  }
  return h;
}

struct Prepared {
  std::string head;                                    // 8-byte length + padded JSON
  std::vector<std::pair<std::string, Tensor>> sorted;  // contiguous tensors in file order
};

Prepared prepare(const std::vector<std::pair<std::string, Tensor>>& tensors,
                 const std::map<std::string, std::string>& metadata) {
  Prepared p;
  for (const auto& [name, t] : tensors) {
    GF_CHECK(!name.empty() && name != "__metadata__", "save_safetensors: invalid tensor name '",
             name, "'");
    GF_CHECK(t.defined(), "save_safetensors: tensor '", name, "' is undefined");
    p.sorted.emplace_back(name, t.detach().contiguous());
  }
  std::sort(p.sorted.begin(), p.sorted.end(), [](const auto& a, const auto& b) {
    int ra = st_dtype_rank(a.second.dtype()), rb = st_dtype_rank(b.second.dtype());
    return ra != rb ? ra > rb : a.first < b.first;
  });
  for (std::size_t i = 1; i < p.sorted.size(); ++i)
    GF_CHECK(p.sorted[i].first != p.sorted[i - 1].first, "save_safetensors: tensor name '",
             p.sorted[i].first, "' appears twice");

  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  std::map<std::string, std::string> meta = metadata;
  meta.emplace("format", "pt");
  meta["gradflow_format_version"] = kGradflowFormatVersion;
  j["__metadata__"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : meta) j["__metadata__"][k] = v;
  uint64_t offset = 0;
  for (const auto& [name, t] : p.sorted) {
    uint64_t n = static_cast<uint64_t>(t.numel()) * element_size(t.dtype());
    nlohmann::ordered_json e = nlohmann::ordered_json::object();
    e["dtype"] = st_dtype_name(t.dtype());
    e["shape"] = t.sizes().vec();
    e["data_offsets"] = {offset, offset + n};
    j[name] = std::move(e);
    offset += n;
  }
  std::string json = j.dump();
  json.append((8 - json.size() % 8) % 8, ' ');
  uint64_t n = json.size();
  p.head.resize(8);
  for (int i = 0; i < 8; ++i) p.head[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  p.head += json;
  return p;
}

std::string_view bytes_of(const Tensor& t) {
  return {static_cast<const char*>(t.impl().storage->data) +
              t.storage_offset() * element_size(t.dtype()),
          static_cast<std::size_t>(t.numel()) * element_size(t.dtype())};
}

uint64_t read_u64_le(const unsigned char* b) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | b[i];
  return n;
}

// Checks the 8-byte length against the file size; returns N.
uint64_t check_header_length(const unsigned char* b, uint64_t file_size, const std::string& src) {
  GF_CHECK(file_size >= 8, "load_safetensors: ", src, ": file is ", file_size,
           " bytes, too small for the 8-byte header length");
  uint64_t n = read_u64_le(b);
  GF_CHECK(n <= kMaxHeaderBytes, "load_safetensors: ", src, ": header length ", n,
           " exceeds the 100 MB limit (corrupt file?)");
  GF_CHECK(n <= file_size - 8, "load_safetensors: ", src, ": truncated: header length ", n,
           " but only ", file_size - 8, " bytes follow");
  return n;
}

}  // namespace

bool SafetensorsFile::contains(const std::string& name) const {
  return std::any_of(tensors.begin(), tensors.end(),
                     [&](const auto& p) { return p.first == name; });
}

const Tensor& SafetensorsFile::at(const std::string& name) const {
  for (const auto& p : tensors)
    if (p.first == name) return p.second;
  detail::fail("load_safetensors: ", path, ": no tensor named '", name, "'");
}

std::string serialize_safetensors(const std::vector<std::pair<std::string, Tensor>>& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  Prepared p = prepare(tensors, metadata);
  std::string out = std::move(p.head);
  for (const auto& [name, t] : p.sorted) out += bytes_of(t);
  return out;
}

void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  Prepared p = prepare(tensors, metadata);
  std::vector<std::string_view> pieces{p.head};
  for (const auto& [name, t] : p.sorted) pieces.push_back(bytes_of(t));
  write_file_atomic(path, pieces);
}

SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& source) {
  uint64_t n = check_header_length(reinterpret_cast<const unsigned char*>(bytes.data()),
                                   bytes.size(), source);
  Header h = parse_header(bytes.substr(8, n), bytes.size() - 8 - n, source);
  SafetensorsFile f;
  f.path = source;
  f.metadata = std::move(h.metadata);
  const char* data = bytes.data() + 8 + n;
  for (const Entry& e : h.entries) {
    Tensor t = empty(e.shape, e.dtype);
    if (e.end > e.begin) std::memcpy(t.impl().storage->data, data + e.begin, e.end - e.begin);
    normalize_bools(t);
    f.tensors.emplace_back(e.name, std::move(t));
  }
  return f;
}

SafetensorsFile load_safetensors(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  GF_CHECK(file != nullptr, "load_safetensors: ", path, ": cannot open: ", std::strerror(errno));
  struct stat st {};
  GF_CHECK(::fstat(::fileno(file.get()), &st) == 0 && S_ISREG(st.st_mode),
           "load_safetensors: ", path, ": not a regular file");
  const auto file_size = static_cast<uint64_t>(st.st_size);
  unsigned char len_bytes[8] = {};
  std::size_t got = std::fread(len_bytes, 1, 8, file.get());
  uint64_t n = check_header_length(len_bytes, got < 8 ? got : file_size, path);
  std::string header(n, '\0');
  GF_CHECK(std::fread(header.data(), 1, n, file.get()) == n, "load_safetensors: ", path,
           ": truncated while reading the header");
  Header h = parse_header(header, file_size - 8 - n, path);
  SafetensorsFile f;
  f.path = path;
  f.metadata = std::move(h.metadata);
  for (const Entry& e : h.entries) {
    Tensor t = empty(e.shape, e.dtype);
    std::size_t nbytes = e.end - e.begin;
    GF_CHECK(std::fread(t.impl().storage->data, 1, nbytes, file.get()) == nbytes,
             "load_safetensors: ", path, ": tensor '", e.name,
             "': truncated while reading its data");
    normalize_bools(t);
    f.tensors.emplace_back(e.name, std::move(t));
  }
  return f;
}

Tensor encode_generator_state(const Generator::State& state) {
  Tensor t = empty({6}, DType::Int64);
  int64_t* p = t.data_ptr<int64_t>();
  for (int i = 0; i < 4; ++i) std::memcpy(&p[i], &state.s[i], 8);
  p[4] = state.has_spare ? 1 : 0;
  std::memcpy(&p[5], &state.spare, 8);
  return t;
}

Generator::State decode_generator_state(const Tensor& encoded) {
  GF_CHECK(encoded.defined() && encoded.dtype() == DType::Int64 && encoded.dim() == 1 &&
               encoded.numel() == 6,
           "decode_generator_state: expected an Int64 tensor of shape [6], got ",
           encoded.defined() ? dtype_name(encoded.dtype()) : std::string("undefined"), " ",
           encoded.defined() ? encoded.sizes() : Shape{});
  Tensor c = encoded.contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  Generator::State st{};
  for (int i = 0; i < 4; ++i) std::memcpy(&st.s[i], &p[i], 8);
  GF_CHECK(st.s[0] | st.s[1] | st.s[2] | st.s[3], "decode_generator_state: all-zero state");
  GF_CHECK(p[4] == 0 || p[4] == 1, "decode_generator_state: has_spare must be 0 or 1, got ", p[4]);
  st.has_spare = p[4] == 1;
  std::memcpy(&st.spare, &p[5], 8);
  return st;
}

}  // namespace gf::io
