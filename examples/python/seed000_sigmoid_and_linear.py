# %% [markdown]
# # Seed 000 — a linear layer, softmax, cross-entropy, and local gradients
#
# This is the first seed notebook redone on gradflow. We build a `Linear(5, 3)` layer, compute
# its logits, softmax and cross-entropy by hand and check them against the library, then look at
# the *local gradients* (Jacobians) of sigmoid, softmax and `z = W x + b`, and finish with a
# Hessian. `import gradflow as gf` reads like `import torch`.

# %%
import numpy as np

import gradflow as gf
import gradflow.nn.functional as F


def check_close(what, a, b, tol):
    a = a.detach().numpy() if isinstance(a, gf.Tensor) else np.asarray(a)
    b = b.detach().numpy() if isinstance(b, gf.Tensor) else np.asarray(b)
    assert a.shape == b.shape and np.allclose(a, b, rtol=0, atol=tol), what
    print("ok:", what)


# %% [markdown]
# ## Plotting a few activation functions
# The seed plots sigmoid with matplotlib; gradflow draws the same picture with PLplot. Each
# function receives the whole grid of x values as one tensor.

# %%
def sigmoid(x):
    return 1 / (1 + gf.exp(-x))


gf.viz.plot_functions({"sigmoid": sigmoid, "tanh": gf.tanh, "relu": gf.relu}, "functions.png")

# %% [markdown]
# ## A Linear layer and its parameters
# `Linear(5, 3)` holds a weight of shape 3×5 and a bias of 3, initialised like PyTorch's:
# uniform in ±1/√5.

# %%
gf.manual_seed(0)
my_test_linear_transform = gf.nn.Linear(5, 3)
for name, param in my_test_linear_transform.named_parameters():
    print(name, param)
W, b = my_test_linear_transform.weight, my_test_linear_transform.bias
assert W.shape == (3, 5) and b.shape == (3,)
bound = 1 / np.sqrt(5)
assert W.abs().max().item() <= bound and b.abs().max().item() <= bound
print("ok: parameters uniform in ±1/√5")

# %% [markdown]
# ## Softmax and cross-entropy by hand
# Ten samples with five features, a class in {0, 1, 2} for each. Inside `no_grad` nothing
# records a graph. The cross-entropy of sample *i* is −log p[i, yᵢ]: indexing with
# `p[arange(n), y]` picks each row's target probability.

# %%
x = gf.randn(10, 5)
y_target = gf.randint(0, 3, (10,))
with gf.no_grad():
    y_a_manual = my_test_linear_transform(x)
    y_a_manual_mm = x @ W.t() + b
    e = y_a_manual_mm.exp()
    y_a_softmax_manual = e / e.sum(1, keepdim=True)
    loss_by_hand_vec = -y_a_softmax_manual[gf.arange(10), y_target].log()
    loss_manual_vec = F.cross_entropy(y_a_manual, y_target, reduction="none")
    loss_manual = loss_manual_vec.mean()
print(loss_by_hand_vec)
print(loss_manual_vec)
check_close("Linear(x) equals x Wᵀ + b", y_a_manual, y_a_manual_mm, 1e-6)
check_close("softmax by exp/sum equals gf.softmax", y_a_softmax_manual, y_a_manual.softmax(1), 1e-6)
check_close("cross_entropy(reduction='none') = −log p[i, y_i]", loss_manual_vec, loss_by_hand_vec, 1e-5)
check_close("its mean is cross_entropy's default", loss_manual, F.cross_entropy(y_a_manual, y_target), 1e-6)

# %% [markdown]
# ## Jacobians of sigmoid and softmax
# Each sigmoid output depends on its own input only, so the Jacobian is diagonal with
# s(1 − s) on the diagonal. Softmax mixes all inputs: ∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ), i.e.
# J = diag(s) − s sᵀ, whose diagonal is again s(1 − s).

# %%
v = gf.rand(10)
softmax = lambda t: t.exp() / t.exp().sum()  # noqa: E731
s, p = sigmoid(v), softmax(v)
J_sigmoid = gf.autograd.functional.jacobian(sigmoid, v)
J_softmax = gf.autograd.functional.jacobian(softmax, v)
I = gf.eye(10)
check_close("jacobian(sigmoid) = diag(s(1−s))", J_sigmoid, I * (s * (1 - s)), 1e-6)
check_close("jacobian(softmax) = diag(s) − s sᵀ", J_softmax, I * p - gf.outer(p, p), 1e-6)
check_close("its diagonal is s(1−s)", (J_softmax * I).sum(1), p * (1 - p), 1e-6)
gf.viz.heatmap(J_softmax, "softmax_jacobian.png", title="Jacobian of softmax", annotate=False)

# %% [markdown]
# ## The local gradient of z = W x + b
# zᵢ = Σⱼ Wᵢⱼ xⱼ + bᵢ, so ∂z/∂x is W itself and ∂z/∂b is the identity.

# %%
x1 = gf.randn(5)
J_x = gf.autograd.functional.jacobian(lambda t: W @ t + b, x1)
J_b = gf.autograd.functional.jacobian(lambda t: W @ x1 + t, b.detach())
check_close("dz/dx = W", J_x, W, 0)
check_close("dz/db = I", J_b, gf.eye(3), 0)

# %% [markdown]
# ## A Hessian, checked by central differences
# For f(x) = Σ softmax(x)², the Hessian from autograd (a double backward) must match the
# central differences of the gradient, column by column, and be symmetric.

# %%
f = lambda t: (t.softmax(0) ** 2).sum()  # noqa: E731
x64 = gf.rand(4, dtype=gf.float64)
H = gf.autograd.functional.hessian(f, x64)


def grad_f(t):
    leaf = t.detach().requires_grad_()
    return gf.autograd.grad(f(leaf), leaf)[0]


eps = 1e-5
E = gf.eye(4, dtype=gf.float64) * eps
H_numeric = gf.stack([(grad_f(x64 + E[j]) - grad_f(x64 - E[j])) / (2 * eps) for j in range(4)], 1)
print(H)
check_close("hessian matches central differences of the gradient", H, H_numeric, 1e-8)
check_close("hessian is symmetric", H, H.t(), 1e-12)
