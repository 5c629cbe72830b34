"""Data sets and loaders, safetensors save/load (readable by the safetensors format's rules),
graph pictures and plots."""
import json
import os
import struct

import numpy as np
import pytest

import gradflow as gf


def test_dataloader_batches_and_shuffle():
    X = gf.arange(20.0).reshape(10, 2)
    y = gf.arange(10)
    ds = gf.utils.data.TensorDataset(X, y)
    assert len(ds) == 10 and ds[3][1].item() == 3
    loader = gf.utils.data.DataLoader(ds, batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    shuffled = gf.utils.data.DataLoader(ds, batch_size=4, shuffle=True, drop_last=True, seed=7)
    seen = [v for _, t in shuffled for v in t.tolist()]
    assert len(seen) == 8 and len(set(seen)) == 8 and seen != list(range(8))
    for data, target in shuffled:
        assert data[:, 0].tolist() == [2.0 * v for v in target.tolist()]


def test_synthetic_data_and_split():
    X, y = gf.data.make_classification(n_samples=100, n_features=5, n_informative=4,
                                       n_redundant=0, n_classes=3, random_state=0)
    assert X.shape == (100, 5) and y.dtype == gf.int64 and set(y.tolist()) == {0, 1, 2}
    Xtr, Xte, ytr, yte = gf.data.train_test_split(X, y, test_size=0.15, random_state=0)
    assert Xtr.shape == (85, 5) and Xte.shape == (15, 5)
    scaler = gf.data.StandardScaler().fit(Xtr)
    Z = scaler.transform(Xtr).numpy()
    assert np.abs(Z.mean(0)).max() < 1e-12 and np.abs(Z.std(0) - 1).max() < 1e-12


def test_save_load_safetensors(tmp_path):
    path = str(tmp_path / "model.safetensors")
    model = gf.nn.Linear(3, 2)
    gf.save(model.state_dict(), path)
    # the format: u64 header length, JSON header, raw little-endian data
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    assert header["weight"]["dtype"] == "F64" and header["weight"]["shape"] == [2, 3]
    begin, end = header["weight"]["data_offsets"]
    w = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype="<f8").reshape(2, 3)
    assert np.array_equal(w, model.weight.detach().numpy())
    loaded = gf.load(path)
    other = gf.nn.Linear(3, 2)
    other.load_state_dict(loaded)
    assert other.weight.tolist() == model.weight.tolist()
    with pytest.raises(RuntimeError, match="load_safetensors"):
        open(path, "wb").write(b"\x08" + b"\0" * 7 + b"garbage!")
        gf.load(path)
    with pytest.raises(TypeError, match="dict of name"):
        gf.save(42, path)


def test_make_dot_svg_and_render(tmp_path):
    x, y, z = (gf.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    L = (x + y) * z
    dot = gf.viz.make_dot(L, params=dict(x=x, y=y, z=z))
    assert "MulBackward0" in dot.source and "AddBackward0" in dot.source
    svg = dot._repr_svg_()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    assert "MulBackward0" in svg
    out = dot.render(str(tmp_path / "graph"), format="svg")
    assert out.endswith("graph.svg") and os.path.getsize(out) > 100
    model = gf.nn.Sequential(gf.nn.Linear(3, 4), gf.nn.ReLU(), gf.nn.Linear(4, 2))
    d2 = gf.viz.make_dot(model(gf.ones(1, 3)), params=dict(model.named_parameters()))
    assert "0.weight" in d2.source and "AddmmBackward0" in d2.source


def test_trace_prints_the_backward_steps(capsys):
    x, y, z = (gf.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    with gf.viz.trace({"x": x, "y": y, "z": z}):
        ((x + y) * z).backward()
    out = capsys.readouterr().out
    assert "MulBackward0" in out and "AddBackward0" in out


def test_plots_write_pictures(tmp_path):
    pic = gf.viz.plot_functions({"sigmoid": gf.sigmoid, "tanh": gf.tanh}, str(tmp_path / "f.png"))
    assert pic._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    pic = gf.viz.heatmap(gf.eye(3), str(tmp_path / "h.svg"), title="I")
    assert "<svg" in pic._repr_svg_()
