// Seed 002 — "Jacobian of Softmax" and the vector-Jacobian product, in gradflow.
//
//   build/examples/softmax_jacobian
//
// 1. The softmax of x = [-1.3, 0.5, 2.1] and its Jacobian three ways: the notebook's double loop,
//    the vectorized diag(s) - s sᵀ, and autograd::jacobian (WORKED_EXAMPLES row 2).
// 2. autograd on small expressions: f(x) = 2x, g = sum (row 3); y = x + 2, z = 3y², o = mean(z)
//    (row 4); the doubling loop and y.backward(v) (row 5); NoGradGuard (row 7); the gradient of
//    sum(2 softmax(x)) is zero (row 6).
#include <cmath>
#include <iostream>
#include <vector>

#include "check.hpp"

using examples::check;
using examples::check_close;
using gf::Tensor;

int main() {
  gf::manual_seed(0);
  std::cout << "# Jacobian of Softmax (float64, as numpy)\n";
  const auto f64 = gf::DType::Float64;
  Tensor x = gf::tensor({-1.3, 0.5, 2.1}, f64);

  // softmax_func: z = x - max(x) (same softmax, no overflow), s_i = exp(z_i) / sum_j exp(z_j)
  Tensor z = x - x.max();
  Tensor s = z.exp() / z.exp().sum();
  std::cout << "X:\n" << z << "\nS:\n" << s << "\n";

  // softmax_grad: the loop. ds_i/dz_j = s_i (1 - s_i) when i == j, and -s_i s_j otherwise.
  const int64_t n = s.numel();
  std::vector<double> sv = s.tolist(), loop(n * n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) loop[i * n + j] = i == j ? sv[i] * (1 - sv[i]) : -sv[i] * sv[j];
  Tensor J_loop = gf::tensor(loop, {n, n}, f64);
  std::cout << "J:\n" << J_loop << "\n";

  // softmax_grad_vec: J = diag(s) - s sᵀ   (eye(n) * s puts s on the diagonal)
  Tensor J_vec = gf::eye(n, f64) * s - gf::outer(s, s);

  // autograd::jacobian differentiates the softmax op itself: J[i][j] = d softmax(x)_i / d x_j
  Tensor J_auto = gf::autograd::jacobian([](const Tensor& v) { return gf::softmax(v, 0); }, x);

  // The notebook's numbers (numpy prints 8 decimals).
  Tensor s_expected = gf::tensor({0.02701699, 0.16344326, 0.80953975}, f64);
  Tensor J_expected = gf::tensor({0.02628707, -0.00441574, -0.02187133,   //
                                  -0.00441574, 0.13672956, -0.13231381,   //
                                  -0.02187133, -0.13231381, 0.15418514},  //
                                 {3, 3}, f64);
  check_close("z = x - max(x) = [-3.4, -1.6, 0]", z, gf::tensor({-3.4, -1.6, 0.0}, f64), 1e-12);
  check_close("s matches the notebook to 8 decimals", s, s_expected, 5e-9);
  check_close("loop Jacobian matches the notebook to 8 decimals", J_loop, J_expected, 5e-9);
  check_close("vectorized diag(s) - s s^T equals the loop", J_vec, J_loop, 1e-15);
  check_close("autograd::jacobian equals the loop", J_auto, J_loop, 1e-15);
  // The diagonal is positive, every other entry negative; each row sums to 0 (sum s = 1).
  bool signs = true;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) signs = signs && ((i == j) == (loop[i * n + j] > 0));
  check(signs, "diagonal positive, off-diagonal negative");
  check_close("rows of J sum to 0", J_loop.sum(1), gf::zeros({n}, f64), 1e-15);

  std::cout << "\n# Lets combine all: g(f(x)) with f(x) = 2x, g(y) = sum(y)\n";
  // torch's default dtype (float32) from here on, as in the notebook.
  Tensor a = gf::ones({2, 2}).requires_grad_();
  std::cout << a << "\n";
  Tensor fx = a * 2.0;  // f(x) = x ∘ 2
  std::cout << fx << "\n";
  Tensor gfx = fx.sum();  // g(y) = Σ y_i
  std::cout << gfx << "\n";
  // dg/dx_i = dg/df_i · df_i/dx_i = 1 · 2
  gfx.backward();
  std::cout << a.grad() << "\n";
  check(gfx.item() == 8 && gfx.grad_fn_name() == "SumBackward0", "g = 8 with SumBackward0");
  check_close("x.grad = 2 everywhere", a.grad(), gf::full({2, 2}, 2.0), 0);

  Tensor y = a + 2.0;
  std::cout << y << "\n";  // AddBackward0
  Tensor zz = y * y * 3.0;
  std::cout << zz << "\n";  // MulBackward0
  Tensor o = zz.mean();
  std::cout << o << "\n";  // MeanBackward0
  // do/dx_i = (1/4) · 6 y_i = 1.5 · 3 = 4.5   (a.grad is cleared first: backward accumulates)
  a.zero_grad();
  o.backward();
  std::cout << a.grad() << "\n";
  check(y.grad_fn_name() == "AddBackward0" && zz.grad_fn_name() == "MulBackward0" &&
            o.grad_fn_name() == "MeanBackward0",
        "grad_fn names AddBackward0, MulBackward0, MeanBackward0");
  check(o.item() == 27, "o = 27");
  check_close("x.grad = 4.5 everywhere", a.grad(), gf::full({2, 2}, 4.5), 1e-6);

  std::cout << "\n# vector-Jacobian product: y = 2^k x, y.backward(v) gives J^T v = 2^k v\n";
  Tensor xr = gf::randn({3}).requires_grad_();
  Tensor yr = xr * 2.0;
  double factor = 2;
  auto norm = [](const Tensor& t) { return std::sqrt((t * t).sum().item()); };  // ‖y‖₂
  while (norm(yr.detach()) < 1000) {
    yr = yr * 2.0;
    factor *= 2;
  }
  std::cout << yr << "\n";
  Tensor v = gf::tensor({0.1, 1.0, 0.0001});
  // y is not a scalar, so backward needs the vector v = dl/dy; it computes Jᵀ v with J = 2^k I.
  yr.backward(v);
  std::cout << xr.grad() << "\n";
  std::cout << "2^k = " << factor << " (the notebook's run: 1024)\n";
  check_close("x.grad = 2^k v", xr.grad(), v * factor, 1e-6 * factor);

  std::cout << "\n# NoGradGuard\n";
  auto py = [](bool b) { return b ? "True" : "False"; };  // Python's spelling
  std::cout << py(xr.requires_grad()) << "\n" << py(xr.pow(2).requires_grad()) << "\n";
  bool inside;
  {
    gf::NoGradGuard no_grad;  // with torch.no_grad():
    inside = xr.pow(2).requires_grad();
    std::cout << py(inside) << "\n";
  }
  check(xr.pow(2).requires_grad() && !inside, "x**2 requires grad outside NoGradGuard, not inside");

  std::cout << "\n# softmax outputs sum to one, so sum(2 softmax(x)) does not depend on x\n";
  Tensor xs = gf::randn({1, 3}).requires_grad_();
  std::cout << xs << "\n";
  gf::nn::Softmax softmax(1);  // nn.Softmax(dim=1)
  Tensor l = softmax(xs);
  Tensor k = (l * 2.0).sum();
  k.backward();
  std::cout << xs.grad() << "\n";
  check_close("x.grad = 0 (to rounding)", xs.grad(), gf::zeros({1, 3}), 1e-6);
  return examples::finish();
}
