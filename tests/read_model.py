#!/usr/bin/env python3
"""read_model.py — an nn model file read with numpy alone, and its forward pass.

It checks that the file is what nn says it is: the safetensors layout
(8-byte little-endian header length, JSON header, raw little-endian data),
torch-style tensor names, and everything needed to rebuild the network in
__metadata__. No nn code is used.

usage: read_model.py MODEL CSV
Prints JSON {"classes": [...], "probabilities": [[p_0, ..., p_K-1], ...]},
one row per CSV data row, the CSV columns chosen by the model's
feature_names. The test suite compares it with `nn predict --json`.
"""
import csv
import json
import struct
import sys

import numpy as np


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__")
    body = data[8 + n :]
    tensors = {}
    for name, t in header.items():
        dtype = {"F32": "<f4", "F64": "<f8"}[t["dtype"]]
        begin, end = t["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype=dtype).reshape(t["shape"])
    return meta, tensors


def forward(meta, tensors, x):
    sizes = [int(s) for s in meta["arch"].split("-")]
    act = {
        "relu": lambda h: np.maximum(h, 0),
        "sigmoid": lambda h: 1 / (1 + np.exp(-h)),
        "tanh": np.tanh,
    }[meta["activation"]]
    if "feature_mean" in meta:
        x = (x - np.array(json.loads(meta["feature_mean"]))) / np.array(json.loads(meta["feature_std"]))
    h = x
    layers = len(sizes) - 1
    for i in range(layers):
        w = tensors[f"dense{i}.weight"].astype(np.float64)  # (n_out, n_in), as torch.nn.Linear
        b = tensors[f"dense{i}.bias"].astype(np.float64)
        h = h @ w.T + b
        if i < layers - 1:
            h = act(h)
    z = h - h.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def main():
    meta, tensors = load(sys.argv[1])
    names = json.loads(meta["feature_names"])
    with open(sys.argv[2], newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[c]) for c in names] for r in rows])
    classes = json.loads(meta.get("label_names", "[]"))
    probs = forward(meta, tensors, x)
    print(json.dumps({"classes": classes, "probabilities": probs.tolist()}))


if __name__ == "__main__":
    main()
