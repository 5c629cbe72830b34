// The dtypes Bool, UInt8, Int32, Int64, Float32, Float64 against PyTorch 1.13 through
// tests/reference/dtypes.json (written by dtypes.py): torch.result_type for every pair of
// dimensioned / 0-d operands, printed forms, value conversions, integer wrap-around, the dtypes of
// comparisons / where / sum; requires_grad refused on integer and Bool tensors with torch's
// message; safetensors BOOL / U8 / I32; and the findings linspace(5, 10, 1) and integer pow.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <gradflow/io/safetensors.hpp>

#include "support/errors.hpp"
#include "support/files.hpp"
#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;

namespace {

const nlohmann::json& reference() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(GF_REFERENCE_DIR) + "/dtypes.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

const std::vector<DType> kAll = {DType::Bool,  DType::UInt8,   DType::Int32,
                                 DType::Int64, DType::Float32, DType::Float64};

Tensor json_values_tensor(const nlohmann::json& v, DType dt) {
  if (v.is_array()) {
    std::vector<double> xs;
    for (const auto& e : v) xs.push_back(e.is_boolean() ? e.get<bool>() : json_number(e));
    return tensor(xs, Shape{static_cast<int64_t>(xs.size())}, dt);
  }
  return scalar_tensor(v.is_boolean() ? v.get<bool>() : json_number(v), dt);
}

}  // namespace

TEST(DTypes, NamesAndSizes) {
  std::vector<std::string> names;
  for (DType d : kAll) names.push_back(dtype_name(d));
  EXPECT_EQ(names, (std::vector<std::string>{"torch.bool", "torch.uint8", "torch.int32",
                                             "torch.int64", "torch.float32", "torch.float64"}));
  std::vector<std::size_t> sizes;
  for (DType d : kAll) sizes.push_back(element_size(d));
  EXPECT_EQ(sizes, (std::vector<std::size_t>{1, 1, 4, 8, 4, 8}));
  EXPECT_FALSE(is_floating(DType::Int32));
  EXPECT_TRUE(is_floating(DType::Float32));
  EXPECT_TRUE(is_integral(DType::Bool, true));
  EXPECT_FALSE(is_integral(DType::Bool, false));
}

TEST(DTypes, ResultTypeMatchesTorchForEveryPair) {
  int checked = 0;
  for (const auto& c : reference().at("promotion")) {
    DType a = dtype_from_name(c["a"]), b = dtype_from_name(c["b"]);
    Tensor x = zeros(c["a_0d"].get<bool>() ? Shape{} : Shape{2}, a);
    Tensor y = zeros(c["b_0d"].get<bool>() ? Shape{} : Shape{2}, b);
    EXPECT_EQ(dtype_name(result_type(x, y)), "torch." + c["result"].get<std::string>()) << c.dump();
    ++checked;
  }
  EXPECT_EQ(checked, 6 * 6 * 4);
}

TEST(DTypes, PrintsLikeTorch) {
  std::map<std::string, Tensor> ts = {
      {"bool 1-d", tensor({1, 0, 1}, DType::Bool)},
      {"bool 2-d", tensor({1, 0}, {2, 1}, DType::Bool)},
      {"bool 0-d", scalar_tensor(0, DType::Bool)},
      {"bool empty", zeros({0}, DType::Bool)},
      {"int64 empty", zeros({0}, DType::Int64)},
      {"uint8", tensor({1, 2, 255}, DType::UInt8)},
      {"int32", tensor({1, -2, 30}, DType::Int32)},
      {"int32 0-d", scalar_tensor(7, DType::Int32)},
      {"float64", tensor({0.5, 1.0}, DType::Float64)},
  };
  for (const auto& c : reference().at("printing"))
    EXPECT_EQ(to_string(ts.at(c["label"])), c["text"].get<std::string>()) << c["label"];
}

TEST(DTypes, ConversionsMatchTorch) {
  for (const auto& c : reference().at("conversions")) {
    DType from = dtype_from_name(c["from"]), to = dtype_from_name(c["to"]);
    Tensor x = json_values_tensor(c["input"], from);
    Tensor y = x.to(to);
    EXPECT_EQ(y.dtype(), to);
    std::vector<double> want;
    for (const auto& v : c["output"]) want.push_back(json_number(v));
    EXPECT_TRUE(check_values(y, want)) << c["from"] << " -> " << c["to"];
  }
}

TEST(DTypes, ArithmeticDtypesAndWrapAroundMatchTorch) {
  std::map<std::string, std::function<Tensor(const Tensor&, const Tensor&)>> ops = {
      {"add", [](const Tensor& a, const Tensor& b) { return a + b; }},
      {"sub", [](const Tensor& a, const Tensor& b) { return a - b; }},
      {"mul", [](const Tensor& a, const Tensor& b) { return a * b; }},
      {"div", [](const Tensor& a, const Tensor& b) { return a / b; }},
      {"eq", [](const Tensor& a, const Tensor& b) { return eq(a, b); }},
      {"lt", [](const Tensor& a, const Tensor& b) { return lt(a, b); }},
      {"where",
       [](const Tensor& c, const Tensor&) {
         return where(c, tensor({1, 2}, DType::Int32), tensor({10, 20}, DType::Float32));
       }},
      {"sum", [](const Tensor& a,
                 const Tensor&) { return a.dtype() == DType::Int32 ? sum(a, 0) : sum(a); }},
  };
  for (const auto& c : reference().at("arithmetic")) {
    Tensor a = json_values_tensor(c["a"], dtype_from_name(c["a_dtype"]));
    Tensor b = json_values_tensor(c["b"], dtype_from_name(c["b_dtype"]));
    Tensor r = ops.at(c["op"])(a, b);
    EXPECT_EQ(dtype_name(r.dtype()), "torch." + c["dtype"].get<std::string>()) << c.dump();
    std::vector<double> want;
    for (const auto& v : c["values"]) want.push_back(json_number(v));
    EXPECT_TRUE(check_values(r, want, json_shape(c))) << c.dump();
  }
}

TEST(DTypes, ScalarOperandsFollowTorchsWrappedNumbers) {
  Tensor u = tensor({200, 100}, DType::UInt8);
  EXPECT_EQ((u + 100.0).dtype(), DType::UInt8);  // torch: uint8 + 100 stays uint8
  EXPECT_TRUE(check_values(u + 100.0, {44, 200}));
  EXPECT_EQ((u * 0.5).dtype(), DType::Float32);  // a fractional scalar: default dtype
  EXPECT_EQ((tensor({1, 0}, DType::Bool) + 2.0).dtype(), DType::Int64);
  EXPECT_EQ((tensor({1, 2}, DType::Int32) * 3.0).dtype(), DType::Int32);
  EXPECT_EQ((tensor({1, 2}, DType::Float32) * 3.0).dtype(), DType::Float32);
  // Comparisons against numbers outside the dtype's range are exact (200 < 300 is true).
  EXPECT_TRUE(check_values(lt(u, 300.0), {1, 1}));
  EXPECT_TRUE(check_values(gt(tensor({1, 2}, DType::Int32), 1.5), {0, 1}));
}

TEST(DTypes, ComparisonsReturnBool) {
  Tensor a = tensor({1, 2, 3}, DType::Float64), b = tensor({2}, DType::Int32);
  for (const Tensor& r : {eq(a, b), ne(a, b), lt(a, b), le(a, b), gt(a, b), ge(a, b), a < 2.0})
    EXPECT_EQ(r.dtype(), DType::Bool);
  EXPECT_EQ(to_string(a > b), "tensor([False, False,  True])");
}

TEST(DTypes, IntegerAndBoolTensorsRefuseRequiresGrad) {
  const std::string want = reference().at("errors").at("requires_grad");
  for (DType d : {DType::Bool, DType::UInt8, DType::Int32, DType::Int64}) {
    Tensor t = zeros({2}, d);
    std::string m = error_of([&] { t.requires_grad_(); });
    EXPECT_NE(m.find(want), std::string::npos) << m;
    EXPECT_NE(m.find(dtype_name(d)), std::string::npos) << m;
    EXPECT_NO_THROW(t.requires_grad_(false));
  }
}

TEST(DTypes, WhereTakesBoolConditionsOnly) {
  const std::string want = reference().at("errors").at("where");  // "... with dtype Long"
  Tensor x = ones({2}), y = zeros({2});
  EXPECT_EQ(error_of([&] { where(tensor({1, 0}, DType::Int64), x, y); }), want);
  EXPECT_TRUE(check_values(where(tensor({1, 0}, DType::Bool), x, y), {1, 0}));
  EXPECT_TRUE(
      check_values(where(tensor({1, 0}, DType::UInt8), x, y), {1, 0}));  // torch: deprecated
}

TEST(DTypes, FactoriesAndFill) {
  EXPECT_EQ(ones({3}, DType::Bool).tolist(), (std::vector<double>{1, 1, 1}));
  EXPECT_EQ(full({2}, 0.25, DType::Bool).tolist(), (std::vector<double>{1, 1}));  // nonzero
  EXPECT_EQ(full({2}, 258, DType::UInt8).tolist(), (std::vector<double>{2, 2}));  // wraps
  EXPECT_EQ(arange(0, 3, 1, DType::Int32).tolist(), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(arange(0, 3, 1, DType::Int32).dtype(), DType::Int32);
  EXPECT_EQ(scalar_tensor(1, DType::UInt8).item(), 1.0);
}

// Finding: linspace(5, 10, 1) was [10]; torch gives [5].
TEST(DTypes, LinspaceWithOneStepIsStart) {
  EXPECT_EQ(linspace(5, 10, 1).tolist(), (std::vector<double>{5}));
  EXPECT_EQ(linspace(5, 10, 2).tolist(), (std::vector<double>{5, 10}));
}

// Finding: pow of an integer tensor returned float; torch keeps the dtype and refuses negative
// integer powers.
TEST(DTypes, IntegerPowKeepsTheDtype) {
  Tensor i = tensor({2, 3, -2}, DType::Int64);
  EXPECT_EQ(pow(i, 2.0).dtype(), DType::Int64);
  EXPECT_TRUE(check_values(pow(i, 3.0), {8, 27, -8}));
  EXPECT_EQ(pow(tensor({2, 3}, DType::Int32), tensor({2, 3}, DType::Int64)).dtype(), DType::Int64);
  EXPECT_TRUE(
      check_values(pow(tensor({2, 3}, DType::Int32), tensor({2, 3}, DType::Int64)), {4, 27}));
  EXPECT_TRUE(check_values(pow(tensor({16}, DType::UInt8), 2.0), {0}));  // 256 wraps, like torch
  std::string m = error_of([&] { pow(i, -2.0); });
  EXPECT_NE(m.find("Integers to negative integer powers are not allowed"), std::string::npos) << m;
  EXPECT_NE(m.find("pow"), std::string::npos) << m;
  EXPECT_NE(m.find("-2"), std::string::npos) << m;
  EXPECT_NE(error_of([&] {
              pow(i, tensor({1, -1, 1}, DType::Int64));
            }).find("negative integer"),
            std::string::npos);
  EXPECT_EQ(pow(i, 0.5).dtype(), DType::Float32);  // a fractional exponent promotes
  EXPECT_EQ(pow(i, -2.5).dtype(), DType::Float32);
}

TEST(DTypes, SafetensorsBoolU8I32RoundTrip) {
  std::string dir = scratch_dir();
  std::string path = dir + "/small.safetensors";
  io::save_safetensors(path, {{"mask", tensor({1, 0, 1}, DType::Bool)},
                              {"pixels", tensor({0, 128, 255}, DType::UInt8)},
                              {"ids", tensor({-5, 70000}, DType::Int32)}});
  std::string bytes = read_bytes(path);
  EXPECT_NE(bytes.find("\"dtype\":\"BOOL\""), std::string::npos);
  EXPECT_NE(bytes.find("\"dtype\":\"U8\""), std::string::npos);
  EXPECT_NE(bytes.find("\"dtype\":\"I32\""), std::string::npos);
  // The reference writer's order: larger dtype (in safetensors' enum) first: I32, U8, BOOL.
  EXPECT_LT(bytes.find("\"ids\""), bytes.find("\"pixels\""));
  EXPECT_LT(bytes.find("\"pixels\""), bytes.find("\"mask\""));
  io::SafetensorsFile f = io::load_safetensors(path);
  EXPECT_EQ(f.at("mask").dtype(), DType::Bool);
  EXPECT_EQ(f.at("mask").tolist(), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(f.at("pixels").dtype(), DType::UInt8);
  EXPECT_EQ(f.at("pixels").tolist(), (std::vector<double>{0, 128, 255}));
  EXPECT_EQ(f.at("ids").dtype(), DType::Int32);
  EXPECT_EQ(f.at("ids").tolist(), (std::vector<double>{-5, 70000}));
}

// A hand-built file: a BOOL byte of 2 reads as true (no invalid C++ bool escapes).
TEST(DTypes, SafetensorsBoolBytesAreNormalised) {
  std::string header = R"({"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string file(8, '\0');
  uint64_t n = header.size();
  std::memcpy(file.data(), &n, 8);
  file += header + std::string("\x02\x00", 2);
  std::string path = scratch_dir() + "/bool2.safetensors";
  write_bytes(path, file);
  Tensor m = io::load_safetensors(path).at("m");
  EXPECT_EQ(m.dtype(), DType::Bool);
  EXPECT_EQ(m.data_ptr<bool>()[0], true);
  EXPECT_EQ(static_cast<int>(reinterpret_cast<unsigned char*>(m.data_ptr<bool>())[0]), 1);
}
