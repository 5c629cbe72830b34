# %% [markdown]
# # Seed 003 — a softmax classifier from scratch (float64)
#
# Data from `make_classification` (100 samples, 5 features, 3 classes), one-hot targets, the
# first 85 samples for training and the last 15 for validation. We compute the gradient of the
# mean cross-entropy three ways — the full Jacobian chain with ∂Z/∂W = I ⊗ X, the closed form
# Xᵀ(Ŷ − Y)/M, and autograd — train by plain gradient descent, and train the same model again
# with `gf.nn.Linear` and `gf.optim.SGD`.
#
# vec(A) stacks the columns of A, the convention under which vec(X W) = (I ⊗ X) vec(W).

# %%
import numpy as np

import gradflow as gf
import gradflow.nn.functional as F

gf.set_default_dtype(gf.float64)
gf.manual_seed(0)


def check_close(what, a, b, tol):
    a = a.detach().numpy() if isinstance(a, gf.Tensor) else np.asarray(a)
    b = b.detach().numpy() if isinstance(b, gf.Tensor) else np.asarray(b)
    assert a.shape == b.shape and np.allclose(a, b, rtol=0, atol=tol), what
    print("ok:", what)


def vec(A):
    return A.t().reshape(-1)


def kron(A, B):
    """kron(A, B)[i·rb + k, j·cb + l] = A[i, j] B[k, l], by broadcasting."""
    (ra, ca), (rb, cb) = A.shape, B.shape
    return (A.reshape(ra, 1, ca, 1) * B.reshape(1, rb, 1, cb)).reshape(ra * rb, ca * cb)


# %% [markdown]
# ## The data

# %%
M, N, N_CLASS = 100, 5, 3
X_all, y_all = gf.data.make_classification(n_samples=M, n_features=N, n_classes=N_CLASS,
                                           n_informative=N - 1, n_redundant=0, random_state=3)
Y_hat = F.one_hot(y_all, N_CLASS).double()
X_train, X_valid = X_all[:85], X_all[85:]
Y_train, Y_valid = Y_hat[:85], Y_hat[85:]
print(X_all.shape, Y_hat.shape, X_train.shape, X_valid.shape)
assert X_train.shape == (85, 5) and X_valid.shape == (15, 5)


# %% [markdown]
# ## The model
# Z = X W + b, Ŷ = softmax(Z) row by row, L = −(1/M) Σᵢ Σₖ Yᵢₖ log Ŷᵢₖ. Since ∂L/∂Z = (Ŷ − Y)/M,
# ∂L/∂W = Xᵀ(Ŷ − Y)/M and ∂L/∂b is the column mean of Ŷ − Y.

# %%
class SoftmaxClassifier:
    def __init__(self, n_features, n_classes):
        self.w = gf.randn(n_features, n_classes)
        self.b = gf.randn(n_classes)

    def predict(self, x):
        z_exp = (x @ self.w + self.b).exp()
        return z_exp / z_exp.sum(1, keepdim=True)

    def loss(self, x, y_true):
        return -(y_true * self.predict(x).log()).sum() / y_true.shape[0]

    def gradient(self, x, y_true):
        diff = self.predict(x) - y_true
        return x.t() @ diff / x.shape[0], diff.mean(0)

    def update(self, x, y_true, lr):
        dw, db = self.gradient(x, y_true)
        self.w = self.w - lr * dw
        self.b = self.b - lr * db


model = SoftmaxClassifier(N, N_CLASS)
w0, b0 = model.w.clone(), model.b.clone()
X, Y = X_train, Y_train
Mt, Q = X.shape[0], N_CLASS
MQ = Mt * Q

# %% [markdown]
# ## The gradient three ways
# The Jacobian chain ∂L/∂W = ∂L/∂Ŷ · ∂Ŷ/∂Z · ∂Z/∂W on vec'd matrices: row p of Ŷ depends only on
# row p of Z, through diag(ŷₚ) − ŷₚŷₚᵀ.

# %%
Yp = model.predict(X)
dL_dYp = vec(-Y / Yp / Mt).reshape(1, MQ)
s = Yp.numpy()
Js = np.zeros((MQ, MQ))
for p in range(Mt):
    for q in range(Q):
        for r in range(Q):
            Js[q * Mt + p, r * Mt + p] = s[p, q] * ((q == r) - s[p, r])
dYp_dZ = gf.tensor(Js)
dZ_dW = kron(gf.eye(Q), X)
dZ_db = kron(gf.eye(Q), gf.ones(Mt, 1))
dL_dZ = dL_dYp @ dYp_dZ
grad_w_jac = (dL_dZ @ dZ_dW).reshape(Q, N).t()
grad_b_jac = (dL_dZ @ dZ_db).reshape(Q)
J_auto = gf.autograd.functional.jacobian(lambda w: X @ w, model.w).permute(1, 0, 3, 2).reshape(MQ, N * Q)
check_close("∂Z/∂W = I ⊗ X equals autograd's jacobian of X W", dZ_dW, J_auto, 0)

grad_w, grad_b = model.gradient(X, Y)
w_probe, b_probe = model.w.clone().requires_grad_(), model.b.clone().requires_grad_()
probe = SoftmaxClassifier(N, N_CLASS)
probe.w, probe.b = w_probe, b_probe
probe.loss(X, Y).backward()
print(grad_w)
check_close("∂L/∂W: Jacobian chain = Xᵀ(Ŷ − Y)/M", grad_w_jac, grad_w, 1e-12)
check_close("∂L/∂W: autograd = Xᵀ(Ŷ − Y)/M", w_probe.grad, grad_w, 1e-12)
check_close("∂L/∂b: Jacobian chain = column means of Ŷ − Y", grad_b_jac, grad_b, 1e-12)
check_close("∂L/∂b: autograd = column means of Ŷ − Y", b_probe.grad, grad_b, 1e-12)

# %% [markdown]
# ## Gradient descent

# %%
epochs, lr = 25, 0.5
initial_valid = model.loss(X_valid, Y_valid).item()
train_loss, valid_loss = [], []
for epoch in range(epochs):
    model.update(X_train, Y_train, lr)
    train_loss.append(model.loss(X_train, Y_train).item())
    valid_loss.append(model.loss(X_valid, Y_valid).item())
    print(f"epoch {epoch + 1:2d}  train loss {train_loss[-1]:.6f}  valid loss {valid_loss[-1]:.6f}")
assert all(b < a for a, b in zip(train_loss, train_loss[1:])), "train loss falls every epoch"
assert valid_loss[-1] < 0.5 * initial_valid, "validation loss at least halves"

# %% [markdown]
# ## The same model with nn.Linear and optim.SGD
# Linear stores W as Q × N (z = x Wᵀ + b); cross_entropy accepts class probabilities (our
# one-hot rows) as targets. Same start, same steps: the same W and b.

# %%
linear = gf.nn.Linear(N, N_CLASS)
with gf.no_grad():
    linear.weight.copy_(w0.t())
    linear.bias.copy_(b0)
optimizer = gf.optim.SGD(linear.parameters(), lr=lr)
for epoch in range(epochs):
    optimizer.zero_grad()
    loss = F.cross_entropy(linear(X_train), Y_train)
    loss.backward()
    optimizer.step()
check_close("nn.Linear + SGD lands on the same W (transposed)", linear.weight.t(), model.w, 1e-10)
check_close("... and the same b", linear.bias, model.b, 1e-10)
gf.viz.make_dot(loss, params=dict(linear.named_parameters()))
