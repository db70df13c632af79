#!/usr/bin/env python3
"""Far Side's site generator: `python build.py [build|check|serve|new] [options]`.

build  renders content/ (Markdown pages and YAML facts) through templates/ into _site/.
check  validates content and a complete build without touching _site/.
serve  builds, serves the site on 127.0.0.1 and reloads the browser after every change.
new    starts a page (`new page "Title"`) or a fact (`new fact ID [--file FILE]`).
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import socket
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent
COMMANDS = ("build", "check", "serve", "new")
# Import name -> package name, for the message when this Python lacks them.
DEPENDENCIES = {"jinja2": "jinja2", "markdown": "markdown", "yaml": "pyyaml"}
SERVE_DEPENDENCIES = {"livereload": "livereload", "tornado": "tornado"}
PORT_ATTEMPTS = 20  # serve tries this many ports from --port up before giving up


def version() -> str:
    """The version in pyproject.toml (read directly: it works before the package is installed)."""
    import tomllib  # only for --version: not on every build's start-up

    try:
        with (ROOT / "pyproject.toml").open("rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


class ShowVersion(argparse.Action):
    """--version, with the version read only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs):
        kwargs.setdefault("help", "show the version and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"build.py (Far Side) {version()}")
        parser.exit()


class Parser(argparse.ArgumentParser):
    """An unknown command is named as one, with the closest commands, not as a stray argument."""

    def unknown_command(self, word: str) -> None:
        close = difflib.get_close_matches(word, COMMANDS, n=2, cutoff=0.6)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        self.error(f"unknown command {word!r}{hint}; the commands are {', '.join(COMMANDS)}")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    folders = common.add_argument_group(
        "folders (a folder you name is relative to the current directory; defaults are the "
        "project's own)"
    )
    folders.add_argument(
        "--content", default=None, metavar="DIR", help="Markdown pages and data/ (default: content)"
    )
    folders.add_argument(
        "--data", default=None, metavar="DIR", help="YAML data files (default: CONTENT/data)"
    )
    folders.add_argument(
        "--templates", default=None, metavar="DIR", help="Jinja templates (default: templates)"
    )
    folders.add_argument(
        "--static",
        default=None,
        metavar="DIR",
        help="files copied to the site, CSS with hashed names (default: static)",
    )
    folders.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="output folder, replaced only by a successful build (default: _site)",
    )
    folders.add_argument(
        "--cache",
        default=None,
        metavar="DIR",
        help="rendered-Markdown cache (default: .cache/factsheet beside --out)",
    )
    urls = common.add_argument_group("URLs")
    urls.add_argument(
        "--base-path",
        default="/",
        metavar="/REPO/",
        help="URL prefix the site is served under, e.g. /far-side/ for a GitHub "
        "project page (default: /)",
    )
    urls.add_argument(
        "--site-url",
        default=None,
        metavar="URL",
        help="absolute URL of the site for canonical and Open Graph links, "
        "e.g. https://owner.github.io/far-side (default: site.url in the data)",
    )
    common.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (such as a source no page cites) as errors",
    )
    common.add_argument(
        "--drafts",
        action="store_true",
        help="build pages marked draft: true too, with a draft banner and "
        "noindex (serve always shows them)",
    )
    common.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="processes for Markdown conversion (default: one per core)",
    )
    common.add_argument("--debug", action="store_true", help="show a traceback for internal errors")

    options_help = argparse.ArgumentParser(prog="build.py", parents=[common], add_help=False)
    parser = Parser(
        prog="build.py",
        description="Build the Far Side fact sheet: Markdown + YAML facts through Jinja into a "
        "static site for GitHub Pages. Without a command, builds.",
        epilog="Options of build, check and serve (serve adds --host, --port, --open; new "
        "takes --content, --data, --file):\n" + options_help.format_help().split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=ShowVersion)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("build", parents=[common], help="build the site into --out (default)")
    commands.add_parser(
        "check", parents=[common], help="validate content and a full build without writing --out"
    )
    serve = commands.add_parser(
        "serve", parents=[common], help="build, serve and live-reload while you edit"
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: 127.0.0.1, this machine only)",
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    new = commands.add_parser(
        "new",
        help='start a page or a fact: new page "Title" | new fact ID [--file FILE]',
        description="Write a new page into --content (a draft, last in the menu) or a new fact "
        "skeleton: printed, or appended to --file. Never overwrites a file.",
    )
    new.add_argument("kind", choices=("page", "fact"), help="what to start")
    new.add_argument("name", help="the page's title, or the fact's id")
    new.add_argument(
        "--content", default=None, metavar="DIR", help="Markdown pages and data/ (default: content)"
    )
    new.add_argument(
        "--data", default=None, metavar="DIR", help="YAML data files (default: CONTENT/data)"
    )
    new.add_argument(
        "--file",
        default=None,
        metavar="FILE",
        help="new fact: the data file to append it to (created if missing)",
    )
    new.add_argument("--debug", action="store_true", help="show a traceback for internal errors")
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        parser.unknown_command(argv[0])
    if not argv or argv[0] not in COMMANDS + ("-h", "--help", "--version"):
        argv = ["build", *argv]  # `build.py --out DIR` means `build.py build --out DIR`
    return parser.parse_args(argv)


def make_config(arguments: argparse.Namespace, out: str | None = None):
    from factsheet.config import make_config as configure

    def place(value: str | None, default: str | None = None) -> str | None:
        """Defaults live in the project; a folder the user names is relative to where they are."""
        return default if value is None else str(Path(value).resolve())

    config, errors = configure(
        ROOT,
        content=place(arguments.content, "content"),
        data=place(arguments.data),
        templates=place(arguments.templates, "templates"),
        static=place(arguments.static, "static"),
        out=out or place(arguments.out, "_site"),
        cache=place(arguments.cache),
        base_path=arguments.base_path,
        site_url=arguments.site_url,
        strict=arguments.strict,
        jobs=arguments.jobs,
    )
    if config is not None and (arguments.drafts or arguments.command == "serve"):
        config = replace(config, drafts=True)  # serve shows drafts, as Hugo's server -D does
    return config, errors


def report(errors, out: str | None) -> int:
    from factsheet.errors import report as report_errors

    tail = f"; the previous site in {out} was left untouched" if out else ""
    return report_errors(errors, tail, stream=sys.stderr)


def command_build(arguments: argparse.Namespace) -> int:
    from factsheet.errors import BuildError, print_warnings
    from factsheet.owned_folders import output_lock
    from factsheet.site import build

    config, errors = make_config(arguments)
    if errors:
        return report(errors, None)
    try:
        # Held from the start, so a build that had to wait reads the inputs as they are now.
        with output_lock(config.out_dir):
            result = build(config)
    except BuildError as failure:
        return report(failure.errors, arguments.out or "_site")
    print_warnings(result.warnings, sys.stderr)
    out = arguments.out or "_site"
    if result.skipped:
        print(f"Nothing changed: {out} is up to date ({result.seconds * 1000:.0f} ms).")
    else:
        print(
            f"Built {result.pages} pages ({result.files} files, {result.rendered} converted) "
            f"into {out} in {result.seconds * 1000:.0f} ms."
        )
    return 0


def command_check(arguments: argparse.Namespace) -> int:
    from factsheet.check import check_built_site
    from factsheet.errors import BuildError
    from factsheet.prose_numbers import is_prose_number
    from factsheet.site import build

    with tempfile.TemporaryDirectory(prefix="factsheet-check-") as scratch:
        out = str(Path(scratch) / "site")
        if arguments.cache is None:  # share the build's cache: a check converts only new pages
            out_dir = Path(arguments.out).resolve() if arguments.out else ROOT / "_site"
            arguments.cache = str(out_dir.parent / ".cache" / "factsheet")
        config, errors = make_config(arguments, out=out)
        if errors:
            return report(errors, None)
        try:
            result = build(config)
        except BuildError as failure:
            return report([as_check_error(e) for e in failure.errors], None)
        problems = check_built_site(Path(out), config.base_path, "(built site)")
    problems += [as_check_error(w) for w in result.warnings if is_prose_number(w)]
    if problems:
        return report(problems, None)
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    print(
        f"OK: {result.pages} pages, {result.files} files, every link and anchor resolves"
        + (f"; {len(result.warnings)} warnings" if result.warnings else "")
        + "."
    )
    return 0


def as_check_error(problem):
    """The site's promise: a number typed into prose fails a check, even without --strict."""
    from factsheet.prose_numbers import is_prose_number

    return replace(problem, warning=False) if is_prose_number(problem) else problem


def command_serve(arguments: argparse.Namespace) -> int:
    if arguments.out is not None:  # serve builds into a temporary folder of its own
        print(
            "serve: --out is not used by serve, which keeps its build in a temporary folder "
            "and never touches your output; to write a site, run: build.py build --out "
            f"{arguments.out}",
            file=sys.stderr,
        )
        return 2
    if not dependencies_present(SERVE_DEPENDENCIES):
        return 1
    from factsheet.serve import serve

    config, errors = make_config(arguments)
    if errors:
        return report(errors, None)
    port = free_port(arguments.host, arguments.port)
    if port is None:
        print(
            f"cannot listen on {arguments.host}: ports {arguments.port}-"
            f"{arguments.port + PORT_ATTEMPTS - 1} are all taken; choose one with --port",
            file=sys.stderr,
        )
        return 1
    if port != arguments.port:
        print(f"Port {arguments.port} is taken; using {port}.", flush=True)
    return serve(config, host=arguments.host, port=port, open_browser=arguments.open)


def free_port(host: str, first: int) -> int | None:
    """The first port from `first` up that nothing listens on (0 asks the system for one)."""
    if first == 0:
        return 0
    for port in range(first, min(first + PORT_ATTEMPTS, 65536)):
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.bind((host, port))  # no SO_REUSEADDR: a listening socket must fail it
            return port
        except OSError:
            continue
    return None


def command_new(arguments: argparse.Namespace) -> int:
    from factsheet.scaffold import ScaffoldError, new_fact, new_page

    content = Path(arguments.content).resolve() if arguments.content else ROOT / "content"
    data = Path(arguments.data).resolve() if arguments.data else content / "data"
    try:
        if arguments.kind == "page":
            if arguments.file:
                raise ScaffoldError("--file is for new fact; a page goes into --content")
            path = new_page(arguments.name, content, data)
            print(
                f"Wrote {shown_path(path)}: a draft (serve shows it; build leaves it out "
                "until you remove draft: true). Fill in its description."
            )
        else:
            file = Path(arguments.file).resolve() if arguments.file else None
            text = new_fact(arguments.name, data, file)
            if file is None:
                print(text, end="")
            else:
                print(
                    f"Added fact {arguments.name!r} to {shown_path(file)}; `build.py check` "
                    "names the lines still to fill in."
                )
    except ScaffoldError as problem:
        print(f"new {arguments.kind}: {problem}", file=sys.stderr)
        return 1
    return 0


def shown_path(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def dependencies_present(needed: dict[str, str]) -> bool:
    """Whether this Python has the packages; if not, say to use the virtual environment."""
    missing = [
        package for module, package in needed.items() if importlib.util.find_spec(module) is None
    ]
    if not missing:
        return True
    venv = ROOT / ".venv" / "bin" / "python"
    runner = f"{shown_path(venv) if venv.exists() else '.venv/bin/python'} build.py"
    print(
        f"This Python ({sys.executable}) lacks the generator's packages: "
        f"{', '.join(missing)}.\nRun it with the project's virtual environment: {runner} ..."
        + (
            ""
            if venv.exists()
            else "\n(create it first: python3 -m venv .venv && .venv/bin/pip install -e .)"
        ),
        file=sys.stderr,
    )
    return False


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    if not dependencies_present(DEPENDENCIES):
        return 1
    commands = {
        "build": command_build,
        "check": command_check,
        "serve": command_serve,
        "new": command_new,
    }
    try:
        return commands[arguments.command](arguments)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug in the generator: one line, unless --debug asks for more
        if arguments.debug:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
