// Batch normalization: torch's values, gradients, grad_fn and running statistics for every
// option (tests/reference/batchnorm.json, float64 and float32), the modules' buffers, state_dict
// and printing, gradcheck and gradgradcheck (training and eval), torch's error messages; and
// dropout2d / Dropout2d.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <gradflow/gradflow.hpp>
#include <sstream>

#include "support/errors.hpp"
#include "support/op_check.hpp"

namespace F = gf::nn::functional;
using namespace gf;
using namespace gf::test;
using ::testing::HasSubstr;

namespace {

const nlohmann::json& reference() {
  static const nlohmann::json data = [] {
    std::ifstream in(std::string(GF_REFERENCE_DIR) + "/batchnorm.json");
    if (!in) throw std::runtime_error("cannot open tests/reference/batchnorm.json");
    return nlohmann::json::parse(in);
  }();
  return data;
}

}  // namespace

TEST(BatchNorm, FunctionalMatchesTorchForEveryOption) {
  int n = 0;
  for (const auto& c : reference().at("functional")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto& o = c.at("options");
    const bool f32 = c["inputs"][0].value("dtype", "float64") == "float32";
    const double rtol = f32 ? 1e-4 : 1e-10, atol = f32 ? 1e-5 : 1e-12;
    Tensor rm, rv;
    if (o.at("running")) rm = json_tensor(c["running_mean"]), rv = json_tensor(c["running_var"]);
    const bool affine = o.at("affine");
    OpFn fn = [&](const Inputs& x) {
      return F::batch_norm(x[0], rm, rv,
                           F::BatchNormFuncOptions()
                               .weight(affine ? x[1] : Tensor())
                               .bias(affine ? x[2] : Tensor())
                               .training(o.at("training"))
                               .momentum(o.at("momentum").get<double>())
                               .eps(o.at("eps")));
    };
    EXPECT_TRUE(check_reference(fn, c, rtol, atol));
    if (rm.defined()) {  // updated once, by check_reference's call
      EXPECT_TRUE(check_values(rm, json_values(c["running_mean_after"]),
                               json_shape(c["running_mean_after"]), rtol, atol));
      EXPECT_TRUE(check_values(rv, json_values(c["running_var_after"]),
                               json_shape(c["running_var_after"]), rtol, atol));
    }
    Inputs xs;
    for (const auto& in : c["inputs"]) xs.push_back(json_tensor(in).requires_grad_());
    EXPECT_EQ(fn(xs).grad_fn_name(), c.at("grad_fn").get<std::string>());
    ++n;
  }
  EXPECT_EQ(n, 18);
}

TEST(BatchNorm, ModulesMatchTorchOverTrainingAndEvalSteps) {
  for (const auto& run : reference().at("modules")) {
    const std::string name = run.at("name");
    SCOPED_TRACE(name);
    const auto& init = run.at("init");
    const int64_t C = json_shape(run["steps"][0]["input"])[1];
    const bool affine = init.contains("weight"), tracked = init.contains("running_mean");
    nn::BatchNormOptions o(C);
    o.affine(affine).track_running_stats(tracked).dtype(DType::Float32);
    if (name.find("momentum=None") != std::string::npos) o.momentum(std::nullopt);
    if (name.find("momentum=0.2") != std::string::npos) o.momentum(0.2).eps(1e-3);
    std::shared_ptr<nn::BatchNormBase> m;
    if (name.rfind("BatchNorm2d", 0) == 0)
      m = std::make_shared<nn::BatchNorm2d>(o);
    else
      m = std::make_shared<nn::BatchNorm1d>(o);
    EXPECT_EQ(m->repr(), run.at("repr").get<std::string>());
    // torch's state_dict keys; weight 1, bias 0, running_mean 0, running_var 1, count 0; then
    // the reference's random weight and bias
    std::vector<std::string> keys;
    for (const auto& [k, v] : m->state_dict()) {
      keys.push_back(k);
      const double want = k == "weight" || k == "running_var" ? 1.0 : 0.0;
      for (double e : v.tolist()) EXPECT_EQ(e, want) << k;
    }
    EXPECT_EQ(keys.size(), init.size());
    for (const std::string& k : keys) EXPECT_TRUE(init.contains(k)) << k;
    if (affine) {
      NoGradGuard no_grad;
      m->weight.copy_(json_tensor(run["steps"][0]["state_dict"]["weight"]));
      m->bias.copy_(json_tensor(run["steps"][0]["state_dict"]["bias"]));
    }
    for (const auto& step : run.at("steps")) {
      m->train(step.at("training").get<bool>());
      Tensor y = m->forward(json_tensor(step["input"]));
      EXPECT_TRUE(
          check_values(y, json_values(step["output"]), json_shape(step["output"]), 1e-4, 1e-5));
      for (const auto& [k, v] : m->state_dict()) {
        const auto& want = step["state_dict"].at(k);
        EXPECT_TRUE(check_values(v, json_values(want), json_shape(want), 1e-5, 1e-6)) << k;
        if (k == "num_batches_tracked") EXPECT_EQ(v.dtype(), DType::Int64);
      }
    }
  }
}

TEST(BatchNorm, GradcheckAndGradgradcheck) {
  auto bn = [](bool training, bool affine) {
    return [=](const Inputs& x) {
      Tensor rm = full({3}, 0.2, DType::Float64), rv = full({3}, 1.5, DType::Float64);
      return F::batch_norm(x[0], rm, rv,
                           F::BatchNormFuncOptions()
                               .weight(affine ? x[1] : Tensor())
                               .bias(affine ? x[2] : Tensor())
                               .training(training));
    };
  };
  std::vector<OpCase> cases = {
      {"batch_norm training", bn(true, true), {{3, 3, 2, 2}, {3}, {3}}},
      {"batch_norm training 2-D, no affine", bn(true, false), {{4, 3}}},
      {"batch_norm eval", bn(false, true), {{2, 3, 2}, {3}, {3}}},
  };
  for (const OpCase& c : cases) EXPECT_TRUE(check_gradients(c));
}

TEST(BatchNorm, SavesTorchsTensorsAndItsBackwardIsDifferentiable) {
  Tensor x = randn({4, 2, 3}, DType::Float64).requires_grad_();
  Tensor w = ones({2}, DType::Float64).requires_grad_();
  Tensor rm = zeros({2}, DType::Float64), rv = ones({2}, DType::Float64);
  Tensor y = F::batch_norm(x, rm, rv, F::BatchNormFuncOptions().weight(w).training(true));
  std::vector<std::string> names;
  for (const auto& [name, t] : y.grad_fn()->saved()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"input", "weight", "running_mean", "running_var",
                                             "result1", "result2"}));
  // Σ y² of a normalized channel is M whatever x is, so its gradient wrt x is zero (up to eps)
  auto g = autograd::grad({sum(y * y)}, {x}, {}, true, true);
  EXPECT_LT(max(abs(g[0])).item(), 1e-4);
  EXPECT_TRUE(g[0].grad_fn());
}

TEST(BatchNorm, BadInputNamesOpAndSizes) {
  Tensor rm = zeros({3}), rv = ones({3});
  EXPECT_THAT(error_of([&] {
                F::batch_norm(zeros({2, 4}), rm, rv);
              }),
              HasSubstr("batch_norm: running_mean should contain 4 elements not 3"));
  EXPECT_THAT(error_of([&] {
                F::batch_norm(zeros({2, 3}), rm, rv, F::BatchNormFuncOptions().bias(ones({2})));
              }),
              HasSubstr("batch_norm: bias should contain 3 elements not 2"));
  EXPECT_THAT(error_of([&] {
                F::batch_norm(zeros({1, 3}), {}, {}, F::BatchNormFuncOptions().training(true));
              }),
              HasSubstr("Expected more than 1 value per channel when training, got input size "
                        "[1, 3]"));
  EXPECT_THAT(error_of([&] {
                F::batch_norm(zeros({2, 3}), {}, {});
              }),
              HasSubstr("running_mean must be defined in evaluation mode"));
  EXPECT_THAT(error_of([&] { F::batch_norm(zeros({3}), rm, rv); }),
              HasSubstr("batch_norm: expected an input of at least 2 dimensions"));
  nn::BatchNorm2d bn2(3);
  EXPECT_THAT(error_of([&] {
                bn2.forward(zeros({3, 2, 2}));
              }),
              HasSubstr("BatchNorm2d: expected 4D input (got 3D input)"));
  nn::BatchNorm1d bn1(3);
  EXPECT_THAT(error_of([&] {
                bn1.forward(zeros({3, 3, 2, 2}));
              }),
              HasSubstr("BatchNorm1d: expected 2D or 3D input (got 4D input)"));
}

TEST(BatchNorm, ModuleConvertsDtypeAndResets) {
  nn::BatchNorm2d bn(nn::BatchNorm2dOptions(2).momentum(0.5));
  bn.forward(full({2, 2, 1, 1}, 3.0) + arange(4).reshape({2, 2, 1, 1}));
  EXPECT_EQ(bn.num_batches_tracked.item(), 1);
  EXPECT_TRUE(check_values(bn.running_mean, {2.0, 2.5}, {2}, 1e-6, 1e-6));  // 0.5·{4, 5}
  bn.to(DType::Float64);
  EXPECT_EQ(bn.running_var.dtype(), DType::Float64);
  EXPECT_EQ(bn.num_batches_tracked.dtype(), DType::Int64);
  bn.reset_running_stats();
  EXPECT_EQ(bn.running_mean.tolist(), (std::vector<double>{0, 0}));
  EXPECT_EQ(bn.num_batches_tracked.item(), 0);
}

TEST(Dropout2d, ZeroesWholeChannelsAndScalesTheRest) {
  manual_seed(3);
  Tensor x = ones({8, 16, 3, 3}).requires_grad_();
  Tensor y = F::dropout2d(x, F::Dropout2dFuncOptions().p(0.25));
  EXPECT_EQ(y.grad_fn_name(), "MulBackward0");
  std::vector<double> v = y.tolist();
  int dropped = 0;
  for (int c = 0; c < 8 * 16; ++c) {
    for (int i = 1; i < 9; ++i) ASSERT_EQ(v[c * 9 + i], v[c * 9]) << "channel " << c;
    ASSERT_TRUE(v[c * 9] == 0 || std::fabs(v[c * 9] - 1 / 0.75) < 1e-6) << v[c * 9];
    dropped += v[c * 9] == 0;
  }
  EXPECT_GT(dropped, 16);  // 128 channels, p = 0.25: 32 expected, σ ≈ 4.9
  EXPECT_LT(dropped, 48);
  sum(y).backward();
  EXPECT_EQ(x.grad().tolist(), v);  // dy/dx is the mask
  EXPECT_FALSE(F::dropout2d(x, F::Dropout2dFuncOptions().training(false)).grad_fn());  // x itself
  nn::Dropout2d d(0.3);
  EXPECT_EQ(d.repr(), "Dropout2d(p=0.3, inplace=False)");
  d.eval();
  EXPECT_FALSE(d.forward(x).grad_fn());
  EXPECT_THAT(error_of([&] { F::dropout2d(ones({4}), 0.5); }),
              HasSubstr("dropout2d: Feature dropout requires at least 2 dimensions"));
  EXPECT_THAT(error_of([&] { nn::Dropout2d(1.5); }),
              HasSubstr("Dropout2d: dropout probability has to be between 0 and 1, but got 1.5"));
}
