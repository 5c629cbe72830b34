// The vectorised transcendental kernels (src/kernels/vmath.hpp) against PyTorch 1.13's own CPU
// results, bit for bit, through tests/reference/vector_math.json (vector_math.py): SLEEF's u10
// functions are what torch calls, so with AVX2 or AVX-512 every element, tails included, must
// match exactly. Without AVX2 (GF_CPU_CAPABILITY=default) libm runs: within 2 ulp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <gradflow/gradflow.hpp>
#include <string>

#include "../src/kernels/vmath.hpp"
#include "support/op_check.hpp"

using namespace gf;
using gf::kernels::VectorFn;
using gf::test::json_number;

namespace {

const std::map<std::string, VectorFn> kFns = {
    {"exp", VectorFn::Exp},     {"log", VectorFn::Log},   {"log1p", VectorFn::Log1p},
    {"expm1", VectorFn::Expm1}, {"tanh", VectorFn::Tanh}, {"sigmoid", VectorFn::Sigmoid},
    {"erf", VectorFn::Erf},     {"sin", VectorFn::Sin},   {"cos", VectorFn::Cos},
    {"tan", VectorFn::Tan},     {"asin", VectorFn::Asin}, {"acos", VectorFn::Acos},
    {"atan", VectorFn::Atan},   {"log2", VectorFn::Log2}, {"log10", VectorFn::Log10},
    {"erfc", VectorFn::Erfc}};

// The public ops that run on these kernels.
Tensor run_op(const std::string& fn, const Tensor& x) {
  if (fn == "exp") return exp(x);
  if (fn == "log") return log(x);
  if (fn == "log1p") return log1p(x);
  if (fn == "tanh") return tanh(x);
  if (fn == "sigmoid") return sigmoid(x);
  if (fn == "expm1") return expm1(x);
  if (fn == "erf") return erf(x);
  if (fn == "sin") return sin(x);
  if (fn == "cos") return cos(x);
  if (fn == "tan") return tan(x);
  if (fn == "asin") return asin(x);
  if (fn == "acos") return acos(x);
  if (fn == "atan") return atan(x);
  if (fn == "log2") return log2(x);
  if (fn == "log10") return log10(x);
  if (fn == "erfc") return erfc(x);
  return Tensor();
}

nlohmann::json load() {
  std::ifstream f(std::string(GF_REFERENCE_DIR) + "/vector_math.json");
  EXPECT_TRUE(f.good()) << "missing tests/reference/vector_math.json";
  return nlohmann::json::parse(f);
}

bool exact() { return std::string(kernels::vector_capability()) != "default"; }

template <class T>
::testing::AssertionResult same(const T* got, const std::vector<double>& want,
                                const std::string& what) {
  for (std::size_t i = 0; i < want.size(); ++i) {
    T w = static_cast<T>(want[i]);
    bool ok =
        exact() ? std::memcmp(&got[i], &w, sizeof(T)) == 0 || (std::isnan(got[i]) && std::isnan(w))
                : (std::isnan(got[i]) && std::isnan(w)) || got[i] == w ||
                      std::fabs(got[i] - w) <= 2 * std::numeric_limits<T>::epsilon() * std::fabs(w);
    if (!ok)
      return ::testing::AssertionFailure()
             << what << " element " << i << " of " << want.size() << ": got " << got[i]
             << ", torch " << w << " (" << kernels::vector_capability() << ")";
  }
  return ::testing::AssertionSuccess();
}

template <class T>
void check_case(const nlohmann::json& c) {
  std::string fn = c["fn"], what = fn + " " + c["dtype"].get<std::string>();
  std::vector<double> in, want;
  for (const auto& v : c["input"]) in.push_back(json_number(v));
  for (const auto& v : c["output"]) want.push_back(json_number(v));
  std::vector<T> x(in.begin(), in.end()), y(x.size());
  kernels::vector_map(kFns.at(fn), x.data(), y.data(), static_cast<int64_t>(x.size()));
  EXPECT_TRUE(same(y.data(), want, what + " vector_map"));
  Tensor xt = tensor(in, {static_cast<int64_t>(in.size())}, dtype_of<T>());
  if (Tensor out = run_op(fn, xt); out.defined())
    EXPECT_TRUE(same(out.data_ptr<T>(), want, what + " op"));
}

}  // namespace

TEST(VectorMath, MatchesTorchBitForBit) {
  nlohmann::json ref = load();
  ASSERT_GE(ref["cases"].size(), 80u);
  for (const auto& c : ref["cases"]) {
    if (c["dtype"] == "float32")
      check_case<float>(c);
    else
      check_case<double>(c);
  }
}

TEST(VectorMath, UsesTheWidestVectorsTheCpuHas) {
  std::string cap = kernels::vector_capability();
  const char* env = std::getenv("GF_CPU_CAPABILITY");
  if (env && !*env) env = nullptr;
  if (env && std::string(env) == "default")
    EXPECT_EQ(cap, "default");
  else if (__builtin_cpu_supports("avx512f") && !env)
    EXPECT_EQ(cap, "avx512");
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    EXPECT_EQ(cap, "avx2");
}

// The split across threads follows the 16-float blocks, so the bits do not depend on it.
TEST(VectorMath, ResultDoesNotDependOnTheThreadCount) {
  int before = get_num_threads();
  manual_seed(0);
  Tensor x = randn({300001}) * 8.0;
  set_num_threads(1);
  Tensor one = sigmoid(x), e1 = exp(x);
  set_num_threads(2);
  Tensor two = sigmoid(x), e2 = exp(x);
  set_num_threads(before);
  EXPECT_EQ(std::memcmp(one.data_ptr<float>(), two.data_ptr<float>(), 300001 * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(e1.data_ptr<float>(), e2.data_ptr<float>(), 300001 * sizeof(float)), 0);
}

// A strided view gives the same values as its contiguous copy.
TEST(VectorMath, StridedInputMatchesContiguous) {
  manual_seed(1);
  Tensor x = randn({37, 19}, DType::Float64);
  Tensor t = x.transpose(0, 1);
  Tensor a = tanh(t), b = tanh(t.contiguous());
  EXPECT_EQ(a.tolist(), b.tolist());
}
