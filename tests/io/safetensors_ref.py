#!/usr/bin/env python3
"""An independent safetensors reader and writer (struct, json and numpy only), and the
fixtures under tests/io/fixtures/ that ag's C++ tests load and must reproduce byte for byte.

It follows the reference Rust writer (huggingface/safetensors, safetensors/src/tensor.rs):
tensors sorted by dtype descending in the crate's Dtype enum (F32 < F64 < I64) and then by
name, a compact JSON header with "__metadata__" first, padded with spaces to a multiple of 8.
The `safetensors` package itself is not in Debian, hence this second implementation.

  python3 tests/io/safetensors_ref.py fixtures tests/io/fixtures   # rewrite the fixtures
  python3 tests/io/safetensors_ref.py dump ckpt.safetensors         # read, check and print

Needs numpy (Debian: python3-numpy, for /usr/bin/python3).
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8")}
# Positions in the reference crate's Dtype enum, which it sorts by (descending).
ENUM_POSITION = {"F32": 11, "F64": 12, "I64": 13}
MAX_HEADER = 100_000_000


def dtype_of(array):
    for name, dt in DTYPES.items():
        if array.dtype == dt.newbyteorder("="):
            return name
    raise ValueError(f"unsupported dtype {array.dtype}")


def encode(tensors, metadata=None):
    """The bytes of a safetensors file holding `tensors` (name -> numpy array)."""
    items = sorted(tensors.items(),
                   key=lambda kv: (-ENUM_POSITION[dtype_of(kv[1])], kv[0].encode("utf-8")))
    header, blobs, offset = {}, [], 0
    if metadata:
        # Sorted keys: the crate keeps them in a HashMap, so any one order is its output.
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    for name, array in items:
        dtype = dtype_of(array)
        data = np.ascontiguousarray(array, dtype=DTYPES[dtype]).tobytes()  # row-major, LE
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def save(path, tensors, metadata=None):
    with open(path, "wb") as f:
        f.write(encode(tensors, metadata))


def decode(raw):
    """(list of (name, array) in data order, metadata dict); raises ValueError if malformed."""
    if len(raw) < 8:
        raise ValueError("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > MAX_HEADER or n > len(raw) - 8:
        raise ValueError(f"bad header length {n}")
    text = raw[8:8 + n].decode("utf-8")  # strict: raises on invalid UTF-8
    if text.rstrip(" ") != text.rstrip(" \t\r\n"):
        raise ValueError("only spaces may pad the header")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError(f"duplicate key in {keys}")
        return dict(pairs)

    header = json.loads(text, object_pairs_hook=no_duplicates)
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError("__metadata__ is not an object of strings")
    data = raw[8 + n:]
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise ValueError(f"{name}: bad entry {info!r}")
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPES:
            raise ValueError(f"{name}: unsupported dtype {dtype}")
        if not all(type(d) is int and d >= 0 for d in shape):
            raise ValueError(f"{name}: bad shape {shape}")
        if not (type(begin) is int and type(end) is int and 0 <= begin <= end):
            raise ValueError(f"{name}: bad data_offsets {[begin, end]}")
        if end - begin != int(np.prod(shape, dtype=object)) * DTYPES[dtype].itemsize:
            raise ValueError(f"{name}: data_offsets disagree with shape and dtype")
        entries.append((begin, end, name, dtype, shape))
    entries.sort(key=lambda e: (e[0], e[1]))
    covered = 0
    for begin, end, name, _, _ in entries:
        if begin != covered:
            raise ValueError(f"{name}: tensors do not tile the data section")
        covered = end
    if covered != len(data):
        raise ValueError(f"data section is {len(data)} bytes, tensors cover {covered}")
    tensors = [(name, np.frombuffer(data[b:e], dtype=DTYPES[dt]).reshape(shape).copy())
               for b, e, name, dt, shape in entries]
    return tensors, metadata


def load(path):
    with open(path, "rb") as f:
        return decode(f.read())


def f32_bits(bits):
    return np.array([bits], dtype="<u4").view("<f4")[0]


def fixture_tensors():
    """The fixtures; tests/io/safetensors_test.cpp builds the very same tensors."""
    weight = np.array([[0.5, -1.25, 3.0], [0.1, 2.0 ** -10, -7.75]], dtype=np.float32)
    mixed = {
        "weight": weight,
        "weight_t": weight.T,  # a non-contiguous view, written row-major
        "bias": np.array([0.1, -0.0, np.inf], dtype=np.float32),
        "special": np.array([np.nan, -np.inf, f32_bits(1), np.finfo(np.float32).max],
                            dtype=np.float32),
        "scale": np.array([0.1, -2.5e-300, 1.0 / 3.0], dtype=np.float64),
        "step": np.array(1234567890123, dtype=np.int64),  # 0-dim
        "labels": np.array([0, -1, 2 ** 63 - 1, -2 ** 63], dtype=np.int64),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }
    names = {
        "B": np.array([1.0], dtype=np.float32),
        "a": np.array([2.0], dtype=np.float32),
        "\u00e9": np.array([3.0], dtype=np.float32),
        "odd \"name\"\\\t\x01/\x7f": np.array([4.0, 5.0], dtype=np.float32),
        "zz": np.array([6.0], dtype=np.float64),
        "\u2603.layer.0": np.array([7, 8], dtype=np.int64),
    }
    names_metadata = {"optimizer": "sgd", "epoch": "3",
                      "note": "tab\there \"quoted\" \u00e9 \u2603 \x1f"}
    return [("mixed.safetensors", mixed, {"format": "pt"}),
            ("names.safetensors", names, names_metadata)]


def main(argv):
    if len(argv) == 3 and argv[1] == "fixtures":
        for file, tensors, metadata in fixture_tensors():
            path = f"{argv[2]}/{file}"
            save(path, tensors, metadata)
            loaded, meta = load(path)  # the reader accepts what the writer wrote
            assert meta == metadata and [n for n, _ in loaded] == sorted(
                tensors, key=lambda k: (-ENUM_POSITION[dtype_of(tensors[k])], k.encode()))
            print(f"wrote {path}")
    elif len(argv) == 3 and argv[1] == "dump":
        tensors, metadata = load(argv[2])
        print("metadata:", json.dumps(metadata, ensure_ascii=False))
        for name, array in tensors:
            print(f"{json.dumps(name, ensure_ascii=False)} {dtype_of(array)} "
                  f"{list(array.shape)}: {array.tolist()}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
