#!/usr/bin/python3
"""Writes tests/ops/*_cases.inc: ag's op cases with values PyTorch computed.

Each case names its inputs (shape, how to fill them), the op once in torch and once in C++.
For every case the script records, in float32: the forward output and the gradients of
sum(out * w) with w_i = ((37 i) mod 11 - 5) / 4 for each input. The C++ tests compare ag
against these literals and run a float64 gradcheck of the same expression.

    /usr/bin/python3 tests/reference/make_op_cases.py      # from the project root
"""
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "ops")


def fill(shape, kind, seed):
    """Deterministic inputs, rounded to 4 decimals so the test reads well."""
    n = int(np.prod(shape)) if shape else 1
    rng = np.random.default_rng(seed)
    if kind == "pos":
        v = rng.uniform(0.2, 2.0, n)
    elif kind == "ties":  # repeated maxima
        v = np.array([1.0, 3.0, 3.0, -1.0, 2.0, 3.0][:n] + [0.5] * max(0, n - 6))
    else:
        v = rng.uniform(-2.0, 2.0, n)
    return [round(float(x), 4) for x in v]


def weight(n):
    return [((37 * i) % 11 - 5) / 4.0 for i in range(n)]


def f32(x):
    return "%.9g" % x


CASES = {}


def case(family, name, inputs, torch_fn, cpp, gradcheck=True):
    """inputs: list of (shape, kind); gradcheck=False where the op is not differentiable at the
    chosen inputs (ties of max), so finite differences cannot agree."""
    CASES.setdefault(family, []).append((name, inputs, torch_fn, cpp, gradcheck))


# ---- elementwise ---------------------------------------------------------------------------------
E = "elementwise"
case(E, "add [2, 3] + [2, 3]", [((2, 3), "any"), ((2, 3), "any")], lambda a, b: a + b, "x[0] + x[1]")
case(E, "add broadcasts [2, 3] + [3]", [((2, 3), "any"), ((3,), "any")], lambda a, b: a + b, "x[0] + x[1]")
case(E, "add broadcasts [2, 1] + [1, 3]", [((2, 1), "any"), ((1, 3), "any")], lambda a, b: a + b, "ag::add(x[0], x[1])")
case(E, "add non-contiguous [3, 2]ᵀ + [2, 3]", [((3, 2), "any"), ((2, 3), "any")], lambda a, b: a.t() + b, "x[0].t() + x[1]")
case(E, "add scalar", [((2, 3), "any")], lambda a: a + 2.5, "x[0] + 2.5")
case(E, "scalar + tensor", [((2, 3), "any")], lambda a: 2.5 + a, "2.5 + x[0]")
case(E, "sub [2, 3] - [3]", [((2, 3), "any"), ((3,), "any")], lambda a, b: a - b, "x[0] - x[1]")
case(E, "sub scalar", [((4,), "any")], lambda a: a - 1.5, "x[0] - 1.5")
case(E, "rsub scalar - tensor", [((4,), "any")], lambda a: 1.5 - a, "1.5 - x[0]")
case(E, "mul [2, 3] * [2, 1]", [((2, 3), "any"), ((2, 1), "any")], lambda a, b: a * b, "x[0] * x[1]")
case(E, "mul scalar", [((2, 3), "any")], lambda a: a * -3.0, "x[0] * -3.0")
case(E, "scalar * tensor", [((2, 3), "any")], lambda a: -3.0 * a, "-3.0 * x[0]")
case(E, "div [2, 3] / [3]", [((2, 3), "any"), ((3,), "pos")], lambda a, b: a / b, "x[0] / x[1]")
case(E, "div scalar", [((2, 3), "any")], lambda a: a / 4.0, "x[0] / 4.0")
case(E, "scalar / tensor", [((2, 3), "pos")], lambda a: 4.0 / a, "4.0 / x[0]")
case(E, "neg", [((2, 3), "any")], lambda a: -a, "-x[0]")
case(E, "reciprocal", [((5,), "pos")], lambda a: a.reciprocal(), "ag::reciprocal(x[0])")
case(E, "exp", [((2, 3), "any")], lambda a: a.exp(), "ag::exp(x[0])")
case(E, "log", [((2, 3), "pos")], lambda a: a.log(), "ag::log(x[0])")
case(E, "sqrt", [((2, 3), "pos")], lambda a: a.sqrt(), "ag::sqrt(x[0])")
case(E, "abs", [((2, 3), "any")], lambda a: a.abs(), "ag::abs(x[0])")
case(E, "pow 2", [((2, 3), "any")], lambda a: a.pow(2), "ag::pow(x[0], 2.0)")
case(E, "pow 3", [((2, 3), "any")], lambda a: a.pow(3), "x[0].pow(3.0)")
case(E, "pow 0.5", [((2, 3), "pos")], lambda a: a.pow(0.5), "ag::pow(x[0], 0.5)")
case(E, "pow -1.5", [((2, 3), "pos")], lambda a: a.pow(-1.5), "ag::pow(x[0], -1.5)")
case(E, "clamp", [((2, 4), "any")], lambda a: a.clamp(-0.5, 0.75), "ag::clamp(x[0], -0.5, 0.75)")
case(E, "clamp_min", [((2, 4), "any")], lambda a: a.clamp(min=0.1), "ag::clamp_min(x[0], 0.1)")
case(E, "mixed float32 + float64 promotes", [((2, 2), "any"), ((2, 2), "any")],
     lambda a, b: a + b.double(), "x[0] + x[1].to(ag::kFloat64)")

# ---- activation ----------------------------------------------------------------------------------
A = "activation"
case(A, "tanh", [((2, 3), "any")], lambda a: a.tanh(), "ag::tanh(x[0])")
case(A, "tanh non-contiguous", [((3, 2), "any")], lambda a: a.t().tanh(), "ag::tanh(x[0].t())")
case(A, "sigmoid", [((2, 3), "any")], lambda a: a.sigmoid(), "ag::sigmoid(x[0])")
case(A, "relu", [((2, 4), "any")], lambda a: a.relu(), "ag::relu(x[0])")
case(A, "softmax dim 1", [((2, 4), "any")], lambda a: a.softmax(1), "ag::softmax(x[0], 1)")
case(A, "softmax dim 0", [((3, 2), "any")], lambda a: a.softmax(0), "ag::softmax(x[0], 0)")
case(A, "softmax dim -1 of 3-D", [((2, 2, 3), "any")], lambda a: a.softmax(-1), "x[0].softmax(-1)")
case(A, "softmax of a transposed view", [((4, 2), "any")], lambda a: a.t().softmax(1), "ag::softmax(x[0].t(), 1)")
case(A, "log_softmax dim 1", [((2, 4), "any")], lambda a: a.log_softmax(1), "ag::log_softmax(x[0], 1)")
case(A, "log_softmax dim 0 of 3-D", [((3, 2, 2), "any")], lambda a: a.log_softmax(0), "x[0].log_softmax(0)")

# ---- reduce --------------------------------------------------------------------------------------
R = "reduce"
case(R, "sum all", [((2, 3), "any")], lambda a: a.sum(), "ag::sum(x[0])")
case(R, "sum dim 0", [((2, 3), "any")], lambda a: a.sum(0), "ag::sum(x[0], 0)")
case(R, "sum dim -1 keepdim", [((2, 3), "any")], lambda a: a.sum(-1, keepdim=True), "x[0].sum(-1, true)")
case(R, "sum dim 1 of 3-D", [((2, 3, 2), "any")], lambda a: a.sum(1), "x[0].sum(1)")
case(R, "sum dims {0, 2}", [((2, 3, 2), "any")], lambda a: a.sum((0, 2)), "ag::sum(x[0], {0, 2})")
case(R, "sum of a transposed view", [((3, 2), "any")], lambda a: a.t().sum(1), "x[0].t().sum(1)")
case(R, "mean all", [((2, 3), "any")], lambda a: a.mean(), "ag::mean(x[0])")
case(R, "mean dim 1", [((2, 3), "any")], lambda a: a.mean(1), "ag::mean(x[0], 1)")
case(R, "mean dim 0 keepdim", [((2, 3), "any")], lambda a: a.mean(0, keepdim=True), "x[0].mean(0, true)")
case(R, "max dim 1 values", [((2, 4), "any")], lambda a: a.max(1)[0], "std::get<0>(ag::max(x[0], 1))")
case(R, "max dim 0 keepdim values", [((3, 2), "any")], lambda a: a.max(0, keepdim=True)[0], "std::get<0>(x[0].max(0, true))")
case(R, "max all", [((2, 3), "any")], lambda a: a.max(), "ag::max(x[0])")
case(R, "max all (ties share the gradient)", [((2, 3), "ties")], lambda a: a.max(), "ag::max(x[0])",
     gradcheck=False)
case(R, "sum_to_size [2, 3] -> [3]", [((2, 3), "any")], lambda a: a.sum_to_size(3), "ag::sum_to_size(x[0], {3})")
case(R, "sum_to_size [2, 3] -> [2, 1]", [((2, 3), "any")], lambda a: a.sum_to_size(2, 1), "ag::sum_to_size(x[0], {2, 1})")

# ---- shape ---------------------------------------------------------------------------------------
S = "shape"
case(S, "t", [((2, 3), "any")], lambda a: a.t() * 1.0, "x[0].t() * 1.0")
case(S, "transpose 0 2", [((2, 3, 2), "any")], lambda a: a.transpose(0, 2) * 1.0, "x[0].transpose(0, 2) * 1.0")
case(S, "permute", [((2, 3, 2), "any")], lambda a: a.permute(2, 0, 1) * 1.0, "x[0].permute({2, 0, 1}) * 1.0")
case(S, "unsqueeze 0", [((4,), "any")], lambda a: a.unsqueeze(0) * 1.0, "x[0].unsqueeze(0) * 1.0")
case(S, "unsqueeze -1", [((2, 3), "any")], lambda a: a.unsqueeze(-1) * 1.0, "x[0].unsqueeze(-1) * 1.0")
case(S, "squeeze 1", [((3, 1, 2), "any")], lambda a: a.squeeze(1) * 1.0, "x[0].squeeze(1) * 1.0")
case(S, "squeeze all", [((1, 3, 1), "any")], lambda a: a.squeeze() * 1.0, "x[0].squeeze() * 1.0")
case(S, "select dim 1", [((2, 3), "any")], lambda a: a[:, 1] * 1.0, "x[0].select(1, 1) * 1.0")
case(S, "select negative index", [((3, 2), "any")], lambda a: a[-1] * 1.0, "x[0].select(0, -1) * 1.0")
case(S, "narrow", [((4, 3), "any")], lambda a: a.narrow(0, 1, 2) * 1.0, "x[0].narrow(0, 1, 2) * 1.0")
case(S, "slice with step", [((2, 5), "any")], lambda a: a[:, 0:5:2] * 1.0, "x[0].slice(1, 0, 5, 2) * 1.0")
case(S, "reshape", [((2, 3), "any")], lambda a: a.reshape(3, 2) * 1.0, "x[0].reshape({3, 2}) * 1.0")
case(S, "reshape infers -1", [((2, 3, 2), "any")], lambda a: a.reshape(-1, 4) * 1.0, "x[0].reshape({-1, 4}) * 1.0")
case(S, "reshape of a transposed view copies", [((3, 2), "any")], lambda a: a.t().reshape(6) * 1.0, "x[0].t().reshape({6}) * 1.0")
case(S, "view", [((2, 3), "any")], lambda a: a.view(6) * 1.0, "x[0].view({6}) * 1.0")
case(S, "flatten", [((2, 3, 2), "any")], lambda a: a.flatten(1) * 1.0, "x[0].flatten(1) * 1.0")
case(S, "expand", [((3, 1), "any")], lambda a: a.expand(2, 3, 4) * 1.0, "x[0].expand({2, 3, 4}) * 1.0")
case(S, "contiguous of a transposed view", [((3, 2), "any")], lambda a: a.t().contiguous() * 1.0, "x[0].t().contiguous() * 1.0")
case(S, "clone", [((2, 3), "any")], lambda a: a.clone() * 1.0, "x[0].clone() * 1.0")
case(S, "cat dim 0", [((2, 3), "any"), ((1, 3), "any")], lambda a, b: torch.cat([a, b], 0), "ag::cat({x[0], x[1]}, 0)")
case(S, "cat dim 1", [((2, 1), "any"), ((2, 3), "any")], lambda a, b: torch.cat([a, b], 1), "ag::cat({x[0], x[1]}, 1)")
case(S, "stack dim 0", [((2, 3), "any"), ((2, 3), "any")], lambda a, b: torch.stack([a, b], 0), "ag::stack({x[0], x[1]}, 0)")
case(S, "stack dim 1", [((2, 3), "any"), ((2, 3), "any"), ((2, 3), "any")], lambda a, b, c: torch.stack([a, b, c], 1), "ag::stack({x[0], x[1], x[2]}, 1)")
case(S, "stack dim -1", [((2,), "any"), ((2,), "any")], lambda a, b: torch.stack([a, b], -1), "ag::stack({x[0], x[1]}, -1)")

# ---- linalg --------------------------------------------------------------------------------------
L = "linalg"
case(L, "matmul 1-D · 1-D (dot)", [((4,), "any"), ((4,), "any")], lambda a, b: a @ b, "ag::matmul(x[0], x[1])")
case(L, "matmul 2-D · 1-D", [((3, 4), "any"), ((4,), "any")], lambda a, b: a @ b, "ag::matmul(x[0], x[1])")
case(L, "matmul 1-D · 2-D", [((4,), "any"), ((4, 3), "any")], lambda a, b: a @ b, "ag::matmul(x[0], x[1])")
case(L, "matmul 2-D · 2-D", [((2, 4), "any"), ((4, 3), "any")], lambda a, b: a @ b, "ag::matmul(x[0], x[1])")
case(L, "matmul with a transposed weight (the RNN cell)", [((1, 4), "any"), ((6, 4), "any")], lambda a, b: a @ b.t(), "ag::matmul(x[0], x[1].t())")
case(L, "matmul both transposed", [((4, 2), "any"), ((3, 4), "any")], lambda a, b: a.t() @ b.t(), "ag::matmul(x[0].t(), x[1].t())")
case(L, "matmul 3-D · 3-D", [((2, 3, 4), "any"), ((2, 4, 2), "any")], lambda a, b: a @ b, "ag::matmul(x[0], x[1])")
case(L, "matmul 3-D · 2-D", [((2, 3, 4), "any"), ((4, 2), "any")], lambda a, b: a @ b, "ag::matmul(x[0], x[1])")
case(L, "matmul 2-D · 3-D", [((3, 4), "any"), ((2, 4, 2), "any")], lambda a, b: a @ b, "ag::matmul(x[0], x[1])")
case(L, "matmul 3-D · 1-D", [((2, 3, 4), "any"), ((4,), "any")], lambda a, b: a @ b, "ag::matmul(x[0], x[1])")
case(L, "matmul 1-D · 3-D", [((4,), "any"), ((2, 4, 3), "any")], lambda a, b: a @ b, "ag::matmul(x[0], x[1])")
case(L, "matmul broadcasts batch [2, 1, 3, 4] · [3, 4, 2]", [((2, 1, 3, 4), "any"), ((3, 4, 2), "any")], lambda a, b: a @ b, "ag::matmul(x[0], x[1])")
case(L, "addmm broadcasts the bias", [((3,), "any"), ((2, 4), "any"), ((4, 3), "any")],
     lambda b, a, w: torch.addmm(b, a, w), "ag::addmm(x[0], x[1], x[2])")
case(L, "addmm with a transposed weight", [((1, 3), "any"), ((2, 4), "any"), ((3, 4), "any")],
     lambda b, a, w: torch.addmm(b, a, w.t()), "ag::addmm(x[0], x[1], x[2].t())")
case(L, "mm", [((3, 2), "any"), ((2, 2), "any")], lambda a, b: torch.mm(a, b), "ag::mm(x[0], x[1])")
case(L, "bmm", [((2, 2, 3), "any"), ((2, 3, 2), "any")], lambda a, b: torch.bmm(a, b), "ag::bmm(x[0], x[1])")


def cpp_list(vals):
    return "{" + ", ".join(f32(v) for v in vals) + "}"


def emit(family, cases):
    lines = [
        "// Generated by tests/reference/make_op_cases.py from PyTorch " + torch.__version__ + "; do not edit.",
        "// Each case: inputs, the op in C++, PyTorch's float32 output and the gradients of",
        "// sum(out * w), w_i = ((37 i) mod 11 - 5) / 4.",
        "",
    ]
    seed = 0
    for name, inputs, torch_fn, cpp, gradcheck in cases:
        ins, tins = [], []
        for shape, kind in inputs:
            seed += 1
            vals = fill(shape, kind, seed)
            ins.append((shape, vals))
            t = torch.tensor(vals, dtype=torch.float32).reshape(shape).requires_grad_()
            tins.append(t)
        out = torch_fn(*tins)
        w = torch.tensor(weight(out.numel()), dtype=out.dtype).reshape(out.shape)
        (out * w).sum().backward()
        grads = [t.grad if t.grad is not None else torch.zeros_like(t) for t in tins]
        lines.append("{%s," % json_str(name))
        lines.append(" {" + ", ".join("{{%s}, %s}" % (", ".join(str(s) for s in shape), cpp_list(v))
                                      for shape, v in ins) + "},")
        lines.append(" [](const std::vector<ag::Tensor>& x) { return %s; }," % cpp)
        lines.append(" {%s}, %s," % (", ".join(str(s) for s in out.shape),
                                       cpp_list(out.detach().double().reshape(-1).tolist())))
        lines.append(" {" + ", ".join(cpp_list(g.double().reshape(-1).tolist()) for g in grads) + "},")
        lines.append(" %s, %s}," % (json_str(out.grad_fn.name() if out.grad_fn else ""),
                                     "true" if gradcheck else "false"))
    with open(os.path.join(OUT, family + "_cases.inc"), "w") as f:
        f.write("\n".join(lines) + "\n")


def json_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    for family, cases in CASES.items():
        emit(family, cases)
        print(family, len(cases), "cases")
