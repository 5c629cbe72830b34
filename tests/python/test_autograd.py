"""Autograd from Python: backward, grad_fn, no_grad, autograd.grad, functional derivatives,
gradcheck and custom Functions, each against torch in float64."""
import numpy as np
import pytest
import torch

import gradflow as gf
from conftest import assert_close, pair


def test_worked_example_1_graph_of_gates():
    x, y, z = (gf.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    L = (x + y) * z
    L.backward()
    assert L.item() == -12.0
    assert [x.grad.item(), y.grad.item(), z.grad.item()] == [-4.0, -4.0, 3.0]
    assert L.grad_fn.name() == "MulBackward0"
    assert repr(L.grad_fn).startswith("<MulBackward0 object at 0x")
    (add, _), (acc, _) = L.grad_fn.next_functions
    assert add.name() == "AddBackward0" and acc.name() == "AccumulateGrad"
    assert acc.variable.tolist() == z.tolist()
    assert x.is_leaf and not L.is_leaf and x.grad_fn is None


def test_backward_with_gradient_retain_and_create_graph():
    x, tx = pair([0.5, -1.0, 2.0], requires_grad=True)
    v, tv = pair([0.1, 1.0, 0.0001])
    y, ty = x * 2, tx * 2
    for _ in range(10):
        y, ty = y * 2, ty * 2
    y.backward(v, retain_graph=True)
    ty.backward(tv, retain_graph=True)
    assert_close(x.grad, tx.grad)
    assert_close(x.grad, gf.tensor([0.1, 1.0, 0.0001]) * 2.0 ** 11)
    # second derivative through create_graph
    a, ta = pair([1.5], requires_grad=True)
    (g,) = gf.autograd.grad((a ** 3).sum(), a, create_graph=True)
    (tg,) = torch.autograd.grad((ta ** 3).sum(), ta, create_graph=True)
    assert_close(g, tg)
    (gg,) = gf.autograd.grad(g.sum(), a)
    (tgg,) = torch.autograd.grad(tg.sum(), ta)
    assert_close(gg, tgg)


def test_second_backward_without_retain_graph_fails():
    x = gf.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_no_grad_context_and_decorator():
    x = gf.ones(2, 2, requires_grad=True)
    with gf.no_grad():
        assert not (x * x).requires_grad
    assert (x * x).requires_grad

    @gf.no_grad()
    def f(t):
        return t * 2
    assert not f(x).requires_grad and gf.is_grad_enabled()


def test_grad_values_match_torch_for_a_small_mlp():
    rng = np.random.default_rng(0)
    X, W1, b1, W2 = rng.normal(size=(5, 4)), rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=(2, 3))
    g = [gf.tensor(a, requires_grad=True) for a in (W1, b1, W2)]
    t = [torch.tensor(a, requires_grad=True) for a in (W1, b1, W2)]
    gx, tx = gf.tensor(X), torch.tensor(X)
    gl = ((gx @ g[0].t() + g[1]).tanh() @ g[2].t()).sigmoid().log().mean()
    tl = ((tx @ t[0].t() + t[1]).tanh() @ t[2].t()).sigmoid().log().mean()
    assert_close(gl, tl)
    for a, b in zip(gf.autograd.grad(gl, g), torch.autograd.grad(tl, t)):
        assert_close(a, b)


def test_softmax_sums_to_one_so_gradient_is_zero():
    x = gf.tensor([[0.3, -1.2, 2.0]], requires_grad=True)
    (2 * x.softmax(1)).sum().backward()
    assert np.abs(x.grad.numpy()).max() < 1e-15


def test_jacobian_hessian_and_products_match_torch():
    xs = np.array([-1.3, 0.5, 2.1])
    x, tx = pair(xs)
    J = gf.autograd.functional.jacobian(lambda v: v.softmax(0), x)
    tJ = torch.autograd.functional.jacobian(lambda v: v.softmax(0), tx)
    assert_close(J, tJ)
    s = [0.02701699, 0.16344326, 0.80953975]
    assert_close(J, np.diag(s) - np.outer(s, s), tol=1e-7)  # worked example 2
    f, tf = (lambda v: (v.softmax(0) ** 2).sum()), (lambda v: (v.softmax(0) ** 2).sum())
    assert_close(gf.autograd.functional.hessian(f, x), torch.autograd.functional.hessian(tf, tx))
    v, tv = pair([0.2, -0.7, 1.1])
    for name in ["vjp", "jvp", "hvp"]:
        fn = f if name == "hvp" else (lambda u: u.sin() if hasattr(u, "sin") else u.tanh())
        fn = f if name == "hvp" else (lambda u: u.tanh() * u)
        out, prod = getattr(gf.autograd.functional, name)(fn, x, v)
        tout, tprod = getattr(torch.autograd.functional, name)(fn, tx, tv)
        assert_close(out, tout)
        assert_close(prod, tprod)


def test_gradcheck():
    x = gf.tensor([0.3, -0.8], requires_grad=True)
    y = gf.tensor([1.2, 0.4], requires_grad=True)
    assert gf.autograd.gradcheck(lambda a, b: (a * b).tanh(), (x, y))
    assert gf.autograd.gradgradcheck(lambda a, b: (a * b).tanh(), (x, y))


class MultiplyGate(gf.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        ctx.note = "kept"
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        assert ctx.note == "kept" and ctx.needs_input_grad == (True, True)
        return y * grad, x * grad


class Cube(gf.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * grad   # differentiable ops: double backward works


def test_custom_function_chains_with_builtin_ops():
    x, y, z = (gf.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    L = MultiplyGate.apply(x + y, z)
    assert L.grad_fn.name() == "MultiplyGateBackward"
    L.backward()
    assert [x.grad.item(), y.grad.item(), z.grad.item()] == [-4.0, -4.0, 3.0]
    a = gf.tensor([0.7, -1.1], requires_grad=True)
    (g,) = gf.autograd.grad(Cube.apply(a).sum(), a, create_graph=True)
    assert_close(g, 3 * a.detach() ** 2)
    (gg,) = gf.autograd.grad(g.sum(), a)
    assert_close(gg, 6 * a.detach())
    assert gf.autograd.gradcheck(lambda t: Cube.apply(t), (a,))


def test_custom_function_errors():
    class Wrong(gf.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return gf.ones(5)
    x = gf.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError):
        Wrong.apply(x).sum().backward()

    class NotTensor(gf.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return 3
    with pytest.raises(TypeError, match="must return a gradflow.Tensor"):
        NotTensor.apply(x)

    class Raises(gf.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            raise ValueError("from backward")
    with pytest.raises(ValueError, match="from backward"):
        Raises.apply(x).sum().backward()


def _sincos(lib):
    """The same two-output Function written for gradflow and for torch."""
    class SinCos(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return (x.sin() * scale, x.cos() * scale)

        @staticmethod
        def backward(ctx, g_sin, g_cos):
            (x,) = ctx.saved_tensors
            return (g_sin * x.cos() - g_cos * x.sin()) * ctx.scale, None
    return SinCos


def test_multi_output_custom_function_matches_torch():
    gx, tx = pair([0.3, -1.2, 2.0], requires_grad=True)
    gs, gc = _sincos(gf).apply(gx * 1.0, 2.0)
    ts, tc = _sincos(torch).apply(tx * 1.0, 2.0)
    assert_close(gs, ts)
    assert_close(gc, tc)
    assert gs.grad_fn is gc.grad_fn and gs.grad_fn.name() == "SinCosBackward"
    assert (gs.output_nr, gc.output_nr) == (ts.output_nr, tc.output_nr) == (0, 1)
    w = np.array([0.5, -1.0, 2.0])
    ((gs * gf.tensor(w)).sum() + (gc ** 2).sum()).backward()
    ((ts * torch.tensor(w)).sum() + (tc ** 2).sum()).backward()
    assert_close(gx.grad, tx.grad)
    # one output unused: its gradient arrives as zeros (materialized), as in torch
    gx.grad, tx.grad = None, None
    _sincos(gf).apply(gx, 1.5)[1].sum().backward()
    _sincos(torch).apply(tx, 1.5)[1].sum().backward()
    assert_close(gx.grad, tx.grad)
    assert gf.autograd.gradcheck(lambda t: _sincos(gf).apply(t, 1.0)[0] + _sincos(gf).apply(t, 1.0)[1], (gx,))


def _sort_with_indices(lib):
    class Sort(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            values, idx = x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            ctx.set_materialize_grads(False)
            return values, idx

        @staticmethod
        def backward(ctx, g_values, g_idx):
            assert g_idx is None  # no gradient for the indices
            (idx,) = ctx.saved_tensors
            return lib.zeros_like(g_values).scatter_add(0, idx, g_values)
    return Sort


def test_multi_output_function_with_a_non_differentiable_output():
    gx, tx = pair([3.0, -1.0, 2.0, 0.5], requires_grad=True)
    gv, gi = _sort_with_indices(gf).apply(gx)
    tv, ti = _sort_with_indices(torch).apply(tx)
    assert gi.tolist() == ti.tolist() and not gi.requires_grad and not ti.requires_grad
    assert gv.requires_grad
    w = [1.0, 2.0, 3.0, 4.0]
    (gv * gf.tensor(w)).sum().backward()
    (tv * torch.tensor(w)).sum().backward()
    assert_close(gx.grad, tx.grad)
