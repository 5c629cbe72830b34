"""The committed notebooks are what examples/notebooks/make_notebooks.py makes from the scripts
in examples/python (so the notebooks and the scripts run the same code)."""
import importlib.util
import os
import pathlib

import nbformat

ROOT = pathlib.Path(os.environ.get("GF_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


def test_notebooks_match_their_scripts():
    spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "examples/notebooks/make_notebooks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    scripts = sorted((ROOT / "examples/python").glob("seed*.py"))
    assert len(scripts) == 5
    for script in scripts:
        committed = nbformat.read(str(ROOT / "examples/notebooks" / (script.stem + ".ipynb")), 4)
        made = mod.notebook(script)
        assert [c.source for c in committed.cells] == [c.source for c in made.cells], script.name
        assert not any(c.get("outputs") for c in committed.cells), "commit notebooks without outputs"


def test_type_stubs_are_current(tmp_path):
    """python/gradflow/**/*.pyi are what python/make_stubs.py writes for the built module."""
    import subprocess
    import sys
    subprocess.run([sys.executable, str(ROOT / "python/make_stubs.py"), str(tmp_path)], check=True,
                   capture_output=True, env={**os.environ})
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.pyi"))
    assert len(made) >= 10
    for rel in made:
        committed = ROOT / "python/gradflow" / rel
        assert committed.exists() and committed.read_text() == (tmp_path / rel).read_text(), (
            f"{rel} is stale: run PYTHONPATH=build/python /usr/bin/python3 python/make_stubs.py")


def test_every_public_cpp_name_has_a_binding():
    """python/check_bindings.py finds no C++ op, functional or module without a Python name."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, str(ROOT / "python/check_bindings.py")], check=True,
                         capture_output=True, text=True, env={**os.environ}).stdout
    assert out.strip() == "every scanned C++ name has a binding", out
