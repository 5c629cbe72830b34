// IDX reader on zlib's gz* API (which also reads uncompressed files transparently). The header
// is checked against the file size before the data buffer is allocated: for plain files the data
// must fill the file exactly; for gzip files the claimed size must be reachable at deflate's
// maximum ratio (1032:1), and the stream must end exactly after the data.
#include "gradflow/data/idx.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gradflow/data/transforms.hpp"
#include "gradflow/factories.hpp"

namespace gf::data {
namespace {

struct RawIdx {
  uint8_t type = 0;
  Shape dims;
  Tensor bytes;  // UInt8 [bytes]: the big-endian elements, read straight into a tensor's storage
  const unsigned char* data() const { return bytes.data_ptr<uint8_t>(); }
  std::size_t size() const { return static_cast<std::size_t>(bytes.numel()); }
};

std::size_t type_size(uint8_t type) {
  switch (type) {
    case 0x08:
    case 0x09:
      return 1;
    case 0x0B:
      return 2;
    case 0x0C:
    case 0x0D:
      return 4;
    case 0x0E:
      return 8;
    default:
      return 0;
  }
}

class GzReader {
 public:
  GzReader(const std::string& path, const char* op) : path_(path), op_(op) {
    struct stat st {};
    GF_CHECK(::stat(path.c_str(), &st) == 0, op_, path_, ": cannot open: ", std::strerror(errno));
    GF_CHECK(S_ISREG(st.st_mode), op_, path_, ": not a regular file");
    file_size_ = static_cast<uint64_t>(st.st_size);
    std::FILE* f = std::fopen(path.c_str(), "rb");
    GF_CHECK(f != nullptr, op_, path_, ": cannot open: ", std::strerror(errno));
    unsigned char magic[2] = {0, 0};
    compressed_ = std::fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    std::fclose(f);
    gz_ = gzopen(path.c_str(), "rb");
    GF_CHECK(gz_ != nullptr, op_, path_, ": cannot open: ", std::strerror(errno));
    gzbuffer(gz_, 1 << 17);
  }
  ~GzReader() { gzclose(gz_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Reads up to n bytes; returns how many were read. Sets error() on a gzip error.
  uint64_t read(void* dst, uint64_t n) {
    uint64_t total = 0;
    auto* p = static_cast<unsigned char*>(dst);
    while (total < n) {
      unsigned chunk = static_cast<unsigned>(std::min<uint64_t>(n - total, 1u << 30));
      int r = gzread(gz_, p + total, chunk);
      if (r < 0) {
        int code = 0;
        const char* msg = gzerror(gz_, &code);
        error_ = msg ? msg : "gzip error";
        break;
      }
      if (r == 0) break;
      total += static_cast<uint64_t>(r);
    }
    return total;
  }
  const std::string& error() const { return error_; }
  bool compressed() const { return compressed_; }
  uint64_t file_size() const { return file_size_; }

 private:
  std::string path_;
  const char* op_;
  gzFile gz_ = nullptr;
  uint64_t file_size_ = 0;
  bool compressed_ = false;
  std::string error_;
};

uint32_t be32(const unsigned char* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

std::string gz_note(const GzReader& r) {
  return r.error().empty() ? std::string() : " (gzip: " + r.error() + ")";
}

RawIdx read_raw(const std::string& path, const char* op) {
  GzReader in(path, op);
  unsigned char head[4];
  uint64_t got = in.read(head, 4);
  GF_CHECK(got == 4, op, path, ": truncated: ", got,
           " bytes, too small for the 4-byte IDX magic number", gz_note(in));
  GF_CHECK(head[0] == 0 && head[1] == 0, op, path, ": bad magic number 0x", std::hex, be32(head),
           std::dec, ": not an IDX file (expected 0x00 0x00 <type> <ndims>)");
  RawIdx raw;
  raw.type = head[2];
  const std::size_t esize = type_size(raw.type);
  GF_CHECK(esize != 0, op, path, ": unknown data type byte 0x", std::hex,
           static_cast<int>(raw.type), std::dec,
           " (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)");
  const int ndims = head[3];
  GF_CHECK(ndims >= 1 && ndims <= static_cast<int>(Shape::kMaxDims), op, path, ": ", ndims,
           " dimensions (supported: 1 to ", Shape::kMaxDims, ")");
  unsigned char dim_bytes[4 * Shape::kMaxDims];
  got = in.read(dim_bytes, 4 * static_cast<uint64_t>(ndims));
  GF_CHECK(got == 4 * static_cast<uint64_t>(ndims), op, path, ": truncated: the header needs ",
           4 * ndims, " bytes of dimension sizes, found ", got, gz_note(in));
  // The product runs over max(d, 1): a zero-size array whose other dims multiply past int64
  // would overflow its strides (and Shape::numel) all the same.
  uint64_t count = 1, span = 1;
  bool overflow = false;
  for (int i = 0; i < ndims; ++i) {
    uint32_t d = be32(dim_bytes + 4 * i);
    raw.dims.push_back(d);
    overflow = overflow || __builtin_mul_overflow(count, uint64_t{d}, &count) ||
               __builtin_mul_overflow(span, std::max<uint64_t>(d, 1), &span);
  }
  overflow = overflow || span > static_cast<uint64_t>(INT64_MAX);
  uint64_t nbytes = 0;
  overflow = overflow || __builtin_mul_overflow(count, uint64_t{esize}, &nbytes);
  GF_CHECK(!overflow, op, path, ": dims ", raw.dims, " overflow when multiplied out");
  const uint64_t header = 4 + 4 * static_cast<uint64_t>(ndims);
  if (!in.compressed()) {
    const uint64_t available = in.file_size() > header ? in.file_size() - header : 0;
    GF_CHECK(nbytes <= available, op, path, ": truncated: expected ", nbytes,
             " bytes of data, found ", available, " (dims ", raw.dims, ")");
    GF_CHECK(nbytes == available, op, path, ": expected ", nbytes, " bytes of data, found ",
             available, " (dims ", raw.dims, ", ", available - nbytes, " trailing bytes)");
  } else {
    const uint64_t reachable = in.file_size() * 1032 + 4096;  // deflate's maximum ratio
    GF_CHECK(nbytes <= reachable, op, path, ": truncated or corrupt: dims ", raw.dims, " need ",
             nbytes, " bytes of data, more than a ", in.file_size(), "-byte gzip file can hold");
  }
  raw.bytes = empty({static_cast<int64_t>(nbytes)}, DType::UInt8);
  got = in.read(raw.bytes.data_ptr<uint8_t>(), nbytes);
  GF_CHECK(got == nbytes, op, path, ": truncated: expected ", nbytes, " bytes of data, found ", got,
           gz_note(in));
  unsigned char extra[64];
  uint64_t more = in.read(extra, sizeof extra);
  GF_CHECK(in.error().empty(), op, path, ": corrupt gzip data after the IDX data", gz_note(in));
  GF_CHECK(more == 0, op, path, ": expected ", nbytes,
           " bytes of data, found trailing bytes "
           "after them (dims ",
           raw.dims, ")");
  return raw;
}

template <class Out>
void decode(const RawIdx& raw, Out* out) {
  const unsigned char* b = raw.data();
  const std::size_t n = raw.size() / type_size(raw.type);
  switch (raw.type) {
    case 0x08:
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Out>(b[i]);
      break;
    case 0x09:
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Out>(static_cast<int8_t>(b[i]));
      break;
    case 0x0B:
      for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<Out>(static_cast<int16_t>((b[2 * i] << 8) | b[2 * i + 1]));
      break;
    case 0x0C:
      for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<Out>(static_cast<int32_t>(be32(b + 4 * i)));
      break;
    case 0x0D:
      for (std::size_t i = 0; i < n; ++i) {
        uint32_t u = be32(b + 4 * i);
        float v;
        std::memcpy(&v, &u, 4);
        out[i] = static_cast<Out>(v);
      }
      break;
    default:
      for (std::size_t i = 0; i < n; ++i) {
        uint64_t u = (uint64_t{be32(b + 8 * i)} << 32) | be32(b + 8 * i + 4);
        double v;
        std::memcpy(&v, &u, 8);
        out[i] = static_cast<Out>(v);
      }
  }
}

std::string find_file(const std::string& dir, const std::vector<std::string>& names) {
  for (const auto& name : names)
    for (const char* ext : {"", ".gz"}) {
      std::string p = dir + "/" + name + ext;
      struct stat st {};
      if (::stat(p.c_str(), &st) == 0) return p;
    }
  return {};
}

struct Split {
  Tensor images, labels;
  std::string labels_path;
};

Split load_split(const std::string& dir, const std::string& prefix, DType dtype) {
  const char* op = "load_idx_dataset: ";
  std::string ip = find_file(dir, {prefix + "-images-idx3-ubyte", prefix + "-images.idx3-ubyte"});
  std::string lp = find_file(dir, {prefix + "-labels-idx1-ubyte", prefix + "-labels.idx1-ubyte"});
  GF_CHECK(!ip.empty(), op, dir, ": ", prefix, "-images-idx3-ubyte[.gz] not found");
  GF_CHECK(!lp.empty(), op, dir, ": ", prefix, "-labels-idx1-ubyte[.gz] not found");
  RawIdx images = read_raw(ip, op);
  GF_CHECK(images.type == 0x08 && images.dims.size() >= 2, op, ip,
           ": expected u8 images [N, rows, cols], got type 0x", std::hex,
           static_cast<int>(images.type), std::dec, " dims ", images.dims);
  RawIdx labels = read_raw(lp, op);
  GF_CHECK(labels.type == 0x08 && labels.dims.size() == 1, op, lp,
           ": expected u8 labels [N], got type 0x", std::hex, static_cast<int>(labels.type),
           std::dec, " dims ", labels.dims);
  GF_CHECK(labels.dims[0] == images.dims[0], op, lp, ": ", labels.dims[0], " labels for ",
           images.dims[0], " images in ", ip);
  const int64_t n = images.dims[0];
  const int64_t features = n ? static_cast<int64_t>(images.size()) / n : 0;
  Split s;
  s.labels_path = lp;
  // The file's bytes are the UInt8 images (no copy); floating images are pixels / 255.
  const Tensor pixels = images.bytes.view({n, features});
  s.images = dtype == DType::UInt8 ? pixels : ToDtype{dtype, /*scale=*/true}(pixels);
  s.labels = empty({n}, DType::Int64);
  decode(labels, s.labels.data_ptr<int64_t>());
  return s;
}

}  // namespace

Tensor read_idx(const std::string& path) {
  RawIdx raw = read_raw(path, "read_idx: ");
  DType dt = raw.type == 0x0D ? DType::Float32 : raw.type == 0x0E ? DType::Float64 : DType::Int64;
  Tensor t = empty(raw.dims, dt);
  dispatch(dt, [&](auto tag) { decode(raw, t.data_ptr<decltype(tag)>()); });
  return t;
}

IdxDataset load_idx_dataset(const std::string& dir, DType dtype) {
  GF_CHECK(is_floating(dtype) || dtype == DType::UInt8,
           "load_idx_dataset: dtype must be floating or uint8, got ", dtype_name(dtype));
  Split train = load_split(dir, "train", dtype);
  Split test = load_split(dir, "t10k", dtype);
  GF_CHECK(train.images.size(1) == test.images.size(1), "load_idx_dataset: ", dir,
           ": train images have ", train.images.size(1), " pixels but test images ",
           test.images.size(1));
  IdxDataset d{train.images, train.labels, test.images, test.labels, 0};
  // Classes are the ids 0..C-1 that have samples: a label beyond the first id with none (one 255
  // in a 10-class set) is out of range, not 246 empty classes.
  std::vector<int64_t> count(256, 0);  // u8 labels
  for (const Split* s : {&train, &test})
    for (int64_t i = 0; i < s->labels.numel(); ++i) ++count[s->labels.data_ptr<int64_t>()[i]];
  int64_t first_empty = 0;
  while (first_empty < 256 && count[first_empty] > 0) ++first_empty;
  for (const Split* s : {&train, &test}) {
    const int64_t* p = s->labels.data_ptr<int64_t>();
    for (int64_t i = 0; i < s->labels.numel(); ++i)
      GF_CHECK(p[i] < first_empty, "load_idx_dataset: ", s->labels_path, ": label ", p[i],
               " at item ", i, " (0-based) is out of range: classes 0..", first_empty - 1,
               " have samples, ", first_empty, " has none (labels must be class ids 0..C-1)");
  }
  d.num_classes = first_empty;
  return d;
}

bool fashion_mnist_available(const std::string& dir) {
  return !find_file(dir, {"train-images-idx3-ubyte"}).empty() &&
         !find_file(dir, {"t10k-labels-idx1-ubyte"}).empty();
}

IdxDataset load_fashion_mnist(const std::string& dir, DType dtype) {
  GF_CHECK(fashion_mnist_available(dir), "load_fashion_mnist: Fashion-MNIST not found in ", dir,
           "; install it with: sudo apt-get install dataset-fashion-mnist");
  IdxDataset d = load_idx_dataset(dir, dtype);
  GF_CHECK(d.train_images.size(1) == 784, "load_fashion_mnist: ", dir, ": images have ",
           d.train_images.size(1), " pixels, expected 28x28 = 784");
  GF_CHECK(d.num_classes <= 10, "load_fashion_mnist: ", dir, ": label ", d.num_classes - 1,
           " is out of range [0, 10)");
  d.num_classes = 10;
  return d;
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                                 "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                                 "Bag",         "Ankle boot"};
  return names;
}

}  // namespace gf::data
