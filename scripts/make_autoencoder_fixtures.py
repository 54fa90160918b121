#!/usr/bin/env python3
"""Make the PyTorch parity fixture that the Swift autoencoder kernels are tested against.

Run by hand from the repository root, in a venv with the CPU build of torch:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install 'torch==2.13.0+cpu' safetensors numpy
    /tmp/venv/bin/python scripts/make_autoencoder_fixtures.py

Everything is seeded and torch runs on one thread, so running it again rewrites the same bytes.

The models are written here from the equations in shared/reference/bae-method.md (sections 1-5),
following the reference code's choices ([C]):

  BAE     z = x W_enc^T + b_enc (Linear(d, m) with bias); h = step(z), 1 where z > 0, with the
          `sign_s` estimator (backward dL/dz = g (1 - g), g = dL/dh); x^ = h W_dec^T + b_dec
          (Linear(m, d, bias=True)); output activation none.
          loss = MSE(x^, x) + w_e H(h) + w_c D(h), with
            H = sum_j -[p_j log2(p_j + 1e-10) + (1 - p_j) log2(1 - p_j + 1e-10)], p = mean_i h_i
                (entropy threshold 0: H < 0 would make the term a constant 0),
            D = sum_{j != k} |C_jk|, C = torch.cov(h^T) (unbiased).
          Variants: "bae" (w_e = w_c = 1e-3) and "bae_plain" (w_e = w_c = 0; H and D are still
          recorded).
  ReLU    a = relu(z); loss = MSE + 1e-3 * sum |a| (summed over batch and latents, not
          normalised), variant "relu".
  TopK    a = z where z >= the row's 4th largest value, else 0 (ties keep more); loss = MSE,
          variant "topk".

Adam (torch.optim.Adam, lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay) on all four
parameter tensors.

Output: Tests/AutoencodersTests/Resources/parity.safetensors (F32 unless noted) and
parity.json (the hyperparameters).

  data                      [256, 16]  the dataset (6 hidden binary factors times random
                                       directions, plus noise)
  init/<param>                         initial weights, shared by every variant:
                                       encoder.weight [64, 16], encoder.bias [64],
                                       decoder.weight [16, 64], decoder.bias [16]
  steps/batches             [3, 64]    I32 row indices of the three recorded steps
  <variant>/step<s>/codes   [64, 64]   h (BAE) or a (SAE) of step s, s = 0, 1, 2
  <variant>/step<s>/loss/<term> [1]    mse, entropy, covariance, l1, total (as applicable)
  <variant>/step<s>/grad/<param>       gradients before the update
  <variant>/step<s>/grad/codes [64, 64] dL/dh (BAE) or dL/da (SAE), the code gradient
  <variant>/step<s>/after/<param>      weights after the update
  curve/batches             [300, 64]  I32 row indices of a 300-step run (one permutation of
                                       the 256 rows per 4 steps)
  <variant>/curve/loss      [300]      total loss at each of those steps (before its update)
"""

import json
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "AutoencodersTests" / "Resources"

ROWS, D, M, BATCH = 256, 16, 64, 64
FACTORS = 6
STEPS, CURVE_STEPS = 3, 300
LEARNING_RATE = 1e-3
ENTROPY_EPSILON = 1e-10
ENTROPY_THRESHOLD = 0.0
TOPK = 4
L1_WEIGHT = 1e-3
VARIANTS = {
    "bae": {"kind": "bae", "entropy_weight": 1e-3, "covariance_weight": 1e-3},
    "bae_plain": {"kind": "bae", "entropy_weight": 0.0, "covariance_weight": 0.0},
    "relu": {"kind": "relu", "l1_weight": L1_WEIGHT},
    "topk": {"kind": "topk", "k": TOPK},
}
PARAMS = ["encoder.weight", "encoder.bias", "decoder.weight", "decoder.bias"]


class StepSignS(torch.autograd.Function):
    """Forward: 1 where z > 0, else 0. Backward: g * (1 - g) (the reference's sign_s)."""

    @staticmethod
    def forward(ctx, z):
        return (z > 0).to(z.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * (1 - g)


def code_entropy(h):
    p = h.mean(dim=0)
    return -(p * torch.log2(p + ENTROPY_EPSILON) + (1 - p) * torch.log2(1 - p + ENTROPY_EPSILON)).sum()


def covariance_penalty(h):
    c = torch.cov(h.T)
    return (c - torch.diag(torch.diag(c))).abs().sum()


class Autoencoder(torch.nn.Module):
    def __init__(self, kind, init):
        super().__init__()
        self.kind = kind
        self.encoder = torch.nn.Linear(D, M)
        self.decoder = torch.nn.Linear(M, D, bias=True)
        with torch.no_grad():
            for name, p in self.named_parameters():
                p.copy_(init[name])

    def forward(self, x):
        z = self.encoder(x)
        if self.kind == "bae":
            codes = StepSignS.apply(z)
        elif self.kind == "relu":
            codes = torch.relu(z)
        elif self.kind == "topk":
            kth = torch.topk(z, TOPK, dim=1).values[:, -1:]
            codes = torch.where(z >= kth, z, torch.zeros_like(z))
        else:
            raise ValueError(self.kind)
        codes.retain_grad()
        return self.decoder(codes), codes


def losses(model, spec, x):
    """Every loss term (tensors) and the total, for one batch."""
    recon, codes = model(x)
    terms = {"mse": torch.nn.functional.mse_loss(recon, x)}
    total = terms["mse"]
    if spec["kind"] == "bae":
        entropy = code_entropy(codes)
        terms["entropy"] = entropy
        if entropy.item() < ENTROPY_THRESHOLD:
            entropy = torch.zeros(())
        terms["covariance"] = covariance_penalty(codes)
        total = total + spec["entropy_weight"] * entropy + spec["covariance_weight"] * terms["covariance"]
    elif spec["kind"] == "relu":
        terms["l1"] = codes.abs().sum()
        total = total + spec["l1_weight"] * terms["l1"]
    terms["total"] = total
    return terms, codes


def make_data():
    rng = np.random.default_rng(20250925)
    factors = (rng.random((ROWS, FACTORS)) < 0.5).astype(np.float32)
    directions = rng.standard_normal((FACTORS, D)).astype(np.float32)
    noise = 0.1 * rng.standard_normal((ROWS, D)).astype(np.float32)
    data = (factors @ directions + noise).astype(np.float32)
    step_batches = rng.permutation(ROWS)[: STEPS * BATCH].reshape(STEPS, BATCH)
    per_epoch = ROWS // BATCH
    epochs = -(-CURVE_STEPS // per_epoch)
    order = np.concatenate([rng.permutation(ROWS) for _ in range(epochs)])
    curve_batches = order[: CURVE_STEPS * BATCH].reshape(CURVE_STEPS, BATCH)
    return data, step_batches.astype(np.int32), curve_batches.astype(np.int32)


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    data_np, step_batches, curve_batches = make_data()
    data = torch.from_numpy(data_np)
    reference = torch.nn.Sequential()
    reference.encoder = torch.nn.Linear(D, M)
    reference.decoder = torch.nn.Linear(M, D)
    init = {name: p.detach().clone() for name, p in reference.named_parameters()}

    tensors = {"data": data, "steps/batches": torch.from_numpy(step_batches),
               "curve/batches": torch.from_numpy(curve_batches)}
    for name, value in init.items():
        tensors[f"init/{name}"] = value
    summary = {}

    for variant, spec in VARIANTS.items():
        model = Autoencoder(spec["kind"], init)
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        for s in range(STEPS):
            x = data[torch.from_numpy(step_batches[s]).long()]
            optimizer.zero_grad()
            terms, codes = losses(model, spec, x)
            terms["total"].backward()
            prefix = f"{variant}/step{s}"
            tensors[f"{prefix}/codes"] = codes.detach().clone()
            tensors[f"{prefix}/grad/codes"] = codes.grad.detach().clone()
            for name, value in terms.items():
                tensors[f"{prefix}/loss/{name}"] = value.detach().reshape(1).clone()
            for name, p in model.named_parameters():
                tensors[f"{prefix}/grad/{name}"] = p.grad.detach().clone()
            optimizer.step()
            for name, p in model.named_parameters():
                tensors[f"{prefix}/after/{name}"] = p.detach().clone()

        model = Autoencoder(spec["kind"], init)
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        curve = []
        for s in range(CURVE_STEPS):
            x = data[torch.from_numpy(curve_batches[s]).long()]
            optimizer.zero_grad()
            terms, _ = losses(model, spec, x)
            terms["total"].backward()
            optimizer.step()
            curve.append(terms["total"].item())
        tensors[f"{variant}/curve/loss"] = torch.tensor(curve, dtype=torch.float32)
        summary[variant] = (curve[0], curve[-1])

    OUT.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(OUT / "parity.safetensors"),
              # One metadata key: safetensors writes a map's keys in hash order.
              metadata={"generator": f"scripts/make_autoencoder_fixtures.py, torch {torch.__version__}"})
    (OUT / "parity.safetensors").chmod(0o644)
    hyper = {
        "rows": ROWS, "input_width": D, "code_width": M, "batch_size": BATCH, "hidden_factors": FACTORS,
        "recorded_steps": STEPS, "curve_steps": CURVE_STEPS,
        "optimizer": {"name": "adam", "learning_rate": LEARNING_RATE, "beta1": 0.9, "beta2": 0.999,
                      "epsilon": 1e-8, "weight_decay": 0.0},
        "binarization": "sign_s", "output_activation": "none", "decoder_bias": True,
        "entropy_epsilon": ENTROPY_EPSILON, "entropy_threshold": ENTROPY_THRESHOLD,
        "variants": VARIANTS, "torch": torch.__version__,
    }
    (OUT / "parity.json").write_text(json.dumps(hyper, indent=2, sort_keys=True) + "\n")
    for variant, (first, last) in summary.items():
        print(f"{variant}: loss {first:.5f} -> {last:.5f} over {CURVE_STEPS} steps")


if __name__ == "__main__":
    main()
