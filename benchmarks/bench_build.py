#!/usr/bin/env python3
"""Time Far Side's real CLI on a synthetic corpus: cold build, no-change rebuild, rebuild after a
template change, rebuild after a one-page edit. Prints a Markdown table (ms per page, CPU, peak
memory) and checks the figures against the project's targets.

    .venv/bin/python benchmarks/bench_build.py                      # 1,000 pages, 3 repeats
    .venv/bin/python benchmarks/bench_build.py --pages 1000 10000 --repeats 3
    .venv/bin/python benchmarks/bench_build.py --pages 10000 --repeats 1 --scenarios cold nochange
    options: --seed S  --jobs N (passed to build.py)  --work DIR (default: a temp dir, removed)
             --keep  --json FILE (one record per run)  --pelican-ms 13 (for the cold target)
             --gate-idle 90 (wait for a quiet machine before each run)

Every build is a fresh subprocess, exactly what a user runs (start-up and imports included):

    python build.py build --content C --templates T --static S --out O --cache K --base-path /bench/

The project's build.py, factsheet/, templates/ and static/ are first copied into the work
folder (and compiled to bytecode, as a user's Python keeps it) and run from there, so the
repository is never modified (the template scenario edits the copy of templates/base.html)
and a parallel edit of factsheet/*.py cannot invalidate the cache half-way through a
measurement.

Scenarios, in this order in every repeat (the medians are reported):

    cold      output and cache removed (untimed) first
    nochange  the same build again: expected "Nothing changed"
    template  templates/base.html modified (a comment changes): Markdown from the cache,
              every page re-rendered through Jinja
    edit      one page's Markdown edited (a sentence appended): 1 page converted
    fact      one fact's value edited, a fact that one page shows: 1 page converted (the
              corpus gets that fact and that page's reference to it before the first run)

Wall time is the subprocess from spawn to exit. CPU is user+sys of the build and its worker
processes (os.wait4). Peak memory is ru_maxrss from os.wait4: the largest resident set of the
build process or any one of its workers (not their sum). "other CPU" is the CPU the rest of the
machine used during the run (from /proc/stat), as a share of the build's own CPU: above a few
per cent, wall times are inflated by a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402

SCENARIOS = ("cold", "nochange", "template", "edit", "fact")
# ms per page, and MiB for peak memory; cold is relative to Pelican (0.6 x its ms/page)
TARGETS = {"nochange": 0.5, "template": 1.5, "fact": 0.6}
BENCH_FACT = """\
  - id: bench-fact
    label: The fact the fact scenario edits
    type: quantity
    value: {value}
    unit: km
    as_of: "2026-12"
    sources: [src-000]
"""


def add_bench_fact(content: Path, page: Path) -> Path:
    """A fact shown by exactly one page: what the `fact` scenario edits."""
    facts = content / "data" / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(
        text.replace("\nfacts:\n", "\nfacts:\n" + BENCH_FACT.format(value=1), 1), encoding="utf-8"
    )
    with page.open("a", encoding="utf-8") as handle:
        handle.write("\nThe benchmark's own fact is {fact bench-fact}.\n")
    return facts


def edit_bench_fact(facts: Path, round_: int) -> None:
    text = facts.read_text(encoding="utf-8")
    old = text.split("  - id: bench-fact\n", 1)[1].split("\n", 4)[2]  # the `value:` line
    facts.write_text(text.replace(old, f"    value: {round_ + 2}", 1), encoding="utf-8")


MEMORY_TARGET_MIB = 150
MEMORY_TARGET_PAGES = 10000


@dataclass
class Run:
    scenario: str
    pages: int
    repeat: int
    wall: float
    cpu: float
    peak_mib: float
    other_cpu: float  # CPU seconds of other processes during the run
    converted: int | None
    skipped: bool
    returncode: int


def busy_jiffies() -> int | None:
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields]
    return sum(values) - values[3] - (values[4] if len(values) > 4 else 0)  # minus idle, iowait


def wait_idle(percent: float, limit: float = 60.0) -> None:
    """Wait (up to `limit` s) until the machine is at least `percent` % idle over 0.5 s."""
    cpus, tick, deadline = os.cpu_count() or 1, os.sysconf("SC_CLK_TCK"), time.time() + limit
    while time.time() < deadline:
        before = busy_jiffies()
        time.sleep(0.5)
        after = busy_jiffies()
        if before is None or after is None:
            return
        if 100 * (1 - (after - before) / tick / (0.5 * cpus)) >= percent:
            return


def run_build(command: list[str], log: Path) -> tuple[float, float, float, float, int, str]:
    """Run one build; wall s, CPU s, peak MiB, other CPU s, return code, its output."""
    tick = os.sysconf("SC_CLK_TCK")
    with log.open("w+b") as output:
        busy = busy_jiffies()
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        after = busy_jiffies()
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    other = max(0.0, (after - busy) / tick - cpu) if busy is not None and after else 0.0
    return wall, cpu, usage.ru_maxrss / 1024, other, process.returncode, text


def parse_output(text: str) -> tuple[int | None, bool]:
    if "Nothing changed" in text:
        return 0, True
    marker = " converted)"
    if marker in text:
        before = text.split(marker, 1)[0]
        return int(before.rsplit(", ", 1)[1]), False
    return None, False


def snapshot_project(work: Path, python: str) -> Path:
    """A private copy of the generator, its templates and static files."""
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    shutil.copy2(ROOT / "build.py", project / "build.py")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("factsheet", "templates", "static"):
        shutil.copytree(ROOT / folder, project / folder, ignore=ignore)
    # Bytecode, as a user's Python keeps it after the first run. Untimed, and needed here:
    # where PYTHONDONTWRITEBYTECODE is set (this machine sets it), every build would compile
    # the generator's sixty modules from source again, about 50 ms a build.
    subprocess.run([python, "-m", "compileall", "-q", str(project / "factsheet")], check=True)
    return project


def change_template(templates: Path, round_: int) -> None:
    base = templates / "base.html"
    text = base.read_text(encoding="utf-8")
    marker = "<!-- bench "
    if marker in text:
        text = text[: text.index(marker)]
    base.write_text(f"{text}{marker}{round_} -->\n", encoding="utf-8")


def bench_size(n: int, args: argparse.Namespace, work: Path, project: Path) -> list[Run]:
    content = work / f"content-{n}"
    print(f"## {n} pages: writing the corpus to {content}", file=sys.stderr)
    paths = corpus.write_corpus(content, n, args.seed, force=True)
    out, cache = work / f"out-{n}", work / f"cache-{n}"
    command = [
        args.python,
        str(project / "build.py"),
        "build",
        "--content",
        str(content),
        "--templates",
        str(project / "templates"),
        "--static",
        str(project / "static"),
        "--out",
        str(out),
        "--cache",
        str(cache),
        "--base-path",
        "/bench/",
    ]
    if args.jobs is not None:
        command += ["--jobs", str(args.jobs)]
    edited = paths[len(paths) // 2]
    facts = add_bench_fact(content, paths[len(paths) // 3])
    runs = []
    for repeat in range(args.repeats):
        for scenario in args.scenarios:
            if scenario == "cold":
                for folder in (
                    out,
                    cache,
                    out.parent / f".{out.name}.staging",
                    out.parent / f".{out.name}.old",
                ):
                    shutil.rmtree(folder, ignore_errors=True)
            elif scenario == "template":
                change_template(project / "templates", repeat)
            elif scenario == "edit":
                corpus.edit_page(edited, repeat)
            elif scenario == "fact":
                edit_bench_fact(facts, repeat)
            log = work / f"log-{n}-{scenario}-{repeat}.txt"
            if args.gate_idle:
                wait_idle(args.gate_idle)
            wall, cpu, peak, other, code, text = run_build(command, log)
            converted, skipped = parse_output(text)
            run = Run(scenario, n, repeat, wall, cpu, peak, other, converted, skipped, code)
            runs.append(run)
            print(
                f"  {scenario:9s} #{repeat + 1}: {wall:7.3f} s wall, {cpu:7.3f} s cpu, "
                f"{peak:6.1f} MiB, converted={converted} skipped={skipped} "
                f"other cpu={other:.2f} s",
                file=sys.stderr,
            )
            if code != 0:
                raise SystemExit(f"build failed ({scenario}, see {log}):\n{text[-2000:]}")
            expected = {"cold": n + 1, "template": 0, "edit": 1, "fact": 1}.get(scenario)
            if (
                scenario == "nochange"
                and not skipped
                or expected is not None
                and converted != expected
            ):
                print(
                    f"  WARNING: {scenario} converted {converted} pages (expected "
                    f"{'none, skipped' if scenario == 'nochange' else expected}): {text.strip()}",
                    file=sys.stderr,
                )
    return runs


def summarize(runs: list[Run], args: argparse.Namespace) -> str:
    cold_target = 0.6 * args.pelican_ms
    lines = [
        "| scenario | pages | median wall s (min-max) | ms/page | CPU s (ms/page) | peak MiB "
        "| other CPU | target | met |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for n in args.pages:
        for scenario in args.scenarios:
            chosen = [r for r in runs if r.pages == n and r.scenario == scenario]
            if not chosen:
                continue
            walls = [r.wall for r in chosen]
            wall = statistics.median(walls)
            ms = wall * 1000 / n
            cpu = statistics.median(r.cpu for r in chosen)
            peak = max(r.peak_mib for r in chosen)
            other = sum(r.other_cpu for r in chosen) / max(1e-9, sum(r.cpu for r in chosen))
            limit = cold_target if scenario == "cold" else TARGETS.get(scenario)
            target, met = "", ""
            if limit is not None:
                target = f"<= {limit:.1f} ms/page"
                met = "yes" if ms <= limit else "NO"
            if n >= MEMORY_TARGET_PAGES:
                target += f"{'; ' if target else ''}peak < {MEMORY_TARGET_MIB} MiB"
                met += f"{'; ' if met else ''}{'yes' if peak < MEMORY_TARGET_MIB else 'NO'}"
            lines.append(
                f"| {scenario} | {n:,} | {wall:.3f} ({min(walls):.3f}-{max(walls):.3f}) "
                f"| {ms:.2f} | {cpu:.2f} ({cpu * 1000 / n:.1f}) | {peak:.0f} "
                f"| {other:.0%} | {target} | {met} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--seed", default="1")
    parser.add_argument("--jobs", type=int, default=None, help="passed to build.py --jobs")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter that runs build.py (default: this one)",
    )
    parser.add_argument("--work", default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--gate-idle",
        type=float,
        default=0,
        metavar="PCT",
        help="before each run, wait (up to 60 s) until the machine is PCT %% idle",
    )
    parser.add_argument("--json", default=None, help="append one JSON record per run")
    parser.add_argument(
        "--pelican-ms",
        type=float,
        default=13.0,
        help="Pelican's cold ms/page on this machine (cold target = 0.6 x)",
    )
    args = parser.parse_args(argv)

    work = Path(args.work or tempfile.mkdtemp(prefix="factsheet-bench-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        project = snapshot_project(work, args.python)
        runs = []
        for n in args.pages:
            runs += bench_size(n, args, work, project)
        if args.json:
            with open(args.json, "a", encoding="utf-8") as handle:
                for run in runs:
                    handle.write(json.dumps(asdict(run)) + "\n")
        print(
            f"\nFar Side build benchmark: {args.repeats} repeat(s), median; "
            f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}; "
            f"cold target = 0.6 x Pelican's {args.pelican_ms:g} ms/page\n"
        )
        print(summarize(runs, args))
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
