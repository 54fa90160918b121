"""Training throughput of the BAE and SAE baselines in PyTorch (CPU), written from the
equations the way a careful user of the reference code would run it, for comparison with
`bae train` on the same rows, epochs, batch size and threads (see run.sh and README.md).

    python benchmarks/train/bench_torch.py FEATURES_DIR --hook blocks.15.hook_resid_post \
        --arch bae --epochs 5 --threads 2

Needs a venv with torch (CPU build), safetensors and numpy. Prints one JSON line.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
from safetensors.numpy import load_file


def load_rows(directory, hook):
    manifest = json.load(open(os.path.join(directory, "manifest.json")))
    parts = [load_file(os.path.join(directory, s["files"][0]["path"]))[hook].astype(np.float32) for s in manifest["shards"]]
    return np.concatenate(parts)


class SignS(torch.autograd.Function):
    """step(z) forward; g·(1−g) on the incoming gradient (the reference's sign_s)."""

    @staticmethod
    def forward(ctx, z):
        return (z > 0).to(z.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * (1 - g)


class Autoencoder(torch.nn.Module):
    def __init__(self, d, m, arch, k):
        super().__init__()
        self.encoder = torch.nn.Linear(d, m)
        self.decoder = torch.nn.Linear(m, d, bias=True)
        self.arch, self.k = arch, k

    def forward(self, x):
        z = self.encoder(x)
        if self.arch == "bae":
            h = SignS.apply(z)
        elif self.arch == "relu":
            h = torch.relu(z)
        else:  # topk: keep entries ≥ the k-th largest per row
            kth = torch.topk(z, self.k, dim=1).values[:, -1:]
            h = z * (z >= kth)
        return self.decoder(h), h


def losses(model, x, args, epoch):
    xhat, h = model(x)
    mse = torch.mean((x - xhat) ** 2)
    total = mse
    if args.arch == "bae":
        p = h.mean(0)
        entropy = -(p * torch.log2(p + 1e-10) + (1 - p) * torch.log2(1 - p + 1e-10)).sum()
        cov = torch.cov(h.T)
        covariance = cov.abs().sum() - cov.diagonal().abs().sum()
        if epoch >= args.entropy_start_epoch:
            total = total + args.entropy_weight * entropy
        total = total + args.covariance_weight * covariance
    elif args.arch == "relu":
        total = total + args.l1_weight * h.abs().sum()
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("features")
    ap.add_argument("--hook", required=True)
    ap.add_argument("--arch", default="bae", choices=["bae", "relu", "topk"])
    ap.add_argument("--expand", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--entropy-weight", type=float, default=1e-7)
    ap.add_argument("--entropy-start-epoch", type=int, default=0)
    ap.add_argument("--covariance-weight", type=float, default=1e-7)
    ap.add_argument("--l1-weight", type=float, default=1e-7)
    ap.add_argument("--topk", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    rows = torch.from_numpy(load_rows(args.features, args.hook))
    n_train = int(len(rows) * 0.8)
    train, validation = rows[:n_train], rows[n_train:]
    d = rows.shape[1]
    model = Autoencoder(d, args.expand * d, args.arch, args.topk)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loader = torch.utils.data.DataLoader(train, batch_size=args.batch_size, shuffle=True)

    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        for x in loader:
            optimizer.zero_grad()
            losses(model, x, args, epoch).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for i in range(0, len(validation), args.batch_size):
                losses(model, validation[i:i + args.batch_size], args, epoch)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "engine": "torch", "arch": args.arch, "rows": len(rows), "train_rows": n_train, "epochs": args.epochs,
        "seconds": seconds, "samples_per_second": n_train * args.epochs / seconds, "threads": args.threads,
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
