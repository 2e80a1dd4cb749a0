#!/usr/bin/env python3
"""Edit-to-diagnostics latency of `gemba lsp`: start the language server on
a generated site, open one experiment, and time how long after each
unsaved edit the server publishes that file's diagnostics: an edit that
breaks the status (an error appears) and one that fixes it (it clears).
Includes the server's pause for typing. Prints the medians.

usage: lsp_latency.py GEMBA SITE_DIR [EDITS]
"""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse


class Client:
    def __init__(self, gemba, root):
        self.proc = subprocess.Popen([gemba, "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 1
        self.send({"id": 0, "method": "initialize",
                   "params": {"processId": None, "rootUri": uri(root), "capabilities": {}}})
        self.wait(lambda m: m.get("id") == 0)
        self.send({"method": "initialized", "params": {}})

    def send(self, msg):
        msg = dict(msg, jsonrpc="2.0")
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = 0
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise EOFError("the server stopped")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def wait(self, check):
        while True:
            msg = self.read()
            if check(msg):
                return msg


def uri(path):
    return "file://" + urllib.parse.quote(os.path.realpath(path))


def main():
    gemba, site = sys.argv[1], sys.argv[2]
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 9
    start = time.perf_counter()
    client = Client(gemba, site)
    path = os.path.join(site, "content/experiments/7/experiment-7.md")
    target = uri(path)
    original = open(path).read()
    client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": target, "languageId": "markdown", "version": 1, "text": original}}})

    def diagnostics(check):
        return client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                           and m["params"]["uri"] == target and check(m["params"]["diagnostics"]))

    # Ready: the first analysis is done (this file has no problems).
    client.send({"id": 1, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": target}, "position": {"line": 0, "character": 0}}})
    client.wait(lambda m: m.get("id") == 1)
    print(f"start-up (read, parse and resolve the site): {(time.perf_counter() - start) * 1000:.0f} ms")
    broken = original.replace("status: ", "status: nonsense-", 1)
    times = {"error appears": [], "error clears": []}
    version = 1
    for i in range(edits):
        for kind, text, check in (("error appears", broken, lambda d: len(d) > 0),
                                  ("error clears", original, lambda d: len(d) == 0)):
            version += 1
            began = time.perf_counter()
            client.send({"method": "textDocument/didChange", "params": {
                "textDocument": {"uri": target, "version": version},
                "contentChanges": [{"text": text + f"\n<!-- {i} -->\n"}]}})
            diagnostics(check)
            times[kind].append((time.perf_counter() - began) * 1000)
    for kind, t in times.items():
        print(f"edit-to-diagnostics latency, {kind}, over {edits} edits: median "
              f"{statistics.median(t):.0f} ms (min {min(t):.0f}, max {max(t):.0f})")
    client.proc.kill()


if __name__ == "__main__":
    main()
