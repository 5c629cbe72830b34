// Autograd behaviours ported from PyTorch's test_autograd.py and micrograd's tests: version
// counters and in-place ops, hooks, autograd::grad over part of a graph, custom Functions'
// trailing undefined gradients, requires_grad_ on non-leaves, set_grad's checks. Expected
// values are worked out by hand in the comments.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <gradflow/gradflow.hpp>

#include "support/errors.hpp"

using namespace gf;
using gf::test::error_of;
using testing::HasSubstr;

namespace {
Tensor f64(std::initializer_list<double> v) { return tensor(v, DType::Float64); }
std::vector<double> values(const Tensor& t) { return t.tolist(); }
}  // namespace

// torch: x.copy_(x * 2) under no_grad after y = x * w saved x -> backward raises
TEST(VersionCounter, BackwardThroughAModifiedSavedTensorThrows) {
  Tensor w = f64({1, 2, 3}).requires_grad_();
  Tensor x = f64({4, 5, 6});
  Tensor y = (x * w).sum();  // MulBackward0 saved x for dL/dw = x
  EXPECT_EQ(x._version(), 0u);
  {
    NoGradGuard g;
    x.copy_(x * 2);
  }
  EXPECT_EQ(x._version(), 1u);
  EXPECT_THAT(error_of([&] { y.backward(); }),
              HasSubstr("one of the variables needed for gradient computation has been "
                        "modified by an inplace operation: [torch.DoubleTensor [3]] is at "
                        "version 1; expected version 0 instead"));
}

TEST(VersionCounter, ViewsShareTheCounterAndNamesTheProducer) {
  Tensor a = f64({1, 2}).requires_grad_();
  Tensor b = a * 3;            // non-leaf, output 0 of MulBackward0
  Tensor c = (b.exp()).sum();  // ExpBackward0 saves its result, not b
  Tensor d = (b * b).sum();    // MulBackward0 saves b twice
  Tensor v = b.detach();       // shares b's storage
  v.add_(1.0);
  EXPECT_EQ(b._version(), 1u);
  c.backward();  // unaffected: exp saved its own output
  EXPECT_THAT(error_of([&] { d.backward(); }),
              HasSubstr("which is output 0 of MulBackward0, is at version 1; expected version 0"));
}

TEST(InPlace, RecordedLikeTheOutOfPlaceOp) {
  Tensor x = f64({1, 2, 3}).requires_grad_();
  Tensor w = f64({4, 5, 6}).requires_grad_();
  Tensor y = x * 2;  // dy/dx = 2
  y.mul_(w);         // y = 2 x w:  dL/dx = 2 w, dL/dw = 2 x
  EXPECT_EQ(y.grad_fn_name(), "MulBackward0");
  y.add_(1.0);
  EXPECT_EQ(y.grad_fn_name(), "AddBackward0");
  EXPECT_EQ(values(y), (std::vector<double>{9, 21, 37}));
  y.sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{8, 10, 12}));
  EXPECT_EQ(values(w.grad()), (std::vector<double>{2, 4, 6}));
}

TEST(InPlace, ClampAndReluReadTheValuesBeforeTheWrite) {
  Tensor x = f64({-1, 0.5, 3}).requires_grad_();
  Tensor y = x * 1;
  y.clamp_(0, 2);  // d/dx = 1 inside (0, 2), else 0
  y.sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{0, 1, 0}));
}

TEST(InPlace, OnALeafThatRequiresGradThrowsUnlessNoGrad) {
  Tensor x = f64({1, 2}).requires_grad_();
  EXPECT_THAT(error_of([&] { x.add_(1.0); }),
              HasSubstr("add_: a leaf Variable that requires grad is being used in an "
                        "in-place operation."));
  NoGradGuard g;
  x.add_(1.0);
  EXPECT_EQ(values(x), (std::vector<double>{2, 3}));
  EXPECT_EQ(x._version(), 1u);
}

TEST(InPlace, CopyIntoANonLeafSendsTheGradientToTheSource) {
  Tensor a = f64({1, 2}).requires_grad_();
  Tensor s = f64({7}).requires_grad_();
  Tensor y = a * 1;
  y.copy_(s);  // y = [s, s]: dL/da = 0, dL/ds = 2 (broadcast summed back)
  EXPECT_EQ(y.grad_fn_name(), "CopyBackwards");
  EXPECT_EQ(values(y), (std::vector<double>{7, 7}));
  y.sum().backward();
  EXPECT_EQ(values(s.grad()), (std::vector<double>{2}));
  EXPECT_EQ(values(a.grad()), (std::vector<double>{0, 0}));
}

TEST(Hooks, LeafHookChangesWhatIsAccumulated) {
  Tensor x = f64({1, 2}).requires_grad_();
  std::vector<double> seen;
  x.register_hook([&](const Tensor& g) {
    seen = g.tolist();
    return g * 10;
  });
  (x * 3).sum().backward();  // dL/dx = 3, the hook makes it 30
  EXPECT_EQ(seen, (std::vector<double>{3, 3}));
  EXPECT_EQ(values(x.grad()), (std::vector<double>{30, 30}));
}

// A leaf hook that accumulates the gradient into a buffer of its own, makes that buffer .grad
// and returns it (.grad itself) leaves nothing for AccumulateGrad to add: .grad is the buffer,
// holding 1x then 2x the gradient (adding again would give 2x, then 4x).
TEST(Hooks, LeafHookThatAccumulatesIntoGradItselfIsNotAddedTwice) {
  Tensor x = f64({1, 2}).requires_grad_();
  Tensor buffer = gf::zeros({2}, DType::Float64);
  x.register_hook([&](const Tensor& g) {
    gf::NoGradGuard no_grad;
    buffer.add_(g);
    x.set_grad(buffer);
    return buffer;
  });
  (x * 3).sum().backward();
  EXPECT_EQ(x.grad().impl_ptr(), buffer.impl_ptr());
  EXPECT_EQ(values(x.grad()), (std::vector<double>{3, 3}));
  (x * 3).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{6, 6}));
  EXPECT_EQ(values(buffer), (std::vector<double>{6, 6}));
}

TEST(Hooks, NonLeafHookRunsBeforeItsNodeAndCanBeRemoved) {
  Tensor x = f64({2}).requires_grad_();
  Tensor y = x * x;  // dL/dy = 5 (from L = 5 y), dL/dx = 2 x dL/dy = 20
  int calls = 0;
  std::size_t h = y.register_hook([&](const Tensor& g) {
    ++calls;
    EXPECT_EQ(g.item(), 5);
    return g * 2;  // dL/dx becomes 40
  });
  (y * 5).sum().backward(Tensor(), true);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(x.grad().item(), 40);
  y.remove_hook(h);
  x.zero_grad();
  (y * 5).sum().backward();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(x.grad().item(), 20);
  Tensor c = f64({1});
  EXPECT_THAT(error_of([&] { c.register_hook([](const Tensor& g) { return g; }); }),
              HasSubstr("cannot register a hook on a tensor that doesn't require gradient"));
}

// torch: autograd.grad(loss, [h2]) then autograd.grad(loss, [h1]) without retain_graph works:
// the first call runs only the part of the graph above h2.
TEST(GradOfIntermediates, AskedInChunksRunsOnlyTheNeededPart) {
  Tensor x = f64({1, 2}).requires_grad_();
  Tensor h1 = x * 3;
  Tensor h2 = h1 * h1;  // dL/dh2 = 1, dL/dh1 = 2 h1 = [6, 12]
  Tensor loss = h2.sum();
  auto g2 = autograd::grad({loss}, {h2}, {}, /*retain_graph=*/false);
  EXPECT_EQ(values(g2[0]), (std::vector<double>{1, 1}));
  auto g1 = autograd::grad({loss}, {h1}, {}, /*retain_graph=*/true);
  EXPECT_EQ(values(g1[0]), (std::vector<double>{6, 12}));
  EXPECT_FALSE(x.grad().defined());
  auto gx = autograd::grad({loss}, {x});  // dL/dx = 3 dL/dh1
  EXPECT_EQ(values(gx[0]), (std::vector<double>{18, 36}));
}

namespace {
struct Scale : autograd::Function<Scale> {
  static Tensor forward(autograd::Context&, const Tensor& x) { return x * 2; }
  static std::vector<Tensor> backward(autograd::Context&, const std::vector<Tensor>& g) {
    return {g[0] * 2, Tensor(), Tensor()};  // trailing undefined: ignored, like torch's Nones
  }
};
}  // namespace

TEST(CustomFunction, TrailingUndefinedGradientsAreIgnored) {
  Tensor x = f64({1, 2}).requires_grad_();
  Scale::apply(x).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{2, 2}));
}

TEST(RequiresGrad, TrueOnANonLeafIsANoOpFalseIsAnError) {
  Tensor x = f64({1}).requires_grad_();
  Tensor y = x * 2;
  EXPECT_NO_THROW(y.requires_grad_());
  EXPECT_NO_THROW(y.requires_grad_(true));
  EXPECT_TRUE(y.requires_grad());
  EXPECT_THAT(error_of([&] { y.requires_grad_(false); }),
              HasSubstr("you can only change requires_grad flags of leaf variables"));
}

TEST(SetGrad, ChecksShapeDtypeAndSelf) {
  Tensor x = f64({1, 2}).requires_grad_();
  EXPECT_THAT(error_of([&] {
                x.set_grad(f64({1, 2, 3}));
              }),
              HasSubstr("assigned grad has data of a different size"));
  EXPECT_THAT(error_of([&] {
                x.set_grad(tensor({1, 2}, DType::Float32));
              }),
              HasSubstr("assigned grad has data of a different type"));
  EXPECT_THAT(error_of([&] { x.set_grad(x); }), HasSubstr("can't assign Variable as its own grad"));
  x.set_grad(f64({5, 6}));
  EXPECT_EQ(values(x.grad()), (std::vector<double>{5, 6}));
  x.set_grad(Tensor());
  EXPECT_FALSE(x.grad().defined());
}
