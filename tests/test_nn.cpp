// nn modules: names, shapes, PyTorch's printing, default init, state dicts, train/eval,
// Dropout, init formulas, and a Linear-ReLU-Linear forward/backward computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <gradflow/gradflow.hpp>

#include "support/errors.hpp"
#include <sstream>

using namespace gf;
using gf::test::error_of;

namespace {

class NN : public ::testing::Test {
 protected:
  void SetUp() override {
    set_default_dtype(DType::Float32);
    manual_seed(0);
  }
  void TearDown() override { set_default_dtype(DType::Float32); }
};

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

struct MLP : nn::Module {
  std::shared_ptr<nn::Linear> fc1, fc2;
  MLP(int64_t in, int64_t hidden, int64_t out) : Module("MLP") {
    fc1 = register_module("fc1", std::make_shared<nn::Linear>(in, hidden));
    fc2 = register_module("fc2", std::make_shared<nn::Linear>(hidden, out));
  }
  Tensor forward(const Tensor& x) override { return fc2->forward(relu(fc1->forward(x))); }
};

std::vector<std::string> names_of(const nn::StateDict& d) {
  std::vector<std::string> out;
  for (const auto& [n, _] : d) out.push_back(n);
  return out;
}

}  // namespace

TEST_F(NN, LinearNamedParametersAndDefaultInit) {  // WORKED_EXAMPLES row 16
  nn::Linear linear(5, 3);
  auto params = linear.named_parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].first, "weight");
  EXPECT_EQ(params[0].second.shape(), Shape({3, 5}));
  EXPECT_EQ(params[1].first, "bias");
  EXPECT_EQ(params[1].second.shape(), Shape({3}));
  EXPECT_TRUE(linear.weight.requires_grad());
  EXPECT_TRUE(linear.weight.is_leaf());
  EXPECT_EQ(linear.weight.dtype(), DType::Float32);
  EXPECT_EQ(linear.weight.impl_ptr(), params[0].second.impl_ptr());  // the same parameter
  // uniform in ±1/√5: every value inside, and the values spread over the interval
  const double bound = 1 / std::sqrt(5.0);
  for (const Tensor& p : linear.parameters()) {
    double lo = 1, hi = -1;
    for (double v : p.tolist()) {
      EXPECT_LE(std::fabs(v), bound);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    EXPECT_LT(lo, 0);
    EXPECT_GT(hi, 0);
  }
  // over many parameters: the extremes approach the bound and the mean is ~0
  nn::Linear big(5, 2000);
  std::vector<double> w = big.weight.tolist();
  double mx = 0, mean = 0;
  for (double v : w) {
    mx = std::max(mx, std::fabs(v));
    mean += v / w.size();
  }
  EXPECT_GT(mx, 0.99 * bound);
  EXPECT_LE(mx, bound);
  EXPECT_NEAR(mean, 0, 0.01);
}

TEST_F(NN, ParameterPrintsLikePyTorch) {
  nn::Linear linear(2, 2);
  {
    NoGradGuard g;
    linear.weight.copy_(tensor({-0.0053, 0.3793, -0.5820, -0.5204}, {2, 2}));
    linear.bias.copy_(tensor({0.2026, -0.1183}));
  }
  EXPECT_EQ(nn::parameter_repr(linear.weight),
            "Parameter containing:\ntensor([[-0.0053,  0.3793],\n        [-0.5820, -0.5204]], "
            "requires_grad=True)");
  std::ostringstream out;
  nn::print_parameter(out, linear.bias);
  EXPECT_EQ(out.str(), "Parameter containing:\ntensor([ 0.2026, -0.1183], requires_grad=True)");
}

TEST_F(NN, ModulesPrintLikePyTorch) {
  nn::Linear linear(5, 3);
  EXPECT_EQ(linear.repr(), "Linear(in_features=5, out_features=3, bias=True)");
  nn::Sequential inner(nn::Linear(3, 2, /*bias=*/false), nn::Dropout());
  nn::Sequential model(nn::Linear(5, 3), nn::ReLU(), nn::Dropout(0.2), nn::Flatten(),
                       nn::Softmax(1), nn::LogSoftmax(1), nn::Sigmoid(), nn::Tanh(),
                       std::make_shared<nn::Sequential>(std::move(inner)));
  std::ostringstream out;
  out << model;
  // the exact string printed by PyTorch 1.13 for the same model
  EXPECT_EQ(out.str(),
            "Sequential(\n  (0): Linear(in_features=5, out_features=3, bias=True)\n  (1): ReLU()\n"
            "  (2): Dropout(p=0.2, inplace=False)\n  (3): Flatten(start_dim=1, end_dim=-1)\n"
            "  (4): Softmax(dim=1)\n  (5): LogSoftmax(dim=1)\n  (6): Sigmoid()\n  (7): Tanh()\n"
            "  (8): Sequential(\n    (0): Linear(in_features=3, out_features=2, bias=False)\n"
            "    (1): Dropout(p=0.5, inplace=False)\n  )\n)");
  EXPECT_EQ(names_of(model.named_parameters()),
            (std::vector<std::string>{"0.weight", "0.bias", "8.0.weight"}));
  EXPECT_EQ(names_of(model.state_dict()), names_of(model.named_parameters()));
  EXPECT_EQ(nn::Dropout(1e-5).repr(), "Dropout(p=1e-05, inplace=False)");
  EXPECT_EQ(nn::Dropout(0.0001).repr(), "Dropout(p=0.0001, inplace=False)");
  EXPECT_EQ(MLP(4, 3, 2).repr(),
            "MLP(\n  (fc1): Linear(in_features=4, out_features=3, bias=True)\n"
            "  (fc2): Linear(in_features=3, out_features=2, bias=True)\n)");
}

TEST_F(NN, DottedNamesModulesAndChildren) {
  MLP mlp(4, 3, 2);
  EXPECT_EQ(names_of(mlp.named_parameters()),
            (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}));
  EXPECT_EQ(mlp.fc1->weight.impl().name, "fc1.weight");  // labels for graph pictures
  EXPECT_EQ(mlp.parameters().size(), 4u);
  EXPECT_EQ(mlp.parameters(/*recurse=*/false).size(), 0u);
  EXPECT_EQ(mlp.children().size(), 2u);
  std::vector<std::string> modules;
  for (auto& [name, m] : mlp.named_modules()) modules.push_back(name + ":" + m->type_name());
  EXPECT_EQ(modules, (std::vector<std::string>{":MLP", "fc1:Linear", "fc2:Linear"}));

  nn::Sequential seq;
  seq.push_back(std::make_shared<MLP>(4, 3, 2));
  seq.push_back(nn::ReLU());
  EXPECT_EQ(seq.size(), 2u);
  EXPECT_EQ(seq.named_parameters()[2].first, "0.fc2.weight");
  EXPECT_EQ(seq.at<MLP>(0)->fc2->out_features(), 2);
  EXPECT_CONTAINS(error_of([&] { seq[5]; }), "Sequential: index 5 is out of range (size 2)");
  EXPECT_CONTAINS(error_of([&] { seq.at<nn::Linear>(1); }), "module 1 is a ReLU");

  nn::Module bare;
  EXPECT_CONTAINS(error_of([&] { bare.forward(ones({1})); }), "forward is not implemented");
  bare.register_parameter("w", ones({2}));
  EXPECT_CONTAINS(error_of([&] { bare.register_buffer("w", ones({2})); }),
                  "attribute \"w\" already exists");
  EXPECT_CONTAINS(error_of([&] { bare.register_parameter("a.b", ones({2})); }), "can't contain");
}

TEST_F(NN, StateDictRoundTripAndErrors) {
  set_default_dtype(DType::Float64);
  MLP a(5, 4, 3);
  MLP b(5, 4, 3);
  EXPECT_NE(a.fc1->weight.tolist(), b.fc1->weight.tolist());
  nn::StateDict sd = a.state_dict();
  EXPECT_FALSE(sd[0].second.requires_grad());  // detached values
  b.load_state_dict(sd);
  for (std::size_t i = 0; i < sd.size(); ++i)
    EXPECT_EQ(b.parameters()[i].tolist(), a.parameters()[i].tolist()) << sd[i].first;
  EXPECT_TRUE(b.fc1->weight.requires_grad());  // still a parameter, same handle
  EXPECT_EQ(b.fc1->weight.impl_ptr(), b.named_parameters()[0].second.impl_ptr());
  Tensor x = randn({2, 5});
  EXPECT_EQ(a.forward(x).tolist(), b.forward(x).tolist());

  MLP wider(5, 3, 3);  // fc1 is [3, 5] in the checkpoint, [4, 5] in b
  EXPECT_CONTAINS(error_of([&] { b.load_state_dict(wider.state_dict()); }),
                  "load_state_dict: size mismatch for fc1.weight: copying a param with shape "
                  "[3, 5] from checkpoint, the shape in current model is [4, 5].");
  nn::StateDict partial(sd.begin() + 1, sd.end());
  partial.emplace_back("fc3.bias", zeros({3}));
  std::string msg = error_of([&] { b.load_state_dict(partial); });
  EXPECT_CONTAINS(msg, "Missing key(s) in state_dict: \"fc1.weight\".");
  EXPECT_CONTAINS(msg, "Unexpected key(s) in state_dict: \"fc3.bias\".");
  // strict=false ignores missing/unexpected keys but still loads the rest
  MLP c(5, 4, 3);
  c.load_state_dict(partial, /*strict=*/false);
  EXPECT_EQ(c.fc2->bias.tolist(), a.fc2->bias.tolist());
  EXPECT_NE(c.fc1->weight.tolist(), a.fc1->weight.tolist());
}

TEST_F(NN, ToDTypeKeepsHandles) {
  nn::Linear linear(3, 2);
  Tensor w = linear.weight;
  std::vector<double> before = w.tolist();
  linear.to(DType::Float64);
  EXPECT_EQ(w.dtype(), DType::Float64);  // the member and outside handles follow
  EXPECT_EQ(linear.weight.dtype(), DType::Float64);
  EXPECT_EQ(w.tolist(), before);
  EXPECT_TRUE(w.requires_grad());
  Tensor y = linear.forward(ones({4, 3}, DType::Float64));
  EXPECT_EQ(y.dtype(), DType::Float64);
}

TEST_F(NN, TrainEvalAndDropout) {
  nn::Sequential model(nn::Linear(4, 4), nn::Dropout(0.3));
  EXPECT_TRUE(model.is_training());
  model.eval();
  EXPECT_FALSE(model.is_training());
  EXPECT_FALSE(model[1]->is_training());  // recursive
  model.train();
  EXPECT_TRUE(model[1]->is_training());

  nn::Dropout drop(0.3);
  Tensor x = ones({100, 100}, DType::Float64).requires_grad_();
  Tensor y = drop.forward(x);
  int zeros_count = 0;
  for (double v : y.tolist()) {
    if (v == 0) {
      ++zeros_count;
    } else {
      EXPECT_DOUBLE_EQ(v, 1 / 0.7);  // inverted dropout keeps the expectation
    }
  }
  EXPECT_NEAR(zeros_count / 10000.0, 0.3, 0.03);
  y.sum().backward();  // dy/dx = mask / (1 − p)
  EXPECT_EQ(x.grad().tolist(), y.tolist());
  drop.eval();
  Tensor z = drop.forward(x);
  EXPECT_EQ(z.impl_ptr(), x.impl_ptr());  // identity in eval mode
  EXPECT_CONTAINS(error_of([] { nn::Dropout(1.5); }),
                  "Dropout: probability has to be between 0 and 1, but got 1.5");
  EXPECT_EQ(nn::Dropout(1.0).forward(x).abs().sum().item(), 0);
  manual_seed(7);
  std::vector<double> first = nn::dropout(x, 0.5).tolist();
  manual_seed(7);
  EXPECT_EQ(nn::dropout(x, 0.5).tolist(), first);  // reproducible from the seed
}

TEST_F(NN, SequentialLinearReluForwardBackwardByHand) {
  set_default_dtype(DType::Float64);
  nn::Sequential model(nn::Linear(2, 2), nn::ReLU(), nn::Linear(2, 1));
  auto l1 = model.at<nn::Linear>(0), l2 = model.at<nn::Linear>(2);
  {
    NoGradGuard g;
    l1->weight.copy_(tensor({1, -1, 2, 0.5}, {2, 2}));  // W1 = [[1, -1], [2, 0.5]]
    l1->bias.copy_(tensor({0.5, -4}));                  // b1
    l2->weight.copy_(tensor({3, -2}, {1, 2}));          // W2
    l2->bias.copy_(tensor({0.25}));
  }
  Tensor x = tensor({1, 2, 3, -1}, {2, 2});  // two samples
  Tensor y = model.forward(x);
  // sample 0: h = relu([1−2+0.5, 2+1−4]) = relu([−0.5, −1]) = [0, 0]  → y = 0.25
  // sample 1: h = relu([3+1+0.5, 6−0.5−4]) = [4.5, 1.5]              → y = 13.5 − 3 + 0.25
  EXPECT_EQ(y.shape(), Shape({2, 1}));
  EXPECT_EQ(y.grad_fn_name(), "AddmmBackward0");  // one GEMM with the bias folded in
  EXPECT_EQ(y.tolist(), (std::vector<double>{0.25, 10.75}));
  y.sum().backward();
  // dL/dW2 = Σ h = [4.5, 1.5]; dL/db2 = 2
  EXPECT_EQ(l2->weight.grad().tolist(), (std::vector<double>{4.5, 1.5}));
  EXPECT_EQ(l2->bias.grad().tolist(), (std::vector<double>{2}));
  // only sample 1 passes the ReLU: dL/dz1 = W2 = [3, −2]; dL/dW1 = dz1ᵀ x1; dL/db1 = dz1
  EXPECT_EQ(l1->weight.grad().tolist(), (std::vector<double>{9, -3, -6, 2}));
  EXPECT_EQ(l1->bias.grad().tolist(), (std::vector<double>{3, -2}));

  model.zero_grad();  // in place, like PyTorch 1.13
  EXPECT_TRUE(l1->weight.grad().defined());
  EXPECT_EQ(l1->weight.grad().abs().sum().item(), 0);
  model.zero_grad(/*set_to_none=*/true);
  EXPECT_FALSE(l1->weight.grad().defined());

  EXPECT_CONTAINS(error_of([&] {
                    model.forward(ones({3, 4}));
                  }),
                  "Linear: input of shape [3, 4] does not match in_features=2");
}

TEST_F(NN, ActivationsAndFlattenForward) {
  set_default_dtype(DType::Float64);
  Tensor x = tensor({-1, 0, 2, 3}, {2, 2});
  EXPECT_EQ(nn::ReLU().forward(x).tolist(), (std::vector<double>{0, 0, 2, 3}));
  EXPECT_NEAR(nn::Sigmoid().forward(x).tolist()[0], 1 / (1 + std::exp(1.0)), 1e-15);
  EXPECT_NEAR(nn::Tanh().forward(x).tolist()[2], std::tanh(2.0), 1e-15);
  std::vector<double> s = nn::Softmax(1).forward(x).tolist();
  EXPECT_NEAR(s[0], std::exp(-1.0) / (std::exp(-1.0) + 1), 1e-15);
  EXPECT_NEAR(s[2] + s[3], 1, 1e-15);
  std::vector<double> ls = nn::LogSoftmax(0).forward(x).tolist();
  EXPECT_NEAR(ls[0], -1 - std::log(std::exp(-1.0) + std::exp(2.0)), 1e-14);
  EXPECT_EQ(nn::Flatten().forward(zeros({2, 3, 4, 5})).shape(), Shape({2, 60}));
  EXPECT_EQ(nn::Flatten(0, 1).forward(zeros({2, 3, 4})).shape(), Shape({6, 4}));
}

TEST_F(NN, InitFormulas) {
  using namespace nn::init;
  EXPECT_EQ(calculate_gain(Nonlinearity::Linear), 1);
  EXPECT_EQ(calculate_gain(Nonlinearity::Tanh), 5.0 / 3);
  EXPECT_EQ(calculate_gain(Nonlinearity::ReLU), std::sqrt(2.0));
  EXPECT_EQ(calculate_gain(Nonlinearity::LeakyReLU), std::sqrt(2 / (1 + 0.01 * 0.01)));
  EXPECT_EQ(calculate_gain(Nonlinearity::LeakyReLU, std::sqrt(5.0)), std::sqrt(1.0 / 3));
  EXPECT_EQ(calculate_gain(Nonlinearity::SELU), 0.75);
  auto fans = calculate_fan_in_and_fan_out(zeros({4, 3, 2, 2}));
  EXPECT_EQ(fans.first, 12);
  EXPECT_EQ(fans.second, 16);
  EXPECT_CONTAINS(error_of([] { xavier_uniform_(zeros({3})); }),
                  "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");

  Tensor w = zeros({200, 300}, DType::Float64);
  auto max_abs = [](const Tensor& t) {
    double m = 0;
    for (double v : t.tolist()) m = std::max(m, std::fabs(v));
    return m;
  };
  auto stddev = [](const Tensor& t) {
    std::vector<double> v = t.tolist();
    double mean = 0, sq = 0;
    for (double x : v) mean += x / v.size();
    for (double x : v) sq += (x - mean) * (x - mean) / v.size();
    return std::sqrt(sq);
  };
  double xavier_a = std::sqrt(6.0 / 500);
  xavier_uniform_(w);
  EXPECT_LE(max_abs(w), xavier_a);
  EXPECT_GT(max_abs(w), 0.99 * xavier_a);
  xavier_normal_(w, 2.0);
  EXPECT_NEAR(stddev(w), 2 * std::sqrt(2.0 / 500), 0.01 * 2 * std::sqrt(2.0 / 500) * 3);
  kaiming_uniform_(w, 0, FanMode::FanIn, Nonlinearity::ReLU);
  double kb = std::sqrt(2.0) * std::sqrt(3.0 / 300);
  EXPECT_LE(max_abs(w), kb);
  EXPECT_GT(max_abs(w), 0.99 * kb);
  kaiming_normal_(w, 0, FanMode::FanOut, Nonlinearity::ReLU);
  EXPECT_NEAR(stddev(w), std::sqrt(2.0 / 200), 0.03 * std::sqrt(2.0 / 200));
  uniform_(w, 2, 3);
  EXPECT_GE(-(-w).max().item(), 2);
  EXPECT_LT(w.max().item(), 3);
  normal_(w, 5, 0.5);
  EXPECT_NEAR(w.mean().item(), 5, 0.01);
  constant_(w, 0.25);
  EXPECT_EQ(w.sum().item(), 0.25 * 60000);
  ones_(w);
  EXPECT_EQ(w.sum().item(), 60000);
  zeros_(w);
  EXPECT_EQ(w.abs().sum().item(), 0);
}
