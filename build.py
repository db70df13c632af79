#!/usr/bin/env python3
"""Far Side's site generator: `python build.py [build|check|serve] [options]`.

build  renders content/ (Markdown pages and YAML facts) through templates/ into _site/.
check  validates content and a complete build without touching _site/.
serve  builds, serves the site on 127.0.0.1 and reloads the browser after every change.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent
COMMANDS = ("build", "check", "serve")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    folders = common.add_argument_group(
        "folders (a folder you name is relative to the current directory; defaults are the "
        "project's own)")
    folders.add_argument("--content", default=None, metavar="DIR",
                         help="Markdown pages and data/ (default: content)")
    folders.add_argument("--data", default=None, metavar="DIR",
                         help="YAML data files (default: CONTENT/data)")
    folders.add_argument("--templates", default=None, metavar="DIR",
                         help="Jinja templates (default: templates)")
    folders.add_argument("--static", default=None, metavar="DIR",
                         help="files copied to the site, CSS with hashed names (default: static)")
    folders.add_argument("--out", default=None, metavar="DIR",
                         help="output folder, replaced only by a successful build (default: _site)")
    folders.add_argument("--cache", default=None, metavar="DIR",
                         help="rendered-Markdown cache (default: .cache/factsheet beside --out)")
    urls = common.add_argument_group("URLs")
    urls.add_argument("--base-path", default="/", metavar="/REPO/",
                      help="URL prefix the site is served under, e.g. /far-side/ for a GitHub "
                           "project page (default: /)")
    urls.add_argument("--site-url", default=None, metavar="URL",
                      help="absolute URL of the site for canonical and Open Graph links, "
                           "e.g. https://owner.github.io/far-side (default: site.url in the data)")
    common.add_argument("--strict", action="store_true",
                        help="treat warnings (such as a source no page cites) as errors")
    common.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="processes for Markdown conversion (default: one per core)")
    common.add_argument("--debug", action="store_true",
                        help="show a traceback for internal errors")

    options_help = argparse.ArgumentParser(prog="build.py", parents=[common], add_help=False)
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the Far Side fact sheet: Markdown + YAML facts through Jinja into a "
                    "static site for GitHub Pages. Without a command, builds.",
        epilog="Options of every command (serve adds --host, --port, --open):\n"
               + options_help.format_help().split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("build", parents=[common], help="build the site into --out (default)")
    commands.add_parser("check", parents=[common],
                        help="validate content and a full build without writing --out")
    serve = commands.add_parser("serve", parents=[common],
                                help="build, serve and live-reload while you edit")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    if not argv or argv[0] not in COMMANDS + ("-h", "--help"):
        argv = ["build", *argv]  # `build.py --out DIR` means `build.py build --out DIR`
    return parser.parse_args(argv)


def make_config(arguments: argparse.Namespace, out: str | None = None):
    from factsheet.config import make_config as configure

    def place(value: str | None, default: str | None = None) -> str | None:
        """Defaults live in the project; a folder the user names is relative to where they are."""
        return default if value is None else str(Path(value).resolve())

    return configure(
        ROOT, content=place(arguments.content, "content"), data=place(arguments.data),
        templates=place(arguments.templates, "templates"),
        static=place(arguments.static, "static"),
        out=out or place(arguments.out, "_site"), cache=place(arguments.cache),
        base_path=arguments.base_path, site_url=arguments.site_url, strict=arguments.strict,
        jobs=arguments.jobs,
    )


def report(errors, out: str | None) -> int:
    for error in errors:
        print(error, file=sys.stderr)
    count = sum(1 for e in errors if not e.warning)
    tail = f"; the previous site in {out} was left untouched" if out else ""
    print(f"Build failed: {count} error{'s' if count != 1 else ''}{tail}.", file=sys.stderr)
    return 1


def command_build(arguments: argparse.Namespace) -> int:
    from factsheet.errors import BuildError
    from factsheet.site import build

    config, errors = make_config(arguments)
    if errors:
        return report(errors, None)
    try:
        result = build(config)
    except BuildError as failure:
        return report(failure.errors, arguments.out or "_site")
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    out = arguments.out or "_site"
    if result.skipped:
        print(f"Nothing changed: {out} is up to date ({result.seconds * 1000:.0f} ms).")
    else:
        print(f"Built {result.pages} pages ({result.files} files, {result.rendered} converted) "
              f"into {out} in {result.seconds * 1000:.0f} ms.")
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
            return report(failure.errors, None)
        problems = check_built_site(Path(out), config.base_path, "(built site)")
    # The site's promise: a number typed into prose fails a check, even without --strict.
    problems += [replace(w, warning=False) for w in result.warnings if is_prose_number(w)]
    if problems:
        return report(problems, None)
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    print(f"OK: {result.pages} pages, {result.files} files, every link and anchor resolves"
          + (f"; {len(result.warnings)} warnings" if result.warnings else "") + ".")
    return 0


def command_serve(arguments: argparse.Namespace) -> int:
    from factsheet.serve import serve

    config, errors = make_config(arguments)
    if errors:
        return report(errors, None)
    return serve(config, host=arguments.host, port=arguments.port, open_browser=arguments.open)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    commands = {"build": command_build, "check": command_check, "serve": command_serve}
    try:
        return commands[arguments.command](arguments)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug in the generator: one line, unless --debug asks for more
        if arguments.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
