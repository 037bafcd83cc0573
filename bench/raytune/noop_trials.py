"""N no-op Ray Tune trials at concurrency C, with or without Ray's MLflow callback (issue 14).

Each trial does no work. By default (--payload cell) it carries what a rexsweep no-op cell records,
~50 config params and --evaluations reports of 16 metrics, so that the MLflow callback writes the
same kind of payload rexsweep's bookkeeping does; --payload minimal reports one metric once. Prints one JSON line on stdout (also written to
--out):

  {tool, trials, concurrency, tracking, finished, errors, wallSeconds, totalSeconds,
   cpuSeconds, cpuSecondsTotal, cpuMethod, serverCpuSeconds, mlflowRequests, ...}

  wallSeconds       Tuner.fit() only (the sweep; like rexsweep's `seconds`)
  totalSeconds      ray.init() + fit + ray.shutdown() (Ray starts its GCS, raylet and
                    worker pool per run; rexsweep's servers are already up)
  cpuSeconds        CPU of this process and ALL its descendants during fit()
  cpuSecondsTotal   the same from ray.init() to after ray.shutdown()
  serverCpuSeconds  CPU of the MLflow server's process group during fit() (--server-pgid;
                    serverCpuSecondsTotal: init to shutdown)
  mlflowRequests    request lines the MLflow server's access log gained during the whole run

How CPU is counted (cpuMethod):
  cgroup   (exact) before ray.init() this process moves itself into a new cgroup (v2, else the
           v1 cpuacct hierarchy); every process Ray starts (GCS, raylet, dashboard agent,
           runtime-env agent, log monitor, every Python worker) inherits it, and the cgroup's
           counter includes processes that already exited. This matters: the raylet ignores
           SIGCHLD, so its workers are auto-reaped and their CPU never reaches any parent's
           RUSAGE_CHILDREN. On exit, anything Ray left in the cgroup is killed, the cgroup removed.
  sampled  (lower bound; when no cgroup can be created, e.g. not root) a thread walks this
           process's descendants every 100 ms (psutil) and keeps each process's last seen
           user+system time; plus RUSAGE_SELF. Misses the CPU a process uses after its last
           sample. --cpu-method forces one.

Ray runs on loopback (node IP 127.0.0.1) with usage stats off (RAY_USAGE_STATS_ENABLED=0), no dashboard, num_cpus=C,
its temp dir and Tune storage in a fresh folder under /tmp that is removed at the end. Tune's
default per-trial loggers (JSON, CSV, TensorBoardX) stay on: that is a plain Ray Tune run.

  python noop_trials.py --trials 200 --concurrency 50 [--tracking mlflow --tracking-uri URI
      --experiment NAME --server-pgid PGID --access-log PATH] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time

# Before importing ray: no usage-stats upload, no MLflow telemetry, nothing leaves the machine.
os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
os.environ.setdefault("RAY_DISABLE_DOCKER_CPU_WARNING", "1")
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["DO_NOT_TRACK"] = "true"

TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- CPU accounting
class CgroupCpu:
    """A fresh cgroup holding this process and, by inheritance, everything it starts."""

    def __init__(self) -> None:
        self.dir = None
        self.parent_procs = None
        self.kind = None
        errors = []
        for kind in ("v2", "v1"):
            try:
                self._create(kind)
                self.kind = kind
                return
            except OSError as e:
                errors.append(f"{kind}: {e}")
                self._remove_dir()
        raise OSError("; ".join(errors))

    def _create(self, kind: str) -> None:
        mounts = open("/proc/self/mountinfo").read().splitlines()
        own = open("/proc/self/cgroup").read().splitlines()
        if kind == "v2":
            mount = next(l.split(" - ")[0].split()[4] for l in mounts if " - cgroup2 " in l)
            rel = next(l.split(":", 2)[2] for l in own if l.startswith("0::"))
            usage_file = "cpu.stat"
        else:
            mount = next(
                l.split(" - ")[0].split()[4] for l in mounts if " - cgroup " in l and "cpuacct" in l.split(" - ")[1].split()[-1].split(",")
            )
            rel = next(l.split(":", 2)[2] for l in own if "cpuacct" in l.split(":", 2)[1].split(","))
            usage_file = "cpuacct.usage"
        parent = os.path.join(mount, rel.lstrip("/"))
        self.dir = os.path.join(parent, f"rexsweep-raytune-{os.getpid()}")
        os.mkdir(self.dir)
        self.usage_file = os.path.join(self.dir, usage_file)
        self.parent_procs = os.path.join(parent, "cgroup.procs")
        with open(os.path.join(self.dir, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
        if str(os.getpid()) not in open(os.path.join(self.dir, "cgroup.procs")).read().split():
            raise OSError("could not move into the cgroup")
        t = time.process_time()
        while time.process_time() - t < 0.02:
            pass
        if self.seconds() <= 0:
            raise OSError(f"{self.usage_file} does not count")

    def seconds(self) -> float:
        text = open(self.usage_file).read()
        if self.usage_file.endswith("cpu.stat"):
            return int(re.search(r"^usage_usec (\d+)", text, re.M).group(1)) / 1e6
        return int(text) / 1e9

    def close(self) -> list[int]:
        """Moves this process back, kills what is left inside, removes the cgroup."""
        leftovers: list[int] = []
        if self.dir is None:
            return leftovers
        try:
            with open(self.parent_procs, "w") as f:
                f.write(str(os.getpid()))
        except OSError:
            pass
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                pids = [int(p) for p in open(os.path.join(self.dir, "cgroup.procs")).read().split()]
            except OSError:
                break
            if not pids:
                break
            leftovers = sorted(set(leftovers) | set(pids))
            for p in pids:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            reap()
            time.sleep(0.1)
        self._remove_dir()
        return leftovers

    def _remove_dir(self) -> None:
        if self.dir:
            for _ in range(50):
                try:
                    os.rmdir(self.dir)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)
            self.dir = None


class SampledCpu:
    """Lower bound: RUSAGE_SELF + each descendant's last seen user+system time."""

    def __init__(self, interval: float = 0.1) -> None:
        import psutil

        self.me = psutil.Process()
        self.seen: dict[tuple[int, float], float] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        for p in self.me.children(recursive=True):
            try:
                t = p.cpu_times()
                key = (p.pid, p.create_time())
            except Exception:
                continue
            with self.lock:
                self.seen[key] = max(self.seen.get(key, 0.0), t.user + t.system)

    def _run(self, interval: float) -> None:
        while not self.stop.wait(interval):
            self._sample()

    def seconds(self) -> float:
        self._sample()
        ru = resource.getrusage(resource.RUSAGE_SELF)
        with self.lock:
            return ru.ru_utime + ru.ru_stime + sum(self.seen.values())

    def close(self) -> list[int]:
        self.stop.set()
        self.thread.join()
        return []


def reap() -> None:
    """Collects exited children nobody waited for (Ray's Popen objects cope with ECHILD)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def group_cpu_seconds(pgid: int) -> float:
    """CPU of a process group (live processes + the children they reaped), as bench/orchestration/group-cpu.ts."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) != pgid:
            continue
        ticks += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return ticks / TICKS


REQUEST_LINE = re.compile(r'"(GET|POST|PUT|PATCH|DELETE|HEAD) (\S+) HTTP/[\d.]+" \d{3}')


def access_log_requests(path: str | None) -> list[str]:
    if not path:
        return []
    with open(path, errors="replace") as f:
        return ["%s %s" % m.group(1, 2) for m in map(REQUEST_LINE.search, f) if m]


# ---------------------------------------------------------------- the run
# What a rexsweep no-op cell records, so that both tools carry the same payload to MLflow: ~50
# config params (a cell's flattened config) and, per evaluation (5 by default: clean + FGSM and
# random at two eps_A), the 16 evaluation metrics of tracking/result-metrics.ts.
CELL_PARAMS = 50
EVAL_METRICS = 16


def noop(config):  # the trainable: no work; reports as configured
    from ray import tune

    evaluations = config.get("evaluations", 1)
    if evaluations == 1 and "cell" not in config:
        tune.report({"score": 1.0})
        return
    for e in range(evaluations):
        tune.report({f"eval_{m}": float(e) for m in range(EVAL_METRICS)})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--tracking", choices=["none", "mlflow"], default="none")
    ap.add_argument("--tracking-uri")
    ap.add_argument("--experiment")
    ap.add_argument("--server-pgid", type=int, help="MLflow server process group, for its CPU")
    ap.add_argument("--access-log", help="MLflow server stdout (uvicorn access log), for request counts")
    ap.add_argument("--cpu-method", choices=["auto", "cgroup", "sampled"], default="auto")
    ap.add_argument("--payload", choices=["cell", "minimal"], default="cell",
                    help="cell: a rexsweep cell's params and metrics (default); minimal: one metric, once")
    ap.add_argument("--evaluations", type=int, default=5, help="reports per trial with --payload cell")
    ap.add_argument("--out", help="also write the JSON line here")
    args = ap.parse_args()
    if args.tracking == "mlflow" and not args.tracking_uri:
        ap.error("--tracking mlflow needs --tracking-uri")
    n, c = args.trials, args.concurrency
    experiment = args.experiment or f"raytune-noop-{n}x{c}-{int(time.time())}"

    cpu = None
    cpu_note = None
    if args.cpu_method in ("auto", "cgroup"):
        try:
            cpu = CgroupCpu()
        except (OSError, StopIteration) as e:
            if args.cpu_method == "cgroup":
                raise
            cpu_note = f"no cgroup ({e}); sampled"
    if cpu is None:
        cpu = SampledCpu()
    method = f"cgroup-{cpu.kind}" if isinstance(cpu, CgroupCpu) else "sampled"

    # Short path: Ray's Unix sockets live under the temp dir (108-byte limit).
    tmp = tempfile.mkdtemp(prefix="rt-", dir="/tmp")
    result: dict = {}
    leftovers: list[int] = []
    try:
        import ray
        from ray import tune

        requests0 = len(access_log_requests(args.access_log))
        server_start = group_cpu_seconds(args.server_pgid) if args.server_pgid else None
        cpu0 = cpu.seconds()
        t0 = time.perf_counter()
        ray.init(
            num_cpus=c,
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
            _temp_dir=os.path.join(tmp, "ray"),
            log_to_driver=False,
            logging_level="warning",
        )
        callbacks = []
        if args.tracking == "mlflow":
            from ray.air.integrations.mlflow import MLflowLoggerCallback

            callbacks.append(MLflowLoggerCallback(tracking_uri=args.tracking_uri, experiment_name=experiment))
        tuner = tune.Tuner(
            noop,
            param_space={
                "seed": tune.grid_search(list(range(n))),
                **(
                    {"evaluations": args.evaluations, "cell": {f"p{i}": i for i in range(CELL_PARAMS)}}
                    if args.payload == "cell"
                    else {}
                ),
            },
            tune_config=tune.TuneConfig(max_concurrent_trials=c, num_samples=1),
            run_config=tune.RunConfig(
                name="noop", storage_path=os.path.join(tmp, "results"), callbacks=callbacks, verbose=0
            ),
        )
        server0 = group_cpu_seconds(args.server_pgid) if args.server_pgid else None
        cpu_fit0 = cpu.seconds()
        t_fit0 = time.perf_counter()
        grid = tuner.fit()
        wall = time.perf_counter() - t_fit0
        cpu_fit = cpu.seconds() - cpu_fit0
        server_fit = group_cpu_seconds(args.server_pgid) - server0 if args.server_pgid else None
        errors = grid.num_errors
        finished = len(grid) - errors
        ray.shutdown()
        reap()
        total = time.perf_counter() - t0
        cpu_total = cpu.seconds() - cpu0
        server_total = group_cpu_seconds(args.server_pgid) - server_start if args.server_pgid else None
        time.sleep(0.5)  # the access log of the last request
        reqs = access_log_requests(args.access_log)[requests0:]
        by_endpoint: dict[str, int] = {}
        for r in reqs:
            key = re.sub(r"\?.*$", "", r)
            by_endpoint[key] = by_endpoint.get(key, 0) + 1
        import importlib.metadata as md

        result = {
            "tool": "raytune" if args.tracking == "none" else "raytune+mlflow",
            "trials": n,
            "concurrency": c,
            "tracking": args.tracking,
            "payload": args.payload,
            "evaluations": args.evaluations if args.payload == "cell" else 1,
            "finished": finished,
            "errors": errors,
            "wallSeconds": round(wall, 2),
            "totalSeconds": round(total, 2),
            "wallMsPerTrial": round(wall * 1000 / n, 1),
            "cpuSeconds": round(cpu_fit, 2),
            "cpuSecondsTotal": round(cpu_total, 2),
            "cpuMethod": method,
            **({"cpuNote": cpu_note} if cpu_note else {}),
            "serverCpuSeconds": round(server_fit, 2) if server_fit is not None else None,
            "serverCpuSecondsTotal": round(server_total, 2) if server_total is not None else None,
            "cpuMsPerTrial": round((cpu_fit + (server_fit or 0)) * 1000 / n, 1),
            "mlflowRequests": len(reqs) if args.access_log else None,
            "mlflowRequestsPerTrial": round(len(reqs) / n, 2) if args.access_log else None,
            "mlflowByEndpoint": by_endpoint if args.access_log else None,
            "experiment": experiment if args.tracking == "mlflow" else None,
            "ray": ray.__version__,
            "mlflow": md.version("mlflow"),
            "python": sys.version.split()[0],
            "hostCpus": os.cpu_count(),
        }
    finally:
        try:
            import ray

            if ray.is_initialized():
                ray.shutdown()
        except Exception:
            pass
        leftovers = cpu.close()
        shutil.rmtree(tmp, ignore_errors=True)
    if leftovers:
        result["killedLeftoverPids"] = len(leftovers)
    line = json.dumps(result)
    if args.out:
        with open(args.out, "a") as f:
            f.write(line + "\n")
    print(line, flush=True)
    return 0 if result.get("errors") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
