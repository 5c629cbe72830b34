// gf::models against torchvision / torch (tests/reference/models_fixture.py): LeNet-5's
// state_dict saved by torch as safetensors loads unchanged and gives torch's logits; AlexNet has
// torchvision's parameter names, shapes and printed form, and torchvision's logits for weights
// made by an integer formula (the real weights are 233 MB).
#include <gtest/gtest.h>

#include <fstream>
#include <gradflow/gradflow.hpp>
#include <nlohmann/json.hpp>

#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;

namespace {

const nlohmann::json& models_reference() {
  static const nlohmann::json data = [] {
    std::ifstream in(std::string(GF_REFERENCE_DIR) + "/models.json");
    if (!in) throw std::runtime_error("cannot open tests/reference/models.json");
    return nlohmann::json::parse(in);
  }();
  return data;
}

// The fixture's formula, written into t (float32, contiguous):
// bound · (((i · 7919 + k · 104729) mod 2001) / 1000 − 1), in double, rounded to float32.
void fill_formula(Tensor& t, int64_t k, double bound) {
  float* p = t.data_ptr<float>();
  for (int64_t i = 0, n = t.numel(); i < n; ++i)
    p[i] = static_cast<float>(bound * (double((i * 7919 + k * 104729) % 2001) / 1000 - 1));
}

}  // namespace

TEST(Models, LeNet5LoadsTorchStateDictAndGivesTorchLogits) {
  const auto& ref = models_reference()["lenet5"];
  models::LeNet5 net;
  EXPECT_EQ(net.repr(), ref["repr"].get<std::string>());
  auto file =
      io::load_safetensors(std::string(GF_SOURCE_DIR) + "/tests/fixtures/lenet5.safetensors");
  net.load_state_dict(file.tensors);  // strict: names and shapes must all match
  net.eval();
  Tensor x = tensor(json_values(ref["input"]), json_shape(ref["input"]), DType::Float32);
  NoGradGuard no_grad;
  EXPECT_TRUE(
      check_values(net(x), json_values(ref["logits"]), json_shape(ref["logits"]), 1e-5, 1e-6));
}

TEST(Models, AlexNetHasTorchvisionNamesShapesAndPrinting) {
  const auto& ref = models_reference()["alexnet"];
  models::AlexNet net;
  EXPECT_EQ(net.repr(), ref["repr"].get<std::string>());
  auto params = net.named_parameters();
  const auto& want = ref["named_parameters_1000"];
  ASSERT_EQ(params.size(), want.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(params[i].first, want[i][0].get<std::string>());
    EXPECT_EQ(params[i].second.sizes().vec(), want[i][1].get<std::vector<int64_t>>());
  }
}

TEST(Models, AlexNetGivesTorchvisionLogits) {
  const auto& ref = models_reference()["alexnet"];
  models::AlexNet net(10);
  net.eval();
  auto params = net.named_parameters();
  ASSERT_EQ(params.size(), ref["named_parameters"].size());
  for (std::size_t k = 0; k < params.size(); ++k) {  // in place: the weights are 230 MB
    Tensor& p = params[k].second;
    fill_formula(p, int64_t(k), p.dim() > 1 ? 1 / std::sqrt(double(p.numel() / p.size(0))) : 0.05);
  }
  NoGradGuard no_grad;
  Tensor x = empty({1, 3, 63, 63}, DType::Float32);
  fill_formula(x, 1000, 1.0);
  Tensor logits = net(x);
  EXPECT_TRUE(check_values(logits, ref["logits"].get<std::vector<double>>(), {1, 10}, 1e-4, 1e-5));
}
