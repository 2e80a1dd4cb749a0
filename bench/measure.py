#!/usr/bin/env python3
"""Time gemba, Hugo and the floor program on the same synthetic site.

Runs the three alternately, several times each, and reports the median wall
time, the peak memory (max RSS of the process tree's largest member, from
wait4) and the ratios gemba/Hugo and gemba/floor, as a Markdown table.

usage: measure.py GEMBA BENCH_GEN FLOOR WORKDIR RUNS N [N ...]
"""
import os
import shutil
import statistics
import subprocess
import sys
import time


def run(cmd, cwd=None):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024.0  # MiB


def main():
    gemba, gen, floor, work, runs = sys.argv[1:6]
    runs = int(runs)
    sizes = [int(n) for n in sys.argv[6:]]
    hugo = shutil.which("hugo")
    out_root = "/dev/shm/gemba-bench" if os.path.isdir("/dev/shm") else os.path.join(work, "out")
    rows = []
    for n in sizes:
        site = os.path.join(work, f"site-{n}")
        if not os.path.isdir(site):
            subprocess.run([gen, str(n), site], check=True, stderr=subprocess.DEVNULL)
        tools = {
            "gemba": lambda o: [gemba, "build", "--no-git", "--force", "--root", f"{site}/gemba", "--output", o],
            "gemba (no search)": lambda o: [gemba, "build", "--no-git", "--force", "--root", f"{site}/gemba-nosearch", "--output", o],
            "floor": lambda o: [floor, f"{site}/gemba/content", o],
        }
        nosearch = f"{site}/gemba-nosearch"
        if not os.path.isdir(nosearch):
            os.makedirs(nosearch)
            os.symlink(f"{site}/gemba/content", f"{nosearch}/content")
            with open(f"{nosearch}/gemba.yaml", "w") as f:
                f.write("title: Benchmark\nsearch: false\n")
        if hugo:
            tools["hugo"] = lambda o: [hugo, "--quiet", "-s", f"{site}/hugo", "-d", o]
        results = {name: [] for name in tools}
        for r in range(runs):
            for name, cmd in tools.items():
                out = os.path.join(out_root, name.replace(" ", "-").replace("(", "").replace(")", ""))
                shutil.rmtree(out, ignore_errors=True)
                results[name].append(run(cmd(out)))
                shutil.rmtree(out, ignore_errors=True)
        med = {k: (statistics.median(w for w, _ in v), max(m for _, m in v)) for k, v in results.items()}
        rows.append((n, med))
        print(f"N={n}: " + ", ".join(f"{k} {w:.2f}s {m:.0f}MiB" for k, (w, m) in med.items()), file=sys.stderr)
    print(f"| N | gemba | gemba, no search | Hugo {hugo_version(hugo)} | floor | gemba/Hugo | gemba/floor | no-search/floor |")
    print("|---|---|---|---|---|---|---|---|")
    for n, med in rows:
        g, gn, fl = med["gemba"], med["gemba (no search)"], med["floor"]
        h = med.get("hugo")
        fmt = lambda x: f"{x[0]:.2f} s, {x[1]:.0f} MiB"
        print(
            f"| {n:,} | {fmt(g)} | {fmt(gn)} | {fmt(h) if h else 'n/a'} | {fmt(fl)} | "
            f"{(g[0] / h[0]) if h else float('nan'):.2f} | {g[0] / fl[0]:.1f} | {gn[0] / fl[0]:.1f} |"
        )


def hugo_version(hugo):
    if not hugo:
        return "(not installed)"
    out = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()
    return out[1].split("+")[0] if len(out) > 1 else ""


if __name__ == "__main__":
    main()
