"""Contention probe for CPU benchmarks on a shared machine (Linux /proc; no-op elsewhere).

CpuMeter measures, over a timed region, how much CPU *other* processes used:
foreignCpuPct = (machine busy time - this process's CPU time) / (wall time * online CPUs) * 100.
A value well above 0 means the timing was disturbed (on a 2-core machine, 50 means a whole core
was taken by something else).
"""

from __future__ import annotations

import os
import resource
import time


def _busy_jiffies():
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
    steal = v[7] if len(v) > 7 else 0
    return sum(v[:8]) - idle - steal  # guest time is already counted in user


def _self_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class CpuMeter:
    def __init__(self):
        self.hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.ncpu = os.cpu_count() or 1

    def __enter__(self):
        self.b0, self.s0, self.t0 = _busy_jiffies(), _self_cpu(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        b1, s1 = _busy_jiffies(), _self_cpu()
        self.self_cpu = s1 - self.s0
        if self.b0 is None or b1 is None or self.wall <= 0:
            self.foreign_pct = None
        else:
            busy = (b1 - self.b0) / self.hz
            self.foreign_pct = max(0.0, (busy - self.self_cpu) / (self.wall * self.ncpu) * 100)
        return False


def loadavg1():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def timed_repeats(block, repeats, max_foreign=10.0, max_tries=0, pause=5.0, own_cores=0):
    """Run block() until `repeats` clean timings (foreignCpuPct <= max_foreign) are collected,
    or max_tries blocks in all (default 6 * repeats); a disturbed block is followed by a pause.
    Returns a dict; `seconds` is the median of the clean blocks, or of all blocks if none was clean.
    max_foreign < 0 disables the check (every block counts as clean).
    own_cores = T > 0 relaxes the check for a run of T threads on a machine with more cores: a block
    also counts as clean when this process got its T cores throughout (selfCpuCores >= 0.95 T) and the
    other processes stayed on the remaining cores (foreign <= max_foreign + 100 (ncpu - T) / ncpu).
    Shared caches and memory bandwidth can still slow such a block a little."""
    import statistics

    max_tries = max_tries or 6 * repeats
    times, foreign, self_cores, cpu_s, clean, result = [], [], [], [], [], None
    while sum(clean) < repeats and len(times) < max_tries:
        with CpuMeter() as cm:
            t0 = time.perf_counter()
            result = block()
            times.append(time.perf_counter() - t0)
        f = cm.foreign_pct
        ok = max_foreign < 0 or f is None or f <= max_foreign
        ncpu = os.cpu_count() or 1
        if not ok and 0 < own_cores < ncpu and cm.wall:
            ok = cm.self_cpu / cm.wall >= 0.95 * own_cores and f <= max_foreign + 100 * (ncpu - own_cores) / ncpu
        foreign.append(None if f is None else round(f, 1))
        self_cores.append(round(cm.self_cpu / cm.wall, 2) if cm.wall else None)
        cpu_s.append(round(cm.self_cpu, 4))
        clean.append(ok)
        if not ok:
            time.sleep(pause)
    good = [t for t, ok in zip(times, clean) if ok]
    return {
        "result": result,
        "seconds": statistics.median(good or times),
        "clean": bool(good) and len(good) >= repeats,
        "cleanRepeats": len(good),
        "tries": len(times),
        "secondsMin": round(min(times), 6),  # best block: the least disturbed estimate
        "secondsAll": [round(t, 6) for t in times],
        "foreignCpuPct": foreign,
        "selfCpuCores": self_cores,
        "cpuSecondsAll": cpu_s,
        "maxForeignPct": max_foreign,
        "cleanCriterion": "own-cores" if own_cores else "quiet-machine",
    }
