"""Tensors: factories, dtypes, printing, operators, indexing, numpy sharing, pickling."""
import pickle

import numpy as np
import pytest
import torch

import gradflow as gf
from conftest import assert_close, pair


def test_factories_shapes_and_dtypes():
    assert gf.zeros(2, 3).shape == (2, 3)
    assert gf.zeros((2, 3)).shape == gf.ones([2, 3]).shape
    assert repr(gf.zeros(2, 3).shape) == "gradflow.Size([2, 3])"
    assert gf.arange(5).dtype == gf.int64 and gf.arange(5.0).dtype == gf.float64
    assert gf.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert gf.full((2,), 3).dtype == gf.int64 and gf.full((2,), 3.5).dtype == gf.float64
    assert gf.tensor([1, 2]).dtype == gf.int64
    assert gf.tensor([1.0, 2.0], dtype=gf.float32).dtype == gf.float32
    assert_close(gf.linspace(-1, 1, 7), torch.linspace(-1, 1, 7))
    assert_close(gf.eye(3), torch.eye(3))
    assert gf.tensor(np.zeros(3, dtype=np.float32)).dtype == gf.float32
    assert gf.randn(4, 5).shape == (4, 5) and gf.rand(3).dtype == gf.float64
    assert sorted(gf.randperm(6).tolist()) == list(range(6))


def test_manual_seed_repeats():
    gf.manual_seed(3)
    a = gf.randn(5).tolist()
    gf.manual_seed(3)
    assert gf.randn(5).tolist() == a


def test_printing_matches_torch():
    x, tx = pair([[0.4286, 0.3634], [-1.5, 2.25]])
    assert repr(x.float()) == repr(tx.float())
    assert str(gf.tensor([1, 2, 3])) == str(torch.tensor([1, 2, 3]))
    y = gf.tensor(-2.0, requires_grad=True) * 6.0
    assert repr(y) == "tensor(-12., grad_fn=<MulBackward0>)"  # float64 is the default here
    assert repr(y) == repr(torch.tensor(-2.0, requires_grad=True) * 6.0)


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_binary_operators_broadcast_like_torch(op):
    a, ta = pair(np.linspace(-2, 3, 6).reshape(2, 3))
    b, tb = pair([0.5, -1.5, 2.0])
    f = eval("lambda p, q: p " + op + " q")
    assert_close(f(a, b), f(ta, tb))
    assert_close(f(a, 2.5), f(ta, 2.5))
    assert_close(f(2.5, a), f(2.5, ta))


def test_unary_methods_and_functions_match_torch():
    x, tx = pair(np.linspace(0.1, 2.0, 5))
    for name in ["exp", "log", "sqrt", "abs", "relu", "sigmoid", "tanh", "log1p", "square", "sign"]:
        assert_close(getattr(x, name)(), getattr(tx, name)())
        assert_close(getattr(gf, name)(x), getattr(torch, name)(tx))
    assert_close(x ** 2, tx ** 2)
    assert_close(2 ** x, 2 ** tx)
    assert_close(x.clamp(0.5, 1.5), tx.clamp(0.5, 1.5))
    assert_close(-x, -tx)


def test_reductions_and_shapes_match_torch():
    a, ta = pair(np.arange(24.0).reshape(2, 3, 4) * 0.25 - 2)
    assert_close(a.sum(), ta.sum())
    assert_close(a.sum(1), ta.sum(1))
    assert_close(a.mean(dim=2, keepdim=True), ta.mean(dim=2, keepdim=True))
    v, i = a.max(1)
    tv, ti = ta.max(1)
    assert_close(v, tv) and i.tolist() == ti.tolist()
    assert a.argmax().item() == ta.argmax().item()
    assert_close(a.logsumexp(2), ta.logsumexp(2))
    assert_close(a.permute(2, 0, 1), ta.permute(2, 0, 1))
    assert_close(a.reshape(6, -1), ta.reshape(6, -1))
    assert_close(a.transpose(0, 2), ta.transpose(0, 2))
    assert_close(a.flatten(1), ta.flatten(1))
    assert_close(a.unsqueeze(1), ta.unsqueeze(1))
    assert_close(a[:, :1].squeeze(), ta[:, :1].squeeze())
    assert_close(a.T, ta.permute(2, 1, 0))
    assert_close(gf.cat([a, a], 1), torch.cat([ta, ta], 1))
    assert_close(gf.stack([a, a]), torch.stack([ta, ta]))
    assert_close(a.softmax(2), ta.softmax(2))
    assert_close(a.log_softmax(0), ta.log_softmax(0))


def test_matmul_family_matches_torch():
    a, ta = pair(np.arange(6.0).reshape(2, 3) / 7)
    b, tb = pair(np.arange(12.0).reshape(3, 4) / 5)
    assert_close(a @ b, ta @ tb)
    assert_close(a.mm(b), ta.mm(tb))
    v, tv = pair([1.0, -2.0, 0.5])
    assert_close(a @ v, ta @ tv)
    assert_close(gf.outer(v, v), torch.outer(tv, tv))
    assert_close(gf.dot(v, v), torch.dot(tv, tv))


def test_indexing_like_torch():
    a, ta = pair(np.arange(20.0).reshape(4, 5))
    for key in [1, -1, (2, 3), (slice(1, 3),), (slice(None), 2), (Ellipsis, 1), (None, 0),
                (slice(None, None, 2), slice(1, None))]:
        assert_close(a[key], ta[key])
    rows, cols = [0, 2, 3], [4, 0, 1]
    assert_close(a[gf.arange(3), gf.tensor(cols)], ta[torch.arange(3), torch.tensor(cols)])
    assert_close(a[gf.tensor(rows)], ta[torch.tensor(rows)])
    assert_close(a[:, [1, 3]], ta[:, [1, 3]])
    a[0, 1] = 100.0
    ta[0, 1] = 100.0
    a[1] = gf.tensor([1.0, 2, 3, 4, 5])
    ta[1] = torch.tensor([1.0, 2, 3, 4, 5])
    assert_close(a, ta)
    assert len(a) == 4 and [r.shape for r in a] == [(5,)] * 4


def test_indexing_gradient_flows():
    x, tx = pair(np.arange(6.0).reshape(2, 3), requires_grad=True)
    (x[gf.tensor([0, 1]), gf.tensor([2, 0])] * gf.tensor([3.0, 5.0])).sum().backward()
    (tx[torch.tensor([0, 1]), torch.tensor([2, 0])] * torch.tensor([3.0, 5.0])).sum().backward()
    assert_close(x.grad, tx.grad)


def test_numpy_shares_memory_both_ways():
    a = np.arange(6.0).reshape(2, 3)
    t = gf.from_numpy(a)
    a[0, 0] = 42.0
    assert t[0, 0].item() == 42.0
    t[1, 2] = -1.0
    assert a[1, 2] == -1.0
    n = t.numpy()
    assert np.shares_memory(n, a)
    # the owner stays alive after the array's name goes away
    del a, n
    import gc
    gc.collect()
    assert t.tolist() == [[42.0, 1.0, 2.0], [3.0, 4.0, -1.0]]
    # buffer protocol and numpy() of a gradflow-owned tensor: a view, kept alive by the array
    u = gf.zeros(3)
    view = np.asarray(memoryview(u))
    u_np = u.numpy()
    del u
    u_np[1] = 7.0
    assert view[1] == 7.0
    # transposed views keep their strides
    m = gf.from_numpy(np.arange(6.0).reshape(2, 3)).t()
    assert m.numpy().tolist() == [[0, 3], [1, 4], [2, 5]]
    # tensor() copies
    b = np.ones(2)
    c = gf.tensor(b)
    b[0] = 5
    assert c.tolist() == [1.0, 1.0]


def test_numpy_refusals_match_torch():
    with pytest.raises(RuntimeError, match="Use tensor.detach"):
        gf.ones(2, requires_grad=True).numpy()
    with pytest.raises(ValueError, match="negative"):  # torch: ValueError
        gf.from_numpy(np.arange(3.0)[::-1])
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.complex128"):
        gf.from_numpy(np.zeros(2, dtype=np.complex128))


def test_pickle_roundtrip():
    t = gf.tensor([[1.5, -2.0], [3.0, 4.25]], requires_grad=True)
    u = pickle.loads(pickle.dumps(t))
    assert u.tolist() == t.tolist() and u.requires_grad and u.dtype == gf.float64
    assert pickle.loads(pickle.dumps(gf.int64)) == gf.int64


def test_errors_become_python_exceptions_with_gf_messages():
    with pytest.raises(RuntimeError, match=r"matmul: shapes \[2, 3\] and \[2, 3\]"):
        gf.ones(2, 3) @ gf.ones(2, 3)
    with pytest.raises(IndexError, match="out of range"):
        gf.ones(2, 3)[5]
    with pytest.raises(IndexError):
        gf.ones(2, 3).sum(4)
    with pytest.raises(TypeError):
        gf.ones(2) + "a"
    with pytest.raises(TypeError, match="0-d"):
        len(gf.tensor(1.0))


def test_inplace_operators():
    a = gf.ones(3)
    ref = a
    a += 2.0
    a *= gf.tensor([1.0, 2.0, 3.0])
    assert ref.tolist() == [3.0, 6.0, 9.0]  # same storage
    w = gf.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w -= 1.0
    with gf.no_grad():
        w -= 0.5
    assert w.tolist() == [0.5, 0.5] and w.requires_grad


def test_in_place_methods_return_the_same_object():
    """torch's in-place methods return self: x.add_(1) is x (Parameters stay Parameters)."""
    x = gf.zeros(3)
    calls = [lambda: x.add_(1), lambda: x.sub_(0.5, alpha=2), lambda: x.mul_(3), lambda: x.div_(2),
             lambda: x.clamp_(min=-1), lambda: x.clamp_min_(0), lambda: x.clamp_max_(5),
             lambda: x.neg_(), lambda: x.exp_(), lambda: x.relu_(), lambda: x.sigmoid_(),
             lambda: x.tanh_(), lambda: x.fill_(2), lambda: x.zero_(), lambda: x.copy_(gf.ones(3)),
             lambda: x.requires_grad_(False), lambda: x.detach_(),
             lambda: x.masked_fill_(gf.tensor([True, False, True]), 4.0),
             lambda: x.index_put_((gf.tensor([1]),), gf.tensor(9.0))]
    for f in calls:
        assert f() is x
    t = torch.zeros(3)
    for f in [lambda: t.add_(1), lambda: t.exp_(), lambda: t.masked_fill_(torch.tensor([True, False, True]), 4.0)]:
        assert f() is t  # the behaviour mirrored
    p = gf.nn.Parameter(gf.zeros(2))
    assert p.requires_grad_(False) is p and isinstance(p.fill_(1), gf.nn.Parameter)
    w = gf.nn.Parameter(gf.zeros(4, 3))
    for init in [gf.nn.init.zeros_, gf.nn.init.ones_, gf.nn.init.xavier_uniform_, gf.nn.init.kaiming_normal_]:
        assert init(w) is w
    assert gf.nn.init.constant_(w, 0.25) is w and w.tolist()[0] == [0.25] * 3
    y = gf.ones(2)
    y += 1
    assert y.tolist() == [2.0, 2.0]


def test_tensor_of_a_0d_array_is_0d():
    for a in [np.asarray(0.5), np.asarray(3), np.asarray(True)]:
        assert tuple(gf.tensor(a).shape) == tuple(torch.tensor(a).shape) == ()
