# %% [markdown]
# # Seed 002 — the Jacobian of softmax, and autograd on small expressions
#
# First the softmax of x = [−1.3, 0.5, 2.1] and its Jacobian three ways (the double loop, the
# vectorised diag(s) − s sᵀ, and autograd). Then the seed's tour of autograd: gradients of
# small expressions, the grad_fn names, vector-Jacobian products, `no_grad`, and why the
# gradient of a sum of softmax outputs is zero.

# %%
import numpy as np

import gradflow as gf


def check_close(what, a, b, tol):
    a = a.detach().numpy() if isinstance(a, gf.Tensor) else np.asarray(a)
    b = b.detach().numpy() if isinstance(b, gf.Tensor) else np.asarray(b)
    assert a.shape == b.shape and np.allclose(a, b, rtol=0, atol=tol), what
    print("ok:", what)


# %% [markdown]
# ## Softmax, with the maximum subtracted first
# Subtracting max(x) leaves softmax unchanged (it cancels in the ratio) and keeps exp from
# overflowing.

# %%
x = gf.tensor([-1.3, 0.5, 2.1], dtype=gf.float64)
z = x - x.max()
s = z.exp() / z.exp().sum()
print("X:", z)
print("S:", s)
check_close("z = x − max(x) = [−3.4, −1.6, 0]", z, [-3.4, -1.6, 0.0], 1e-12)
check_close("s matches the seed to 8 decimals", s, [0.02701699, 0.16344326, 0.80953975], 5e-9)

# %% [markdown]
# ## The Jacobian three ways
# ∂sᵢ/∂zⱼ is sᵢ(1 − sᵢ) on the diagonal and −sᵢsⱼ off it.

# %%
n = s.numel()
sv = s.tolist()
J_loop = gf.tensor([[sv[i] * (1 - sv[i]) if i == j else -sv[i] * sv[j] for j in range(n)]
                    for i in range(n)], dtype=gf.float64)
J_vec = gf.eye(n, dtype=gf.float64) * s - gf.outer(s, s)
J_auto = gf.autograd.functional.jacobian(lambda v: v.softmax(0), x)
print(J_loop)
J_expected = [[0.02628707, -0.00441574, -0.02187133],
              [-0.00441574, 0.13672956, -0.13231381],
              [-0.02187133, -0.13231381, 0.15418514]]
check_close("loop Jacobian matches the seed to 8 decimals", J_loop, J_expected, 5e-9)
check_close("diag(s) − s sᵀ equals the loop", J_vec, J_loop, 1e-15)
check_close("autograd's jacobian equals the loop", J_auto, J_loop, 1e-15)
check_close("each row sums to 0 (the outputs sum to 1)", J_loop.sum(1), [0, 0, 0], 1e-15)
gf.viz.heatmap(J_auto, "softmax_jacobian.png", row_labels=["s1", "s2", "s3"],
               col_labels=["x1", "x2", "x3"], title="d softmax(x)_i / d x_j")

# %% [markdown]
# ## g(f(x)) with f(x) = 2x and g(y) = Σ y
# dg/dxᵢ = 1 · 2, so every entry of x.grad is 2 (float32, torch's default, from here on).

# %%
a = gf.ones(2, 2, requires_grad=True)
fx = a * 2
gfx = fx.sum()
print(gfx)
gfx.backward()
print(a.grad)
assert gfx.item() == 8 and gfx.grad_fn.name() == "SumBackward0"
check_close("x.grad = 2 everywhere", a.grad, np.full((2, 2), 2.0), 0)

# %% [markdown]
# ## y = x + 2, z = 3y², o = mean(z)
# do/dxᵢ = ¼ · 6 yᵢ = 4.5. Gradients accumulate, so we clear a.grad first.

# %%
y = a + 2
zz = y * y * 3
o = zz.mean()
print(y, zz, o, sep="\n")
assert [t.grad_fn.name() for t in (y, zz, o)] == ["AddBackward0", "MulBackward0", "MeanBackward0"]
a.grad = None
o.backward()
assert o.item() == 27
check_close("x.grad = 4.5 everywhere", a.grad, np.full((2, 2), 4.5), 1e-6)

# %% [markdown]
# ## A vector-Jacobian product
# y = 2ᵏ x keeps doubling until ‖y‖ ≥ 1000. y is not a scalar, so `backward` needs a vector
# v = ∂l/∂y and computes Jᵀ v = 2ᵏ v.

# %%
gf.manual_seed(0)
xr = gf.randn(3, requires_grad=True)
yr = xr * 2
factor = 2
while (yr.detach() ** 2).sum().sqrt().item() < 1000:
    yr = yr * 2
    factor *= 2
v = gf.tensor([0.1, 1.0, 0.0001])
yr.backward(v)
print(xr.grad, "2^k =", factor)
check_close("x.grad = 2^k v", xr.grad, v * factor, 1e-6 * factor)

# %% [markdown]
# ## no_grad
# Inside `with gf.no_grad():` nothing records a graph.

# %%
print(xr.requires_grad, (xr ** 2).requires_grad)
with gf.no_grad():
    inside = (xr ** 2).requires_grad
print(inside)
assert (xr ** 2).requires_grad and not inside

# %% [markdown]
# ## softmax outputs sum to one
# k = Σ 2·softmax(x) is always 2, whatever x is, so its gradient is zero.

# %%
xs = gf.randn(1, 3, requires_grad=True)
l = gf.nn.Softmax(dim=1)(xs)
k = (2 * l).sum()
k.backward()
print(xs.grad)
check_close("x.grad = 0 (to rounding)", xs.grad, np.zeros((1, 3)), 1e-6)
gf.viz.make_dot(k, params=dict(x=xs))
