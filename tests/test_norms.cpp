// layer_norm, group_norm and interpolate (and LayerNorm, GroupNorm, Upsample): PyTorch's values
// and gradients in float64 and float32 (tests/reference/norms.json from norms.py), first
// principles, double backward, errors worded like torch's, printing and parameters like torch's.
// The op-table rows (support/op_table.cpp) run gradcheck and gradgradcheck on them too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <gradflow/gradflow.hpp>

#include "support/errors.hpp"
#include "support/op_check.hpp"

using namespace gf;
using gf::test::error_of;
using ::testing::HasSubstr;
namespace F = gf::nn::functional;

namespace {

const nlohmann::json& norms_reference() {
  static const nlohmann::json data = [] {
    std::ifstream in(std::string(GF_REFERENCE_DIR) + "/norms.json");
    if (!in) throw std::runtime_error("cannot open tests/reference/norms.json");
    return nlohmann::json::parse(in);
  }();
  return data;
}

// The gradflow call a reference case stands for.
test::OpFn norms_op(const nlohmann::json& c) {
  const std::string op = c.at("op");
  const nlohmann::json o = c.at("options");
  const bool affine = o.value("affine", false);
  const double eps = o.value("eps", 0.0);
  if (op == "layer_norm") {
    auto shape = o.at("normalized_shape").get<std::vector<int64_t>>();
    return [=](const test::Inputs& x) {
      return F::layer_norm(x[0], F::LayerNormFuncOptions(shape)
                                     .weight(affine ? x[1] : Tensor())
                                     .bias(affine ? x[2] : Tensor())
                                     .eps(eps));
    };
  }
  if (op == "group_norm") {
    const int64_t groups = o.at("num_groups");
    return [=](const test::Inputs& x) {
      return F::group_norm(x[0], F::GroupNormFuncOptions(groups)
                                     .weight(affine ? x[1] : Tensor())
                                     .bias(affine ? x[2] : Tensor())
                                     .eps(eps));
    };
  }
  if (op == "interpolate") {
    F::InterpolateFuncOptions f;
    if (o.contains("size")) {
      const auto& v = o["size"];
      f.size(v.is_number() ? std::vector<int64_t>{v.get<int64_t>()}
                           : v.get<std::vector<int64_t>>());
    }
    if (o.contains("scale_factor")) {
      const auto& v = o["scale_factor"];
      f.scale_factor(v.is_number() ? std::vector<double>{v.get<double>()}
                                   : v.get<std::vector<double>>());
    }
    const std::string mode = o.value("mode", "nearest");
    for (auto m :
         {F::InterpolateMode::Nearest, F::InterpolateMode::NearestExact, F::InterpolateMode::Linear,
          F::InterpolateMode::Bilinear, F::InterpolateMode::Area})
      if (mode == F::interpolate_mode_name(m)) f.mode(m);
    if (o.contains("align_corners")) f.align_corners(o["align_corners"].get<bool>());
    if (o.contains("recompute_scale_factor"))
      f.recompute_scale_factor(o["recompute_scale_factor"].get<bool>());
    return [=](const test::Inputs& x) { return F::interpolate(x[0], f); };
  }
  throw std::runtime_error("norms.json: unknown op " + op);
}

int check_cases(const std::string& op) {
  int n = 0;
  for (const auto& c : norms_reference().at("cases")) {
    if (c.at("op") != op) continue;
    const bool f32 = c["inputs"][0].value("dtype", "float64") == "float32";
    const test::OpFn fn = norms_op(c);
    EXPECT_TRUE(test::check_reference(fn, c, f32 ? 1e-4 : 1e-10, f32 ? 2e-5 : 1e-12));
    test::Inputs xs;
    for (const auto& in : c["inputs"]) xs.push_back(test::json_tensor(in).requires_grad_());
    // Python's F.interpolate calls the vector overloads (UpsampleNearest2DBackward1); libtorch's
    // F::interpolate, like gradflow's, the plain ones (UpsampleNearest2DBackward0).
    std::string want = c.at("grad_fn");
    if (want.starts_with("Upsample") && want.ends_with("Backward1")) want.back() = '0';
    EXPECT_EQ(fn(xs).grad_fn_name(), want) << c["name"];
    ++n;
  }
  return n;
}

}  // namespace

TEST(LayerNorm, AgreesWithPyTorch) { EXPECT_EQ(check_cases("layer_norm"), 10); }
TEST(GroupNorm, AgreesWithPyTorch) { EXPECT_EQ(check_cases("group_norm"), 10); }
TEST(Interpolate, AgreesWithPyTorch) { EXPECT_EQ(check_cases("interpolate"), 36); }

// First principles: the row [1, 2, 3] has mean 2 and variance 2/3, so y = (x − 2)/√(2/3 + eps);
// [0, 3, 6] has mean 3 and variance 6: the same y.
TEST(LayerNorm, NormalizesEachRow) {
  Tensor x = tensor({1, 2, 3, 0, 3, 6}, {2, 3}, DType::Float64);
  Tensor y = F::layer_norm(x, F::LayerNormFuncOptions({3}).eps(0));
  const double s = std::sqrt(1.5);
  EXPECT_TRUE(test::check_values(y, {-s, 0, s, -s, 0, s}, {2, 3}, 1e-12, 1e-12));
  // weight and bias: y·w + b elementwise
  Tensor w = tensor({1, 2, 3}, DType::Float64), b = tensor({0, 1, 0}, DType::Float64);
  Tensor z = F::layer_norm(x, F::LayerNormFuncOptions({3}).weight(w).bias(b).eps(0));
  EXPECT_TRUE(test::check_values(z, {-s, 1, 3 * s, -s, 1, 3 * s}, {2, 3}, 1e-12, 1e-12));
  // a constant row has variance 0: y = b (eps keeps 1/√var finite)
  Tensor c = F::layer_norm(full({1, 3}, 7.0, DType::Float64), F::LayerNormFuncOptions({3}).bias(b));
  EXPECT_TRUE(test::check_values(c, {0, 1, 0}, {1, 3}, 1e-12, 1e-12));
}

// The output of a normalization has zero mean along the normalized dims, so Σ y does not depend
// on x: its gradient is zero (and so is that of Σ over any group of group_norm).
TEST(GroupNorm, SumOfOutputHasZeroInputGradient) {
  manual_seed(3);
  Tensor x = randn({2, 4, 3}, DType::Float64).requires_grad_();
  F::group_norm(x, F::GroupNormFuncOptions(2)).sum().backward();
  for (double v : x.grad().tolist()) EXPECT_NEAR(v, 0, 1e-12);
  // a non-contiguous input (a transposed view) gives the same result as its contiguous copy
  Tensor v = randn({3, 4, 2}, DType::Float64).transpose(0, 2);
  EXPECT_TRUE(test::check_values(F::group_norm(v, 2), F::group_norm(v.contiguous(), 2).tolist(),
                                 v.sizes()));
}

// Double backward through the module under create_graph: the Hessian-vector product of
// Σ LayerNorm(x)² agrees with central differences of the gradient.
TEST(LayerNorm, DoubleBackwardMatchesFiniteDifferences) {
  manual_seed(1);
  nn::LayerNorm ln(nn::LayerNormOptions({4}).dtype(DType::Float64));
  ln.weight.detach().copy_(tensor({0.5, -1, 2, 1.5}, DType::Float64));
  Tensor x0 = randn({2, 4}, DType::Float64), v = randn({2, 4}, DType::Float64);
  auto grad_at = [&](const Tensor& x, bool create) {
    Tensor xi = x.detach().requires_grad_();
    Tensor y = ln(xi);
    Tensor l = (y * y * tensor({1, 2, 3, 4}, DType::Float64)).sum();
    return std::make_pair(xi, autograd::grad({l}, {xi}, {}, create, create)[0]);
  };
  auto [x, g] = grad_at(x0, true);
  Tensor hv = autograd::grad({(g * v).sum()}, {x})[0];
  const double h = 1e-6;
  Tensor fd = (grad_at(x0 + v * h, false).second - grad_at(x0 - v * h, false).second) / (2 * h);
  EXPECT_TRUE(test::check_values(hv, fd.tolist(), hv.sizes(), 1e-5, 1e-6));
}

TEST(LayerNorm, BadInputIsNamed) {
  Tensor x = zeros({2, 3, 4});
  EXPECT_EQ(error_of([&] { F::layer_norm(x, F::LayerNormFuncOptions({5})); }),
            "layer_norm: Given normalized_shape=[5], expected input with shape [*, 5], but got "
            "input of size[2, 3, 4]");
  EXPECT_THAT(error_of([&] {
                F::layer_norm(x, F::LayerNormFuncOptions({2, 3, 4, 1}));
              }),
              HasSubstr("expected input with shape [*, 2, 3, 4, 1]"));
  EXPECT_EQ(error_of([&] { F::layer_norm(x, F::LayerNormFuncOptions({4}).weight(zeros({3}))); }),
            "layer_norm: Expected weight to be of same shape as normalized_shape, but got weight "
            "of shape [3] and normalized_shape = [4]");
  EXPECT_THAT(error_of([&] { F::layer_norm(x, F::LayerNormFuncOptions({4}).bias(zeros({2}))); }),
              HasSubstr("bias of shape [2] and normalized_shape = [4]"));
  EXPECT_THAT(error_of([&] { F::layer_norm(x, F::LayerNormFuncOptions({})); }),
              HasSubstr("Expected normalized_shape to be at least 1-dimensional"));
  EXPECT_THAT(error_of([&] {
                F::layer_norm(zeros({2, 4}, DType::Int64), F::LayerNormFuncOptions({4}));
              }),
              HasSubstr("layer_norm: expected a floating input, got torch.int64"));
  EXPECT_THAT(error_of([&] {
                F::layer_norm(zeros({2, 4}, DType::Float64),
                              F::LayerNormFuncOptions({4}).weight(zeros({4}, DType::Float32)));
              }),
              HasSubstr("expected weight of dtype torch.float64"));
}

TEST(GroupNorm, BadInputIsNamed) {
  EXPECT_EQ(error_of([&] {
              F::group_norm(zeros({2, 6, 4}), 4);
            }),
            "group_norm: Expected number of channels in input to be divisible by num_groups, but "
            "got input of shape [2, 6, 4] and num_groups=4");
  EXPECT_EQ(error_of([&] {
              F::group_norm(zeros({2, 6}), F::GroupNormFuncOptions(3).weight(zeros({5})));
            }),
            "group_norm: Expected weight to be a vector of size equal to the number of channels "
            "in input, but got weight of shape [5] and input of shape [2, 6]");
  EXPECT_EQ(error_of([&] { F::group_norm(zeros({6}), 3); }),
            "group_norm: Expected at least 2 dimensions for input tensor but received 1");
  EXPECT_THAT(error_of([&] {
                F::group_norm(zeros({2, 6}), 0);
              }),
              HasSubstr("num_groups must be positive"));
  EXPECT_THAT(error_of([] { nn::GroupNorm(4, 6); }),
              HasSubstr("GroupNorm: num_channels must be divisible by num_groups"));
}

TEST(NormModules, PrintLikeTorch) {
  EXPECT_EQ(nn::LayerNorm(nn::LayerNormOptions({64})).repr(),
            "LayerNorm((64,), eps=1e-05, elementwise_affine=True)");
  EXPECT_EQ(nn::LayerNorm(nn::LayerNormOptions({3, 4}).elementwise_affine(false)).repr(),
            "LayerNorm((3, 4), eps=1e-05, elementwise_affine=False)");
  EXPECT_EQ(nn::LayerNorm(nn::LayerNormOptions({64}).eps(1e-3)).repr(),
            "LayerNorm((64,), eps=0.001, elementwise_affine=True)");
  EXPECT_EQ(nn::GroupNorm(4, 64).repr(), "GroupNorm(4, 64, eps=1e-05, affine=True)");
  EXPECT_EQ(nn::GroupNorm(nn::GroupNormOptions(2, 8).affine(false).eps(1e-6)).repr(),
            "GroupNorm(2, 8, eps=1e-06, affine=False)");
}

TEST(NormModules, ParametersLikeTorch) {
  nn::LayerNorm ln(nn::LayerNormOptions({3, 4}));
  auto p = ln.named_parameters();
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].first, "weight");
  EXPECT_EQ(p[1].first, "bias");
  EXPECT_EQ(p[0].second.sizes(), (Shape{3, 4}));
  EXPECT_TRUE(test::check_values(p[0].second, std::vector<double>(12, 1.0)));
  EXPECT_TRUE(test::check_values(p[1].second, std::vector<double>(12, 0.0)));
  EXPECT_TRUE(nn::LayerNorm(nn::LayerNormOptions({4}).elementwise_affine(false))
                  .named_parameters()
                  .empty());
  nn::GroupNorm gn(2, 6);
  auto q = gn.state_dict();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].first, "weight");
  EXPECT_EQ(q[1].second.sizes(), (Shape{6}));
  // forward = the functional form with the module's parameters; gradients reach them
  Tensor x = randn({2, 6, 3});
  Tensor y = gn(x);
  EXPECT_EQ(y.grad_fn_name(), "NativeGroupNormBackward0");
  (y * x).sum().backward();
  ASSERT_TRUE(gn.weight.grad().defined());
  EXPECT_EQ(gn.weight.grad().sizes(), (Shape{6}));
  EXPECT_TRUE(
      test::check_values(y, F::group_norm(x, 2).tolist(), y.sizes(), 1e-6, 1e-6));  // w=1, b=0
}

// The first backward is a fused kernel; under create_graph it is the composite of differentiable
// ops. Both must give the same gradients (the op table's gradcheck checks the first against
// finite differences, gradgradcheck the derivative of the second).
namespace {
void check_fused_against_composite(const Shape& shape) {
  const int64_t C = shape[1], L = shape[2];
  Tensor x = randn(shape, DType::Float64).requires_grad_();
  Tensor g = randn(shape, DType::Float64);
  Tensor wc = randn({C}, DType::Float64).requires_grad_();
  Tensor bc = randn({C}, DType::Float64).requires_grad_();
  Tensor wl = randn({L}, DType::Float64).requires_grad_();
  Tensor bl = randn({L}, DType::Float64).requires_grad_();
  using Op = std::function<Tensor()>;
  const std::vector<std::pair<Op, std::vector<Tensor>>> ops{
      {[&] { return F::group_norm(x, F::GroupNormFuncOptions(3).weight(wc).bias(bc)); },
       {x, wc, bc}},
      {[&] { return F::layer_norm(x, F::LayerNormFuncOptions({L}).weight(wl).bias(bl)); },
       {x, wl, bl}},
      {[&] {
         return F::layer_norm(x, F::LayerNormFuncOptions({C, L}));
       },
       {x}}};
  for (const auto& [op, inputs] : ops) {
    const std::vector<Tensor> grads{g};
    auto fused = autograd::grad({op()}, inputs, grads, false, false);
    auto composite = autograd::grad({op()}, inputs, grads, false, true);
    for (std::size_t i = 0; i < inputs.size(); ++i)
      EXPECT_TRUE(
          test::check_values(composite[i], fused[i].tolist(), fused[i].sizes(), 1e-9, 1e-11))
          << "input " << i << " of shape " << inputs[i].sizes();
  }
}
}  // namespace

TEST(NormModules, FusedAndCompositeBackwardAgree) {
  manual_seed(5);
  for (const Shape& shape : {Shape{2, 6, 3}, Shape{8, 6, 2048}})  // tiny; threaded (98k elements)
    check_fused_against_composite(shape);
}

// ---- interpolate ------------------------------------------------------------------------------

namespace {
F::InterpolateFuncOptions sized(std::vector<int64_t> size,
                                F::InterpolateMode mode = F::InterpolateMode::Nearest) {
  return F::InterpolateFuncOptions().size(std::move(size)).mode(mode);
}
}  // namespace

// First principles: nearest ×2 repeats each pixel in a 2×2 block; bilinear with align_corners
// on [0, 1] → 3 samples is [0, ½, 1] (the corners kept); its gradient of Σ y counts how much
// weight each input gets.
TEST(Interpolate, FirstPrinciples) {
  Tensor x = tensor({1, 2, 3, 4}, {1, 1, 2, 2}, DType::Float64);
  Tensor y = F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2}));
  EXPECT_TRUE(
      test::check_values(y, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, {1, 1, 4, 4}));
  Tensor r = tensor({0, 1}, {1, 1, 2}, DType::Float64).requires_grad_();
  Tensor z = F::interpolate(r, sized({3}, F::InterpolateMode::Linear).align_corners(true));
  EXPECT_TRUE(test::check_values(z, {0, 0.5, 1}, {1, 1, 3}));
  z.sum().backward();
  EXPECT_TRUE(test::check_values(r.grad(), {1.5, 1.5}, {1, 1, 2}));
}

// The backward of the resampling is its adjoint spread, whose own derivative is the resampling:
// under create_graph the gradient has a grad_fn, and the double backward reaches the input's
// gradient output (gradgradcheck in the op table checks the numbers).
TEST(Interpolate, DoubleBackwardGraph) {
  Tensor x = randn({1, 2, 3, 3}, DType::Float64).requires_grad_();
  Tensor y = F::interpolate(x, sized({5, 4}, F::InterpolateMode::Bilinear));
  EXPECT_EQ(y.grad_fn_name(), "UpsampleBilinear2DBackward0");
  Tensor g = randn({1, 2, 5, 4}, DType::Float64).requires_grad_();
  Tensor gx = autograd::grad({y}, {x}, {g}, true, true)[0];
  EXPECT_EQ(gx.grad_fn_name(), "UpsampleBilinear2DBackwardBackward0");
  Tensor v = randn({1, 2, 3, 3}, DType::Float64);
  Tensor gg = autograd::grad({(gx * v).sum()}, {g})[0];  // = interpolate(v)
  EXPECT_TRUE(test::check_values(
      gg, F::interpolate(v, sized({5, 4}, F::InterpolateMode::Bilinear)).tolist(), gg.sizes()));
  Tensor n = F::interpolate(x, sized({6, 6}));
  EXPECT_EQ(n.grad_fn_name(), "UpsampleNearest2DBackward0");
  EXPECT_EQ(autograd::grad({n}, {x}, {ones_like(n)}, true, true)[0].grad_fn_name(), "");
}

TEST(Interpolate, BadInputIsNamed) {
  Tensor x = zeros({1, 2, 3, 4});
  EXPECT_EQ(error_of([&] {
              F::interpolate(zeros({2, 3}), sized({4, 4}));
            }),
            "interpolate: Input Error: Only 3D, 4D and 5D input Tensors supported (got 2D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact "
            "(got nearest)");
  EXPECT_EQ(error_of([&] {
              F::interpolate(zeros({1, 2, 3}), sized({4, 4}, F::InterpolateMode::Bilinear));
            }),
            "interpolate: Got 3D input, but bilinear mode needs 4D input");
  EXPECT_EQ(error_of([&] { F::interpolate(x, sized({4}, F::InterpolateMode::Linear)); }),
            "interpolate: Got 4D input, but linear mode needs 3D input");
  EXPECT_EQ(error_of([&] {
              F::interpolate(x, sized({4, 4, 4}));
            }),
            "interpolate: Input and output must have the same number of spatial dimensions, but "
            "got input with spatial dimensions of [3, 4] and output size of [4, 4, 4]. Please "
            "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
            "...,oK) format.");
  EXPECT_THAT(
      error_of([&] {
        F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2, 2}));
      }),
      HasSubstr("Input and scale_factor must have the same number of spatial dimensions"));
  EXPECT_EQ(error_of([&] { F::interpolate(x, F::InterpolateFuncOptions()); }),
            "interpolate: either size or scale_factor should be defined");
  EXPECT_EQ(error_of([&] {
              F::interpolate(x, sized({4, 4}).scale_factor(std::vector<double>{2}));
            }),
            "interpolate: only one of size or scale_factor should be defined");
  EXPECT_EQ(error_of([&] {
              F::interpolate(x, sized({4, 4}).align_corners(true));
            }),
            "interpolate: align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear");
  EXPECT_THAT(error_of([&] {
                F::interpolate(x, sized({0, 4}));
              }),
              HasSubstr("Input and output sizes should be greater than 0, but got input [3, 4] "
                        "output [0, 4]"));
  EXPECT_THAT(error_of([&] {
                F::interpolate(x, sized({4, 4}, F::InterpolateMode::Bicubic));
              }),
              HasSubstr("interpolate: mode bicubic is not implemented in gradflow"));
  EXPECT_THAT(error_of([&] {
                F::interpolate(zeros({1, 2, 3}, DType::Int64), sized({4}));
              }),
              HasSubstr("expected a floating input, got torch.int64"));
}

TEST(Upsample, PrintsLikeTorchAndForwards) {
  using nn::Upsample;
  using nn::UpsampleOptions;
  EXPECT_EQ(Upsample(UpsampleOptions().scale_factor(std::vector<double>{2})).repr(),
            "Upsample(scale_factor=2.0, mode=nearest)");
  EXPECT_EQ(Upsample(UpsampleOptions()
                         .size(std::vector<int64_t>{4, 5})
                         .mode(nn::UpsampleMode::Bilinear)
                         .align_corners(true))
                .repr(),
            "Upsample(size=(4, 5), mode=bilinear)");
  EXPECT_EQ(Upsample(UpsampleOptions().size(std::vector<int64_t>{4})).repr(),
            "Upsample(size=4, mode=nearest)");
  EXPECT_EQ(Upsample(UpsampleOptions().scale_factor(std::vector<double>{2, 3.5})).repr(),
            "Upsample(scale_factor=(2.0, 3.5), mode=nearest)");
  Upsample up(
      UpsampleOptions().scale_factor(std::vector<double>{2}).mode(nn::UpsampleMode::Bilinear));
  EXPECT_TRUE(up.named_parameters().empty());
  Tensor x = randn({2, 3, 4, 5});
  Tensor y = up(x);
  EXPECT_EQ(y.sizes(), (Shape{2, 3, 8, 10}));
  EXPECT_TRUE(test::check_values(y,
                                 F::interpolate(x, F::InterpolateFuncOptions()
                                                       .scale_factor(std::vector<double>{2})
                                                       .mode(F::InterpolateMode::Bilinear))
                                     .tolist(),
                                 y.sizes()));
}

// Above the threading threshold planes are spread over threads: each plane must still be the
// interpolation of that plane alone (forward and backward).
TEST(Interpolate, ThreadedMatchesOnePlane) {
  manual_seed(2);
  Tensor x = randn({4, 8, 16, 16}, DType::Float64).requires_grad_();
  auto opts = sized({32, 24}, F::InterpolateMode::Bilinear);
  Tensor y = F::interpolate(x, opts);
  Tensor g = randn(y.sizes(), DType::Float64);
  y.backward(g);
  Tensor x1 = x.detach()[3][5].reshape({1, 1, 16, 16}).requires_grad_();
  Tensor y1 = F::interpolate(x1, opts);
  y1.backward(g[3][5].reshape({1, 1, 32, 24}));
  EXPECT_TRUE(test::check_values(y[3][5], y1.tolist(), {32, 24}));
  EXPECT_TRUE(test::check_values(x.grad()[3][5], x1.grad().tolist(), {16, 16}));
}
