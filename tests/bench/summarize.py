#!/usr/bin/env python3
"""Tables (markdown, to stdout) and a chart (performance.svg) from a compare.sh results folder.

Every figure is the median over the reps of each run's median; "fastest runs" compares the
minimum step times over all reps instead (the machine switches speed for seconds at a time).
Every ratio compares figures from the same folder: one machine, one session.
"""
import glob
import os
import re
import statistics
import sys

CONFIGS = ["seed", "small", "medium", "large"]
SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048]


def fields(line):
    return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)


def collect(folder):
    """{key tuple: [figure per rep]} from every *.txt of the folder."""
    data = {}

    def add(key, value):
        data.setdefault(key, []).append(float(value))

    for path in sorted(glob.glob(os.path.join(folder, "*.[0-9]*.txt"))):
        label = os.path.basename(path).split(".")[0]
        for line in open(path):
            if line.startswith("#") or not line.strip():
                continue
            kind, f = line.split()[0], fields(line)
            if kind == "rnn_step":
                impl = f["impl"] + ("_2core" if label == "lt_rnn_2core" else "")
                add(("rnn", impl, f["variant"], f["config"], int(f["threads"])), f["median_us"])
                add(("rnn_min", impl, f["variant"], f["config"], int(f["threads"])), f["min_us"])
            elif kind == "sgemm":
                add(("sgemm", f.get("impl", "openblas"), int(f["n"]), int(f["threads"])),
                    f["gflops_median"])
            elif kind == "perop" and f["case"] == "fwd_bwd":
                add(("perop", f["impl"]), f["us_per_iter_median"])
            elif kind == "memory":
                mib = float(f["peak_rss_mib"]) if "peak_rss_mib" in f else float(f["peak_rss_kib"]) / 1024
                add(("memory", f["impl"]), mib)
    return {k: (min(v) if k[0] == "rnn_min" else statistics.median(v)) for k, v in data.items()}, data


def fmt(x, digits=1):
    if x is None:
        return "–"
    return f"{x:,.{digits}f}" if x < 1000 else f"{x:,.0f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main(folder):
    m, raw = collect(folder)
    g = m.get
    reps = max((len(v) for v in raw.values()), default=0)
    out = []
    w = out.append
    env = open(os.path.join(folder, "env.txt")).read().strip() if os.path.exists(os.path.join(folder, "env.txt")) else ""
    w(f"Results folder `{os.path.basename(folder)}`, {reps} rep(s); medians of per-run medians.\n")
    w("```\n" + env + "\n```\n")

    w("### RNN training step, 1 thread (µs per step; lower is better)\n")
    w("| config (B, T, I, H, layers) | ag `nn::RNN` | ag `RNNCell` loop | libtorch `nn::RNN` | libtorch `RNNCell` loop | PyTorch `nn.RNN` | ag vs libtorch | same, fastest runs | ag loop / ag RNN |")
    w("|---|---|---|---|---|---|---|---|---|")
    shapes = {"seed": "1, 5, 4, 6, 1", "small": "1, 25, 65, 100, 1", "medium": "32, 50, 64, 128, 1",
              "large": "64, 100, 256, 512, 2"}
    checks = []
    targets = {"seed": 20, "small": 5, "medium": 2, "large": 1.2}
    for c in CONFIGS:
        ag, agc = g(("rnn", "ag", "rnn", c, 1)), g(("rnn", "ag", "cell", c, 1))
        lt, ltc = g(("rnn", "libtorch", "rnn", c, 1)), g(("rnn", "libtorch", "cell", c, 1))
        py = g(("rnn", "python", "rnn", c, 1))
        sp, loop = ratio(lt, ag), ratio(agc, ag)
        sp_min = ratio(g(("rnn_min", "libtorch", "rnn", c, 1)), g(("rnn_min", "ag", "rnn", c, 1)))
        w(f"| {c} ({shapes[c]}) | {fmt(ag)} | {fmt(agc)} | {fmt(lt)} | {fmt(ltc)} | {fmt(py)} | "
          f"{fmt(sp, 2)}× | {fmt(sp_min, 2)}× | {fmt(loop, 2)}× |")
        checks.append((f"{c} RNN step ≥ {targets[c]}× faster than libtorch", sp, targets[c], True))
        checks.append((f"{c} RNNCell loop within 1.3× of ag's nn::RNN", loop, 1.3, False))

    w("\n### Large config on 2 threads (µs per step)\n")
    ag1, ag2 = g(("rnn", "ag", "rnn", "large", 1)), g(("rnn", "ag", "rnn", "large", 2))
    lt2 = g(("rnn", "libtorch_2core", "rnn", "large", 1))
    w("| ag, 1 thread | ag, 2 threads | libtorch best two-core (ATen 1, OpenBLAS 2) | ag 2 vs 1 thread | ag 2 threads vs libtorch |")
    w("|---|---|---|---|---|")
    w(f"| {fmt(ag1)} | {fmt(ag2)} | {fmt(lt2)} | {fmt(ratio(ag1, ag2), 2)}× | {fmt(ratio(lt2, ag2), 2)}× |")
    checks.append(("large, 2 threads ≥ 1.7× ag on 1 thread", ratio(ag1, ag2), 1.7, True))
    checks.append(("large, 2 threads ≥ 1.2× libtorch's best two-core", ratio(lt2, ag2), 1.2, True))

    w("\n### sgemm, square float32 (GFLOP/s; higher is better)\n")
    w("| n | ag, 1 thread | OpenBLAS, 1 thread | ratio | ag, 2 threads | OpenBLAS, 2 threads |")
    w("|---|---|---|---|---|---|")
    for n in SIZES:
        a1, o1 = g(("sgemm", "ag", n, 1)), g(("sgemm", "openblas", n, 1))
        a2, o2 = g(("sgemm", "ag", n, 2)), g(("sgemm", "openblas", n, 2))
        w(f"| {n} | {fmt(a1)} | {fmt(o1)} | {fmt(ratio(a1, o1), 2)}× | {fmt(a2)} | {fmt(o2)} |")
        checks.append((f"sgemm {n}, 1 thread ≥ {1.0 if n <= 64 else 0.9}× OpenBLAS", ratio(a1, o1),
                       1.0 if n <= 64 else 0.9, True))
    s1, s2 = g(("sgemm", "ag", 1024, 1)), g(("sgemm", "ag", 1024, 2))
    checks.append(("sgemm 1024, 2 threads ≥ 1.8× 1 thread", ratio(s2, s1), 1.8, True))

    w("\n### Per-op overhead and memory\n")
    pa, pl = g(("perop", "ag")), g(("perop", "libtorch"))
    ma, ml = g(("memory", "ag")), g(("memory", "libtorch"))
    w("| | ag | libtorch | ratio |")
    w("|---|---|---|---|")
    w(f"| `tanh(x·Wᵀ + b).sum()` + backward (µs) | {fmt(pa, 2)} | {fmt(pl, 2)} | {fmt(ratio(pl, pa), 1)}× faster |")
    w(f"| peak resident memory, large config (MiB) | {fmt(ma)} | {fmt(ml)} | {fmt(ratio(ma, ml), 2)}× |")
    checks.append(("per-op fwd + bwd ≥ 10× faster than libtorch", ratio(pl, pa), 10, True))
    checks.append(("peak memory, large: no more than libtorch", ratio(ma, ml), 1.0, False))

    w("\n### Targets\n")
    w("| target | measured | holds |")
    w("|---|---|---|")
    for name, value, target, at_least in checks:
        ok = value is not None and (value >= target if at_least else value <= target)
        w(f"| {name} | {fmt(value, 2)}× | {'yes' if ok else '**no**'} |")
    print("\n".join(out))
    chart(folder, checks)


def chart(folder, checks):
    """Horizontal bars: each target's measured ratio over the ratio it asks for (1 = on target)."""
    rows = [(n, v / t if at_least else t / v) for n, v, t, at_least in checks if v]
    width, left, bar, gap = 860, 360, 16, 6
    height = 40 + len(rows) * (bar + gap)
    scale = (width - left - 40) / max(2.0, max(r for _, r in rows))
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="16">measured ÷ target (right of the line: target met)</text>']
    for i, (name, r) in enumerate(rows):
        y = 28 + i * (bar + gap)
        color = "#3b7dd8" if r >= 1 else "#d8583b"
        svg.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{name}</text>')
        svg.append(f'<rect x="{left}" y="{y}" width="{r * scale:.1f}" height="{bar}" fill="{color}"/>')
        svg.append(f'<text x="{left + r * scale + 4:.1f}" y="{y + 12}">{r:.2f}</text>')
    x1 = left + scale
    svg.append(f'<line x1="{x1:.1f}" y1="22" x2="{x1:.1f}" y2="{height - 4}" stroke="black"/>')
    svg.append("</svg>")
    with open(os.path.join(folder, "performance.svg"), "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
