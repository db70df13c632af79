#!/usr/bin/env python3
"""Save-to-reload latency of `python build.py serve`, end to end.

    python benchmarks/bench_reload.py                  # the real site (a copy of content/)
    python benchmarks/bench_reload.py --pages 1000     # a synthetic corpus (benchmarks/corpus.py)
    options: --edits 10 --pause 0.4 --base-path /far-side/ --keep

Starts the server as a subprocess on a free port, in a scratch copy (the real tree is never
edited), connects to livereload's WebSocket (/livereload) as livereload.js does (hello, then
info with the page's URL), then edits one page ten times. Each latency runs from just before
the file is written to the arrival of the reload message, and on to the edited page fetched
over HTTP as the reloaded tab would (the end-to-end figure: save -> page served). Prints
median, p90, min and max, and the server's own build time for each edit (its "Rebuilt in N ms"
line).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(scratch: Path, pages: int) -> tuple[Path, str]:
    """A content folder to serve and the page to edit (relative to it)."""
    content = scratch / "content"
    for folder in ("templates", "static"):
        shutil.copytree(ROOT / folder, scratch / folder)
    if pages:
        import corpus  # benchmarks/corpus.py

        corpus.write_corpus(content, pages=pages)
        return content, "page-00010.md"
    shutil.copytree(ROOT / "content", content)
    candidates = sorted(p.name for p in content.glob("*.md") if p.name != "index.md")
    return content, (candidates[0] if candidates else "index.md")


def edit(path: Path, round_: int, synthetic: bool) -> None:
    if synthetic:
        import corpus

        corpus.edit_page(path, round_)
    else:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"\n\nBenchmark edit number {round_}.\n")


class Server:
    def __init__(self, arguments: list[str]):
        self.process = subprocess.Popen(
            [sys.executable, "-u", str(ROOT / "build.py"), "serve", *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=min(0.5, max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    # e.g. another program took the free port first: say so, do not wait on
                    raise RuntimeError(f"the server exited ({self.process.returncode})") from None
                continue
            print(f"  server: {line}", file=sys.stderr)
            if re.search(pattern, line):
                return line
        raise TimeoutError(f"no line matching {pattern!r} within {timeout} s")

    def drain(self) -> list[str]:
        lines = []
        while True:
            try:
                lines.append(self.lines.get_nowait())
            except queue.Empty:
                return lines

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return -9


async def measure(
    port: int,
    page_url: str,
    page_file: Path,
    edits: int,
    pause: float,
    synthetic: bool,
    server: Server,
) -> tuple[list[float], list[float], list[float]]:
    from tornado.websocket import websocket_connect

    socket_ = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    await socket_.write_message(
        json.dumps(
            {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}
        )
    )
    hello = json.loads(await socket_.read_message())
    assert hello["command"] == "hello", hello
    await socket_.write_message(json.dumps({"command": "info", "url": page_url, "plugins": {}}))
    await asyncio.sleep(0.3)
    latencies, served, builds = [], [], []
    for round_ in range(edits):
        server.drain()
        started = time.perf_counter()
        edit(page_file, round_, synthetic)
        message = json.loads(await asyncio.wait_for(socket_.read_message(), timeout=30))
        latencies.append((time.perf_counter() - started) * 1000)
        assert message["command"] == "reload", message
        body = urllib.request.urlopen(page_url, timeout=10).read().decode()  # noqa: S310
        served.append((time.perf_counter() - started) * 1000)  # what the reloaded tab gets
        assert f"round {round_}" in body or f"number {round_}" in body, "edit not served"
        await asyncio.sleep(pause)
        for line in server.drain():
            found = re.search(r"Rebuilt in (\d+) ms", line)
            if found:
                builds.append(float(found.group(1)))
    socket_.close()
    return latencies, served, builds


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return (
        f"median {statistics.median(ordered):.0f} ms, p90 {p90:.0f} ms, "
        f"min {ordered[0]:.0f} ms, max {ordered[-1]:.0f} ms (n={len(ordered)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pages",
        type=int,
        default=0,
        help="synthetic corpus size (default 0: a copy of the real content/)",
    )
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--pause", type=float, default=0.4, help="seconds between edits")
    parser.add_argument("--base-path", default="/")
    parser.add_argument(
        "--cache", default=None, help="render cache to reuse between runs (default: a fresh one)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="bench-reload-"))
    server = None
    try:
        content, page = prepare(scratch, args.pages)
        port = free_port()
        cache = args.cache or str(scratch / "cache")
        server = Server(
            [
                "--port",
                str(port),
                "--base-path",
                args.base_path,
                "--content",
                str(content),
                "--templates",
                str(scratch / "templates"),
                "--static",
                str(scratch / "static"),
                "--cache",
                cache,
            ]
        )
        started = time.perf_counter()
        server.wait_for(r"^Serving ", timeout=600)
        print(f"server ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        slug = page.removesuffix(".md")
        page_url = f"http://127.0.0.1:{port}{args.base_path}{'' if slug == 'index' else slug + '/'}"
        latencies, served, builds = asyncio.run(
            measure(
                port, page_url, content / page, args.edits, args.pause, bool(args.pages), server
            )
        )
        what = f"{args.pages}-page corpus" if args.pages else "real site (copy of content/)"
        print(f"{what}, editing {page}, {os.cpu_count()} cores")
        print(f"  save -> reload message: {summary(latencies)}")
        print(f"  save -> page served:    {summary(served)}")
        if builds:
            print(f"  server build time:      {summary(builds)}")
    finally:
        if server is not None:
            code = server.stop()
            print(f"  server stopped with exit code {code}", file=sys.stderr)
        if args.keep:
            print(f"kept {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
