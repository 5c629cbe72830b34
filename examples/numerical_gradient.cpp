// Seed 001 — numerical gradients by finite differences, checked against autograd.
//
//   build/examples/numerical_gradient
//
// A d -> p -> k MLP with a ReLU, p = softmax(W2 relu(W1 x + b1) + b2), and its mean cross-entropy
// L. The notebook's loop: for every weight w = W_ij, evaluate L(w + eps) and store
// [L(w + eps) - L(w)] / eps at position ij. We do that (forward differences) and the central
// version [L(w + eps) - L(w - eps)] / 2 eps, and compare both with autograd as eps shrinks from
// 1e-1 to 1e-12: the truncation error falls with eps (like eps for forward, eps² for central)
// until round-off in L(w ± eps) - L(w), about 1e-16 · |L| / eps, takes over (WORKED_EXAMPLES 13).
// First, row 8: the cross-entropy gradient at the logits is softmax(z) − y.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <vector>

#include "check.hpp"

using examples::check;
using gf::Tensor;
namespace F = gf::nn::functional;

int main() {
  gf::manual_seed(1);
  gf::set_default_dtype(gf::DType::Float64);  // float64: round-off shows only at tiny eps

  // The gradient the MLP's backward starts from: for L = −log softmax(z)[y], dL/dz = softmax(z) −
  // y. The notebook's numbers: p = softmax(z) = [0.2, 0.7, 0.1], y = [0, 1, 0] (take z = log p).
  Tensor z = gf::tensor({0.2, 0.7, 0.1}).log().requires_grad_();
  F::cross_entropy(z, gf::scalar_tensor(1, gf::DType::Int64)).backward();
  std::cout << "p = [0.2, 0.7, 0.1], y = [0, 1, 0]: dL/dz = " << z.grad() << "\n\n";
  examples::check_close("dL/dz = p - y = [0.2, -0.3, 0.1]", z.grad(), gf::tensor({0.2, -0.3, 0.1}),
                        1e-15);
  const int64_t M = 8, d = 4, p = 6, k = 3;  // samples, inputs, hidden units, classes
  Tensor X = gf::randn({M, d});
  Tensor y = gf::randint(0, k, {M});
  // Parameters (W is [out, in] as in nn.Linear), random so that the ReLUs are mixed.
  Tensor W1 = gf::randn({p, d}).requires_grad_(), b1 = (0.1 * gf::randn({p})).requires_grad_();
  Tensor W2 = gf::randn({k, p}).requires_grad_(), b2 = (0.1 * gf::randn({k})).requires_grad_();

  // phi(x) = relu(W1 x + b1)   (d -> p);   logits = W2 phi(x) + b2   (p -> k)
  // L = mean_i −log softmax(logits_i)[y_i]
  auto loss = [&] {
    Tensor phi = gf::relu(F::linear(X, W1, b1));
    return F::cross_entropy(F::linear(phi, W2, b2), y);
  };

  // Autograd: one backward pass gives every dL/dW_ij.
  Tensor L = loss();
  L.backward();
  std::cout << "L = " << L << "\ndL/dW1 (autograd):\n" << W1.grad() << "\n";
  std::cout << "dL/dW2 (autograd):\n" << W2.grad() << "\n";

  // The notebook's loop over every entry of W: nudge it, re-evaluate L, put it back.
  auto numerical = [&](Tensor W, double eps, bool central) {
    gf::NoGradGuard no_grad;  // only values here, no graph
    const double L0 = loss().item();
    Tensor g = gf::zeros_like(W);
    double* w = W.data_ptr<double>();
    double* out = g.data_ptr<double>();
    for (int64_t ij = 0; ij < W.numel(); ++ij) {
      const double saved = w[ij];
      w[ij] = saved + eps;
      const double L_plus = loss().item();
      w[ij] = saved - eps;
      const double L_minus = central ? loss().item() : 0.0;
      w[ij] = saved;
      // forward: [L(w + eps) − L(w)] / eps        central: [L(w + eps) − L(w − eps)] / 2 eps
      out[ij] = central ? (L_plus - L_minus) / (2 * eps) : (L_plus - L0) / eps;
    }
    return g;
  };

  // relative error over both weight matrices: max |numeric − autograd| / max |autograd|
  auto rel_error = [&](double eps, bool central) {
    double err = 0, scale = 0;
    for (const Tensor& W : {W1, W2}) {
      err = std::fmax(err, examples::max_abs_diff(numerical(W, eps, central), W.grad()));
      scale = std::fmax(scale, W.grad().abs().max().item());
    }
    return err / scale;
  };

  std::cout << "\ndL/dW1 by central differences, eps = 1e-6:\n"
            << numerical(W1, 1e-6, true) << "\n";
  std::cout << "\n    eps      forward    central   (relative error against autograd)\n";
  std::vector<double> epss, fwd, ctr;
  for (int e = 1; e <= 12; ++e) {
    const double eps = std::pow(10.0, -e);
    epss.push_back(eps);
    fwd.push_back(rel_error(eps, false));
    ctr.push_back(rel_error(eps, true));
    std::printf("  %7.0e  %9.2e  %9.2e\n", eps, fwd.back(), ctr.back());
  }
  auto argmin = [](const std::vector<double>& v) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < v.size(); ++i)
      if (v[i] < v[best]) best = i;
    return best;
  };
  const std::size_t best = argmin(ctr), best_fwd = argmin(fwd);
  std::printf(
      "best eps: %.0e central, %.0e forward; a larger eps loses to truncation, a smaller "
      "one to round-off\n",
      epss[best], epss[best_fwd]);

  // eps = 1e-5 and 1e-6 are indices 4 and 5; 1e-12 is the last.
  check(ctr[4] < 1e-6 && ctr[5] < 1e-6, "central differences at eps 1e-5 and 1e-6 match autograd",
        "relative errors " + examples::num(ctr[4]) + ", " + examples::num(ctr[5]));
  check(fwd[0] > fwd[5] && ctr[0] > ctr[3], "truncation error shrinks with eps at first");
  check(ctr.back() > 100 * ctr[best] && fwd.back() > 100 * fwd[6],
        "round-off takes over: the error grows again at eps = 1e-12",
        "central " + examples::num(ctr.back()) + " vs best " + examples::num(ctr[best]));
  // What gf::autograd::gradcheck automates: every input element, central differences.
  auto r = gf::autograd::gradcheck(
      [&](const std::vector<Tensor>& w) {
        return F::cross_entropy(F::linear(gf::relu(F::linear(X, w[0], b1)), w[1], b2), y);
      },
      {W1.detach().requires_grad_(), W2.detach().requires_grad_()});
  check(r.ok, "gf::autograd::gradcheck agrees", r.report);
  return examples::finish();
}
