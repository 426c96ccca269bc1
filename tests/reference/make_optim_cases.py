#!/usr/bin/python3
"""Writes tests/optim/optim_cases.inc: PyTorch 1.13's optimiser trajectories for ag's tests,
and prints the gradient-clipping numbers that tests/nn/clip_test.cpp holds as literals.

Two kinds of optimiser cases, every optimiser with foreach=False (the single-tensor path):

* trajectories: a small least-squares problem, loss = mean((x W^T + b - y)^2) with W [3, 2],
  b [3], x [4, 2], y [4, 3] given below; 5 rounds of zero_grad, forward, backward, step. The
  test compares the 5 losses and the final W, b (the forward and backward pass are ag's own,
  so to float rounding).
* fixed gradients: two parameters p1 [4, 5] and p2 [8] whose gradients are set by formula at
  each of 6 steps (some steps give a parameter no gradient; the learning rate changes before
  the 5th), so the test can demand the same bits as PyTorch after every step.

    /usr/bin/python3 tests/reference/make_optim_cases.py            # from the project root
    /usr/bin/python3 tests/reference/make_optim_cases.py --clip     # the clip_test.cpp numbers
"""
import math
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "optim", "optim_cases.inc")

# The least-squares problem (the same literals are in tests/optim/optim_test.cpp).
W0 = [[0.5, -0.3], [0.8, 0.2], [-0.6, 0.4]]
B0 = [0.1, -0.2, 0.05]
X = [[1.0, 2.0], [-1.5, 0.5], [0.3, -0.7], [2.0, 1.0]]
Y = [[0.5, -1.0, 0.2], [1.0, 0.3, -0.4], [-0.2, 0.6, 0.9], [0.7, -0.5, 1.1]]

# The fixed-gradient problem: p1 [4, 5] and p2 [8] start at, and get at step k (0-based), values
# from these formulas, which tests/optim/optim_test.cpp repeats in C++ (the same double
# operations, then rounded to the parameter's dtype). Each gradient has a tiny element (so eps
# matters) or a zero one.
P1_SHAPE, P2_SHAPE = (4, 5), (8,)
STEPS = 6
NO_GRAD = {(0, "p2"), (1, "p2"), (3, "p1")}  # (step, parameter) pairs without a gradient
LR_SCALE_FROM = 4  # from this step on, the learning rate is halved (set_lr / param_groups)


def start_values(n, salt):
    return [((13 * i + salt) % 17 - 8) / 4.0 for i in range(n)]


def grad_values(n, k, salt):
    g = [((37 * i + 11 * k + salt) % 23 - 11) / 7.0 for i in range(n)]
    if salt == 1:
        g[n - 1] = (k + 1) * 3e-8
    else:
        g[0] = 0.0
    return g


def cpp_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple):
        return "{" + ", ".join(repr(x) for x in v) + "}"
    return repr(v)


def case(cls, **kw):
    """(name, torch class, torch kwargs, C++ factory) for make<Opt>(Options...) in the test."""
    name = " ".join([cls] + ["%s=%s" % (k, cpp_value(v)) for k, v in kw.items()])
    if not kw:
        name += " defaults"
    args = dict(kw)
    ctor = cpp_value(args.pop("lr")) if "lr" in args else ""
    chain = "".join(".%s(%s)" % (k, cpp_value(v)) for k, v in args.items())
    return name, cls, kw, "make<%s>(%sOptions(%s)%s)" % (cls, cls, ctor, chain)


SGD_CASES = [
    case("SGD", lr=0.1),
    case("SGD", lr=0.1, momentum=0.9, dampening=0.1),
    case("SGD", lr=0.05, momentum=0.9, nesterov=True),
    case("SGD", lr=0.1, weight_decay=0.01),
    case("SGD", lr=0.1, momentum=0.5, weight_decay=0.05),
]
ADAM_CASES = [
    case("Adam"),
    case("Adam", lr=0.05, weight_decay=0.1),
    case("Adam", lr=0.05, amsgrad=True),
    case("AdamW", lr=0.05),
    case("AdamW", lr=0.05, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True),
]
RMSPROP_CASES = [
    case("RMSprop", lr=0.01),
    case("RMSprop", lr=0.01, centered=True, momentum=0.9),
]
TRAJECTORY_F32 = SGD_CASES + ADAM_CASES + RMSPROP_CASES
TRAJECTORY_F64 = [SGD_CASES[2], ADAM_CASES[2], ADAM_CASES[3], RMSPROP_CASES[1]]

# Learning rates that make each update about as large as the parameters, so that a rounding
# done differently anywhere in the update (state included) shows in the parameters' bits; and
# no powers of two among the factors (lr, weight_decay), whose products would be exact.
FIXED_F32 = [
    case("SGD", lr=0.9),
    case("SGD", lr=0.3, momentum=0.9, dampening=0.2, weight_decay=0.45),
    case("SGD", lr=0.35, momentum=0.8, nesterov=True, weight_decay=0.3),
    case("Adam", lr=1.0),
    case("Adam", lr=0.5, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.45, amsgrad=True),
    case("AdamW", lr=1.0),
    case("AdamW", lr=0.5, betas=(0.85, 0.995), weight_decay=0.3, amsgrad=True),
    case("RMSprop", lr=0.1),
    case("RMSprop", lr=0.1, alpha=0.9, eps=1e-6, weight_decay=0.45, momentum=0.7, centered=True),
    case("RMSprop", lr=0.1, momentum=0.6),
    case("RMSprop", lr=0.1, centered=True),
    case("RMSprop", lr=0.3, weight_decay=0.45),
]
FIXED_F64 = [FIXED_F32[2], FIXED_F32[4], FIXED_F32[6], FIXED_F32[8]]


def make_opt(cls, params, kw):
    return getattr(torch.optim, cls)(params, foreach=False, **kw)


def trajectory(cls, kw, dtype):
    W = torch.tensor(W0, dtype=dtype, requires_grad=True)
    b = torch.tensor(B0, dtype=dtype, requires_grad=True)
    x = torch.tensor(X, dtype=dtype)
    y = torch.tensor(Y, dtype=dtype)
    opt = make_opt(cls, [W, b], kw)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = ((x @ W.t() + b - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, W.detach().flatten().tolist(), b.detach().tolist()


def fixed(cls, kw, dtype):
    p1 = torch.tensor(start_values(20, 1), dtype=dtype).reshape(P1_SHAPE).requires_grad_()
    p2 = torch.tensor(start_values(8, 2), dtype=dtype).requires_grad_()
    opt = make_opt(cls, [p1, p2], kw)
    base_lr = opt.param_groups[0]["lr"]
    steps = []
    for k in range(STEPS):
        lr = base_lr * 0.5 if k >= LR_SCALE_FROM else base_lr
        opt.param_groups[0]["lr"] = lr
        has = []
        for p, name, salt in ((p1, "p1", 1), (p2, "p2", 2)):
            has.append((k, name) not in NO_GRAD)
            p.grad = (torch.tensor(grad_values(p.numel(), k, salt), dtype=dtype).reshape(p.shape)
                      if has[-1] else None)
        opt.step()
        steps.append((lr, has, p1.detach().flatten().tolist(), p2.detach().tolist()))
    return steps


def num(x, dtype):
    if math.isnan(x):
        return "NAN"
    if math.isinf(x):
        return "INFINITY" if x > 0 else "-INFINITY"
    return ("%.9g" if dtype == torch.float32 else "%.17g") % x


def vec(vals, dtype=torch.float32):
    if vals is None:
        return "{}"
    return "{" + ", ".join(num(v, dtype) for v in vals) + "}"


def dtype_name(dtype):
    return "ag::kFloat32" if dtype == torch.float32 else "ag::kFloat64"


def emit_cases():
    lines = ["// Generated by tests/reference/make_optim_cases.py from PyTorch %s; do not edit."
             % torch.__version__,
             "// Included by tests/optim/optim_test.cpp, which defines the types and make<>().",
             ""]
    lines.append("// Least-squares trajectories: 5 losses, then W and b after the 5th step.")
    lines.append("const std::vector<TrajectoryCase> kTrajectoryCases = {")
    for dtype, cases in ((torch.float32, TRAJECTORY_F32), (torch.float64, TRAJECTORY_F64)):
        for name, cls, kw, cpp in cases:
            losses, W, b = trajectory(cls, kw, dtype)
            lines.append(' {"%s", %s, %s,' % (name, dtype_name(dtype), cpp))
            lines.append("  %s," % vec(losses, dtype))
            lines.append("  %s," % vec(W, dtype))
            lines.append("  %s}," % vec(b, dtype))
    lines.append("};")
    lines.append("")
    lines.append("// Fixed gradients: per step the learning rate, whether p1 [4, 5] and p2 [8] get")
    lines.append("// a gradient, then PyTorch's p1 and p2 after the step.")
    lines.append("const std::vector<FixedGradCase> kFixedGradCases = {")
    for dtype, cases in ((torch.float32, FIXED_F32), (torch.float64, FIXED_F64)):
        for name, cls, kw, cpp in cases:
            lines.append(' {"%s", %s, %s, {' % (name, dtype_name(dtype), cpp))
            for lr, has, p1, p2 in fixed(cls, kw, dtype):
                lines.append("   {%r, %s, %s," % (lr, cpp_value(has[0]), cpp_value(has[1])))
                lines.append("    %s," % vec(p1, dtype))
                lines.append("    %s}," % vec(p2, dtype))
            lines.append(" }},")
    lines.append("};")
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")


def clip_numbers():
    """The values clip_test.cpp compares with, printed for pasting."""
    from torch.nn.utils import clip_grad_norm_, clip_grad_value_

    g1 = [[0.5123, -1.4871, 2.0339], [0.2468, -0.7531, 1.0092]]
    g2 = [2.9876, -0.5012, 0.1234, -2.2468]
    g2_inf = [3.0, math.inf, 0.125, -2.25]
    g2_nan = [3.0, math.nan, 0.125, -2.25]

    def params(dtype, second):
        """Zero parameters [2, 3] and [4] with gradients g1 and `second`."""
        ps = []
        for g in (g1, second):
            p = torch.zeros(torch.tensor(g).shape, dtype=dtype, requires_grad=True)
            p.grad = torch.tensor(g, dtype=dtype)
            ps.append(p)
        return ps

    # (title, dtype, second gradient, the call)
    runs = [
        ("2-norm, max_norm 1.0", torch.float32, g2, lambda ps: clip_grad_norm_(ps, 1.0)),
        ("2-norm, max_norm 100 (no clipping)", torch.float32, g2,
         lambda ps: clip_grad_norm_(ps, 100.0)),
        ("inf-norm, max_norm 0.5", torch.float32, g2,
         lambda ps: clip_grad_norm_(ps, 0.5, norm_type=math.inf)),
        ("1-norm, max_norm 2.0", torch.float32, g2,
         lambda ps: clip_grad_norm_(ps, 2.0, norm_type=1.0)),
        ("3-norm, max_norm 2.0", torch.float32, g2,
         lambda ps: clip_grad_norm_(ps, 2.0, norm_type=3.0)),
        ("float64 2-norm, max_norm 1.0", torch.float64, g2, lambda ps: clip_grad_norm_(ps, 1.0)),
        ("inf in a gradient, error_if_nonfinite=False", torch.float32, g2_inf,
         lambda ps: clip_grad_norm_(ps, 1.0)),
        ("NaN in a gradient, inf-norm, error_if_nonfinite=False", torch.float32, g2_nan,
         lambda ps: clip_grad_norm_(ps, 1.0, norm_type=math.inf)),
        ("clip_grad_value_ 0.6", torch.float32, g2, lambda ps: clip_grad_value_(ps, 0.6)),
        ("clip_grad_value_ -0.6", torch.float32, g2, lambda ps: clip_grad_value_(ps, -0.6)),
    ]
    for title, dtype, second, call in runs:
        ps = params(dtype, second)
        total = call(ps)
        print("// " + title)
        if total is not None:
            print("  total norm:", num(float(total), dtype))
        for i, p in enumerate(ps):
            print("  grad %d:" % i, vec(p.grad.flatten().tolist(), dtype))
    for second, norm_type in ((g2_inf, 2.0), (g2_nan, math.inf)):
        try:
            clip_grad_norm_(params(torch.float32, second), 1.0, norm_type=norm_type,
                            error_if_nonfinite=True)
        except RuntimeError as e:
            print("// error:", e)
    print("// no gradients:", float(clip_grad_norm_([torch.zeros(2, requires_grad=True)], 1.0)))


if __name__ == "__main__":
    if "--clip" in sys.argv:
        clip_numbers()
    else:
        emit_cases()
