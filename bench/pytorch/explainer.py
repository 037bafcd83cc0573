#!/usr/bin/env python3
"""PyTorch CPU baseline: throughput of the CER counterfactual explainer, batched over B pairs.

This is the optimisation of chrisjtan/counter `ExpOptimizationModel.explain`, as described in
paper brief section 3.3, stacked over B (user, item) pairs with Delta of shape [B x F]. The rows
are independent: the per-row losses are summed, so their gradients do not interact.

    mask    = 1[X_u > 0]
    Y*(D)   = clip(Y_i + clip(D * mask, -5, 0), 0, 5)
    s(D)    = f(X_u, Y*(D))                                 (frozen base model)
    bpr(D)  = lam * relu(alp + s(D) - s_{u,(K+1)})
    loss(D) = sqrt(sum D^2 + 1e-12) + bpr(D) + gam * |D|_1  (L2 not squared, as in the code)
    D0 ~ U(-5, 0);  SGD(lr=0.01), `--steps` steps (1000 in the reference code)
    keep each row's lowest-loss D (the initial one included) and its bpr;
    explained iff bpr_best < lam * alp;  E = {f : (D* * mask)_f < -0.1}, else {argmin D*}

Synthetic inputs: X_u and Y_i drawn U[0, 5], with a fraction of X_u set to 0 (--mask-density is
the fraction kept). The base model has random PyTorch-default weights. The margin score
s_{u,(K+1)} is set to s(X_u, Y_i) - --margin-gap, so the hinge term is active at the start.
None of this changes the cost per step.

Prints one JSON line on stdout. `pairsPerSec` = complete explanations per second, i.e.
B / (seconds per step * --full-steps), --full-steps = 1000 as in the reference code. The cost per step
is constant (the reference loop never stops early), so a shorter --steps run measures the same
rate. `rowStepsPerSec` = B * steps / seconds.
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
    except AttributeError:
        return os.cpu_count() or 1


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--features", "-F", type=int, default=24, help="F (default 24)")
    p.add_argument("--pairs", "-B", type=int, default=256, help="B, pairs optimised together (default 256)")
    p.add_argument("--steps", type=int, default=1000, help="optimiser steps per explanation (default 1000, as in the code)")
    p.add_argument("--full-steps", type=int, default=1000, help="steps of one complete explanation, used to scale pairsPerSec (default 1000, as in the code)")
    p.add_argument("--warmup", type=int, default=20, help="untimed warm-up steps (default 20)")
    p.add_argument("--repeats", type=int, default=3, help="timed repeats; `seconds` is their median (default 3)")
    p.add_argument("--threads", type=int, default=default_threads(), help="torch.set_num_threads (default: all cores)")
    p.add_argument("--lam", type=float, default=200.0, help="hinge weight lambda (Amazon 200, Yelp 100)")
    p.add_argument("--alp", type=float, default=0.05, help="hinge margin alpha (Amazon 0.05, Yelp 0.01)")
    p.add_argument("--gam", type=float, default=1.0, help="L1 weight gamma (default 1)")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--mask-thresh", type=float, default=0.1)
    p.add_argument("--mask-density", type=float, default=0.5, help="fraction of X_u entries > 0 (default 0.5)")
    p.add_argument("--margin-gap", type=float, default=0.05, help="s_(K+1) = s(X_u, Y_i) - gap (default 0.05)")
    p.add_argument("--max-foreign", type=float, default=10.0, help="a timed block during which other processes used more than this %% of the machine's CPU is discarded and redone (up to 6x --repeats blocks, 5 s apart); -1 = keep all (default 10)")
    p.add_argument("--own-cores-ok", action="store_true", help="with fewer threads than cores, also count a block as clean when this process had its cores throughout and other load stayed on the other cores (see hostload.timed_repeats)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    if min(a.features, a.pairs, a.steps, a.repeats, a.threads) < 1 or a.warmup < 0:
        p.error("--features, --pairs, --steps, --repeats, --threads must be >= 1 and --warmup >= 0")
    return a


def main(argv=None) -> int:
    a = parse_args(argv)

    import warnings
    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")  # numpy is not installed; not needed
    import torch
    from torch import nn

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    F, B = a.features, a.pairs
    feature_max = 5.0

    model = nn.Sequential(
        nn.Linear(2 * F, 1024), nn.ReLU(),
        nn.Linear(1024, 256), nn.ReLU(),
        nn.Linear(256, 1), nn.Sigmoid(),
    )
    model.eval()
    model.requires_grad_(False)  # frozen base model: only Delta gets gradients

    x_u = torch.rand(B, F) * feature_max
    x_u = x_u * (torch.rand(B, F) < a.mask_density)
    y_i = torch.rand(B, F) * feature_max
    mask = (x_u > 0).float()
    with torch.no_grad():
        s_margin = model(torch.cat([x_u, y_i], 1)).squeeze(1) - a.margin_gap

    def explain(steps: int):
        delta = (torch.rand(B, F) * -feature_max).requires_grad_(True)  # U(-5, 0)
        opt = torch.optim.SGD([delta], lr=a.lr, weight_decay=0.0)
        best_loss = torch.full((B,), float("inf"))
        best_delta = torch.zeros(B, F)
        best_bpr = torch.zeros(B)
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            d = (delta * mask).clamp(-feature_max, 0.0)
            y_star = (y_i + d).clamp(0.0, feature_max)
            s = model(torch.cat([x_u, y_star], 1)).squeeze(1)
            bpr = a.lam * torch.relu(a.alp + s - s_margin)
            l2 = torch.sqrt((delta * delta).sum(1) + 1e-12)
            l1 = delta.abs().sum(1)
            loss_row = l2 + bpr + a.gam * l1
            with torch.no_grad():  # the loss is that of the current Delta, before this step's update
                better = loss_row < best_loss
                best_loss = torch.where(better, loss_row, best_loss)
                best_delta = torch.where(better.unsqueeze(1), delta, best_delta)
                best_bpr = torch.where(better, bpr, best_bpr)
            loss_row.sum().backward()
            opt.step()
        explained = best_bpr < a.lam * a.alp
        masked = best_delta * mask
        sel = masked < -a.mask_thresh
        empty = ~sel.any(1)
        sel[empty, masked[empty].argmin(1)] = True
        sizes = sel.sum(1).float()
        return int(explained.sum()), float(sizes[explained].mean()) if bool(explained.any()) else 0.0

    if a.warmup:
        explain(a.warmup)
    load_before = loadavg1()
    m = timed_repeats(lambda: explain(a.steps), a.repeats, a.max_foreign, own_cores=a.threads if a.own_cores_ok else 0)
    result, seconds = m["result"], m["seconds"]
    n_explained, avg_e = result
    rec = {
        "framework": "pytorch",
        "device": "cpu",
        "bench": "cer-explainer",
        "threads": torch.get_num_threads(),
        "F": F,
        "pairs": B,
        "steps": a.steps,
        "fullSteps": a.full_steps,
        "seconds": round(seconds, 6),
        "pairsPerSec": round(B * a.steps / (seconds * a.full_steps), 2),
        "rowStepsPerSec": round(B * a.steps / seconds, 1),
        "msPerStep": round(1000 * seconds / a.steps, 4),
        "pairsPerSecBest": round(B * a.steps / (m["secondsMin"] * a.full_steps), 2),
        "warmup": a.warmup,
        "repeats": a.repeats,
        "explained": n_explained,
        "avgExplanationSize": round(avg_e, 4),
        "lam": a.lam, "alp": a.alp, "gam": a.gam, "lr": a.lr,
        **{k: v for k, v in m.items() if k not in ("result", "seconds")},
        "loadavg1Before": load_before,
        "torch": torch.__version__,
        "python": platform.python_version(),
    }
    print(json.dumps(rec), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
