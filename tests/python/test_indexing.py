"""t[key] and t[key] = v against torch: masks, integer index tensors and lists, mixed basic and
advanced keys (values and gradients, float64), the mask ops, and the exceptions indexing raises."""
import numpy as np
import pytest
import torch

import gradflow as gf
from conftest import assert_close, pair

X = np.arange(60, dtype=np.float64).reshape(3, 4, 5) / 7.0 - 2.0


def keys(lib):
    """The same indexing keys built with gradflow or torch index tensors."""
    T = lib.tensor
    mask3 = T(X > 0.5)
    mask2 = T(X[:, :, 0] > -1.0)
    mask1 = T([True, False, True, True])
    idx = T([2, 0, 2])
    return [
        mask3,                                    # a full mask: 1-D result
        mask2,                                    # a mask over the leading dims
        (slice(None), mask1),                     # a mask after a slice
        (1, mask1, slice(1, 4)),                  # int, mask, slice
        idx,                                      # repeated rows
        [0, 2],                                   # a list
        [[0, 1], [2, 2]],                         # a nested list: a 2-D index
        (idx, slice(None), T([4, 0, 1])),         # non-adjacent: broadcast dims go first
        (slice(None), T([[1], [3]]), T([0, 4])),  # broadcasting index tensors
        (0, slice(None), [1, 3]),                 # int applied first, then adjacent
        (Ellipsis, T([-1, 0])),                   # negative indices after ...
        (None, idx, slice(None, None, 2)),        # None, tensor, stepped slice
        (T(2), slice(1, 3)),                      # a 0-d integer tensor
        (mask1.unsqueeze(0).expand(3, 4), [0, 0, 1, 1, 2, 2, 3, 4, 0]),  # mask with a list
    ]


@pytest.mark.parametrize("k", range(len(keys(torch))))
def test_getitem_matches_torch_with_gradients(k):
    g, t = pair(X, requires_grad=True)
    gk, tk = keys(gf)[k], keys(torch)[k]
    gy, ty = g[gk], t[tk]
    assert tuple(gy.shape) == tuple(ty.shape)
    assert_close(gy, ty)
    w = np.random.default_rng(k).standard_normal(tuple(ty.shape))
    (gy * gf.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    assert_close(g.grad, t.grad)  # repeated indices sum their gradients


def test_getitem_numpy_index_and_uint8_mask():
    g, t = pair(X)
    assert_close(g[np.array([2, 1])], t[torch.tensor([2, 1])])
    assert_close(g[np.array([True, False, True])], t[torch.tensor([True, False, True])])
    assert_close(g[np.int64(1), np.int32(2)], t[1, 2])
    assert tuple(g[[]].shape) == tuple(t[[]].shape) == (0, 4, 5)


@pytest.mark.parametrize("k", range(len(keys(torch))))
def test_setitem_matches_torch(k):
    g, t = pair(X)
    gk, tk = keys(gf)[k], keys(torch)[k]
    shape = tuple(t[tk].shape)
    if k in (4, 13):
        # repeated positions: torch leaves which write wins unspecified, so write one value
        g[gk], t[tk] = 3.5, 3.5
    else:
        v = np.random.default_rng(k).standard_normal(shape)
        g[gk] = gf.tensor(v)
        t[tk] = torch.tensor(v)
    assert_close(g, t)


def test_setitem_broadcasts_numbers_lists_and_casts():
    g, t = pair(X)
    g[g > 1.0] = 0.0
    t[t > 1.0] = 0.0
    g[:, [1, 3]] = gf.tensor([1.0, 2.0, 3.0, 4.0, 5.0])  # broadcast over the indexed rows
    t[:, [1, 3]] = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    g[0, 0] = [9, 8, 7, 6, 5]
    t[0, 0] = torch.tensor([9, 8, 7, 6, 5])
    g[2] = gf.ones(4, 5, dtype=gf.float32)  # another dtype is converted
    t[2] = torch.ones(4, 5, dtype=torch.float32)
    assert_close(g, t)
    gi, ti = gf.zeros(4, dtype=gf.int64), torch.zeros(4, dtype=torch.int64)
    gi[gf.tensor([1, 3])] = 5
    ti[torch.tensor([1, 3])] = 5
    assert gi.tolist() == ti.tolist() and gi.dtype == gf.int64


@pytest.mark.parametrize("kind", ["mask", "index", "basic", "mixed"])
def test_setitem_gradients_flow_like_torch(kind):
    """y = base * 2; y[key] = v * 3: the overwritten positions get no gradient from y, and v
    gets the gradient of the positions it was written to (summed where it broadcast)."""
    base_g, base_t = pair(X, requires_grad=True)
    if kind == "basic":
        kg = kt = (1, slice(0, 2))
        vshape = (5,)
    elif kind == "mask":
        kg, kt = gf.tensor(X < 0), torch.tensor(X < 0)
        vshape = ()
    elif kind == "index":
        kg, kt = gf.tensor([2, 0]), torch.tensor([2, 0])
        vshape = (4, 5)
    else:
        kg, kt = (slice(None), [3, 1], 2), (slice(None), [3, 1], 2)
        vshape = (3, 2)
    vals = np.linspace(-1, 1, int(np.prod(vshape))).reshape(vshape)
    vg, vt = pair(vals, requires_grad=True)
    yg, yt = base_g * 2, base_t * 2
    yg[kg] = vg * 3
    yt[kt] = vt * 3
    assert_close(yg, yt)
    w = np.random.default_rng(1).standard_normal(X.shape)
    (yg * gf.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    assert_close(base_g.grad, base_t.grad)
    assert_close(vg.grad, vt.grad)


def test_index_put_accumulate_sums_repeated_indices():
    g, t = pair(np.zeros(4))
    gv, tv = pair([1.0, 2.0, 3.0])
    assert g.index_put_((gf.tensor([1, 1, 3]),), gv, accumulate=True) is g
    t.index_put_((torch.tensor([1, 1, 3]),), tv, accumulate=True)
    assert_close(g, t)
    out = gf.zeros(4).index_put((gf.tensor([0]),), gf.tensor(5.0))
    assert out.tolist() == [5.0, 0.0, 0.0, 0.0]


def test_mask_ops_match_torch():
    g, t = pair(X, requires_grad=True)
    mg, mt = g.detach() > 0, t.detach() > 0
    rows_g, rows_t = gf.tensor([True, False, True, False, True]), torch.tensor([True, False, True, False, True])
    yg = (g.masked_fill(mg, 1.5) * 2).sum() + gf.masked_select(g, rows_g).pow(2).sum()
    yt = (t.masked_fill(mt, 1.5) * 2).sum() + torch.masked_select(t, rows_t).pow(2).sum()
    assert_close(yg, yt)
    yg.backward()
    yt.backward()
    assert_close(g.grad, t.grad)
    # a 0-d tensor value gets the sum of the gradient where the mask is set
    vg, vt = pair(0.5, requires_grad=True)
    gf.masked_fill(g.detach(), mg, vg).sum().backward()
    torch.masked_fill(t.detach(), mt, vt).sum().backward()
    assert_close(vg.grad, vt.grad)
    assert gf.masked_select(g, mg).shape == torch.masked_select(t, mt).shape


def test_masked_fill_in_place_returns_self_and_broadcasts():
    g, t = pair(X)
    rg, rt = gf.tensor([True, False, False, True, False]), torch.tensor([True, False, False, True, False])
    assert g.masked_fill_(rg, -7.0) is g
    t.masked_fill_(rt, -7.0)
    assert_close(g, t)
    bg, bt = pair(X, requires_grad=True)
    yg, yt = bg * 1.0, bt * 1.0
    yg.masked_fill_(rg, 0.0)
    yt.masked_fill_(rt, 0.0)
    (yg * yg).sum().backward()
    (yt * yt).sum().backward()
    assert_close(bg.grad, bt.grad)


def test_nonzero_any_all_match_torch():
    a = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, np.nan]])
    g, t = gf.tensor(a), torch.tensor(a)
    assert gf.nonzero(g).tolist() == torch.nonzero(t).tolist()
    assert g.nonzero().dtype == gf.int64
    for cg, ct in zip(gf.nonzero(g, as_tuple=True), torch.nonzero(t, as_tuple=True)):
        assert cg.tolist() == ct.tolist()
    b = np.array([[True, False, True], [True, True, True]])
    bg, bt = gf.tensor(b), torch.tensor(b)
    for args in [(), (0,), (1,), (-1,)]:
        assert gf.any(bg, *args).tolist() == torch.any(bt, *args).tolist()
        assert bg.all(*args).tolist() == bt.all(*args).tolist()
    assert bg.any(1, keepdim=True).tolist() == bt.any(1, keepdim=True).tolist()
    assert gf.all(bg, dim=(0, 1)).item() is False
    assert gf.any(g).dtype == gf.bool


def test_indexing_errors_match_torch_types():
    g = gf.tensor(X)
    cases = [
        (lambda: g[5], IndexError, "select: index 5 out of range for tensor of size [3, 4, 5] at dimension 0"),
        (lambda: g[:, gf.tensor([7])], IndexError, "index: index 7 is out of bounds for dimension 1 with size 4"),
        (lambda: g[0, 0, 0, 0], IndexError, "index: too many indices for tensor of dimension 3 (shape [3, 4, 5])"),
        (lambda: g[gf.tensor([True, False])], IndexError, "index: The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4, 5] at index 0"),
        (lambda: g[gf.tensor([0.5])], IndexError, "index: tensors used as indices must be long, int or bool tensors, got torch.float64"),
        (lambda: g[::-1], ValueError, "index: step must be greater than zero, got -1"),
        (lambda: g["a"], TypeError, "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got str)"),
        (lambda: g.__setitem__(gf.tensor([0, 1]), gf.ones(3)), RuntimeError, "index_put_: shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2, 4, 5]"),
    ]
    t = torch.tensor(X)
    torch_cases = [lambda: t[5], lambda: t[:, torch.tensor([7])], lambda: t[0, 0, 0, 0],
                   lambda: t[torch.tensor([True, False])], lambda: t[torch.tensor([0.5])],
                   lambda: t[::-1], lambda: t["a"],
                   lambda: t.__setitem__(torch.tensor([0, 1]), torch.ones(3))]
    for (f, kind, message), tf in zip(cases, torch_cases):
        with pytest.raises(kind) as got:
            f()
        assert str(got.value) == message
        with pytest.raises(kind):  # torch raises the same type
            tf()
    leaf = gf.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        leaf[0] = 2.0
