// gf::io: safetensors interop with the fixture written by tests/reference/io_safetensors_fixture.py
// (torch tensors laid out by the safetensors format's rules), byte-identical writes, round trips,
// and a table of corrupt files whose errors must name the file and the tensor; atomic writes.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <gradflow/factories.hpp>
#include <gradflow/io/atomic_file.hpp>
#include <gradflow/io/safetensors.hpp>

#include "support/files.hpp"

using namespace gf;
using namespace gf::io;
using gf::test::read_bytes;
using gf::test::scratch_dir;
using gf::test::write_bytes;

namespace {
const std::string kFixture = std::string(GF_SOURCE_DIR) + "/tests/fixtures/reference.safetensors";

// The tensors of io_safetensors_fixture.py, built in C++.
std::vector<std::pair<std::string, Tensor>> fixture_tensors() {
  return {{"weight", tensor({-0.5, -0.25, 0, 0.25, 0.5, 0.75}, {2, 3}, DType::Float32)},
          {"bias", tensor({0.1, -2.5, 1e-300}, {3}, DType::Float64)},
          {"labels", tensor({0, 3, -7, 1099511627776.0}, {4}, DType::Int64)},
          {"scalar", scalar_tensor(3.25, DType::Float64)},
          {"empty", zeros({0, 4}, DType::Float32)}};
}
const std::map<std::string, std::string> kFixtureMeta = {{"source", "io_safetensors_fixture"}};

// A file with one header and data section, for the corruption table.
std::string st_file(const std::string& header, const std::string& data) {
  std::string h = header;
  h.append((8 - h.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  uint64_t n = h.size();
  std::memcpy(out.data(), &n, 8);
  return out + h + data;
}
}  // namespace

TEST(Safetensors, LoadsTheTorchFixture) {
  SafetensorsFile f = load_safetensors(kFixture);
  // File order: by dtype (I64, F64, F32) then name, as the reference writer sorts.
  std::vector<std::string> names;
  for (const auto& [name, t] : f.tensors) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"labels", "bias", "scalar", "empty", "weight"}));
  EXPECT_EQ(f.metadata.at("format"), "pt");
  EXPECT_EQ(f.metadata.at("gradflow_format_version"), "1");
  const Tensor& w = f.at("weight");
  EXPECT_EQ(w.dtype(), DType::Float32);
  EXPECT_EQ(w.shape(), (Shape{2, 3}));
  EXPECT_EQ(w.tolist(), (std::vector<double>{-0.5, -0.25, 0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(f.at("bias").dtype(), DType::Float64);
  EXPECT_EQ(f.at("bias").tolist(), (std::vector<double>{0.1, -2.5, 1e-300}));
  EXPECT_EQ(f.at("labels").dtype(), DType::Int64);
  EXPECT_EQ(f.at("labels").data_ptr<int64_t>()[3], int64_t{1} << 40);
  EXPECT_EQ(f.at("labels").data_ptr<int64_t>()[2], -7);
  EXPECT_EQ(f.at("scalar").dim(), 0);
  EXPECT_EQ(f.at("scalar").item(), 3.25);
  EXPECT_EQ(f.at("empty").shape(), (Shape{0, 4}));
  EXPECT_TRUE(f.contains("bias"));
  EXPECT_ERROR_WITH(f.at("nope"), "reference.safetensors: no tensor named 'nope'");
}

TEST(Safetensors, WritesTheSameBytesAsTheReferenceLayout) {
  EXPECT_EQ(serialize_safetensors(fixture_tensors(), kFixtureMeta), read_bytes(kFixture));
  const std::string path = scratch_dir() + "/same.safetensors";
  save_safetensors(path, fixture_tensors(), kFixtureMeta);
  EXPECT_EQ(read_bytes(path), read_bytes(kFixture));
}

TEST(Safetensors, RoundTripsViewsAndKeepsMetadata) {
  const std::string path = scratch_dir() + "/rt.safetensors";
  Tensor base = arange(0, 12, 1, DType::Float64).reshape({3, 4});
  Tensor view = base.t();  // non-contiguous: written row-major
  save_safetensors(path, {{"fc1.weight", view}, {"step", scalar_tensor(7, DType::Int64)}},
                   {{"epoch", "3"}});
  SafetensorsFile f = load_safetensors(path);
  EXPECT_EQ(f.at("fc1.weight").shape(), (Shape{4, 3}));
  EXPECT_EQ(f.at("fc1.weight").tolist(), view.contiguous().tolist());
  EXPECT_EQ(f.at("step").item(), 7);
  EXPECT_EQ(f.metadata.at("epoch"), "3");
  EXPECT_EQ(f.metadata.at("format"), "pt");
  // The header is padded to a multiple of 8, so the data is aligned.
  std::string bytes = read_bytes(path);
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  EXPECT_EQ(parse_safetensors(bytes).at("step").item(), 7);
  EXPECT_ERROR_WITH(save_safetensors(path, {{"a", view}, {"a", view}}),
                    "tensor name 'a' appears twice");
  EXPECT_ERROR_WITH(save_safetensors(path, {{"__metadata__", view}}), "invalid tensor name");
}

TEST(Safetensors, CorruptFilesNameTheFileAndTheTensor) {
  const std::string dir = scratch_dir();
  const std::string w = R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  struct Case {
    std::string name, bytes, message;
  };
  const std::string data8(8, '\0');
  std::string huge(8, '\0');
  huge[4] = 1;  // 2^32-byte header
  std::vector<Case> cases = {
      {"tiny", "abc", "file is 3 bytes, too small for the 8-byte header length"},
      {"huge", huge + "{}", "header length 4294967296 exceeds the 100 MB limit"},
      {"short", st_file("{" + w + "}", data8).substr(0, 20), "truncated: header length"},
      {"json", st_file("{\"w\":", ""), "header is not valid JSON"},
      {"array", st_file("[1,2]", ""), "header is not a JSON object"},
      {"deep", st_file(std::string(5000, '[') + std::string(5000, ']'), ""),
       "header JSON is nested deeper than 16 levels"},
      {"dtype", st_file(R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", "abcd"),
       "tensor 'w': dtype 'F16' is not supported"},
      {"negative", st_file(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data8),
       "tensor 'w': shape [-2] must hold non-negative integers"},
      {"mismatch", st_file(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data8),
       "tensor 'w': data_offsets [0, 8] hold 8 bytes but F32 shape [3] needs 12"},
      {"overflow",
       st_file(R"({"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
               data8),
       "tensor 'w': shape [4294967296,4294967296] overflows"},
      {"past", st_file(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", data8),
       "tensor 'w': data_offsets [0, 16] extend past the data section of 8 bytes"},
      {"reversed", st_file(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", data8),
       "tensor 'w': data_offsets [8, 0] end before they begin"},
      {"gap",
       st_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
               R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
               std::string(12, '\0')),
       "tensor 'b': data_offsets [8, 12] leave a gap after the previous tensor 'a' ending at "
       "byte 4"},
      {"overlap",
       st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
               R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
               data8),
       "tensor 'b': data_offsets [4, 8] overlap the previous tensor 'a'"},
      {"extra", st_file("{" + w + "}", data8 + "xyz"),
       "the data section has 11 bytes but "
       "the tensors cover 8"},
      {"offsets", st_file(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", data8),
       "tensor 'w': \"data_offsets\" must be an array [begin, end]"},
      {"missing", st_file(R"({"w":{"shape":[2],"data_offsets":[0,8]}})", data8),
       "tensor 'w': missing \"dtype\" string"},
      {"meta", st_file(R"({"__metadata__":{"epoch":3}})", ""),
       "__metadata__ entry 'epoch' is "
       "not a string"},
      {"version", st_file(R"({"__metadata__":{"gradflow_format_version":"2"}})", ""),
       "gradflow_format_version '2' is not supported (this build reads version 1)"},
      {"utf8", st_file("{\"\xff\":1}", ""), "header is not valid JSON"},
  };
  for (const Case& c : cases) {
    const std::string path = dir + "/" + c.name + ".safetensors";
    write_bytes(path, c.bytes);
    EXPECT_ERROR_WITH(load_safetensors(path), "load_safetensors: " + path + ": " + c.message);
    EXPECT_ERROR_WITH(parse_safetensors(c.bytes, c.name), c.message);
  }
  // A fixture truncated anywhere is refused.
  std::string good = read_bytes(kFixture);
  for (std::size_t cut : {std::size_t{0}, std::size_t{7}, std::size_t{100}, good.size() - 1}) {
    write_bytes(dir + "/cut.safetensors", good.substr(0, cut));
    EXPECT_THROW(load_safetensors(dir + "/cut.safetensors"), Error) << "cut at " << cut;
  }
  EXPECT_ERROR_WITH(load_safetensors(dir + "/absent.safetensors"),
                    "absent.safetensors: cannot open");
}

TEST(Safetensors, GeneratorStateSurvivesAFile) {
  Generator g(123);
  g.normal();  // leaves a cached spare normal
  const std::string path = scratch_dir() + "/rng.safetensors";
  save_safetensors(path, {{"generator", encode_generator_state(g.state())}});
  Generator resumed(0);
  resumed.set_state(decode_generator_state(load_safetensors(path).at("generator")));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(resumed.normal(), g.normal());
  EXPECT_EQ(resumed.next_u64(), g.next_u64());
  EXPECT_ERROR_WITH(decode_generator_state(zeros({6}, DType::Float32)),
                    "expected an Int64 tensor of shape [6]");
  EXPECT_ERROR_WITH(decode_generator_state(zeros({6}, DType::Int64)), "all-zero state");
}

TEST(AtomicFile, ReplacesWholeFilesAndLeavesNoTemporaries) {
  const std::string dir = scratch_dir();
  const std::string path = dir + "/metrics.csv";
  write_file_atomic(path, "old contents\n");
  EXPECT_EQ(read_bytes(path), "old contents\n");
  write_file_atomic(path, std::vector<std::string_view>{"epoch,loss\n", "1,0.5\n"});
  EXPECT_EQ(read_bytes(path), "epoch,loss\n1,0.5\n");
  EXPECT_EQ(read_file(path), "epoch,loss\n1,0.5\n");
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);  // no .tmp left behind
  // A failing write names the path and leaves nothing behind.
  EXPECT_ERROR_WITH(write_file_atomic(dir + "/no/such/dir/x.bin", "x"),
                    "write_file_atomic: " + dir + "/no/such/dir/x.bin: creating a temporary file");
  // Writing over a directory fails at rename; the directory and its contents survive.
  std::filesystem::create_directory(dir + "/sub");
  write_bytes(dir + "/sub/keep", "k");
  EXPECT_ERROR_WITH(write_file_atomic(dir + "/sub", "x"), "rename failed");
  EXPECT_EQ(read_bytes(dir + "/sub/keep"), "k");
  files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
  EXPECT_ERROR_WITH(read_file(path, 4), "file is 17 bytes, more than the limit of 4");
}

// ---- checkpoints ----------------------------------------------------------------------------
#include <gradflow/io/checkpoint.hpp>
#include <gradflow/nn/functional.hpp>
#include <gradflow/nn/linear.hpp>
#include <gradflow/optim/adam.hpp>
#include <gradflow/optim/lr_scheduler.hpp>

namespace {
// Raw bytes of a tensor (bitwise comparisons).
std::string bits(const Tensor& t) {
  Tensor c = t.contiguous();
  const auto* p = static_cast<const char*>(c.impl().storage->data) +
                  c.storage_offset() * element_size(c.dtype());
  return std::string(p, c.numel() * element_size(c.dtype()));
}
}  // namespace

TEST(Checkpoint, RoundTripsEverySectionBitForBit) {
  const std::string dir = scratch_dir();
  manual_seed(3);
  nn::Linear model(4, 3);
  optim::Adam opt(model.parameters(), optim::AdamOptions(0.1));
  optim::CosineAnnealingLR sched(opt, 5);
  Tensor x = randn({8, 4}), y = tensor({0, 1, 2, 0, 1, 2, 0, 1}, DType::Int64);
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    nn::functional::cross_entropy(model.forward(x), y).backward();
    opt.step();
    sched.step();
  }
  Generator g(11);
  g.normal();  // leaves a cached spare: has_spare must survive
  Checkpoint c;
  c.model = model.state_dict();
  auto os = opt.state_dict();
  c.optimizer_tensors = os.tensors;
  c.optimizer_scalars = os.scalars;
  c.scheduler = sched.state_dict();
  c.position = {3, 7};
  c.generators["loader"] = g.state();
  c.extra = {{"mean", tensor({0.1, 0.2}, DType::Float64)}};
  c.metadata = {{"config", "{\"lr\": 0.1}"}};
  save_checkpoint(dir + "/c.safetensors", c);
  EXPECT_TRUE(is_checkpoint(dir + "/c.safetensors"));

  Checkpoint r = load_checkpoint(dir + "/c.safetensors");
  EXPECT_EQ(r.position.epoch, 3);
  EXPECT_EQ(r.position.batch, 7);
  ASSERT_EQ(r.model.size(), c.model.size());
  for (const auto& [name, t] : c.model) {
    auto it = std::find_if(r.model.begin(), r.model.end(), [&](auto& e) { return e.first == name; });
    ASSERT_NE(it, r.model.end()) << name;
    EXPECT_EQ(bits(it->second), bits(t)) << name;
  }
  EXPECT_EQ(r.optimizer_scalars, c.optimizer_scalars);  // exact doubles (lr after 3 cosine steps)
  EXPECT_EQ(r.optimizer_tensors.size(), c.optimizer_tensors.size());
  EXPECT_EQ(r.scheduler, c.scheduler);
  EXPECT_EQ(r.metadata.at("config"), "{\"lr\": 0.1}");
  ASSERT_EQ(r.extra.size(), 1u);
  EXPECT_EQ(r.extra[0].first, "mean");
  Generator back(0);
  back.set_state(r.generators.at("loader"));
  EXPECT_EQ(back.normal(), g.normal());  // the spare
  EXPECT_EQ(back.next_u64(), g.next_u64());

  // Restored into fresh objects, the next step gives the same bits as the original's.
  manual_seed(99);
  nn::Linear model2(4, 3);
  optim::Adam opt2(model2.parameters(), optim::AdamOptions(0.1));
  optim::CosineAnnealingLR sched2(opt2, 5);
  model2.load_state_dict(r.model);
  opt2.load_state_dict({r.optimizer_tensors, r.optimizer_scalars});
  sched2.load_state_dict(r.scheduler);
  for (auto* o : {&opt, &opt2}) o->zero_grad();
  nn::functional::cross_entropy(model.forward(x), y).backward();
  nn::functional::cross_entropy(model2.forward(x), y).backward();
  opt.step();
  opt2.step();
  sched.step();
  sched2.step();
  EXPECT_EQ(bits(model.weight), bits(model2.weight));
  EXPECT_EQ(sched.get_last_lr(), sched2.get_last_lr());
}

TEST(Checkpoint, RefusesOtherFilesVersionsAndReservedNames) {
  const std::string dir = scratch_dir();
  save_safetensors(dir + "/plain.safetensors", {{"w", zeros({2})}});
  EXPECT_FALSE(is_checkpoint(dir + "/plain.safetensors"));
  EXPECT_ERROR_WITH(load_checkpoint(dir + "/plain.safetensors"), "not a gradflow checkpoint");
  save_safetensors(dir + "/v9.safetensors", {{"w", zeros({2})}},
                   {{"checkpoint.version", "9"}, {"checkpoint.position", "{}"}});
  EXPECT_ERROR_WITH(load_checkpoint(dir + "/v9.safetensors"),
                    "checkpoint format 9, this gradflow reads format 2");
  Checkpoint c;
  c.model = {{"optimizer.x", zeros({1})}};
  EXPECT_ERROR_WITH(save_checkpoint(dir + "/bad.safetensors", c), "reserved prefix");
  c.model.clear();
  c.metadata = {{"checkpoint.mine", "x"}};
  EXPECT_ERROR_WITH(save_checkpoint(dir + "/bad.safetensors", c), "is reserved");
  c.metadata.clear();
  c.position = {-1, 0};
  EXPECT_ERROR_WITH(save_checkpoint(dir + "/bad.safetensors", c), "negative position");
  EXPECT_FALSE(std::filesystem::exists(dir + "/bad.safetensors"));
  EXPECT_ERROR_WITH(load_checkpoint(dir + "/missing.safetensors"), "missing.safetensors");
}
