#!/usr/bin/env python3
"""PyTorch CPU baseline: training throughput of the CER base recommender.

The model, loss and optimiser are those of the reference CountER code
(chrisjtan/counter `BaseRecModel`, scripts/train_base_*.py; paper brief section 3.1):

    MLP  Linear(2F -> 1024) -> ReLU -> Linear(1024 -> 256) -> ReLU -> Linear(256 -> 1) -> Sigmoid
    BCELoss, SGD(lr=5e-4, weight_decay=1e-5, no momentum), batch 128, shuffled.

Inputs are synthetic: n rows of concat(X_u, Y_i) drawn U[0, 5] with shape [n, 2F], and
random 0/1 labels. The timing therefore measures the compute, not data loading.

With --lambda > 0 each step is the adversarial-training step of the defended cells
(paper brief section 5): per-sample FGSM on the item half Y_i of the batch,
    y_adv = clip(y_i + eps * sign(dL_clean/dy_i), 0, 5)   (stop-gradient)
    L     = (1 - lambda) * L_clean + lambda * L_adv
It costs two forward and two backward passes per step. The single backward of L_clean
yields both the parameter gradients and dL_clean/dy_i; the parameter gradients are then
scaled by (1 - lambda), and lambda * L_adv is back-propagated on top. That gives exactly the
gradient of L with no retained graph.

Prints one JSON line on stdout. `samplesPerSec` counts training samples (batch rows),
so an adversarial step counts `batch` samples, not 2 * batch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

from hostload import loadavg1, timed_repeats


def default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--features", "-F", type=int, default=24, help="F, number of aspects; the input is 2F wide (default 24)")
    p.add_argument("--batch", type=int, default=128, help="mini-batch size (default 128)")
    p.add_argument("--steps", type=int, default=300, help="timed optimiser steps per repeat (default 300)")
    p.add_argument("--warmup", type=int, default=30, help="untimed warm-up steps (default 30)")
    p.add_argument("--repeats", type=int, default=3, help="timed repeats; `seconds` is their median (default 3)")
    p.add_argument("--threads", type=int, default=default_threads(), help="torch.set_num_threads (default: all cores available)")
    p.add_argument("--samples", type=int, default=0, help="synthetic data-set rows (default: 64 batches)")
    p.add_argument("--lambda", dest="lam", type=float, default=0.0, help="adversarial weight; 0 = vanilla training (default 0)")
    p.add_argument("--eps", type=float, default=0.5, help="FGSM budget eps_D for --lambda > 0 (default 0.5)")
    p.add_argument("--dataloader", action="store_true", help="feed batches through torch.utils.data.DataLoader(shuffle=True) like the reference script, instead of index-slicing pre-made tensors")
    p.add_argument("--max-foreign", type=float, default=10.0, help="a timed block during which other processes used more than this %% of the machine's CPU is discarded and redone (up to 6x --repeats blocks, 5 s apart); -1 = keep all (default 10)")
    p.add_argument("--own-cores-ok", action="store_true", help="with fewer threads than cores, also count a block as clean when this process had its cores throughout and other load stayed on the other cores (see hostload.timed_repeats)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    if a.features < 1 or a.batch < 1 or a.steps < 1 or a.warmup < 0 or a.repeats < 1 or a.threads < 1:
        p.error("--features, --batch, --steps, --repeats and --threads must be >= 1, --warmup >= 0")
    if not 0.0 <= a.lam <= 1.0:
        p.error("--lambda must be in [0, 1]")
    if a.lam > 0 and a.eps < 0:
        p.error("--eps must be >= 0")
    return a


def main(argv=None) -> int:
    a = parse_args(argv)

    import warnings
    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")  # numpy is not installed; not needed
    import torch
    from torch import nn

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    F = a.features
    n = a.samples or a.batch * 64
    feature_max = 5.0

    model = nn.Sequential(
        nn.Linear(2 * F, 1024), nn.ReLU(),
        nn.Linear(1024, 256), nn.ReLU(),
        nn.Linear(256, 1), nn.Sigmoid(),
    )
    model.train()
    loss_fn = nn.BCELoss()
    opt = torch.optim.SGD(model.parameters(), lr=5e-4, weight_decay=1e-5)
    params = list(model.parameters())

    data = torch.rand(n, 2 * F) * feature_max
    labels = torch.randint(0, 2, (n,)).float()

    def batches():
        """Endless shuffled epochs of (inputs [b, 2F], labels [b])."""
        if a.dataloader:
            ds = torch.utils.data.TensorDataset(data, labels)
            while True:
                for xb, yb in torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=True):
                    yield xb, yb
        else:
            while True:
                perm = torch.randperm(n)
                for s in range(0, n, a.batch):
                    idx = perm[s:s + a.batch]
                    yield data.index_select(0, idx), labels.index_select(0, idx)

    lam, eps = a.lam, a.eps

    def step_vanilla(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        opt.step()
        return loss.detach()

    def step_adversarial(xb, yb):
        opt.zero_grad(set_to_none=True)
        x_u = xb[:, :F]
        y_i = xb[:, F:].clone().requires_grad_(True)
        loss_clean = loss_fn(model(torch.cat([x_u, y_i], dim=1)).squeeze(1), yb)
        loss_clean.backward()  # parameter grads of L_clean, and dL_clean/dy_i
        with torch.no_grad():
            y_adv = (y_i + eps * y_i.grad.sign()).clamp_(0.0, feature_max)  # detached: stop-gradient
            for p in params:
                p.grad.mul_(1.0 - lam)
        loss_adv = loss_fn(model(torch.cat([x_u, y_adv], dim=1)).squeeze(1), yb)
        (lam * loss_adv).backward()  # accumulates on top of (1 - lambda) * grad L_clean
        opt.step()
        return (1.0 - lam) * loss_clean.detach() + lam * loss_adv.detach()

    step = step_adversarial if lam > 0 else step_vanilla
    it = batches()
    # Data-set smaller than a batch or a last partial batch: fine for timing, but keep batch full.
    def next_full():
        while True:
            xb, yb = next(it)
            if xb.shape[0] == a.batch or n < a.batch:
                return xb, yb

    for _ in range(a.warmup):
        step(*next_full())

    def block():
        loss = None
        for _ in range(a.steps):
            loss = step(*next_full())
        return float(loss)  # eager CPU is synchronous anyway

    load_before = loadavg1()
    m = timed_repeats(block, a.repeats, a.max_foreign, own_cores=a.threads if a.own_cores_ok else 0)
    final_loss, seconds = m["result"], m["seconds"]
    rec = {
        "framework": "pytorch",
        "device": "cpu",
        "threads": torch.get_num_threads(),
        "F": F,
        "batch": a.batch,
        "steps": a.steps,
        "seconds": round(seconds, 6),
        "samplesPerSec": round(a.steps * a.batch / seconds, 1),
        "variant": "adversarial" if lam > 0 else "vanilla",
        "lambda": lam,
        "eps": eps if lam > 0 else 0.0,
        "warmup": a.warmup,
        "repeats": a.repeats,
        "msPerStep": round(1000 * seconds / a.steps, 4),
        "samplesPerSecBest": round(a.steps * a.batch / m["secondsMin"], 1),
        "dataloader": a.dataloader,
        "finalLoss": round(final_loss, 6),
        **{k: v for k, v in m.items() if k not in ("result", "seconds")},
        "loadavg1Before": load_before,
        "torch": torch.__version__,
        "python": platform.python_version(),
    }
    print(json.dumps(rec), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
