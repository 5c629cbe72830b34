// Advanced indexing (x.index({...}) with ints, Slice, None, Ellipsis, Int64 tensors and Bool
// masks), index_put_, masked_fill, masked_select, nonzero, any, all: agreement with PyTorch
// through tests/reference/ops_index.json (ops_index.py: values and gradients in float32 and
// float64, dtype and grad_fn name), gradcheck + gradgradcheck, and error messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "support/errors.hpp"
#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;
using namespace gf::indexing;
using ::testing::HasSubstr;

// The statement throws a gf::Error whose message contains `text`.
#define EXPECT_GF_ERROR(stmt, text) EXPECT_THAT(error_of([&] { (void)(stmt); }), HasSubstr(text))

namespace {

Tensor put(const Tensor& x, std::initializer_list<TensorIndex> idx, const Tensor& v,
           bool acc = false) {
  Tensor y = x.clone();
  return y.index_put_(idx, v, acc);
}

// The op table shared with tests/reference/ops_index.py.
const std::map<std::string, OpFn>& ops() {
  static const std::map<std::string, OpFn> table = {
      {"index_tensor", [](const Inputs& x) { return x[0].index({x[1]}); }},
      {"index_two_tensors",
       [](const Inputs& x) {
         return x[0].index({x[1], x[2]});
       }},
      {"index_slice_tensor",
       [](const Inputs& x) {
         return x[0].index({Slice(1, None), x[1]});
       }},
      {"index_nonadjacent",
       [](const Inputs& x) {
         return x[0].index({x[1], Slice(), x[2]});
       }},
      {"index_adjacent_middle",
       [](const Inputs& x) {
         return x[0].index({Slice(), x[1], x[2]});
       }},
      {"index_int_then_tensor",
       [](const Inputs& x) {
         return x[0].index({1, x[1]});
       }},
      {"index_mask", [](const Inputs& x) { return x[0].index({x[1]}); }},
      {"index_mask_then_slice",
       [](const Inputs& x) {
         return x[0].index({x[1], Slice(1)});
       }},
      {"index_none_ellipsis_int",
       [](const Inputs& x) {
         return x[0].index({None, Ellipsis, 0});
       }},
      {"index_ellipsis_tensor",
       [](const Inputs& x) {
         return x[0].index({"...", x[1]});
       }},
      {"index_step_slice",
       [](const Inputs& x) {
         return x[0].index({Slice(None, None, 2), Slice(1, 3)});
       }},
      {"index_put_tensor", [](const Inputs& x) { return put(x[0], {x[1]}, x[2]); }},
      {"index_put_acc", [](const Inputs& x) { return put(x[0], {x[1]}, x[2], true); }},
      {"index_put_mask_scalar",
       [](const Inputs& x) { return put(x[0], {x[1]}, scalar_tensor(0.5, x[0].dtype())); }},
      {"index_put_two_tensors",
       [](const Inputs& x) {
         return put(x[0], {x[1], x[2]}, x[3]);
       }},
      {"masked_fill", [](const Inputs& x) { return masked_fill(x[0], x[1], 2.5); }},
      {"masked_fill_tensor", [](const Inputs& x) { return masked_fill(x[0], x[1], x[2]); }},
      {"masked_select", [](const Inputs& x) { return masked_select(x[0], x[1]); }},
      {"nonzero", [](const Inputs& x) { return nonzero(x[0]); }},
      {"any_all", [](const Inputs& x) { return any(x[0]); }},
      {"any_dim1", [](const Inputs& x) { return any(x[0], 1); }},
      {"all_dim0_keepdim", [](const Inputs& x) { return all(x[0], 0, true); }},
      {"all_all", [](const Inputs& x) { return all(x[0]); }},
  };
  return table;
}

nlohmann::json load_reference() { return load_reference_file("ops_index.json"); }

Tensor i64(std::vector<double> v, Shape s) { return tensor(std::move(v), s, DType::Int64); }

}  // namespace

TEST(OpsIndex, AgreesWithPyTorch) {
  nlohmann::json ref = load_reference();
  ASSERT_GE(ref["cases"].size(), 50u);
  for (const auto& c : ref["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    bool f32 = false;
    for (const auto& in : c["inputs"]) f32 |= in.value("dtype", "") == "float32";
    double rtol = f32 ? 2e-5 : 1e-10, atol = f32 ? 2e-6 : 1e-12;
    const OpFn& fn = ops().at(c["op"].get<std::string>());
    EXPECT_TRUE(check_reference(fn, c, rtol, atol));
    Inputs xs = json_inputs(c);
    Tensor out = fn(xs);
    EXPECT_EQ(dtype_name(out.dtype()), "torch." + c["output"]["dtype"].get<std::string>());
    EXPECT_EQ(out.grad_fn_name(), c.value("grad_fn", std::string()));
  }
}

TEST(OpsIndex, GradcheckAndGradgradcheck) {
  Tensor rep = i64({2, 0, 2, -1}, {4});
  Tensor mask = tensor({1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0}, {3, 4}, DType::Bool);
  Tensor a = i64({1, 0}, {2}), b = i64({3, 2}, {2});
  const std::vector<OpCase> cases = {
      {"index repeated rows", [rep](const Inputs& x) { return x[0].index({rep}); }, {{3, 4}}},
      {"index two tensors broadcast",
       [](const Inputs& x) {
         return x[0].index({i64({0, 2}, {2, 1}), i64({1, 3, 3}, {3})});
       },
       {{3, 4}}},
      {"index non-adjacent",
       [a, b](const Inputs& x) {
         return x[0].index({a, Slice(), b});
       },
       {{2, 3, 4}}},
      {"index mask", [mask](const Inputs& x) { return x[0].index({mask}); }, {{3, 4}}},
      {"index slice + tensor",
       [b](const Inputs& x) {
         return x[0].index({Slice(1), b});
       },
       {{3, 4}}},
      {"index_put values and self",
       [](const Inputs& x) {
         return put(x[0], {i64({2, 0}, {2})}, x[1]);
       },
       {{3, 4}, {2, 4}}},
      {"index_put accumulate broadcast",
       [rep](const Inputs& x) { return put(x[0], {rep}, x[1], true); },
       {{3, 4}, {4}}},
      {"masked_fill", [mask](const Inputs& x) { return masked_fill(x[0], mask, -1.0); }, {{3, 4}}},
      {"masked_fill tensor value",
       [mask](const Inputs& x) { return masked_fill(x[0], mask, x[1]); },
       {{3, 4}, {}}},
      {"masked_select broadcast",
       [mask](const Inputs& x) { return masked_select(x[0], mask); },
       {{4}}},
  };
  for (const OpCase& c : cases) EXPECT_TRUE(check_gradients(c));
}

TEST(OpsIndex, ViewsAndInPlace) {
  Tensor x = arange(12, DType::Float64).reshape({3, 4});
  // basic indices are views of x's storage, advanced ones copy
  EXPECT_EQ(x.index({1, Slice(1, 3)}).impl().storage, x.impl().storage);
  EXPECT_NE(x.index({i64({1}, {1})}).impl().storage, x.impl().storage);
  EXPECT_TRUE(check_values(x.index({-1, -1}), {11}, Shape{}));
  EXPECT_TRUE(check_values(x.index({Ellipsis, None}), x.tolist(), Shape{3, 4, 1}));
  // index_put_ writes through a view of x, in place
  Tensor y = x.clone();
  y.index_put_({Slice(), 0}, 0.0);
  EXPECT_TRUE(check_values(y.index({Slice(), 0}), {0, 0, 0}));
  y.index_put_({gt(y, 9.0)}, -1.0);
  EXPECT_TRUE(check_values(y.index({2}), {0, 9, -1, -1}));
  // a leaf that requires grad refuses in-place writes, like torch
  Tensor w = ones({2}, DType::Float64).requires_grad_();
  EXPECT_GF_ERROR(w.index_put_({0}, 2.0),
                  "a leaf Variable that requires grad is being used in an "
                  "in-place operation");
  // writing a tensor that requires grad into a plain tensor records IndexPutBackward0
  Tensor v = full({2}, 3.0, DType::Float64).requires_grad_();
  Tensor z = zeros({3, 2}, DType::Float64);
  z.index_put_({1}, v);
  EXPECT_EQ(z.grad_fn_name(), "IndexPutBackward0");
  sum(z * z).backward();
  EXPECT_TRUE(check_values(v.grad(), {6, 6}));
}

TEST(OpsIndex, IndexPutBumpsTheVersionCounter) {
  // exp saves its result; writing into it afterwards (even without grad) must make backward
  // refuse the changed values, as PyTorch's version counter does
  Tensor x = tensor({0.5, -1.0, 2.0}, DType::Float64).requires_grad_();
  Tensor y = exp(x);
  EXPECT_EQ(y._version(), 0u);
  {
    NoGradGuard no_grad;
    y.index_put_({i64({1}, {1})}, 0.0);
  }
  EXPECT_EQ(y._version(), 1u);
  EXPECT_GF_ERROR(sum(y).backward(), "modified by an inplace operation");
}

TEST(OpsIndex, ErrorsNameTheOpAndTheValues) {
  Tensor x = zeros({2, 3}, DType::Float64);
  EXPECT_GF_ERROR(x.index({0, 0, 0}), "index: too many indices for tensor of dimension 2");
  EXPECT_GF_ERROR(x.index({Ellipsis, Ellipsis}), "index: an index can only have a single ellipsis");
  EXPECT_GF_ERROR(x.index({i64({3}, {1})}),
                  "index: index 3 is out of bounds for dimension 0 with size 2");
  EXPECT_GF_ERROR(x.index({Slice(), i64({-4}, {1})}),
                  "index: index -4 is out of bounds for dimension 1 with size 3");
  EXPECT_GF_ERROR(x.index({tensor({1, 0}, DType::Float64)}),
                  "index: tensors used as indices must be long, int or bool tensors");
  EXPECT_GF_ERROR(x.index({tensor({1, 0, 1}, DType::Bool)}),
                  "index: The shape of the mask [3] at index 0 does not match the shape of the "
                  "indexed tensor [2, 3] at index 0");
  EXPECT_GF_ERROR(x.index({Slice(0, 2, -1)}), "index: step must be greater than zero");
  EXPECT_GF_ERROR(x.index({i64({0, 1}, {2}), i64({0, 1, 2}, {3})}),
                  "index: shapes [2] and [3] cannot be broadcast");
  EXPECT_GF_ERROR(x.index({5}), "select: index 5 out of range");
  Tensor y = x.clone();
  EXPECT_GF_ERROR(y.index_put_({0}, zeros({2}, DType::Float64)),
                  "index_put_: shape mismatch: value tensor of shape [2] cannot be broadcast to "
                  "indexing result of shape [3]");
  EXPECT_GF_ERROR(masked_fill(x, tensor({1, 0, 1}, DType::Int64), 0.0),
                  "masked_fill: only supports boolean masks, but got mask with dtype torch.int64");
  EXPECT_GF_ERROR(
      masked_fill(x, tensor({1, 0}, {2, 1, 1}, DType::Bool), 0.0),
      "masked_fill: the mask of shape [2, 1, 1] must be broadcastable to the input's shape [2, 3]");
  EXPECT_GF_ERROR(masked_select(x, tensor({1, 0}, DType::Bool)),
                  "masked_select: shapes [2, 3] and [2]");
  EXPECT_GF_ERROR(any(x, 2), "any: dim 2 out of range");
}
