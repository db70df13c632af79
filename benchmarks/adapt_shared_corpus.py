#!/usr/bin/env python3
"""Convert a corpus of the shared anchor benchmark (make_corpus.py) into Far Side's layout.

    python benchmarks/adapt_shared_corpus.py --corpus SHARED_CORPUS --out ADAPTED [--force]

The shared corpus (SHARED_CORPUS/content/*.md, data/facts.yaml, manifest.json) has front matter
keys Far Side rejects and a facts format of its own. This writes:

    ADAPTED/content/<slug>.md     same file names and bodies; front matter rewritten:
                                  title kept, summary -> description, date -> updated,
                                  tags dropped (no generator in the comparison builds tag pages)
    ADAPTED/content/index.md      the home page every page's header links to; like the anchors'
                                  home page it links to every page, and it cites every source and
                                  shows a few facts so the converted data is used
    ADAPTED/data/site.yaml        the `site:` record
    ADAPTED/data/sources.yaml     one source per distinct `source` string of facts.yaml
    ADAPTED/data/facts.yaml       each {key, value, unit, source} as a quantity fact
                                  (id = key with hyphens, as_of = the source's year)
    ADAPTED/manifest.json         copied, so bench.py/check_output.py can use ADAPTED as --corpus

Bodies are unchanged: links stay `[x](fact-00042-slug.md)`, which Far Side resolves itself.
Our output is `<slug>/index.html`, what check_output.py looks for.

Then time our build next to the anchors (anchors read the original corpus; ours the adapted
copy, named directly in --cmd; a fresh --cache per run, so every run is a cold build):

    python3 /work/shared/bench/bench.py --corpus SHARED_CORPUS --runs 3 --check \\
        --cmd '/work/main/.venv/bin/python /work/main/build.py --content ADAPTED/content \\
               --data ADAPTED/data --out {out} --cache {prefix}/ours-cache/$$ \\
               --base-path /bench/' --label ours --anchor pelican --anchor floor-mp
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
FACT = re.compile(r"^  - key: (\S+)\n    value: (\S+)\n    unit: (.*)\n    source: (.*)$", re.M)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted one


def convert_page(text: str, name: str) -> tuple[str, str]:
    """The page with Far Side front matter, and its title."""
    match = FRONT.match(text)
    if not match:
        raise ValueError(f"{name}: no front matter")
    fields = {}
    for line in match.group(1).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = unquote(value)
    title = fields["title"]
    front = [f"title: {quote(title)}", f"description: {quote(fields.get('summary') or title)}"]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", fields.get("date", "")):
        front.append(f"updated: {fields['date']}")
    return "---\n" + "\n".join(front) + "\n---\n" + text[match.end() :], title


def convert_data(facts_text: str) -> tuple[str, str, list[str], list[str]]:
    """sources.yaml, facts.yaml, the source ids and the fact ids."""
    sources: dict[str, str] = {}  # source string -> id
    fact_lines, fact_ids = ["facts:"], []
    for key, value, unit, source in FACT.findall(facts_text):
        source = unquote(source)
        source_id = sources.setdefault(source, slug(source))
        year = re.search(r"(\d{4})\s*$", source)
        fact_id = slug(key)
        fact_ids.append(fact_id)
        fact_lines += [
            f"  - id: {fact_id}",
            f"    label: {quote(key.replace('_', ' ').capitalize())}",
            "    type: quantity",
            f"    value: {value}",
            f"    unit: {quote(unquote(unit))}",
            f'    as_of: "{year.group(1) if year else "2024"}"',
            f"    sources: [{source_id}]",
        ]
    source_lines = ["sources:"]
    for source, source_id in sources.items():
        year = re.search(r"(\d{4})\s*$", source)
        publisher = re.sub(r"\s*\d{4}$", "", source) or source
        source_lines += [
            f"  - id: {source_id}",
            f"    title: {quote(source)}",
            f"    publisher: {quote(publisher)}",
        ]
        if year:
            source_lines.append(f'    published: "{year.group(1)}"')
        source_lines.append('    accessed: "2026-11-24"')
    return (
        "\n".join(source_lines) + "\n",
        "\n".join(fact_lines) + "\n",
        list(sources.values()),
        fact_ids,
    )


SITE_YAML = """site:
  title: Fact sheets
  tagline: "The shared benchmark corpus, built by Far Side"
  url: https://example.github.io/bench
  language: en
  author: Benchmark
"""


def home_page(pages: list[tuple[str, str]], source_ids: list[str], fact_ids: list[str]) -> str:
    cites = "".join(f"{{cite {s}}}" for s in source_ids)
    facts = ", ".join(f"{{fact {f}}}" for f in fact_ids[:5])
    links = "\n".join(f"- [{title}]({name})" for name, title in pages)
    return (
        '---\ntitle: Fact sheets\ndescription: "Every fact sheet of the shared benchmark '
        'corpus, with the sources its figures come from."\n---\n\n'
        f"Figures on these pages come from {len(source_ids)} sources{cites}. "
        f"A few of them: {facts}.\n\n## All pages\n\n{links}\n"
    )


def adapt(corpus: Path, out: Path, force: bool = False) -> int:
    if out.exists():
        if any(out.iterdir()) and not force:
            raise FileExistsError(f"{out} exists and is not empty (use --force)")
        shutil.rmtree(out)
    (out / "content").mkdir(parents=True)
    (out / "data").mkdir()
    pages = []
    for path in sorted((corpus / "content").glob("*.md")):
        if path.name == "index.md":
            continue
        text, title = convert_page(path.read_text(encoding="utf-8"), path.name)
        (out / "content" / path.name).write_text(text, encoding="utf-8")
        pages.append((path.name, title))
    facts_path = corpus / "data" / "facts.yaml"
    facts_text = facts_path.read_text(encoding="utf-8") if facts_path.is_file() else ""
    sources_yaml, facts_yaml, source_ids, fact_ids = convert_data(facts_text)
    if not source_ids:  # no usable facts: a minimal valid data set
        sources_yaml = (
            "sources:\n  - id: bench\n    title: Benchmark\n    publisher: Benchmark"
            '\n    accessed: "2026-11-24"\n'
        )
        source_ids, facts_yaml = ["bench"], ""
    (out / "data" / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    (out / "data" / "sources.yaml").write_text(sources_yaml, encoding="utf-8")
    if facts_yaml:
        (out / "data" / "facts.yaml").write_text(facts_yaml, encoding="utf-8")
    (out / "content" / "index.md").write_text(
        home_page(pages, source_ids, fact_ids), encoding="utf-8"
    )
    if (corpus / "manifest.json").is_file():
        shutil.copyfile(corpus / "manifest.json", out / "manifest.json")
    return len(pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True, type=Path, help="a make_corpus.py corpus")
    parser.add_argument("--out", required=True, type=Path, help="folder to write")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    args = parser.parse_args(argv)
    try:
        count = adapt(args.corpus, args.out, args.force)
    except (FileExistsError, ValueError) as exc:
        parser.error(str(exc))
    print(
        f"adapted {count} pages into {args.out}/content (+ index.md) and {args.out}/data",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
