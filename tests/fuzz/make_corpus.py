#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/{safetensors,ops}/).

    python3 tests/fuzz/make_corpus.py          # rewrites both folders

The seeds are small on purpose (a few KB per target): libFuzzer grows its own working corpus
from them. The safetensors seeds are valid files of each dtype, with metadata, empty and 0-dim
tensors, and a few malformed ones; the ops seeds are programs in ops_fuzz.cpp's encoding that
use every op at least once (see the comment at the top of ops_fuzz.cpp for the format).
"""
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- safetensors ---------------------------------------------------------------------------------

def st_file(tensors, metadata=None, pad=True):
    """tensors: list of (name, dtype, shape, raw bytes). Laid out in the given order."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    data = b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def raw_header(text, data=b""):
    text = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(text)) + text + data


def f32(*v):
    return struct.pack("<%df" % len(v), *v)


def f64(*v):
    return struct.pack("<%dd" % len(v), *v)


def i64(*v):
    return struct.pack("<%dq" % len(v), *v)


def safetensors_seeds():
    inf, nan = float("inf"), float("nan")
    seeds = {
        # valid
        "empty_file": st_file([]),
        "f32_matrix": st_file([("w", "F32", [2, 3], f32(0.5, -1.25, 3, 0.1, 1e-3, -7.75))]),
        "f64_vector": st_file([("b", "F64", [3], f64(0.1, -2.5e-300, 1 / 3))]),
        "i64_scalar": st_file([("step", "I64", [], i64(1234567890123))]),
        "i64_extremes": st_file([("l", "I64", [4], i64(0, -1, 2**63 - 1, -2**63))]),
        "f32_specials": st_file([("s", "F32", [2, 2], f32(nan, -inf, 1e-45, 3.4e38))]),
        "empty_tensors": st_file([("e", "F32", [0], b""), ("e2", "F64", [2, 0, 3], b""),
                                  ("x", "F32", [1], f32(1))]),
        "metadata": st_file([("a", "F64", [1], f64(6))], {"format": "pt", "epoch": "3"}),
        "metadata_only": st_file([], {"note": "tab\there \"q\" \u00e9 \u2603 \u001f"}),
        "mixed_order": st_file([("z", "I64", [2], i64(7, 8)), ("y", "F64", [1], f64(2)),
                                ("x", "F32", [1, 1, 2], f32(4, 5))]),
        "unicode_names": st_file([("\u00e9", "F32", [1], f32(3)),
                                  ("\u2603.layer.0", "F32", [1], f32(2))]),
        "escaped_name": raw_header('{"a\\u00e9\\n\\"":{"dtype":"F32","shape":[1],'
                                   '"data_offsets":[0,4]}}', f32(1)),
        "unpadded": st_file([("w", "F32", [1], f32(1))], pad=False),
        # malformed
        "short": b"\x08\x00\x00",
        "length_past_end": struct.pack("<Q", 1000) + b"{}",
        "not_json": raw_header("{\"a\":", b""),
        "trailing_comma": raw_header('{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},}',
                                     f32(1)),
        "bad_dtype": raw_header('{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}',
                                b"\0" * 4),
        "overlap": raw_header('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                              '"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32(1)),
        "gap": raw_header('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32(1, 2)),
        "shape_overflow": raw_header('{"a":{"dtype":"F64","shape":[4294967296,4294967296,0],'
                                     '"data_offsets":[0,0]}}'),
        "negative_size": raw_header('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}'),
        "deep": raw_header("[" * 70 + "]" * 70),
        "bad_utf8": raw_header(b'{"\xc0\x80":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}',
                               f32(1)),
        "lone_surrogate": raw_header('{"\\ud800":{"dtype":"F32","shape":[],'
                                     '"data_offsets":[0,4]}}', f32(1)),
        "metadata_not_string": raw_header('{"__metadata__":{"a":1}}'),
    }
    return seeds


# ---- ops programs ----------------------------------------------------------------------------------
# The encoding is ops_fuzz.cpp's (see there). A program is: seed, flags, then ops; each op is an
# opcode byte followed by the bytes its arguments read. Missing bytes read as 0.

OP = {name: i for i, name in enumerate([
    "new", "add", "sub", "mul", "div", "scalar", "neg", "exp", "log", "tanh", "sigmoid", "relu",
    "pow", "clamp", "abs", "sqrt", "reciprocal", "sum", "sum_dim", "sum_dims", "mean",
    "mean_dim", "max", "max_dim", "softmax", "log_softmax", "matmul", "transpose", "t",
    "permute", "unsqueeze", "squeeze_dim", "squeeze", "select", "narrow", "slice", "reshape",
    "flatten", "expand", "contiguous", "clone", "cat", "stack"])}


def new(shape_mode=0, ref=0, a=0, b=0, c=0, d=0, layout=0, values=0):
    """new: shape mode, operand, 4 shape bytes, layout byte, values byte."""
    return bytes([OP["new"], shape_mode, ref, a, b, c, d, layout, values])


def leaf(*shape, layout=0, values=0):
    """A leaf of the given shape (rank <= 3, sizes <= 4): shape mode 0 reads rank, then sizes.
    layout: 0 contiguous, 1 transposed, 2 strided, 3 expanded (+16 * mask of dims), 4 offset;
    +8: does not require grad. values: 0 quarters, 1 {-1, 0, 1}, 2 with specials, 3 arbitrary."""
    sizes = list(shape) + [0] * (3 - len(shape))
    return new(0, 0, len(shape), sizes[0], sizes[1], sizes[2], layout, values)


def dim(ndim, d):
    """The byte ops_fuzz reads as dim d of a tensor with ndim dims."""
    m = max(ndim, 1)
    assert -m - 1 <= d <= m + 1
    return d + m + 1


def op(name, *args):
    return bytes([OP[name]] + list(args))


def join(name, operands, d_byte):
    return op(name, len(operands) - 1, *operands, d_byte)


def ops_seeds():
    S = {}
    h = bytes([7, 0])          # seed 7, flags 0: autograd::grad
    hb = bytes([9, 1])         # flags 1: loss.backward()
    hw = bytes([11, 6])        # flags 6: inexact weights, leaves are outputs too
    x23 = leaf(2, 3)
    S["unary"] = h + x23 + b"".join(op(n, 0) for n in
                                    ["neg", "exp", "tanh", "sigmoid", "relu", "abs"])
    S["log_sqrt_recip"] = h + leaf(2, 2, values=1) + op("log", 0) + op("sqrt", 0) + \
        op("reciprocal", 0)
    S["pow"] = hw + leaf(2, 3, values=3) + b"".join(op("pow", 0, k) for k in range(10))
    S["clamp"] = h + x23 + op("clamp", 0, 2, 6) + op("clamp", 0, 0, 8) + op("clamp", 0, 6, 2) + \
        op("clamp", 0, 4, 4)
    S["binary_broadcast"] = h + x23 + new(2, 0, 1, 2, 0, 0, 0, 0) + op("add", 0, 1) + \
        op("sub", 1, 0) + op("mul", 2, 1) + op("div", 0, 1)
    S["binary_new_dim"] = hb + leaf(3, 1) + leaf(2, 1, 4) + op("add", 0, 1) + op("div", 1, 0)
    S["binary_mismatch"] = h + x23 + leaf(4) + op("add", 0, 1) + op("mul", 1, 0)
    S["scalar_ops"] = h + x23 + b"".join(op("scalar", 0, k, 3 + k) for k in range(6))
    S["scalar_zero_inf"] = h + leaf(3, values=1) + op("scalar", 0, 3, 3) + op("scalar", 0, 5, 3) + \
        op("scalar", 0, 2, 7)
    S["reductions"] = h + leaf(2, 3, 4) + op("sum", 0) + op("sum_dim", 0, dim(3, 1), 1) + \
        op("sum_dims", 0, 1, dim(3, 0), dim(3, -1), 0) + op("mean", 0) + \
        op("mean_dim", 0, dim(3, 2), 0) + op("max", 0) + op("max_dim", 0, dim(3, 1), 1) + \
        op("max_dim", 0, dim(3, -1), 0)
    S["reductions_bad_dims"] = h + x23 + op("sum_dim", 0, dim(2, 2), 0) + \
        op("sum_dims", 0, 1, dim(2, 1), dim(2, -1), 0) + op("max_dim", 0, dim(2, -3), 0)
    S["reductions_empty"] = h + leaf(2, 0) + op("sum", 0) + op("mean", 0) + \
        op("mean_dim", 0, dim(2, 1), 0) + op("max_dim", 0, dim(2, 1), 0) + op("max", 0) + \
        op("max_dim", 0, dim(2, 0), 0)
    S["reductions_scalar"] = h + leaf() + op("sum_dim", 0, dim(0, 0), 1) + \
        op("mean_dim", 0, dim(0, -1), 0) + op("max_dim", 0, dim(0, 0), 0) + op("max", 0)
    S["ties"] = hb + leaf(3, 4, values=1) + op("max_dim", 0, dim(2, 1), 0) + op("max", 0) + \
        op("relu", 0) + op("clamp", 0, 2, 6)
    S["specials"] = h + leaf(3, 3, values=2) + op("exp", 0) + op("softmax", 0, dim(2, 1)) + \
        op("log_softmax", 0, dim(2, 0)) + op("max_dim", 0, dim(2, 1), 1) + op("max", 0) + \
        op("sum", 0) + op("tanh", 0) + op("sigmoid", 0)
    S["softmax"] = h + leaf(2, 3, values=3) + op("softmax", 0, dim(2, 1)) + \
        op("log_softmax", 0, dim(2, 0)) + op("softmax", 0, dim(2, -1))
    S["softmax_scalar"] = h + leaf() + op("softmax", 0, dim(0, 0)) + \
        op("log_softmax", 0, dim(0, -1))
    S["matmul_2d"] = h + x23 + new(3, 0, 1, 2, 0, 0, 0, 0) + op("matmul", 0, 1)
    S["matmul_1d"] = h + leaf(3) + leaf(3) + op("matmul", 0, 1) + new(3, 0, 1, 4, 0, 0, 0, 0) + \
        op("matmul", 0, 3) + op("matmul", 3, 0)
    S["matmul_batched"] = h + leaf(2, 2, 3) + new(3, 0, 2, 2, 0, 0, 0, 0) + \
        op("matmul", 0, 1) + new(3, 0, 3, 1, 0, 0, 0, 0) + op("matmul", 0, 3) + \
        new(3, 0, 0, 0, 0, 0, 0, 0) + op("matmul", 0, 5) + new(3, 0, 4, 2, 0, 0, 0, 0) + \
        op("matmul", 7, 0)
    S["matmul_empty_k"] = hb + leaf(2, 0) + leaf(0, 3) + op("matmul", 0, 1)
    S["matmul_bad"] = h + x23 + leaf(2, 3) + op("matmul", 0, 1) + leaf() + op("matmul", 0, 3)
    S["views"] = h + leaf(2, 3, 4) + op("transpose", 0, dim(3, 0), dim(3, 2)) + op("t", 1) + \
        op("permute", 0, 3, 0) + op("unsqueeze", 0, dim(4, 1)) + \
        op("squeeze_dim", 4, dim(4, 1)) + op("squeeze", 4) + op("permute", 0, 1, 0xA0)
    S["select_narrow_slice"] = h + leaf(4, 3) + op("select", 0, dim(2, 0), 3 + 6) + \
        op("narrow", 0, dim(2, 0), 1 + 6, 3) + op("slice", 0, dim(2, 0), 6, 4 + 6, 2) + \
        op("slice", 0, dim(2, 1), 6 - 2, 6 + 3, 1) + op("narrow", 0, dim(2, 1), 2 + 5, 3)
    S["reshape_flatten"] = h + leaf(2, 3, 2) + op("reshape", 0, 0, 0) + \
        op("reshape", 0, 1, 1) + op("reshape", 0, 2, 3) + op("reshape", 0, 3, 2) + \
        op("flatten", 0, dim(3, 1), dim(3, 2)) + op("reshape", 0, 4, 3, 0, 0, 0) + \
        op("reshape", 0, 4, 2, 4, 3)
    S["reshape_transposed"] = hb + leaf(3, 4, layout=1) + op("reshape", 0, 0, 0) + \
        op("t", 0) + op("reshape", 2, 1, 2)
    S["expand"] = h + leaf(1, 3) + op("expand", 0, 1, 3, 6, 1) + op("expand", 0, 2, 2, 4, 0, 0) + \
        op("contiguous", 1) + op("clone", 1) + op("expand", 0, 0, 2, 0)
    S["cat_stack"] = h + x23 + new(4, 0, 1, 3, 0, 0, 0, 0) + \
        join("cat", [0, 1], dim(2, 1)) + join("stack", [0, 0], dim(3, 2)) + \
        join("cat", [1, 1, 0], dim(2, 0))
    S["layouts"] = hb + leaf(2, 3, layout=1) + leaf(2, 3, layout=2) + \
        leaf(2, 3, layout=3 + 16) + leaf(2, 3, layout=4) + op("add", 0, 1) + op("mul", 2, 3) + \
        op("sum", 4) + new(3, 0, 1, 2, 0, 0, 1, 0) + op("matmul", 0, 7)
    S["no_grad_leaf"] = h + leaf(2, 2, layout=8) + leaf(2, 2) + op("mul", 0, 1) + op("exp", 2)
    S["chain"] = hb + leaf(3, 4, values=3) + op("tanh", 0) + op("t", 1) + \
        op("matmul", 0, 2) + op("log_softmax", 3, dim(2, 1)) + op("mean", 4)
    S["reuse"] = hb + leaf(3) + op("mul", 0, 0) + op("add", 1, 0) + op("div", 2, 1)
    S["rnn_step"] = hw + leaf(2, 3, values=3) + new(3, 0, 1, 4, 0, 0, 0, 0) + \
        op("matmul", 0, 1) + op("tanh", 2) + join("stack", [2, 3, 3], dim(3, 1)) + \
        op("sum_dim", 4, dim(3, 0), 0)
    return S


def write(folder, seeds):
    path = os.path.join(HERE, "corpus", folder)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)
    total = sum(len(d) for d in seeds.values())
    print(f"{folder}: {len(seeds)} seeds, {total} bytes")


if __name__ == "__main__":
    write("safetensors", safetensors_seeds())
    write("ops", ops_seeds())
