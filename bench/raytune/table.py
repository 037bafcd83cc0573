"""Side-by-side table from a bench/out/raytune-<date>/ folder (written by side-by-side.sh).

  python bench/raytune/table.py bench/out/raytune-<date>
"""
import json, os, sys
out = sys.argv[1]

def load(name):
    try:
        lines = [l for l in open(os.path.join(out, name)) if l.strip().startswith("{")]
        return json.loads(lines[-1]) if lines else None
    except OSError:
        return None

rows = []
r = load("rexsweep.json")
if r:
    split = r["cpuMsPerCell"]
    # Newer noop-sweep.ts: `servedBy` = every server + workers, without its request-counting proxy.
    cpu = split["servedBy"] if "servedBy" in split else sum(split.values())
    parts = " + ".join(f"{k} {v}" for k, v in split.items() if k not in ("servedBy", "proxy"))
    if "proxy" in split:
        parts += f" (counting proxy {split['proxy']}, not counted)"
    rows.append(("rexsweep (Temporal + MLflow)", r["cells"], r["finished"], r["seconds"] * 1000 / r["cells"], cpu, None, r["mlflowRequestsPerCell"], parts))
for name in ("raytune.json", "raytune-mlflow.json"):
    t = load(name)
    if not t:
        continue
    n = t["trials"]
    server, server_total = t.get("serverCpuSeconds") or 0, t.get("serverCpuSecondsTotal") or 0
    parts = f"ray {t['cpuSeconds'] * 1000 / n:.1f}" + (f" + mlflow {server * 1000 / n:.1f}" if t["tracking"] == "mlflow" else "") + f" [{t['cpuMethod']}]"
    rows.append((
        "Ray Tune " + t["ray"] + (" + MLflowLoggerCallback" if t["tracking"] == "mlflow" else " (no tracking)"),
        n, t["finished"], t["wallSeconds"] * 1000 / n,
        (t["cpuSeconds"] + server) * 1000 / n, (t["cpuSecondsTotal"] + server_total) * 1000 / n,
        t.get("mlflowRequestsPerTrial"), parts,
    ))
conc = next((x.get("concurrency") for x in (load("rexsweep.json"), load("raytune.json"), load("raytune-mlflow.json")) if x), "?")
print(f"\nno-op cells/trials at concurrency {conc}; per cell, in ms; {os.cpu_count()} CPUs")
head = ("tool", "cells", "done", "wall/cell", "CPU/cell", "+start/stop", "MLflow req/cell", "CPU split (ms/cell)")
fmt = "{:<40} {:>5} {:>5} {:>9} {:>9} {:>11} {:>15}  {}"
print(fmt.format(*head))
f = lambda v, d=1: "-" if v is None else f"{v:.{d}f}"
for name, n, done, wall, cpu, total, req, parts in rows:
    print(fmt.format(name, n, done, f(wall), f(cpu), f(total), f(req, 2), parts))
print(f"\nraw JSON: {out}/{{rexsweep,raytune,raytune-mlflow}}.json")
