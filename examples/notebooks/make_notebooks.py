#!/usr/bin/python3
"""Writes the notebooks in this folder from the scripts in ../python (the same code and text).

Each script is in the "percent" format: `# %%` starts a code cell, `# %% [markdown]` a text cell
whose lines are comments. Run after editing a script:  /usr/bin/python3 make_notebooks.py
"""
import pathlib

import nbformat

HERE = pathlib.Path(__file__).resolve().parent
SCRIPTS = HERE.parent / "python"


def cells(text):
    """(kind, source) pairs of a percent-format script."""
    out, kind, lines = [], None, []

    def flush():
        if kind is not None:
            src = "\n".join(lines).strip("\n")
            if src:
                out.append((kind, src))
    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind == "markdown":
            lines.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
        elif kind is not None:
            lines.append(line)
    flush()
    return out


def notebook(script):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, src in cells(script.read_text()):
        nb.cells.append(nbformat.v4.new_markdown_cell(src) if kind == "markdown"
                        else nbformat.v4.new_code_cell(src))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{script.stem[:7]}-{i:02d}"  # stable ids: regenerating changes nothing
    return nb


def main():
    for script in sorted(SCRIPTS.glob("seed*.py")):
        target = HERE / (script.stem + ".ipynb")
        nbformat.write(notebook(script), str(target))
        print("wrote", target.name)


if __name__ == "__main__":
    main()
