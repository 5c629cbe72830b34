// nn::functional: linear, cross_entropy (fused), nll_loss, mse_loss,
// binary_cross_entropy_with_logits, one_hot — the seeds' numbers, PyTorch's numbers, first and
// second derivatives against finite differences, and the error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <gradflow/gradflow.hpp>

#include "support/errors.hpp"

#include "support/nn_functional_reference.hpp"
#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;
namespace F = gf::nn::functional;
using nn::Reduction;

namespace {

bool has(const std::string& msg, const std::string& part) {
  return msg.find(part) != std::string::npos;
}

}  // namespace

TEST(CrossEntropy, GradientIsSoftmaxMinusOneHot) {  // WORKED_EXAMPLES row 8 (seed 001)
  // logits z = log p, so softmax(z) = p = [0.2, 0.7, 0.1]; the true class is 1
  Tensor z = log(tensor({0.2, 0.7, 0.1}, {1, 3}, DType::Float64)).detach().requires_grad_();
  Tensor loss = F::cross_entropy(z, tensor({1}, DType::Int64));
  EXPECT_EQ(loss.grad_fn_name(), "CrossEntropyLossBackward0");
  EXPECT_NEAR(loss.item(), -std::log(0.7), 1e-15);
  loss.backward();
  EXPECT_TRUE(check_values(z.grad(), {0.2, -0.3, 0.1}, {1, 3}, 1e-12, 1e-15));
  // the same with a probability target y = [0, 1, 0]
  Tensor z2 = z.detach().requires_grad_();
  F::cross_entropy(z2, tensor({0, 1, 0}, {1, 3}, DType::Float64)).backward();
  EXPECT_TRUE(check_values(z2.grad(), {0.2, -0.3, 0.1}, {1, 3}, 1e-12, 1e-15));
}

TEST(CrossEntropy, NoneIsMinusLogSoftmaxGatheredAndMeanIsItsMean) {  // WORKED_EXAMPLES row 11
  manual_seed(0);
  Tensor x = randn({10, 5}, DType::Float64);
  Tensor w = (rand({3, 5}, DType::Float64) * 2.0 - 1.0) / std::sqrt(5.0);
  Tensor b = (rand({3}, DType::Float64) * 2.0 - 1.0) / std::sqrt(5.0);
  Tensor y = randint(0, 3, {10});
  Tensor logits = F::linear(x, w, b);
  Tensor none = F::cross_entropy(logits, y, Reduction::None);
  EXPECT_EQ(none.sizes(), Shape({10}));
  Tensor picked = -log_softmax(logits, 1).gather(1, y.unsqueeze(1)).squeeze(1);
  EXPECT_TRUE(check_values(none, picked.tolist(), {10}, 1e-14, 1e-15));
  double mean_none = mean(none).item();
  EXPECT_NEAR(F::cross_entropy(logits, y).item(), mean_none, 1e-15);
  EXPECT_NEAR(F::cross_entropy(logits, y, Reduction::Sum).item(), 10 * mean_none, 1e-13);
  // probability targets: one-hot probabilities give the same losses
  Tensor onehot = F::one_hot(y, 3).to(DType::Float64);
  EXPECT_TRUE(check_values(F::cross_entropy(logits, onehot, Reduction::None), none.tolist()));
}

TEST(CrossEntropy, StableAtPlusMinus1000) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    Tensor z = tensor({1000, -1000, -1000, 1000}, {2, 2}, dt).requires_grad_();
    Tensor l = F::cross_entropy(z, tensor({0, 0}, DType::Int64), Reduction::None);
    EXPECT_TRUE(check_values(l, {0, 2000}, {2}, 1e-7, 0));
    F::cross_entropy(z, tensor({0, 0}, DType::Int64), Reduction::Sum).backward();
    EXPECT_TRUE(check_values(z.grad(), {0, 0, -1, 1}, {2, 2}, 0, 1e-7));
  }
}

TEST(CrossEntropy, Float32AgreesWithFloat64OnTheTrainingShape) {
  manual_seed(4);
  Tensor z = (randn({128, 10}) * 3.0).requires_grad_();
  Tensor y = randint(0, 10, {128});
  Tensor z64 = z.detach().to(DType::Float64).requires_grad_();
  Tensor l = F::cross_entropy(z, y), l64 = F::cross_entropy(z64, y);
  EXPECT_EQ(l.dtype(), DType::Float32);
  EXPECT_NEAR(l.item(), l64.item(), 1e-5 * std::fabs(l64.item()));
  l.backward();
  l64.backward();
  EXPECT_TRUE(check_values(z.grad(), z64.grad().tolist(), {128, 10}, 1e-4, 1e-7));
}

TEST(CrossEntropy, FusedBackwardEqualsTheRecordedOne) {
  // backward() takes the one-pass kernel; create_graph takes the differentiable formula
  manual_seed(5);
  for (Reduction r : {Reduction::None, Reduction::Mean, Reduction::Sum}) {
    for (bool probs : {false, true}) {
      Tensor z = randn({6, 4}, DType::Float64).requires_grad_();
      Tensor t = probs ? softmax(randn({6, 4}, DType::Float64), 1) : randint(0, 4, {6});
      Tensor l = F::cross_entropy(z, t, r);
      Tensor go =
          r == Reduction::None ? randn({6}, DType::Float64) : scalar_tensor(0.7, DType::Float64);
      Tensor recorded = autograd::grad({l}, {z}, {go}, true, /*create_graph=*/true)[0];
      EXPECT_TRUE(recorded.requires_grad());
      l.backward(go);
      EXPECT_TRUE(check_values(z.grad(), recorded.tolist(), {6, 4}, 1e-13, 1e-15));
    }
  }
}

TEST(CrossEntropy, HessianIsDiagPMinusPPt) {
  // d²/dz² of CE(z, y) = diag(p) − p pᵀ, independent of y: the double backward of the fused op
  Tensor z = tensor({0.3, -1.2, 2.0, 0.1}, DType::Float64);
  auto f = [](const Tensor& v) {
    return F::cross_entropy(v.unsqueeze(0), tensor({2}, DType::Int64));
  };
  Tensor h = autograd::hessian(f, z);
  Tensor p = softmax(z, 0);
  Tensor expected = p.unsqueeze(1) * eye(4, DType::Float64) - outer(p, p);
  EXPECT_TRUE(check_values(h, expected.tolist(), {4, 4}, 1e-12, 1e-15));
}

TEST(Losses, GradcheckAndGradgradcheck) {
  Tensor y = tensor({2, 0, 1, 1, 0}, DType::Int64);
  Tensor y3 = tensor({2, 0, 1, 1, 0, 2}, {2, 3}, DType::Int64);
  std::vector<OpCase> cases;
  const char* names[] = {"none", "mean", "sum"};
  for (Reduction r : {Reduction::None, Reduction::Mean, Reduction::Sum}) {
    std::string n = names[static_cast<int>(r)];
    cases.push_back({"cross_entropy ids " + n,
                     [=](const Inputs& x) { return F::cross_entropy(x[0], y, r); },
                     {{5, 3}}});
    cases.push_back({"cross_entropy probs " + n,
                     [=](const Inputs& x) { return F::cross_entropy(x[0], softmax(x[1], 1), r); },
                     {{5, 3}, {5, 3}}});
    cases.push_back({"cross_entropy [N, C, d] " + n,
                     [=](const Inputs& x) { return F::cross_entropy(x[0], y3, r); },
                     {{2, 3, 3}}});
    cases.push_back({"nll_loss " + n,
                     [=](const Inputs& x) { return F::nll_loss(log_softmax(x[0], 1), y, r); },
                     {{5, 3}}});
    cases.push_back({"mse_loss " + n,
                     [=](const Inputs& x) { return F::mse_loss(x[0], x[1], r); },
                     {{4, 3}, {4, 3}}});
    cases.push_back({"bce_with_logits " + n,
                     [=](const Inputs& x) {
                       return F::binary_cross_entropy_with_logits(x[0], sigmoid(x[1]), r);
                     },
                     {{4, 3}, {4, 3}}});
  }
  cases.push_back(
      {"cross_entropy unbatched",
       [](const Inputs& x) { return F::cross_entropy(x[0], scalar_tensor(1, DType::Int64)); },
       {{4}}});
  cases.push_back({"mse_loss broadcast",
                   [](const Inputs& x) { return F::mse_loss(x[0], x[1]); },
                   {{4, 3}, {3}}});
  cases.push_back({"linear 2-D",
                   [](const Inputs& x) { return F::linear(x[0], x[1], x[2]); },
                   {{5, 4}, {3, 4}, {3}}});
  cases.push_back(
      {"linear no bias", [](const Inputs& x) { return F::linear(x[0], x[1]); }, {{5, 4}, {3, 4}}});
  cases.push_back({"linear 1-D",
                   [](const Inputs& x) { return F::linear(x[0], x[1], x[2]); },
                   {{4}, {3, 4}, {3}}});
  cases.push_back({"linear 3-D",
                   [](const Inputs& x) { return F::linear(x[0], x[1], x[2]); },
                   {{2, 5, 4}, {3, 4}, {3}}});
  cases.push_back({"MLP: linear, relu, linear, cross_entropy",
                   [=](const Inputs& x) {
                     Tensor h = F::relu(F::linear(x[0], x[1], x[2]));
                     return F::cross_entropy(F::linear(h, x[3]), y);
                   },
                   {{5, 4}, {6, 4}, {6}, {3, 6}},
                   away_from(0, 0.05),
                   {},
                   /*gradgrad=*/false});
  for (const OpCase& c : cases) EXPECT_TRUE(check_gradients(c));
}

TEST(Losses, GradFnNamesAndShapes) {
  Tensor z = randn({4, 3}, DType::Float64).requires_grad_();
  Tensor y = tensor({0, 2, 1, 1}, DType::Int64);
  Tensor w = randn({2, 3}, DType::Float64).requires_grad_();
  Tensor b = randn({2}, DType::Float64).requires_grad_();
  EXPECT_EQ(F::linear(z, w, b).grad_fn_name(), "AddmmBackward0");
  EXPECT_EQ(F::linear(z, w).grad_fn_name(), "MmBackward0");
  EXPECT_EQ(F::linear(randn({7, 4, 3}, DType::Float64), w, b).sizes(), Shape({7, 4, 2}));
  EXPECT_EQ(F::linear(randn({3}, DType::Float64), w, b).sizes(), Shape({2}));
  EXPECT_EQ(F::cross_entropy(z, y).grad_fn_name(), "CrossEntropyLossBackward0");
  EXPECT_EQ(F::cross_entropy(z, y).sizes(), Shape({}));
  EXPECT_EQ(F::nll_loss(z, y).grad_fn_name(), "NllLossBackward0");
  EXPECT_EQ(F::nll_loss(z, y, Reduction::None).sizes(), Shape({4}));
  EXPECT_EQ(F::mse_loss(z, z * 2.0).grad_fn_name(), "MseLossBackward0");
  EXPECT_EQ(F::mse_loss(z, z, Reduction::None).sizes(), Shape({4, 3}));
  EXPECT_EQ(F::binary_cross_entropy_with_logits(z, sigmoid(z)).grad_fn_name(),
            "BinaryCrossEntropyWithLogitsBackward0");
  EXPECT_EQ(F::cross_entropy(randn({2, 3, 5}, DType::Float64), zeros({2, 5}, DType::Int64),
                             Reduction::None)
                .sizes(),
            Shape({2, 5}));
  EXPECT_EQ(F::softmax(z, 1).grad_fn_name(), "SoftmaxBackward0");  // F:: aliases
  EXPECT_EQ(F::log_softmax(z, 1).grad_fn_name(), "LogSoftmaxBackward0");
}

TEST(Losses, MseAndBceValues) {
  Tensor a = tensor({1, 2, 3}, DType::Float64), b = tensor({1, 0, 5}, DType::Float64);
  EXPECT_DOUBLE_EQ(F::mse_loss(a, b).item(), 8.0 / 3.0);
  EXPECT_DOUBLE_EQ(F::mse_loss(a, b, Reduction::Sum).item(), 8.0);
  EXPECT_TRUE(check_values(F::mse_loss(a, b, Reduction::None), {0, 4, 4}));
  // bce: −[y log σ(x) + (1 − y) log(1 − σ(x))], stable for |x| = 1000
  Tensor x = tensor({0.0, 1000, -1000, 2}, DType::Float64);
  Tensor t = tensor({1.0, 1, 1, 0.25}, DType::Float64);
  double s2 = 1 / (1 + std::exp(-2.0));
  EXPECT_TRUE(check_values(
      F::binary_cross_entropy_with_logits(x, t, Reduction::None),
      {std::log(2.0), 0, 1000, -(0.25 * std::log(s2) + 0.75 * std::log(1 - s2))}, {4}, 1e-13));
}

TEST(OneHot, ValuesShapeDtypeAndInference) {
  Tensor y = tensor({2, 0, 1}, DType::Int64);
  Tensor o = F::one_hot(y, 4);
  EXPECT_EQ(o.dtype(), DType::Int64);
  EXPECT_TRUE(check_values(o, {0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0}, {3, 4}));
  EXPECT_EQ(F::one_hot(y).sizes(), Shape({3, 3}));  // -1: max + 1
  EXPECT_EQ(F::one_hot(tensor({1, 0, 2, 2}, {2, 2}, DType::Int64), 3).sizes(), Shape({2, 2, 3}));
}

TEST(Functional, MatchesPyTorch) {
  EXPECT_GE(check_nn_functional_reference({"cross_entropy", "nll_loss", "mse_loss",
                                           "binary_cross_entropy_with_logits", "linear",
                                           "linear_nobias"}),
            27);
}

TEST(Functional, ErrorMessages) {
  Tensor z = zeros({4, 3});
  std::string m = error_of([&] { F::cross_entropy(z, tensor({0, 3, 1, 1}, DType::Int64)); });
  EXPECT_TRUE(has(m, "cross_entropy: target class 3 is out of range for 3 classes")) << m;
  m = error_of([&] { F::cross_entropy(z, tensor({0, -100, 1, 1}, DType::Int64)); });
  EXPECT_TRUE(has(m, "target class -100 is out of range for 3 classes")) << m;
  m = error_of([&] { F::cross_entropy(z, tensor({0, 1}, DType::Int64)); });
  EXPECT_TRUE(has(m, "cross_entropy: target of shape [2] does not match input of shape [4, 3]"))
      << m;
  m = error_of([&] { F::cross_entropy(z, zeros({4, 2})); });
  EXPECT_TRUE(has(m, "target of shape [4, 2] does not match input of shape [4, 3]")) << m;
  m = error_of([&] { F::nll_loss(z, tensor({0, 1, 5, 1}, DType::Int64)); });
  EXPECT_TRUE(has(m, "nll_loss: target class 5 is out of range for 3 classes")) << m;
  m = error_of([&] { F::nll_loss(z, zeros({4})); });
  EXPECT_TRUE(has(m, "nll_loss: expected target of dtype torch.int64")) << m;
  m = error_of([&] { F::linear(z, zeros({2, 5})); });
  EXPECT_TRUE(has(m, "linear: input of shape [4, 3] does not match weight of shape [2, 5]")) << m;
  m = error_of([&] { F::linear(z, zeros({2, 3}), zeros({4})); });
  EXPECT_TRUE(has(m, "linear: bias of shape [4] does not match out_features 2")) << m;
  m = error_of([&] { F::mse_loss(z, zeros({5})); });
  EXPECT_TRUE(has(m, "mse_loss")) << m;
  m = error_of([&] { F::binary_cross_entropy_with_logits(z, zeros({4})); });
  EXPECT_TRUE(has(m,
                  "binary_cross_entropy_with_logits: target size [4] must be the same as "
                  "input size [4, 3]"))
      << m;
  m = error_of([&] { F::one_hot(tensor({0, 3}, DType::Int64), 3); });
  EXPECT_TRUE(has(m, "one_hot: class value 3 is out of range for 3 classes")) << m;
  m = error_of([&] { F::one_hot(tensor({-1}, DType::Int64), 3); });
  EXPECT_TRUE(has(m, "one_hot: class values must be non-negative, got -1")) << m;
  m = error_of([&] { F::one_hot(zeros({2}), 3); });
  EXPECT_TRUE(has(m, "one_hot: expected class ids of dtype torch.int64")) << m;
}
