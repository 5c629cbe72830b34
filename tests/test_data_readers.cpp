// IDX and CSV readers: valid fixtures decode exactly (formulas from
// tests/reference/data_fixtures.py); corrupt, truncated and hostile files (plain and gzip) are
// refused with messages naming the file and the fault, before any large allocation.
#include <gtest/gtest.h>

#include <cmath>
#include <gradflow/data/csv.hpp>
#include <gradflow/data/idx.hpp>

#include "support/files.hpp"

using namespace gf;
using namespace gf::data;
using gf::test::scratch_dir;
using gf::test::write_bytes;
using gf::test::write_gzip;

namespace {
const std::string kFixtures = std::string(GF_SOURCE_DIR) + "/tests/fixtures";

std::string be32(uint32_t v) {
  return {char(v >> 24), char((v >> 16) & 0xff), char((v >> 8) & 0xff), char(v & 0xff)};
}
std::string idx_header(uint8_t type, std::vector<uint32_t> dims) {
  std::string h{char(0), char(0), char(type), char(dims.size())};
  for (uint32_t d : dims) h += be32(d);
  return h;
}
}  // namespace

TEST(ReadIdx, DecodesEveryElementTypeBigEndian) {
  const std::string dir = kFixtures + "/idx-types/";
  Tensor i8 = read_idx(dir + "i8.idx");
  EXPECT_EQ(i8.shape(), (Shape{2, 3}));
  EXPECT_EQ(i8.dtype(), DType::Int64);
  EXPECT_EQ(i8.tolist(), (std::vector<double>{-128, -1, 0, 1, 127, 5}));
  EXPECT_EQ(read_idx(dir + "i16.idx").tolist(),
            (std::vector<double>{-300, -177, -54, 69, 192, 315}));
  EXPECT_EQ(read_idx(dir + "i32.idx").tolist(),
            (std::vector<double>{-300500, -177250, -54000, 69250, 192500, 315750}));
  Tensor f32 = read_idx(dir + "f32.idx");
  EXPECT_EQ(f32.dtype(), DType::Float32);
  EXPECT_EQ(f32.tolist(), (std::vector<double>{-300.5, -177.25, -54, 69.25, 192.5, 315.75}));
  Tensor f64 = read_idx(dir + "f64.idx.gz");  // gzip detected from the content
  EXPECT_EQ(f64.dtype(), DType::Float64);
  EXPECT_EQ(f64.tolist(), f32.tolist());
}

TEST(ReadIdx, LoadsAnIdxDatasetDirectory) {
  IdxDataset d = load_idx_dataset(kFixtures + "/idx-tiny");
  EXPECT_EQ(d.train_images.shape(), (Shape{6, 6}));
  EXPECT_EQ(d.train_images.dtype(), DType::Float32);
  EXPECT_EQ(d.test_images.shape(), (Shape{3, 6}));
  EXPECT_EQ(d.train_labels.tolist(), (std::vector<double>{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(d.num_classes, 3);
  auto px = d.train_images.tolist();
  for (int i = 0; i < 36; ++i) EXPECT_FLOAT_EQ(px[i], float((i * 10) % 256) / 255.0f) << i;
}

TEST(ReadIdx, CorruptAndTruncatedFilesNameTheFault) {
  const std::string dir = scratch_dir();
  const std::string data12(12, '\x07');
  auto check = [&](const std::string& name, const std::string& bytes, const std::string& msg) {
    for (bool gz : {false, true}) {
      std::string p = dir + "/" + name + (gz ? ".gz" : "");
      gz ? write_gzip(p, bytes) : write_bytes(p, bytes);
      EXPECT_ERROR_WITH(read_idx(p), "read_idx: " + p + ": " + msg);
    }
  };
  check("short", std::string("\0\0", 2),
        "truncated: 2 bytes, too small for the 4-byte IDX magic number");
  check("magic", std::string("\x12\x34\x08\x01", 4) + be32(3) + "abc",
        "bad magic number 0x12340801: not an IDX file");
  check("type", idx_header(0x0A, {3}) + "abc", "unknown data type byte 0xa");
  check("ndims0", idx_header(0x08, {}), "0 dimensions (supported: 1 to 8)");
  check("ndims9", idx_header(0x08, {1, 1, 1, 1, 1, 1, 1, 1, 1}), "9 dimensions");
  check("dims", idx_header(0x08, {3, 4}).substr(0, 7),
        "truncated: the header needs 8 bytes of "
        "dimension sizes, found 3");
  check("overflow", idx_header(0x0E, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}) + data12,
        "dims [4294967295, 4294967295, 4294967295] overflow when multiplied out");
  check("trailing", idx_header(0x08, {2, 5}) + data12, "expected 10 bytes of data, found");
  // Truncated data: plain files are checked against the file size before reading.
  std::string p = dir + "/trunc.idx";
  write_bytes(p, idx_header(0x08, {60000, 28, 28}) + std::string(1000, 'x'));
  EXPECT_ERROR_WITH(read_idx(p),
                    "read_idx: " + p + ": truncated: expected 47040000 bytes of data, found 1000");
  // A gzip file whose dims claim more than deflate could expand it to is refused before
  // allocating; a plausible claim is read and found short.
  p = dir + "/huge.idx.gz";
  write_gzip(p, idx_header(0x0E, {0xFFFFFFFF, 0xFFFF}) + data12);
  EXPECT_ERROR_WITH(read_idx(p), "more than a");
  p = dir + "/short.idx.gz";
  write_gzip(p, idx_header(0x08, {100, 10}) + data12);
  EXPECT_ERROR_WITH(read_idx(p), "truncated: expected 1000 bytes of data, found 12");
  // A gzip stream cut in the middle.
  std::string whole = idx_header(0x08, {5000}) + std::string(5000, 'a');
  p = dir + "/cut.idx.gz";
  write_gzip(p, whole);
  std::string gz = gf::test::read_bytes(p);
  write_bytes(p, gz.substr(0, gz.size() / 2));
  EXPECT_ERROR_WITH(read_idx(p), "read_idx: " + p + ": truncated");
  EXPECT_ERROR_WITH(read_idx(dir + "/missing.idx"), "missing.idx: cannot open");
  EXPECT_ERROR_WITH(read_idx(dir), "not a regular file");
}

TEST(ReadIdx, DatasetErrorsNameTheFiles) {
  const std::string dir = scratch_dir();
  EXPECT_ERROR_WITH(load_idx_dataset(dir), "train-images-idx3-ubyte[.gz] not found");
  EXPECT_ERROR_WITH(load_fashion_mnist(dir), "sudo apt-get install dataset-fashion-mnist");
  write_bytes(dir + "/train-images-idx3-ubyte", idx_header(0x08, {2, 1, 2}) + "abcd");
  write_bytes(dir + "/train-labels-idx1-ubyte", idx_header(0x08, {3}) + "abc");
  EXPECT_ERROR_WITH(load_idx_dataset(dir), "3 labels for 2 images");
}

TEST(ReadIdx, ALabelPastTheFirstEmptyClassIsOutOfRange) {
  // Labels 0, 1, 255: class 2 has no samples, so 255 is a bad label, not 254 empty classes.
  const std::string dir = scratch_dir();
  for (const char* prefix : {"train", "t10k"}) {
    write_bytes(dir + "/" + prefix + "-images-idx3-ubyte", idx_header(0x08, {3, 1, 1}) + "abc");
    write_bytes(dir + "/" + prefix + "-labels-idx1-ubyte",
                idx_header(0x08, {3}) + std::string{'\0', '\1', prefix[1] == '1' ? '\xff' : '\1'});
  }
  EXPECT_ERROR_WITH(load_idx_dataset(dir), dir + "/t10k-labels-idx1-ubyte: label 255 at item 2");
}

TEST(FashionMnist, LoadsTheDebianPackageWhenInstalled) {
  if (!fashion_mnist_available()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  IdxDataset d = load_fashion_mnist();
  EXPECT_EQ(d.train_images.shape(), (Shape{60000, 784}));
  EXPECT_EQ(d.test_images.shape(), (Shape{10000, 784}));
  EXPECT_EQ(d.train_labels.shape(), (Shape{60000}));
  EXPECT_EQ(d.num_classes, 10);
  const float* px = d.train_images.data_ptr<float>();
  float lo = 1, hi = 0;
  for (int64_t i = 0; i < d.train_images.numel(); ++i)
    lo = std::min(lo, px[i]), hi = std::max(hi, px[i]);
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 1.0f);
  std::vector<int> counts(10);
  const int64_t* y = d.test_labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < 10000; ++i) counts.at(static_cast<std::size_t>(y[i]))++;
  for (int c : counts) EXPECT_EQ(c, 1000);  // the test set is balanced
  EXPECT_EQ(fashion_mnist_classes().at(9), "Ankle boot");
}

// ---- CSV ----------------------------------------------------------------------------------

TEST(ReadCsv, ReadsFeaturesLabelsAndHeader) {
  CsvData d = read_csv(kFixtures + "/tiny.csv");
  EXPECT_EQ(d.features.shape(), (Shape{4, 4}));
  EXPECT_EQ(d.features.dtype(), default_dtype());
  EXPECT_EQ(d.labels.tolist(), (std::vector<double>{0, 1, 2, 0}));
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.column_names.at(3), "petal_width");
  EXPECT_FLOAT_EQ(static_cast<float>(d.features.tolist()[4]), 7.0f);
  // No header, label first, ';' delimiter, CRLF, blank lines, spaces, quotes, '+' signs.
  CsvData e = parse_csv("1; 2.5;-3e2\r\n\n\"0\" ;+4; 5 \r\n", "mem.csv",
                        {.label_column = 0, .delimiter = ';', .dtype = DType::Float64});
  EXPECT_EQ(e.features.tolist(), (std::vector<double>{2.5, -300, 4, 5}));
  EXPECT_EQ(e.labels.tolist(), (std::vector<double>{1, 0}));
  CsvData g = parse_csv("x,kind\n1,emu\n2,cat\n3,emu\n", "s.csv", {.string_labels = true});
  EXPECT_EQ(g.class_names, (std::vector<std::string>{"cat", "emu"}));  // sorted: ids 0, 1
  EXPECT_EQ(g.labels.tolist(), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(g.num_classes, 2);
  CsvData f = parse_csv("1,2\n3,4\n", "x.csv", {.has_labels = false});
  EXPECT_EQ(f.features.shape(), (Shape{2, 2}));
  EXPECT_FALSE(f.labels.defined());
}

TEST(ReadCsv, ErrorsNameFileLineAndColumn) {
  const char* head = "a,b,c,label\n";
  EXPECT_ERROR_WITH(parse_csv(std::string(head) + "1,2,3,0\n1,2,abc,1\n", "data.csv"),
                    "read_csv: data.csv:3: column 3: 'abc' is not a number");
  EXPECT_ERROR_WITH(parse_csv(std::string(head) + "1,2,3,0\n1,2,1\n", "data.csv"),
                    "read_csv: data.csv:3: expected 4 columns (as on line 1), found 3");
  EXPECT_ERROR_WITH(parse_csv(std::string(head) + "1,2,3,1.5\n", "data.csv"),
                    "read_csv: data.csv:2: column 4: label '1.5' is not an integer >= 0");
  EXPECT_ERROR_WITH(parse_csv(std::string(head) + "1,2,3,-1\n", "data.csv"),
                    "label '-1' is not an integer >= 0");
  EXPECT_ERROR_WITH(parse_csv(std::string(head) + "1,2,3,0\n\n1,nan,3,0\n", "data.csv"),
                    "read_csv: data.csv:4: column 2: value 'nan' is not finite (data row 2)");
  EXPECT_ERROR_WITH(parse_csv(std::string(head) + "1,2,1e999,0\n", "data.csv"),
                    "value '1e999' is not finite (data row 1)");
  EXPECT_ERROR_WITH(parse_csv(std::string(head) + "1,,3,0\n", "data.csv"),
                    "column 2: '' is not a number");
  EXPECT_ERROR_WITH(parse_csv(head, "data.csv"), "read_csv: data.csv: no data rows");
  EXPECT_ERROR_WITH(parse_csv("", "data.csv"), "no data rows");
  EXPECT_ERROR_WITH(parse_csv("1\n2\n", "data.csv"), "need at least one feature and a label");
  EXPECT_ERROR_WITH(parse_csv("1,2\n", "data.csv", {.label_column = 5}),
                    "label_column 5 is out of range for 2 columns");
  EXPECT_ERROR_WITH(read_csv("/nonexistent/data.csv"),
                    "read_csv: /nonexistent/data.csv: cannot open");
}
