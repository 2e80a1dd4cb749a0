#!/usr/bin/env python3
"""Time gemba, Hugo, Hugo followed by the Pagefind CLI (the same work as
gemba's build: pages and a full-text index), and the floor program on the
same synthetic site.

Runs them alternately, several times each, and reports the median wall
time, the peak memory (max RSS of the process tree's largest member, from
wait4) and the ratios gemba/Hugo and gemba/floor, as a Markdown table. Every
build starts from an empty output folder, except gemba's rebuild: after each
round one experiment's body changes and gemba builds again into the output
of its previous build.

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
        # The same site with plain prose where the main corpus has code,
        # diagrams, math, relative links and images: what those cost.
        plain = os.path.join(work, f"site-{n}-plain")
        if not os.path.isdir(plain):
            subprocess.run([gen, str(n), plain, "--plain"], check=True, stderr=subprocess.DEVNULL)
        tools = {
            "gemba": lambda o: [gemba, "build", "--no-git", "--force", "--root", f"{site}/gemba", "--output", o],
            "gemba (plain Markdown)": lambda o: [gemba, "build", "--no-git", "--force", "--root", f"{plain}/gemba", "--output", o],
            "gemba (no search)": lambda o: [gemba, "build", "--no-git", "--force", "--root", f"{site}/gemba-nosearch", "--output", o],
            "floor": lambda o: [floor, f"{site}/gemba/content", o],
        }
        nosearch = f"{site}/gemba-nosearch"
        if os.path.islink(f"{nosearch}/content"):
            # gemba does not follow a link out of a site: an older bench
            # folder linked its content; hard links stay inside.
            shutil.rmtree(nosearch)
        if not os.path.isdir(nosearch):
            os.makedirs(nosearch)
            shutil.copytree(f"{site}/gemba/content", f"{nosearch}/content", copy_function=os.link)
            with open(f"{nosearch}/gemba.yaml", "w") as f:
                f.write("title: Benchmark\nsearch: false\n")
        if hugo:
            tools["hugo"] = lambda o: [hugo, "--quiet", "-s", f"{site}/hugo", "-d", o]
            pagefind = pagefind_cli()
            if pagefind:
                tools["hugo + pagefind"] = lambda o: [
                    "sh", "-c", f'"{hugo}" --quiet -s "{site}/hugo" -d "{o}" && "{pagefind}" --site "{o}" --silent']
        results = {name: [] for name in tools}
        results["gemba (rebuild)"] = []
        # The rebuild: one experiment's body changes, and gemba builds again
        # into its earlier output (which it reuses what it can of).
        edited = first_experiment(f"{site}/gemba/content")
        with open(edited) as f:
            original = f.read()
        rebuild_out = os.path.join(out_root, "gemba-rebuild")
        shutil.rmtree(rebuild_out, ignore_errors=True)
        run(tools["gemba"](rebuild_out))
        try:
            for r in range(runs):
                for name, cmd in tools.items():
                    out = os.path.join(out_root, name.replace(" ", "-").replace("(", "").replace(")", ""))
                    shutil.rmtree(out, ignore_errors=True)
                    results[name].append(run(cmd(out)))
                    shutil.rmtree(out, ignore_errors=True)
                with open(edited, "w") as f:
                    f.write(original + f"\nA sentence added for rebuild {r}.\n")
                results["gemba (rebuild)"].append(run(tools["gemba"](rebuild_out)))
        finally:
            with open(edited, "w") as f:
                f.write(original)
            shutil.rmtree(rebuild_out, ignore_errors=True)
        med = {k: (statistics.median(w for w, _ in v), max(m for _, m in v)) for k, v in results.items()}
        rows.append((n, med))
        print(f"N={n}: " + ", ".join(f"{k} {w:.2f}s {m:.0f}MiB" for k, (w, m) in med.items()), file=sys.stderr)
    print("The corpus: every experiment's body has fenced code (highlighted), a relative link to its hypothesis's")
    print("source file with an anchor (resolved and checked) and an image beside it (copied, its size read);")
    print("one in twenty has a Mermaid diagram, one in ten math.\n")
    print("Same work, pages and full-text search (gemba's build against Hugo then the Pagefind CLI on its output):\n")
    print(f"| N | gemba | Hugo {hugo_version(hugo)} + Pagefind {pagefind_version()} | gemba / (Hugo + Pagefind) |")
    print("|---|---|---|---|")
    for n, med in rows:
        g, hp = med["gemba"], med.get("hugo + pagefind")
        fmt = lambda x: f"{x[0]:.2f} s, {x[1]:.0f} MiB"
        print(f"| {n:,} | {fmt(g)} | {fmt(hp) if hp else 'n/a'} | {g[0] / hp[0]:.2f} |" if hp else f"| {n:,} | {fmt(g)} | n/a | n/a |")
    print("\nPages only, and the floor (a program that only reads the Markdown and writes a page per file):\n")
    print(
        f"| N | gemba | gemba, rebuild after one edit | gemba, no search | Hugo {hugo_version(hugo)} | floor "
        "| gemba/Hugo | rebuild/Hugo | gemba/floor | rebuild/floor | no-search/floor |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n, med in rows:
        g, gr, gn, fl = med["gemba"], med["gemba (rebuild)"], med["gemba (no search)"], med["floor"]
        h = med.get("hugo")
        fmt = lambda x: f"{x[0]:.2f} s, {x[1]:.0f} MiB"
        over_hugo = lambda x: f"{x[0] / h[0]:.2f}" if h else "n/a"
        print(
            f"| {n:,} | {fmt(g)} | {fmt(gr)} | {fmt(gn)} | {fmt(h) if h else 'n/a'} | {fmt(fl)} | "
            f"{over_hugo(g)} | {over_hugo(gr)} | {g[0] / fl[0]:.1f} | {gr[0] / fl[0]:.1f} | {gn[0] / fl[0]:.1f} |"
        )
    print("\nWhat highlighting, diagrams, math and link checking add (the same site with plain prose instead):\n")
    print("| N | gemba, this corpus | gemba, plain Markdown | added |")
    print("|---|---|---|---|")
    for n, med in rows:
        g, p = med["gemba"], med["gemba (plain Markdown)"]
        fmt = lambda x: f"{x[0]:.2f} s, {x[1]:.0f} MiB"
        print(f"| {n:,} | {fmt(g)} | {fmt(p)} | {100 * (g[0] / p[0] - 1):+.0f} % |")


def first_experiment(content):
    """The first experiment file of a generated site, in name order."""
    for dirpath, dirnames, filenames in os.walk(os.path.join(content, "experiments")):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".md"):
                return os.path.join(dirpath, name)
    sys.exit(f"no experiment under {content}")


def pagefind_cli():
    """The Pagefind CLI from PyPI's pagefind-bin, if installed."""
    try:
        import pagefind_bin
    except ImportError:
        return shutil.which("pagefind")
    path = os.path.join(os.path.dirname(pagefind_bin.__file__), "pagefind")
    return path if os.access(path, os.X_OK) else shutil.which("pagefind")


def pagefind_version():
    cli = pagefind_cli()
    if not cli:
        return "(not installed)"
    out = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout.split()
    return out[-1] if out else ""


def hugo_version(hugo):
    if not hugo:
        return "(not installed)"
    out = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()
    return out[1].split("+")[0] if len(out) > 1 else ""


if __name__ == "__main__":
    main()
