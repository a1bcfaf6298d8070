#!/usr/bin/python3
"""torch_epoch.py — PyTorch reference for `make bench`.

The same run as build/bench_epoch: the 784-256-128-10 ReLU network on
Fashion-MNIST, softmax cross-entropy (mean over the batch), batch 64, SGD
lr 0.02 momentum 0.9, float32, He-normal init for the two hidden layers,
Xavier-uniform for the output layer, zero biases, a fresh random permutation
every epoch. Data are read from the gzipped IDX files with gzip + numpy and
held as one float32 tensor scaled to [0, 1]; a batch is gathered by indexing
it, the fastest idiomatic way (a DataLoader with per-sample collation would
be several times slower and would not be a fair comparison).

Each epoch is timed from the first batch to the last optimizer step,
excluding evaluation. Results go to stdout as `key value` lines, one figure
per line, so the C bench can read them:

    torch_version 1.13.0a0
    torch_threads 1
    torch_epoch 1 1.53          (wall seconds)
    torch_epoch_cpu 1 1.52      (process CPU seconds)
    ...
    torch_test_acc 0.8712
    torch_peak_rss_mib 482.3

Threads: torch.set_num_threads(N) for PyTorch's own pool and
OPENBLAS_NUM_THREADS=N for the OpenBLAS pool it calls into; with N = 2 the two
pools are stacked, as they are in a default PyTorch install on two cores.

Usage: torch_epoch.py [--data DIR] [--epochs N] [--threads N]
                      [--flush-denormal]
Exits with status 3 (and says so on stderr) when torch or numpy is missing.
"""
import argparse
import gzip
import os
import resource
import struct
import sys
import time


def read_idx(path, ndim):
    """Returns (dims, bytes) of an unsigned-byte IDX file, gzipped or not."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    if magic != 0x0800 | ndim:
        raise ValueError(f"{path}: bad magic {magic:08x}")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = data[4 + 4 * ndim:]
    count = 1
    for d in dims:
        count *= d
    if len(body) != count:
        raise ValueError(f"{path}: {len(body)} data bytes, header says {count}")
    return dims, body


def load(np, data_dir, prefix):
    dims, img = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"), 3)
    _, lab = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"), 1)
    x = np.frombuffer(img, dtype=np.uint8).reshape(dims[0], dims[1] * dims[2])
    y = np.frombuffer(lab, dtype=np.uint8).astype(np.int64)
    return x, y


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--flush-denormal", action="store_true",
                    help="torch.set_flush_denormal(True) (off by default, as in PyTorch)")
    a = ap.parse_args()

    # torch.set_num_threads sizes PyTorch's OpenMP pool only; the OpenBLAS
    # that Debian's torch calls for matrix products keeps its own pool, sized
    # from the environment when the library loads (measured: with it unset,
    # a "1-thread" run used both cores). Size it before importing torch.
    os.environ["OPENBLAS_NUM_THREADS"] = str(a.threads)
    try:
        import numpy as np
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        print(f"torch_epoch: {e}; no PyTorch figures", file=sys.stderr)
        return 3

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.flush_denormal:
        torch.set_flush_denormal(True)

    xtr, ytr = load(np, a.data, "train")
    xte, yte = load(np, a.data, "t10k")
    Xtr = torch.from_numpy(xtr.astype(np.float32) / 255.0)
    Ytr = torch.from_numpy(ytr)
    Xte = torch.from_numpy(xte.astype(np.float32) / 255.0)
    Yte = torch.from_numpy(yte)

    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    with torch.no_grad():
        for i, layer in enumerate(m for m in model if isinstance(m, torch.nn.Linear)):
            if i < 2:
                torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")  # N(0, 2/n_in)
            else:
                torch.nn.init.xavier_uniform_(layer.weight)  # U(±sqrt(6/(n_in+n_out)))
            layer.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)

    print(f"torch_version {torch.__version__}")
    print(f"torch_threads {torch.get_num_threads()}")
    print(f"torch_flush_denormal {int(a.flush_denormal)}")
    n = Xtr.shape[0]
    for epoch in range(1, a.epochs + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        perm = torch.randperm(n)
        for start in range(0, n, a.batch):
            idx = perm[start:start + a.batch]
            xb, yb = Xtr[idx], Ytr[idx]
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=False)
            loss.backward()
            opt.step()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"torch_epoch {epoch} {seconds:.4f}")
        print(f"torch_epoch_cpu {epoch} {cpu:.4f}", flush=True)

    with torch.no_grad():
        correct = 0
        for start in range(0, Xte.shape[0], 1000):
            pred = model(Xte[start:start + 1000]).argmax(dim=1)
            correct += int((pred == Yte[start:start + 1000]).sum())
    print(f"torch_test_acc {correct / Xte.shape[0]:.4f}")
    print(f"torch_peak_rss_mib {peak_rss_mib():.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
