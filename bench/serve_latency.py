#!/usr/bin/env python3
"""Edit-to-served latency of `gemba serve`: start the server on a generated
site, change one experiment several times, and time how long until the
served page shows each change. Two kinds of edit are timed: a sentence
added to the body (the common case while writing), and a new title in the
front matter (the model is resolved again, and every page and list showing
the experiment is rendered again). Prints the medians.

usage: serve_latency.py GEMBA SITE_DIR [EDITS]
"""
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode()
    except Exception:
        return ""


def main():
    gemba, site = sys.argv[1], sys.argv[2]
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    port = free_port()
    proc = subprocess.Popen([gemba, "serve", "--no-git", "--root", site, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 300
        # Steady state: the pages and the search index are both built.
        while not get(base + "/pagefind/pagefind.js") and time.time() < deadline:
            time.sleep(0.2)
        path = os.path.join(site, "content/experiments/7/experiment-7.md")
        original = open(path).read()
        edits_of = {
            "body": lambda token: original + f"\n{token}\n",
            "title": lambda token: original.replace("title: Experiment 7", f"title: Experiment 7 {token}", 1),
        }
        try:
            for kind, edit in edits_of.items():
                times = []
                for i in range(edits):
                    time.sleep(0.5)
                    token = f"latencytoken{kind}{i}x{int(time.time())}"
                    start = time.perf_counter()
                    with open(path, "w") as f:
                        f.write(edit(token))
                    while token not in get(base + "/experiments/experiment-7/"):
                        time.sleep(0.002)
                    times.append((time.perf_counter() - start) * 1000)
                print(f"edit-to-served latency, {kind} edit, over {edits} edits: median "
                      f"{statistics.median(times):.0f} ms (min {min(times):.0f}, max {max(times):.0f})")
        finally:
            with open(path, "w") as f:
                f.write(original)
    finally:
        proc.kill()


if __name__ == "__main__":
    main()
