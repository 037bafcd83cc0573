#!/usr/bin/env python3
"""Run bench/pytorch's CER scripts unchanged on a CUDA device, so that the GPU comparison uses the
very model, loss, optimiser, batch and step loop of the CPU baseline.

torch.set_default_device makes every tensor and parameter those scripts create live on the
device; their timed blocks end in a host read (float(loss), int(explained.sum())), which
synchronises, so their wall-clock timing stays correct on the GPU.

    python3 bench/gpu/torch_cuda.py {train|explain|probe} [--device auto|cuda|cpu] [script flags...]

Prints the script's JSON line with "device" set to what it ran on, plus the GPU's name. `probe`
prints only {"torch", "cuda", "device", "gpu"}; without torch it prints {"unavailable": reason}.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pytorch"))


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("train", "explain", "probe"):
        print(__doc__, file=sys.stderr)
        return 2
    cmd, rest = argv[0], argv[1:]
    want = "auto"
    if "--device" in rest:
        k = rest.index("--device")
        want = rest[k + 1]
        del rest[k:k + 2]
    try:
        import warnings
        warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
        import torch
    except Exception as e:  # noqa: BLE001 (any import failure means "no PyTorch here")
        print(json.dumps({"unavailable": f"import torch failed: {e}"}))
        return 0
    cuda = torch.cuda.is_available()
    device = ("cuda" if cuda else "cpu") if want == "auto" else want
    gpu = torch.cuda.get_device_name(0) if device == "cuda" else None
    info = {"torch": torch.__version__, "cudaBuild": torch.version.cuda, "cuda": cuda, "device": device, "gpu": gpu}
    if cmd == "probe":
        print(json.dumps(info))
        return 0
    torch.set_default_device(device)
    if cmd == "train":
        import cer_train as script
    else:
        import explainer as script
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = script.main(rest)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.startswith("{")]
    if rc != 0 or not lines:
        print(buf.getvalue(), file=sys.stderr)
        return rc or 1
    rec = json.loads(lines[-1])
    rec.update({"device": device, "gpu": gpu, "cudaBuild": torch.version.cuda})
    if device == "cuda":
        rec["peakCudaMiB"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    print(json.dumps(rec), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
