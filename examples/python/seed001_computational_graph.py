# %% [markdown]
# # Seed 001 — the chain rule on a computational graph
#
# L = (x + y) · z at x = −2, y = 5, z = −4. Three ways to the same gradients
# dL/dx = −4, dL/dy = −4, dL/dz = 3: by hand, with our own *gates* (custom autograd Functions
# written in Python), and with autograd — whose graph we draw like torchviz's `make_dot`.
# Then a numerical gradient of a small ReLU network, weight by weight.

# %%
import numpy as np

import gradflow as gf

gf.set_default_dtype(gf.float64)

# %% [markdown]
# ## 1. By hand
# Forward: q = x + y = 3, L = q z = −12. Backward: dL/dq = z, dL/dz = q, and q's local
# gradients are 1, so dL/dx = dL/dq · 1 = −4 and the same for y.

# %%
x0, y0, z0 = -2.0, 5.0, -4.0
q = x0 + y0
L = q * z0
dL_dq, dL_dz = z0, q
dL_dx, dL_dy = dL_dq * 1, dL_dq * 1
print(q, L, dL_dx, dL_dy, dL_dz)
assert (L, dL_dx, dL_dy, dL_dz) == (-12, -4, -4, 3)

# %% [markdown]
# ## 2. Gates
# "Multiply the gradient that you receive with your local gradient." A gate is a
# `gf.autograd.Function`: `forward` computes the value and saves what `backward` needs;
# `backward` turns dL/d(output) into dL/d(inputs). gradflow runs these Python methods from its
# C++ engine.

# %%
class MultiplyGate(gf.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y                      # z = x y

    @staticmethod
    def backward(ctx, dz):
        x, y = ctx.saved_tensors
        return y * dz, x * dz             # [dz/dx · dL/dz, dz/dy · dL/dz]


class AddGate(gf.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, dz):
        return dz, dz                     # an add gate hands its gradient to both inputs


x, y, z = (gf.tensor(v, requires_grad=True) for v in (x0, y0, z0))
loss = MultiplyGate.apply(AddGate.apply(x, y), z)
print(loss)
assert loss.item() == -12 and loss.grad_fn.name() == "MultiplyGateBackward"
loss.backward()
assert [x.grad.item(), y.grad.item(), z.grad.item()] == [-4, -4, 3]
print("ok: gates give -4, -4, 3")

# %% [markdown]
# ## 3. Autograd, and the picture of its graph
# The same function with built-in ops. Each op records a node (`grad_fn`); `backward()` walks
# them in reverse. The picture shows the leaves x, y, z (blue) flowing into AddBackward0 and
# MulBackward0.

# %%
def neural_net(x, y, z):
    return (x + y) * z


x, y, z = (gf.tensor(v, requires_grad=True) for v in (x0, y0, z0))
loss = neural_net(x, y, z)
loss.backward()
for el in [x, y, z]:
    print(el.grad)
print(loss)
assert repr(loss) == "tensor(-12., grad_fn=<MulBackward0>)"
assert [x.grad.item(), y.grad.item(), z.grad.item()] == [-4, -4, 3]
print(loss.grad_fn, loss.grad_fn.next_functions)

# %%
dot = gf.viz.make_dot(loss, params=dict(x=x, y=y, z=z))
assert "MulBackward0" in dot.source and "AddBackward0" in dot.source
dot

# %% [markdown]
# The step-through trace prints what each node receives and passes on:

# %%
x, y, z = (gf.tensor(v, requires_grad=True) for v in (x0, y0, z0))
with gf.viz.trace(dict(x=x, y=y, z=z)):
    neural_net(x, y, z).backward()

# %% [markdown]
# ## 4. Numerical gradients of a ReLU network
# For every weight Wᵢⱼ: nudge it by ε, see how the loss moves. Central differences
# (L(w + ε) − L(w − ε)) / 2ε agree with autograd to about 1e-6 relative in float64.

# %%
gf.manual_seed(0)
X = gf.randn(8, 4)
labels = gf.randint(0, 3, (8,))
W1, b1 = gf.randn(5, 4, requires_grad=True), gf.zeros(5, requires_grad=True)
W2, b2 = gf.randn(3, 5, requires_grad=True), gf.zeros(3, requires_grad=True)


def mlp_loss():
    h = (X @ W1.t() + b1).relu()
    return gf.nn.functional.cross_entropy(h @ W2.t() + b2, labels)


mlp_loss().backward()
eps = 1e-6
numeric = np.zeros((5, 4))
with gf.no_grad():
    for i in range(5):
        for j in range(4):
            old = W1[i, j].item()
            W1[i, j] = old + eps
            up = mlp_loss().item()
            W1[i, j] = old - eps
            down = mlp_loss().item()
            W1[i, j] = old
            numeric[i, j] = (up - down) / (2 * eps)
analytic = W1.grad.numpy()
rel = np.abs(analytic - numeric).max() / np.abs(analytic).max()
print("max relative difference:", rel)
assert rel < 1e-6
assert gf.autograd.gradcheck(lambda w: (X @ w.t()).relu().sum(), (W1,))
print("ok: numerical gradient matches autograd")

# %%
model_dot = gf.viz.make_dot(mlp_loss(), params=dict(W1=W1, b1=b1, W2=W2, b2=b2))
model_dot
