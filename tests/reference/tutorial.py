"""Writes examples/tutorial.expected: what examples/tutorial.cpp must print, from PyTorch doing the
same steps (run with /usr/bin/python3). Each line of the file is a regular expression for one
printed line (CMake syntax, see examples/compare_output.cmake): PyTorch's exact text, escaped,
for the gradients and the softmax Jacobian; a pattern for the training line, whose numbers
depend on the random generator (gradflow's is not torch's) but whose outcome must not: the loss
ends below 0.3 and the training accuracy at 0.95 or more.
"""
import os
import re

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "examples", "tutorial.expected")

torch.set_default_dtype(torch.float64)
x = torch.tensor(-2.0, requires_grad=True)
y = torch.tensor(5.0, requires_grad=True)
z = torch.tensor(-4.0, requires_grad=True)
L = (x + y) * z
L.backward()
lines = [str(L), str(x.grad), str(y.grad), str(z.grad)]

v = torch.tensor([-1.3, 0.5, 2.1])
J = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), v)
lines += [str(torch.softmax(v, 0))] + str(J).split("\n")


def cmake_escape(line):
    # CMake regexes: escape the specials; no "\d" and friends in CMake, so escape by hand.
    return re.sub(r"([][.*+?^$()|\\])", r"\\\1", line)


text = [cmake_escape(line) for line in lines]
text.append(r"loss [0-9.]+ -> 0\.[0-2][0-9]*, training accuracy (0\.9[5-9][0-9]*|1)")
with open(OUT, "w", encoding="utf-8") as f:
    f.write("\n".join(text) + "\n")
print(f"wrote {OUT}: {len(text)} lines")
