"""The second round's bindings against torch in the same process: dtypes Bool/UInt8/Int32 with
torch's promotion, the new elementwise ops, reductions over dims, scans, sort/topk, shape ops,
pad, scatter/gather, einsum, in-place ops with version counters, gradient hooks."""
import numpy as np
import pytest
import torch

import gradflow as gf
from conftest import assert_close, pair


def same_dtype(g, t):
    return str(g.dtype).split(".")[1] == str(t.dtype).split(".")[1]


def test_new_dtypes_promote_like_torch():
    values = {"bool": [True, False, True], "uint8": [200, 3, 7], "int32": [-5, 6, 9],
              "int64": [4, -8, 2], "float32": [1.5, -2.25, 0.5], "float64": [0.125, 3.0, -1.0]}
    gt = {n: gf.tensor(np.array(v, dtype=n)) for n, v in values.items()}
    tt = {n: torch.tensor(np.array(v, dtype=n)) for n, v in values.items()}
    for n in values:
        assert same_dtype(gt[n], tt[n]) and gt[n].tolist() == tt[n].tolist()
    for a in values:
        for b in values:
            if "bool" in (a, b):
                continue  # bool arithmetic: torch refuses - on bools; + is logical or
            assert same_dtype(gt[a] + gt[b], tt[a] + tt[b]), (a, b)
            assert_close((gt[a] * gt[b]).double(), (tt[a] * tt[b]).double())
        # Python numbers: uint8 + 2 stays uint8 (wrapping like C), int + 0.5 is the default float
        for number in (2, 0.5, True):
            if a == "bool" and number is True:
                continue
            assert same_dtype(gt[a] + number, tt[a] + number), (a, number)
            assert (gt[a] + number).tolist() == pytest.approx((tt[a] + number).tolist())
    assert gf.tensor([True, False]).dtype == gf.bool and gf.tensor(True).item() is True
    assert gf.promote_types(gf.uint8, gf.int32) == gf.int32
    assert repr(gf.uint8) == "gradflow.uint8" and gf.int == gf.int32


def test_comparisons_and_logical_ops_return_bool():
    a, ta = pair([1.0, float("nan"), 3.0, -2.0])
    b, tb = pair([1.0, 2.0, 2.0, -1.0])
    for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
        r, tr = getattr(a, op)(b), getattr(ta, op)(tb)
        assert r.dtype == gf.bool and r.tolist() == tr.tolist(), op
    assert (a > 0).dtype == gf.bool and (a > 0).tolist() == (ta > 0).tolist()
    for name in ["isnan", "isinf", "isfinite", "logical_not"]:
        assert getattr(gf, name)(a).tolist() == getattr(torch, name)(ta).tolist()
    m, tm = a > 0, ta > 0
    assert (m & (b > 1)).tolist() == (tm & (tb > 1)).tolist()
    assert (m | (b > 1)).tolist() == (tm | (tb > 1)).tolist()
    assert (~m).tolist() == (~tm).tolist() and (m ^ m).tolist() == (tm ^ tm).tolist()
    i, ti = gf.tensor([12, 10, 7], dtype=gf.int32), torch.tensor([12, 10, 7], dtype=torch.int32)
    assert (i & 6).tolist() == (ti & 6).tolist() and gf.bitwise_xor(i, i).tolist() == [0, 0, 0]
    assert (i % 5).tolist() == (ti % 5).tolist() and (i % -5).tolist() == (ti % -5).tolist()
    assert gf.fmod(i, -5).tolist() == torch.fmod(ti, -5).tolist()


UNARY = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "atanh", "exp2",
         "expm1", "log2", "log10", "rsqrt", "reciprocal", "erf", "erfc", "floor", "ceil", "round",
         "trunc", "frac"]


@pytest.mark.parametrize("name", UNARY)
def test_elementwise_ops_and_gradients_match_torch(name):
    x, tx = pair([0.1, 0.35, -0.6, 0.8, 2.5], requires_grad=True)
    if name == "rsqrt":
        x, tx = pair([0.1, 0.35, 0.6, 0.8, 2.5], requires_grad=True)
    y, ty = getattr(gf, name)(x), getattr(torch, name)(tx)
    assert_close(y, ty)
    assert y.grad_fn.name() == ty.grad_fn.name()
    (y * gf.arange(1.0, 6.0)).sum().backward()
    (ty * torch.arange(1.0, 6.0)).sum().backward()
    assert_close(x.grad, tx.grad)
    assert_close(getattr(x.detach(), name)(), getattr(tx.detach(), name)())


def test_binary_math_clamps_and_acosh():
    a, ta = pair([0.5, -1.5, 2.0], requires_grad=True)
    b, tb = pair([-1.0, 0.25, 3.0], requires_grad=True)
    outs = [gf.atan2(a, b) + gf.remainder(a, 0.75) + gf.fmod(a, b) + a.clamp_min(0.0)
            + b.clamp_max(1.0)]
    touts = [torch.atan2(ta, tb) + torch.remainder(ta, 0.75) + torch.fmod(ta, tb)
             + ta.clamp_min(0.0) + tb.clamp_max(1.0)]
    assert_close(outs[0], touts[0])
    outs[0].sum().backward()
    touts[0].sum().backward()
    assert_close(a.grad, ta.grad) and assert_close(b.grad, tb.grad)
    c, tc = pair([1.5, 2.0, 7.0])
    assert_close(gf.acosh(c), torch.acosh(tc))


def test_reductions_over_dims_match_torch():
    data = np.random.default_rng(1).normal(size=(3, 4, 5))
    x, tx = pair(data, requires_grad=True)
    cases = [
        (lambda m, t: m.sum(t, (0, 2)), None),
        (lambda m, t: m.mean(t, (1,), keepdim=True), None),
        (lambda m, t: m.amax(t, (0, 1)), None),
        (lambda m, t: m.amin(t, 2, keepdim=True), None),
        (lambda m, t: m.prod(t, 1), None),
        (lambda m, t: m.var(t, (0, 2)), None),
        (lambda m, t: m.std(t, 1, correction=0, keepdim=True), None),
        (lambda m, t: m.var(t, unbiased=False), None),
        (lambda m, t: m.logsumexp(t, (1, 2)), None),
        (lambda m, t: m.norm(t, 3.0, (0, 1)), None),
        (lambda m, t: m.norm(t), None),
        (lambda m, t: m.cumsum(t, 1), None),
        (lambda m, t: m.cumprod(t, -1), None),
    ]
    for f, _ in cases:
        x.grad, tx.grad = None, None
        y, ty = f(gf, x), f(torch, tx)
        assert_close(y, ty)
        y.sum().backward()
        ty.sum().backward()
        assert_close(x.grad, tx.grad)
    assert_close(x.sum(dim=(0, 1)), tx.sum(dim=(0, 1)))


def test_sort_topk_argsort_match_torch():
    x, tx = pair([[3.0, 1.0, 2.0, 5.0], [0.5, 4.0, -1.0, 4.5]], requires_grad=True)
    s, ts = gf.sort(x, dim=1, descending=True), torch.sort(tx, dim=1, descending=True)
    assert_close(s.values, ts.values) and s.indices.tolist() == ts.indices.tolist()
    v, i = x.topk(2)
    tv, ti = tx.topk(2)
    assert_close(v, tv) and i.tolist() == ti.tolist() and i.dtype == gf.int64
    (v * gf.tensor([1.0, 2.0])).sum().backward()
    (tv * torch.tensor([1.0, 2.0])).sum().backward()
    assert_close(x.grad, tx.grad)
    assert x.argsort(dim=0).tolist() == tx.argsort(dim=0).tolist()
    assert v.grad_fn.name() == tv.grad_fn.name() == "TopkBackward0"


def test_shape_ops_match_torch():
    x, tx = pair(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    cases = [
        lambda m, t: m.flip(t, (0, 2)),
        lambda m, t: m.roll(t, 1, 2),
        lambda m, t: m.roll(t, (1, -1), (0, 1)),
        lambda m, t: t.repeat(2, 1, 1, 2),
        lambda m, t: m.tile(t, (2,)),
        lambda m, t: m.cat(m.split(t, 2, 2)[::-1], 2),
        lambda m, t: m.cat(m.split(t, [1, 3], -1)[::-1], -1),
        lambda m, t: m.stack(m.chunk(t, 2, 2), 0),
        lambda m, t: m.stack(m.unbind(t, 1), 0),
        lambda m, t: m.movedim(t, 0, 2),
        lambda m, t: m.movedim(t, (0, 1), (2, 0)),
        lambda m, t: t.swapaxes(0, 2),
        lambda m, t: m.tril(t, -1),
        lambda m, t: m.triu(t[0], 1),
        lambda m, t: t.narrow(2, 1, 2),
        lambda m, t: m.nn.functional.pad(t, (1, 2), value=-1.0),
        lambda m, t: m.nn.functional.pad(t, (1, 1, 2, 0), mode="reflect"),
        lambda m, t: m.nn.functional.pad(t, (2, 1), mode="replicate"),
        lambda m, t: m.nn.functional.pad(t, (1, 1), mode="circular"),
    ]
    weights = None
    for k, f in enumerate(cases):
        x.grad, tx.grad = None, None
        y, ty = f(gf, x), f(torch, tx)
        assert_close(y, ty)
        weights = np.random.default_rng(k).normal(size=tuple(ty.shape))
        (y * gf.tensor(weights)).sum().backward()
        (ty * torch.tensor(weights)).sum().backward()
        assert_close(x.grad, tx.grad)


def test_scatter_gather_einsum_match_torch():
    x, tx = pair(np.zeros((3, 4)))
    idx = [[0, 1, 2, 0], [2, 0, 0, 1]]
    gi, ti = gf.tensor(idx), torch.tensor(idx)
    src, tsrc = pair(np.arange(8.0).reshape(2, 4) + 1, requires_grad=True)
    assert_close(x.scatter(0, gi, src), tx.scatter(0, ti, tsrc))
    assert_close(gf.scatter(x, 0, gi, 7.5), torch.scatter(tx, 0, ti, 7.5))
    assert_close(gf.scatter_add(x, 0, gi, src), torch.scatter_add(tx, 0, ti, tsrc))
    assert_close(x.scatter(0, gi, src, reduce="add"), tx.scatter(0, ti, tsrc, reduce="add"))
    y, ty = gf.scatter_add(x, 0, gi, src), torch.scatter_add(tx, 0, ti, tsrc)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    assert_close(src.grad, tsrc.grad)
    a, ta = pair(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    b, tb = pair(np.linspace(0, 2, 12).reshape(3, 4), requires_grad=True)
    for eq in ["ij,jk->ik", "ij,jk", "ij->j", "ij,ij->i"]:
        ops = (a, b) if "jk" in eq else (a,) if eq.count(",") == 0 else (a, a)
        tops = (ta, tb) if "jk" in eq else (ta,) if eq.count(",") == 0 else (ta, ta)
        assert_close(gf.einsum(eq, *ops), torch.einsum(eq, *tops))
        assert_close(gf.einsum(eq, list(ops)), torch.einsum(eq, *tops))
    gf.einsum("ij,jk->ik", a, b).sum().backward()
    torch.einsum("ij,jk->ik", ta, tb).sum().backward()
    assert_close(a.grad, ta.grad) and assert_close(b.grad, tb.grad)
    g = gf.gather(src, 1, gf.tensor([[3, 0], [1, 1]]))
    assert_close(g, torch.gather(tsrc, 1, torch.tensor([[3, 0], [1, 1]])))


def test_inplace_ops_record_and_check_versions_like_torch():
    a, ta = pair([0.5, -1.0, 2.0], requires_grad=True)
    b, tb = a * 1.0, ta * 1.0
    b.add_(2.0).mul_(a).sub_(a, alpha=0.5).div_(2.0).clamp_(-1.0, 3.0)
    tb.add_(2.0).mul_(ta).sub_(ta, alpha=0.5).div_(2.0).clamp_(-1.0, 3.0)
    assert_close(b, tb)
    assert b.grad_fn.name() == tb.grad_fn.name()
    c, tc = (b * 2.0).tanh_().exp(), (tb * 2.0).tanh_().exp()
    c.sum().backward()
    tc.sum().backward()
    assert_close(a.grad, ta.grad)
    assert b._version == tb._version
    # A tensor saved for backward, then changed in place: RuntimeError with torch's words.
    x = gf.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    z = y * y  # saves y
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.relu_()
    u = gf.ones(3)
    v0 = u._version  # gf.ones starts at 1 (the factory fills in place), torch's at 0
    u += 2
    u.neg_()
    assert u.tolist() == [-3.0, -3.0, -3.0] and u._version - v0 == 2


def test_register_hook_sees_and_replaces_gradients():
    x, tx = pair([1.0, -2.0, 3.0], requires_grad=True)
    seen, tseen = [], []
    y, ty = x * x, tx * tx
    h = y.register_hook(lambda g: seen.append(g.tolist()))
    ty.register_hook(lambda g: tseen.append(g.tolist()))
    x.register_hook(lambda g: g * 10.0)
    tx.register_hook(lambda g: g * 10.0)
    (y * 3.0).sum().backward(retain_graph=True)
    (ty * 3.0).sum().backward(retain_graph=True)
    assert seen == tseen == [[3.0, 3.0, 3.0]]
    assert_close(x.grad, tx.grad)
    h.remove()
    (y * 3.0).sum().backward()
    assert len(seen) == 1
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        gf.ones(2).register_hook(lambda g: g)


def test_hook_runs_when_backward_released_the_gil():
    x = gf.randn(300, 300, requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(g.shape) or g * 2.0)
    (x @ x).sum().backward()
    assert calls == [(300, 300)]
