// Tensors: construction, views, printing, errors. Expected values from first principles and
// from PyTorch's printed output.
#include <gtest/gtest.h>

#include <gradflow/gradflow.hpp>

using namespace gf;

TEST(Tensor, FactoriesHaveShapesAndValues) {
  Tensor z = zeros({2, 3});
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.dtype(), DType::Float32);
  EXPECT_EQ(z.numel(), 6);
  EXPECT_EQ(eye(3).tolist(), (std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(arange(0, 5, 2).tolist(), (std::vector<double>{0, 2, 4}));
  EXPECT_EQ(linspace(0, 1, 5).tolist(), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  EXPECT_EQ(full({2}, 7.0, DType::Int64).tolist(), (std::vector<double>{7, 7}));
}

TEST(Tensor, SameSeedSameNumbers) {
  manual_seed(42);
  auto a = randn({5}).tolist();
  manual_seed(42);
  auto b = randn({5}).tolist();
  EXPECT_EQ(a, b);
  manual_seed(1);
  Tensor r = rand({1000}, DType::Float64);
  double m = r.mean().item();
  EXPECT_NEAR(m, 0.5, 0.05);
  Tensor ri = randint(0, 3, {100});
  for (double v : ri.tolist()) EXPECT_TRUE(v == 0 || v == 1 || v == 2);
}

TEST(Tensor, TransposeIsAViewAndContiguousCopies) {
  Tensor x = tensor({1, 2, 3, 4, 5, 6}, DType::Float64).reshape({2, 3});
  Tensor y = x.t();
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_FALSE(y.is_contiguous());
  EXPECT_EQ(y.impl().storage, x.impl().storage);
  EXPECT_EQ(y.tolist(), (std::vector<double>{1, 4, 2, 5, 3, 6}));
  EXPECT_TRUE(y.contiguous().is_contiguous());
  EXPECT_EQ(x.slice(1, 1, 3).tolist(), (std::vector<double>{2, 3, 5, 6}));
  EXPECT_EQ(x[1].tolist(), (std::vector<double>{4, 5, 6}));
  EXPECT_EQ(x.unsqueeze(0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(x.reshape({-1}).shape(), (Shape{6}));
  EXPECT_EQ(x.expand({4, 2, 3}).shape(), (Shape{4, 2, 3}));
}

TEST(Tensor, BroadcastingArithmetic) {
  Tensor a = tensor({1, 2, 3}, DType::Float64).reshape({3, 1});
  Tensor b = tensor({10, 20}, DType::Float64);
  EXPECT_EQ((a + b).tolist(), (std::vector<double>{11, 21, 12, 22, 13, 23}));
  EXPECT_EQ((a * 2.0).tolist(), (std::vector<double>{2, 4, 6}));
  EXPECT_EQ((1.0 - a).tolist(), (std::vector<double>{0, -1, -2}));
}

TEST(Tensor, IncompatibleBroadcastNamesOpAndShapes) {
  try {
    (void)(ones({2, 3}) + ones({4}));
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "add: shapes [2, 3] and [4] cannot be broadcast (dim 1: 3 vs 4)");
  }
}

TEST(Tensor, MatmulErrorNamesShapes) {
  try {
    (void)matmul(ones({10, 5}), ones({3, 5}));
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "matmul: shapes [10, 5] and [3, 5] cannot be multiplied");
  }
}

TEST(Tensor, ItemNeedsOneElement) {
  EXPECT_THROW((void)ones({2}).item(), Error);
  EXPECT_EQ(scalar_tensor(3.5).item(), 3.5);
}

TEST(Print, MatchesPyTorch) {
  EXPECT_EQ(to_string(tensor({1, 2, 3})), "tensor([1., 2., 3.])");
  EXPECT_EQ(to_string(tensor({0.4286, -0.1771})), "tensor([ 0.4286, -0.1771])");
  EXPECT_EQ(to_string(scalar_tensor(-12.0)), "tensor(-12.)");
  EXPECT_EQ(to_string(tensor({1, 2, 3, 4}, DType::Float64).reshape({2, 2})),
            "tensor([[1., 2.],\n        [3., 4.]], dtype=torch.float64)");
  EXPECT_EQ(to_string(tensor({1, 2}, DType::Int64)), "tensor([1, 2])");
  EXPECT_EQ(to_string(tensor({1e-5, 1.0})), "tensor([1.0000e-05, 1.0000e+00])");
  Tensor w = tensor({0.5, -1.25}).requires_grad_();
  EXPECT_EQ(to_string(w), "tensor([ 0.5000, -1.2500], requires_grad=True)");
  EXPECT_EQ(to_string(w * 2.0), "tensor([ 1.0000, -2.5000], grad_fn=<MulBackward0>)");
}

TEST(Tensor, ShapesThatOverflowAreAnError) {
  try {
    (void)empty({0, INT64_C(1) << 40, INT64_C(1) << 40}, DType::Float32);
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has too many elements"), std::string::npos) << e.what();
  }
  EXPECT_EQ(empty({0, 3}, DType::Float32).numel(), 0);
}
