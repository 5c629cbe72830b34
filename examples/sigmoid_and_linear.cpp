// Seed 000 — a linear layer, softmax and cross-entropy by hand, and the local gradients
// (Jacobians) of sigmoid, softmax and z = W x + b; then a Hessian.
//
//   build/examples/sigmoid_and_linear
//
// WORKED_EXAMPLES rows 16 (Linear(5, 3) printed), 11 (cross-entropy by hand vs the library),
// 9 (Jacobians of sigmoid and softmax), 10 (Jacobian of W x + b) and 12 (Hessian).
#include <cmath>
#include <iostream>

#include "check.hpp"

using examples::check;
using examples::check_close;
using gf::Tensor;
namespace F = gf::nn::functional;

int main() {
  gf::manual_seed(0);
  std::cout << "# Linear(5, 3) and its named parameters\n";
  gf::nn::Linear my_test_linear_transform(5, 3);
  for (const auto& [name, param] : my_test_linear_transform.named_parameters()) {
    std::cout << name << " ";
    gf::nn::print_parameter(std::cout, param);
    std::cout << "\n";
  }
  const Tensor& W = my_test_linear_transform.weight;  // [out, in] = [3, 5]
  const Tensor& b = my_test_linear_transform.bias;    // [3]
  // PyTorch's default init: uniform in ±1/√in_features
  double bound = 1 / std::sqrt(5.0);
  check(W.sizes() == gf::Shape{3, 5} && b.sizes() == gf::Shape{3}, "weight 3x5, bias 3");
  check(W.abs().max().item() <= bound && b.abs().max().item() <= bound,
        "parameters uniform in +-1/sqrt(5)");

  std::cout << "\n# Softmax and cross-entropy by hand, next to the library's\n";
  // 10 samples with 5 features; a class in {0, 1, 2} for each
  Tensor x = gf::randn({10, 5});
  Tensor y_target = gf::randint(0, 3, {10});
  {
    gf::NoGradGuard no_grad;  // with torch.no_grad(): nothing in this block records a graph
    Tensor y_a_manual = my_test_linear_transform(x);
    // logits = x Wᵀ + b
    Tensor y_a_manual_mm = x.matmul(W.t()) + b;
    // softmax row by row: p_ij = exp(z_ij) / Σ_k exp(z_ik)
    Tensor e = y_a_manual_mm.exp();
    Tensor y_a_softmax_manual = e / e.sum(1, /*keepdim=*/true);
    // cross-entropy of sample i: −log p_i,y_i (gather picks each row's target probability)
    Tensor picked = y_a_softmax_manual.gather(1, y_target.unsqueeze(1)).squeeze(1);
    Tensor loss_by_hand_vec = -picked.log();
    Tensor loss_manual_vec = F::cross_entropy(y_a_manual, y_target, gf::nn::Reduction::None);
    Tensor loss_manual = loss_manual_vec.mean();
    std::cout << "logits:\n" << y_a_manual << "\nsoftmax:\n" << y_a_softmax_manual << "\n";
    std::cout << "targets: " << y_target << "\n";
    std::cout << "-log p[i, y_i] by hand:   " << loss_by_hand_vec << "\n";
    std::cout << "cross_entropy(None):      " << loss_manual_vec << "\n";
    std::cout << "mean by hand: " << loss_by_hand_vec.mean()
              << "  cross_entropy(Mean): " << F::cross_entropy(y_a_manual, y_target) << "\n";
    check_close("Linear(x) equals x W^T + b", y_a_manual, y_a_manual_mm, 1e-6);
    check_close("softmax by exp/sum equals gf::softmax", y_a_softmax_manual,
                gf::softmax(y_a_manual, 1), 1e-6);
    check_close("cross_entropy(None) equals -log of the gathered probabilities", loss_manual_vec,
                loss_by_hand_vec, 1e-5);
    check_close("its mean equals cross_entropy(Mean)", loss_manual.item(),
                F::cross_entropy(y_a_manual, y_target, gf::nn::Reduction::Mean).item(), 1e-6);
  }

  std::cout << "\n# Jacobians of sigmoid and softmax\n";
  Tensor v = gf::rand({10});
  // sigmoid(x) = 1 / (1 + e^−x)        softmax(x) = e^x / Σ e^x
  auto sigmoid_f = [](const Tensor& t) { return 1.0 / (1.0 + (-t).exp()); };
  auto softmax_f = [](const Tensor& t) { return t.exp() / t.exp().sum(); };
  Tensor s = sigmoid_f(v), p = softmax_f(v);
  std::cout << s << "\n";
  std::cout << s * (1.0 - s) << "\n";  // sigmoid'(x) = s (1 − s)
  std::cout << p * (1.0 - p) << "\n";  // the diagonal of the softmax Jacobian
  std::cout << gf::outer(p, p) << "\n";
  Tensor J_sigmoid = gf::autograd::jacobian(sigmoid_f, v);
  Tensor J_softmax = gf::autograd::jacobian(softmax_f, v);
  std::cout << J_sigmoid << "\n" << J_softmax << "\n";
  Tensor I = gf::eye(10);
  // Each s_i depends on x_i only: a diagonal Jacobian with s(1 − s) on the diagonal.
  check_close("jacobian(sigmoid) = diag(s(1-s))", J_sigmoid, I * (s * (1.0 - s)), 1e-6);
  // ds_i/dx_j = s_i (δ_ij − s_j): J = diag(s) − s sᵀ
  check_close("jacobian(softmax) = diag(s) - s s^T", J_softmax, I * p - gf::outer(p, p), 1e-6);
  check_close("its diagonal is s(1-s)", (J_softmax * I).sum(1), p * (1.0 - p), 1e-6);

  std::cout << "\n# Local gradient of z = W x + b\n";
  Tensor x1 = gf::randn({5});
  // z_i = Σ_j W_ij x_j + b_i, so dz_i/dx_j = W_ij and dz_i/db_k = δ_ik
  Tensor J_x = gf::autograd::jacobian([&](const Tensor& t) { return W.matmul(t) + b; }, x1);
  Tensor J_b =
      gf::autograd::jacobian([&](const Tensor& t) { return W.matmul(x1) + t; }, b.detach());
  std::cout << "dz/dx:\n" << J_x << "\ndz/db:\n" << J_b << "\n";
  check_close("dz/dx = W", J_x, W, 0);
  check_close("dz/db = I", J_b, gf::eye(3), 0);

  std::cout << "\n# Hessian of f(x) = sum(softmax(x)^2), float64\n";
  auto f = [](const Tensor& t) { return gf::softmax(t, 0).pow(2).sum(); };
  Tensor x64 = gf::rand({4}, gf::DType::Float64);
  Tensor H = gf::autograd::hessian(f, x64);
  std::cout << H << "\n";
  // the gradient ∇f(x), by autograd
  auto grad_f = [&](const Tensor& t) {
    Tensor leaf = t.detach().requires_grad_();
    return gf::autograd::grad({f(leaf)}, {leaf})[0];
  };
  // column j of H by central differences of the gradient: (∇f(x + ε e_j) − ∇f(x − ε e_j)) / 2ε
  const double eps = 1e-5;
  std::vector<Tensor> columns;
  for (int64_t j = 0; j < 4; ++j) {
    Tensor e_j = gf::eye(4, gf::DType::Float64)[j] * eps;
    columns.push_back((grad_f(x64 + e_j) - grad_f(x64 - e_j)) / (2 * eps));
  }
  Tensor H_numeric = gf::stack(columns, 1);
  std::cout << H_numeric << "\n";
  check_close("hessian matches central differences of the gradient", H, H_numeric, 1e-8);
  check_close("hessian is symmetric", H, H.t(), 1e-12);
  return examples::finish();
}
