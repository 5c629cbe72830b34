"""Shared fixtures: gradflow and torch side by side in one process, float64 by default."""
import numpy as np
import pytest
import torch

import gradflow as gf


@pytest.fixture(autouse=True)
def float64_default():
    """Every test starts in float64 (both libraries) with seeded generators, and is restored."""
    gf.set_default_dtype(gf.float64)
    torch.set_default_dtype(torch.float64)
    gf.manual_seed(0)
    torch.manual_seed(0)
    yield
    gf.set_default_dtype(gf.float32)
    torch.set_default_dtype(torch.float32)
    gf.set_grad_enabled(True)


def to_np(t):
    """numpy copy of a gradflow or torch tensor (detached)."""
    return np.array(t.detach().numpy(), copy=True)


def assert_close(a, b, tol=1e-10):
    """a, b: gradflow/torch tensors or arrays; equal shapes and values within tol (abs + rel)."""
    a = to_np(a) if hasattr(a, "detach") else np.asarray(a)
    b = to_np(b) if hasattr(b, "detach") else np.asarray(b)
    assert a.shape == b.shape, f"shapes {a.shape} vs {b.shape}"
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def pair(values, requires_grad=False):
    """The same float64 values as a gradflow and a torch tensor."""
    arr = np.asarray(values, dtype=np.float64)
    return (gf.tensor(arr, requires_grad=requires_grad),
            torch.tensor(arr, requires_grad=requires_grad))
