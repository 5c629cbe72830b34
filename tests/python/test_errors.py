"""gf::Error becomes the Python exception torch raises for the same mistake (IndexError,
ValueError, TypeError, NotImplementedError, else RuntimeError) with gf's message unchanged:
each case runs in torch (the type must match) and in gradflow (type and full message)."""

import numpy as np
import pytest
import torch

import gradflow as gf

# (what, expression with `lib` for torch or gradflow, exception type, gradflow's message)
CASES = [
    ('batchnorm_dim', 'lib.nn.BatchNorm2d(4)(lib.zeros(2, 4, 3))', ValueError,
     'BatchNorm2d: expected 4D input (got 3D input)'),
    ('groupnorm_div', 'lib.nn.GroupNorm(3, 4)', ValueError,
     'GroupNorm: num_channels must be divisible by num_groups (num_channels=4, num_groups=3)'),
    ('group_norm_functional', 'lib.nn.functional.group_norm(lib.zeros(2, 4, 3, 3), 3)', RuntimeError,
     'group_norm: Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 4, 3, 3] and num_groups=3'),
    ('interpolate_both', 'lib.nn.functional.interpolate(lib.zeros(2, 4, 3, 3), size=4, scale_factor=2.0)', ValueError,
     'interpolate: only one of size or scale_factor should be defined'),
    ('interpolate_neither', 'lib.nn.functional.interpolate(lib.zeros(2, 4, 3, 3))', ValueError,
     'interpolate: either size or scale_factor should be defined'),
    ('interpolate_align', 'lib.nn.functional.interpolate(lib.zeros(2, 4, 3, 3), scale_factor=2.0, align_corners=True)', ValueError,
     'interpolate: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear'),
    ('interpolate_2d', 'lib.nn.functional.interpolate(lib.zeros(3, 3), scale_factor=2.0)', NotImplementedError,
     'interpolate: Input Error: Only 3D, 4D and 5D input Tensors supported (got 2D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got nearest)'),
    ('dropout_module', 'lib.nn.Dropout(1.5)', ValueError,
     'Dropout: probability has to be between 0 and 1, but got 1.5'),
    ('dropout_functional', 'lib.nn.functional.dropout(lib.zeros(3), 1.5)', ValueError,
     'dropout: probability has to be between 0 and 1, but got 1.5'),
    ('dropout2d_module', 'lib.nn.Dropout2d(1.5)', ValueError,
     'Dropout2d: dropout probability has to be between 0 and 1, but got 1.5'),
    ('layer_norm_shape', 'lib.nn.functional.layer_norm(lib.zeros(2, 4), (5,))', RuntimeError,
     'layer_norm: Given normalized_shape=[5], expected input with shape [*, 5], but got input of size[2, 4]'),
    ('dim_range', 'lib.zeros(2, 3).sum(5)', IndexError,
     'sum: dim 5 out of range for a tensor with 2 dims (expected in [-2, 1])'),
    ('softmax_dim', 'lib.zeros(3).softmax(2)', IndexError,
     'softmax: dim 2 out of range for a tensor with 1 dims (expected in [-1, 0])'),
    ('sgd_lr', 'lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=-1)', ValueError,
     'SGD: Invalid learning rate: -1'),
    ('adam_betas', 'lib.optim.Adam([lib.zeros(1, requires_grad=True)], betas=(1.5, 0.9))', ValueError,
     'Adam: Invalid beta parameter at index 0: 1.5'),
    ('cat_sizes', 'lib.cat([lib.zeros(2, 3), lib.zeros(2, 4)])', RuntimeError,
     'cat: sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in the list (shapes [2, 3] and [2, 4])'),
    ('conv_groups', 'lib.nn.Conv2d(3, 4, 3, groups=2)', ValueError,
     'Conv2d: in_channels must be divisible by groups (in_channels=3, groups=2)'),
    ('conv_padding_string', "lib.nn.Conv2d(1, 1, 3, padding='foo')", ValueError,
     "Invalid padding string 'foo', should be one of {'valid', 'same'}"),
    ('conv_same_strided', "lib.nn.Conv2d(1, 1, 3, padding='same', stride=2)", ValueError,
     "Conv2d: padding='same' is not supported for strided convolutions"),
    ('matmul', 'lib.zeros(2, 3) @ lib.zeros(2, 3)', RuntimeError,
     'matmul: shapes [2, 3] and [2, 3] cannot be multiplied'),
    ('index_select_oob', 'lib.zeros(3).index_select(0, lib.tensor([5]))', IndexError,
     'index_select: index 5 is out of bounds for dimension 0 with size 3'),
    ('gather_oob', 'lib.zeros(3).gather(0, lib.tensor([5]))', RuntimeError,
     'gather: index 5 is out of bounds for dimension 0 with size 3'),
    ('topk_k', 'lib.zeros(3).topk(5)', RuntimeError,
     'topk: k (5) is out of range for dimension 0 of size 3 (input of shape [3])'),
    ('narrow_start', 'lib.zeros(3).narrow(0, 5, 1)', IndexError,
     'narrow: start out of range (expected to be in range of [-3, 3], but got 5)'),
    ('narrow_length', 'lib.zeros(3).narrow(0, 1, 5)', RuntimeError,
     'narrow: start (1) + length (5) exceeds dimension size (3).'),
    ('cross_entropy_target', 'lib.nn.functional.cross_entropy(lib.zeros(2, 3), lib.tensor([0, 7]))', IndexError,
     'cross_entropy: target class 7 is out of range for 3 classes (valid ids are 0 to 2)'),
    ('sequential_index', 'lib.nn.Sequential(lib.nn.ReLU())[3]', IndexError,
     'index 3 is out of range'),
    ('item_many', 'lib.zeros(3).item()', ValueError,
     'item: a Tensor with 3 elements (shape [3]) cannot be converted to a scalar'),
    ('float_many', 'float(lib.zeros(3))', ValueError,
     'item: a Tensor with 3 elements (shape [3]) cannot be converted to a scalar'),
    ('index_many', 'lib.zeros(2).__index__()', TypeError,
     'only integer tensors of a single element can be converted to an index'),
    ('bool_many', 'bool(lib.zeros(3))', RuntimeError,
     'Boolean value of Tensor with more than one value is ambiguous'),
    ('negative_strides', 'lib.from_numpy(np.zeros(4)[::-1])', ValueError,
     'from_numpy: At least one stride in the given numpy array is negative, and tensors with negative strides are not currently supported. (You can probably work around this by making a copy of your array  with array.copy().) '),
    ('numpy_requires_grad', 'lib.zeros(3, requires_grad=True).numpy()', RuntimeError,
     "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."),
    ('len_0d', 'len(lib.tensor(1.0))', TypeError,
     'len() of a 0-d tensor'),
    ('add_str', "lib.ones(2) + 'a'", TypeError,
     "unsupported operand type(s) for +: 'gradflow._gradflow.Tensor' and 'str'"),
]


@pytest.mark.parametrize("what,expr,kind,message", CASES, ids=[c[0] for c in CASES])
def test_error_type_matches_torch_and_message_is_gradflows(what, expr, kind, message):
    with pytest.raises(kind):
        eval(expr, {"lib": torch, "np": np})
    with pytest.raises(kind) as got:
        eval(expr, {"lib": gf, "np": np})
    assert type(got.value) is kind
    assert str(got.value) == message
