# %% [markdown]
# # Seed 004 — backpropagation with a Layer class
#
# Each layer has `forward(input)` and `backward(output_gradient, learning_rate)`: backward
# receives dL/d(output), updates the layer's own parameters and returns dL/d(input). A Dense
# layer (bias absorbed as an extra input of 1), a Softmax layer and the categorical
# cross-entropy, chained: the gradients come out as ŷ − y and outer(ŷ − y, [x; 1]). Every
# backward is checked against gradflow's autograd, then we train one sample at a time.

# %%
import numpy as np

import gradflow as gf
import gradflow.nn.functional as F

gf.set_default_dtype(gf.float64)
gf.manual_seed(4)


def check_close(what, a, b, tol):
    a = a.detach().numpy() if isinstance(a, gf.Tensor) else np.asarray(a)
    b = b.detach().numpy() if isinstance(b, gf.Tensor) else np.asarray(b)
    assert a.shape == b.shape and np.allclose(a, b, rtol=0, atol=tol), what
    print("ok:", what)


# %% [markdown]
# ## The layers
# Dense: z = W x̃ with x̃ = [x; 1]; dL/dWᵢⱼ = gᵢ x̃ⱼ (an outer product) and dL/dx̃ = Wᵀ g.
# Softmax: the seed writes its backward as ((I − s 1ᵀ) ⊙ 1 sᵀ) g, whose entry (i, j) is
# (δᵢⱼ − sᵢ) sⱼ — the (symmetric) softmax Jacobian, so the product is dL/dz.

# %%
class Layer:
    def forward(self, input):
        raise NotImplementedError

    def backward(self, output_gradient, learning_rate):
        raise NotImplementedError


class Dense(Layer):
    def __init__(self, n_in, n_out):
        self.weights = gf.randn(n_out, n_in + 1)
        self.n_in = n_in

    def forward(self, x):
        self.input = gf.cat([x, gf.ones(1)])
        return self.weights @ self.input

    def backward(self, g, learning_rate):
        self.weights_gradient = gf.outer(g, self.input)
        input_gradient = (self.weights.t() @ g)[:self.n_in]
        self.weights = self.weights - learning_rate * self.weights_gradient
        return input_gradient


class Softmax(Layer):
    def forward(self, z):
        e = (z - z.max()).exp()
        self.output = e / e.sum()
        return self.output

    def backward(self, g, learning_rate):
        n = self.output.numel()
        jacobian = (gf.eye(n) - self.output.unsqueeze(1)) * self.output
        return jacobian @ g


def cce(y, yhat):
    return -(y * yhat.log()).sum()


def cce_gradient(y, yhat):
    return -y / yhat


# %% [markdown]
# ## One sample through Dense → Softmax → CCE and back

# %%
num_samples, num_features, num_labels = 5, 4, 3
X = gf.randint(3, 10, (num_features, num_samples)).double()
y = gf.randint(0, num_labels, (num_samples,))
Y = F.one_hot(y, num_labels).double()
dense, softmax = Dense(num_features, num_labels), Softmax()
x0, y0 = X[:, 0], Y[0]
W_before = dense.weights
z = dense.forward(x0)
y_hat = softmax.forward(z)
print("loss =", cce(y0, y_hat))
grad_yhat = cce_gradient(y0, y_hat)
grad_z = softmax.backward(grad_yhat, 0.01)
grad_x = dense.backward(grad_z, 0.01)
x0_tilde = gf.cat([x0, gf.ones(1)])
check_close("softmax.backward(−y/ŷ) = ŷ − y", grad_z, y_hat - y0, 1e-12)
check_close("dL/dW = outer(ŷ − y, [x; 1])", dense.weights_gradient, gf.outer(y_hat - y0, x0_tilde), 1e-12)

# %% [markdown]
# ## Each backward against autograd
# `vjp(f, x, v)` is the vector-Jacobian product vᵀJ: exactly what a layer's backward computes.

# %%
_, dz_ref = gf.autograd.functional.vjp(lambda t: t.softmax(0), z, grad_yhat)
check_close("Softmax.backward = autograd's vjp", grad_z, dz_ref, 1e-12)
_, dx_ref = gf.autograd.functional.vjp(lambda t: W_before @ gf.cat([t, gf.ones(1)]), x0, grad_z)
check_close("Dense.backward's input gradient = autograd's vjp", grad_x, dx_ref, 1e-12)
W_leaf = W_before.clone().requires_grad_()
L = F.cross_entropy(W_leaf @ x0_tilde, y0)
L.backward()
check_close("the chain = autograd through cross_entropy", dense.weights_gradient, W_leaf.grad, 1e-12)
gf.viz.make_dot(L, params=dict(W=W_leaf))

# %% [markdown]
# ## Per-sample training (batch size 1)
# Three gaussian blobs in 4-D, standardised; eight passes over the data, updating after every
# sample.

# %%
Xb, yb = gf.data.make_blobs(n_samples=90, n_features=num_features, centers=num_labels,
                            cluster_std=2.5, random_state=4)
Xb = gf.data.StandardScaler().fit_transform(Xb)
Yb = F.one_hot(yb, num_labels).double()
layer, act = Dense(num_features, num_labels), Softmax()
lr, losses, chain_error = 0.05, [], 0.0
for epoch in range(8):
    total = 0.0
    for i in range(Xb.shape[0]):
        yhat = act.forward(layer.forward(Xb[i]))
        total += cce(Yb[i], yhat).item()
        dz = act.backward(cce_gradient(Yb[i], yhat), lr)
        layer.backward(dz, lr)
        chain_error = max(chain_error, (dz - (yhat - Yb[i])).abs().max().item())
    losses.append(total / Xb.shape[0])
    print(f"epoch {epoch + 1}  mean loss {losses[-1]:.6f}")
logits = gf.cat([Xb, gf.ones(Xb.shape[0], 1)], 1) @ layer.weights.t()
print("training accuracy", gf.metrics.accuracy(logits, yb))
assert chain_error < 1e-12, "every step: softmax.backward(cce_gradient) = ŷ − y"
assert losses[-1] < 0.5 * losses[0], "per-sample training lowers the loss"
