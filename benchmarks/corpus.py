#!/usr/bin/env python3
"""Synthetic fact-sheet corpus for benchmarking Far Side (stdlib only).

    python benchmarks/corpus.py --out DIR [--pages 1000] [--seed 1] [--facts 200] [--sources 20]
                                [--force]

Writes a content folder ready for `python build.py --content DIR`:

    DIR/index.md                           the home page (links to the first 50 pages)
    DIR/page-00000.md ... page-NNNNN.md   N pages of about 8 KB of fact-sheet Markdown each
    DIR/data/site.yaml                     the `site:` record
    DIR/data/sources.yaml                  --sources sources (default 20)
    DIR/data/facts.yaml                    --facts facts (default 200) of every value type,
                                           one group shown as a {facts-table} on some pages

Every page has front matter (title, description; `order` on the first five, `updated` on some),
h2/h3 headings, a pipe table, a bullet and a numbered list, a blockquote, 2-4 footnotes,
"quotes" and -- for typography, links to other pages (`[x](page-00042.md)`) and to headings
that exist on them (`page-00042.md#method`), several `{fact ID}` and `{cite ID}` references.
Every source is cited by at least one page (so `--strict` passes) and every page is valid.

Output depends only on (N, seed, facts, sources): page i uses its own RNG seeded with
"<seed>:page:<i>", so the same arguments give byte-identical files.

As a module: `write_corpus(out, pages=1000, seed="1")` returns the paths written (index.md
first), and `edit_page(path, round)` makes a deterministic one-paragraph edit (used by
bench_build.py).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

SUBJECTS = [
    "crater density",
    "regolith depth",
    "surface temperature",
    "ice deposits",
    "basalt cover",
    "impact rate",
    "dust transport",
    "seismic activity",
    "solar exposure",
    "magnetic anomalies",
    "orbital coverage",
    "sample mass",
    "landing accuracy",
    "relay latency",
    "rover distance",
    "thermal inertia",
    "albedo",
    "gravity field",
    "crust thickness",
    "volatile content",
]
REGIONS = [
    "the southern basin",
    "the northern highlands",
    "the polar craters",
    "the western maria",
    "the eastern rim",
    "the central uplands",
    "the equatorial plains",
    "the far-side terrae",
]
NOUNS = [
    "measurement",
    "estimate",
    "survey",
    "station",
    "record",
    "series",
    "sample",
    "report",
    "dataset",
    "assessment",
    "model",
    "register",
    "campaign",
    "forecast",
    "observation",
    "map",
]
ADJECTIVES = [
    "annual",
    "regional",
    "seasonal",
    "provisional",
    "revised",
    "independent",
    "official",
    "detailed",
    "comparable",
    "preliminary",
    "updated",
    "consistent",
    "average",
    "recent",
]
VERBS = [
    "shows",
    "suggests",
    "confirms",
    "indicates",
    "records",
    "reports",
    "estimates",
    "documents",
    "tracks",
    "measures",
    "highlights",
    "describes",
    "compares",
]
AGENCIES = [
    "the mission team",
    "the science office",
    "the survey group",
    "the data centre",
    "the instrument team",
    "the national observatory",
    "the archive",
]
UNITS = [
    ("km", "kilometres"),
    ("m", "metres"),
    ("kg", "kilograms"),
    ("g", "grams"),
    ("%", "percent"),
    ("K", "kelvin"),
    ("days", "days"),
    ("t", "tonnes"),
]
QUOTES = [
    "Numbers without context are easy to misread; the trend matters more than any single year.",
    "We publish the raw series so that anyone can check the calculation.",
    "A fact sheet is a starting point for questions, not the final answer.",
    "Small changes in method can look like large changes on the surface.",
]
PUBLISHERS = [
    "Lunar Science Institute",
    "Planetary Data Archive",
    "Space Agency Press Office",
    "Journal of Lunar Studies",
    "Orbital Survey Consortium",
    "Sample Analysis Lab",
]
# Headings present on every page (their ids are the targets of `#anchor` links).
FIXED_HEADINGS = ["Overview", "Key figures", "Measurements", "Method", "Context"]
TAIL_HEADINGS = [
    "Regional differences",
    "Data quality",
    "Outlook",
    "Related indicators",
    "Further reading",
    "Caveats",
]
ANCHORS = ["overview", "key-figures", "measurements", "method", "context"]
GROUP_ID = "headline-indicators"
GROUP_SIZE = 10
TARGET_BYTES = (7600, 8600)


def page_name(i: int) -> str:
    return f"page-{i:05d}.md"


def source_id(k: int) -> str:
    return f"src-{k:03d}"


def fact_id(k: int) -> str:
    return f"fact-{k:04d}"


def page_title(seed: str, i: int) -> tuple[str, str, str]:
    rng = random.Random(f"{seed}:title:{i}")
    subject, region = rng.choice(SUBJECTS), rng.choice(REGIONS)
    return f"Sheet {i + 1}: {subject.capitalize()} in {region[4:].title()}", subject, region


# --- data -------------------------------------------------------------------------------------


def site_yaml() -> str:
    return (
        "site:\n"
        "  title: Far Side bench\n"
        '  tagline: "A synthetic corpus for timing the generator"\n'
        "  url: https://example.github.io/bench\n"
        "  language: en\n"
        "  author: Benchmark\n"
        '  description: "Generated fact sheets with facts, citations, tables and links."\n'
    )


def sources_yaml(seed: str, count: int) -> str:
    rng = random.Random(f"{seed}:sources")
    lines = ["sources:"]
    for k in range(count):
        year = rng.randint(2005, 2025)
        lines += [
            f"  - id: {source_id(k)}",
            f'    title: "{rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)} of '
            f'{rng.choice(SUBJECTS)}, {year}"',
            f"    publisher: {rng.choice(PUBLISHERS)}",
        ]
        if rng.random() < 0.7:
            lines.append(f"    url: https://example.org/sources/{source_id(k)}")
        lines += [f'    published: "{year}-{rng.randint(1, 12):02d}"', '    accessed: "2026-11-24"']
    return "\n".join(lines) + "\n"


def facts_yaml(seed: str, count: int, n_sources: int) -> str:
    rng = random.Random(f"{seed}:facts")
    lines = [
        "groups:",
        f"  - id: {GROUP_ID}",
        "    title: Headline indicators",
        "    label_header: Indicator",
        "    columns:",
        "      - {key: region, label: Region}",
        "facts:",
    ]
    types = ["quantity", "quantity", "quantity", "date", "datetime", "coordinates", "range", "text"]
    for k in range(count):
        kind = "quantity" if k < GROUP_SIZE else types[k % len(types)]
        cited = [source_id(k % n_sources)]
        if rng.random() < 0.3:
            extra = source_id(rng.randrange(n_sources))
            if extra not in cited:
                cited.append(extra)
        year = rng.randint(2000, 2025)
        lines += [
            f"  - id: {fact_id(k)}",
            f'    label: "{rng.choice(SUBJECTS).capitalize()} '
            f'({rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {k})"',
            f"    type: {kind}",
        ]
        if kind == "quantity":
            digits = rng.choice([0, 1, 2])
            value = round(rng.uniform(1, 250000), digits) if digits else rng.randint(1, 250000)
            lines += [f"    value: {value}", f'    unit: "{rng.choice(UNITS)[0]}"']
            if rng.random() < 0.2:
                lines.append(f"    qualifier: {rng.choice(['about', 'more than', 'up to'])}")
        elif kind == "date":
            lines.append(f'    value: "{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"')
        elif kind == "datetime":
            lines += [
                f'    value: "{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T'
                f'{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}+08:00"',
                "    local: Beijing time",
            ]
        elif kind == "coordinates":
            lines.append(
                f"    value: {{lat: {rng.uniform(-89, 89):.4f}, lon: {rng.uniform(-179, 179):.4f}}}"
            )
        elif kind == "range":
            low = round(rng.uniform(1, 50), 1)
            lines += [
                f"    value: {{min: {low}, max: {round(low + rng.uniform(1, 20), 1)}}}",
                f'    unit: "{rng.choice(UNITS)[0]}"',
            ]
        else:
            lines.append(
                f'    value: "The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} '
                f"isn't final -- see the notes\""
            )
        lines += [
            f'    as_of: "{year}-{rng.randint(1, 12):02d}"',
            f"    sources: [{', '.join(cited)}]",
        ]
        if k < GROUP_SIZE:
            lines += [
                f"    group: {GROUP_ID}",
                f'    attributes: {{region: "{rng.choice(REGIONS)[4:].title()}"}}',
            ]
        if rng.random() < 0.15:
            lines.append('    note: "Sources differ slightly; the page gives the first."')
    return "\n".join(lines) + "\n"


# --- pages ------------------------------------------------------------------------------------


class PageWriter:
    def __init__(self, seed: str, i: int, n: int, n_facts: int, n_sources: int):
        self.rng = random.Random(f"{seed}:page:{i}")
        self.seed, self.i, self.n = seed, i, n
        self.n_facts, self.n_sources = n_facts, n_sources
        self.title, self.subject, self.region = page_title(seed, i)
        self.footnotes: list[str] = []
        self.n_footnotes = self.rng.randint(2, 4)
        self.year0 = self.rng.randint(1995, 2012)

    def number(self) -> str:
        r = self.rng.random()
        if r < 0.3:
            return str(self.rng.randint(2, 98))
        if r < 0.6:
            return f"{self.rng.uniform(1, 999):.1f}"
        return f"{self.rng.randint(1000, 950000):,}"

    def year(self) -> str:
        return str(self.year0 + self.rng.randint(0, 12))

    def other_page(self) -> int:
        j = self.rng.randrange(self.n - 1)
        return j + 1 if j >= self.i else j

    def link(self) -> str:
        r = self.rng
        if self.n > 1 and r.random() < 0.75:
            j = self.other_page()
            anchor = f"#{r.choice(ANCHORS)}" if r.random() < 0.3 else ""
            return f"[{page_title(self.seed, j)[0].lower()}]({page_name(j)}{anchor})"
        if r.random() < 0.5:
            return f"[the {r.choice(NOUNS)} below](#{r.choice(ANCHORS)})"
        return (
            f"[the {r.choice(ADJECTIVES)} {r.choice(NOUNS)}](https://example.org/data/"
            f"{r.randint(1, 999)})"
        )

    def fact(self) -> str:
        return f"{{fact {fact_id(self.rng.randrange(self.n_facts))}}}"

    def cite(self) -> str:
        return f"{{cite {source_id(self.rng.randrange(self.n_sources))}}}"

    def footnote_ref(self) -> str:
        k = len(self.footnotes) + 1
        self.footnotes.append(
            f"[^{k}]: {self.rng.choice(PUBLISHERS)}, {self.year()} edition, "
            f"table {self.rng.randint(1, 40)}. Figures are rounded and may "
            "not add up to the totals shown."
        )
        return f"[^{k}]"

    def sentence(self, allow_link: bool = True) -> str:
        r = self.rng
        agency = r.choice(AGENCIES)
        template = r.choice(
            [
                "The {adj} {noun} {verb} {num} {unit} of {subject} in {region} in {year}.",
                "{Agency} {verb} that {subject} changed by {pct} percent between {year} and "
                "{year2}.",
                "According to {agency}, the {adj} {noun} covered {num} {unit}.",
                "Each {noun} is checked against the {adj} record before it is published.",
                "The figure for {region} is {fact}, which is close to the {adj} value.",
                "Readers should treat the {adj} {noun} as an estimate rather than an exact count.",
                "Since {year}, the {noun} has been collected the same way every year{cite}.",
                'The "{adj}" series isn\'t directly comparable with the older {noun} -- the '
                "method changed in {year}.",
                "The {noun} for {subject} {verb} {fact} in the {adj} release.",
                "Local data for {subject} are published by {agency} each quarter{cite}.",
            ]
        )
        text = template.format(
            adj=r.choice(ADJECTIVES),
            noun=r.choice(NOUNS),
            verb=r.choice(VERBS),
            num=self.number(),
            unit=r.choice(UNITS)[1],
            subject=self.subject,
            region=self.region,
            year=self.year(),
            year2=self.year(),
            pct=r.randint(1, 45),
            agency=agency,
            Agency=agency[0].upper() + agency[1:],
            fact=self.fact() if "{fact}" in template else "",
            cite=self.cite() if "{cite}" in template else "",
        )
        words = text.split(" ")
        if len(words) > 4 and r.random() < 0.4:
            k = r.randrange(1, len(words) - 1)
            if words[k].isalpha() and len(words[k]) > 3:
                words[k] = f"*{words[k]}*" if r.random() < 0.5 else f"**{words[k]}**"
        text = " ".join(words)
        if allow_link and r.random() < 0.2:
            text = f"{text[:-1]}, as described in {self.link()}."
        return text

    def paragraph(self, low: int = 3, high: int = 6) -> str:
        sentences = [self.sentence() for _ in range(self.rng.randint(low, high))]
        if len(self.footnotes) < self.n_footnotes and self.rng.random() < 0.5:
            k = self.rng.randrange(len(sentences))
            sentences[k] += self.footnote_ref()
        return " ".join(sentences)

    def bullets(self) -> str:
        r = self.rng
        items = [
            f"- {r.choice(ADJECTIVES).capitalize()} {r.choice(NOUNS)}: {self.number()} "
            f"{r.choice(UNITS)[0]} ({self.year()})"
            for _ in range(r.randint(4, 7))
        ]
        items[r.randrange(len(items))] += f", see {self.link()}"
        items[r.randrange(len(items))] += f", now {self.fact()}"
        return "\n".join(items)

    def numbered(self) -> str:
        r = self.rng
        steps = [
            f"Collect the {r.choice(ADJECTIVES)} {r.choice(NOUNS)} from each station.",
            f"Check every value against the previous {r.choice(NOUNS)}.",
            f"Remove duplicate records and flag gaps longer than {r.randint(3, 30)} days.",
            f"Convert all values to {r.choice(UNITS)[1]}.",
            f"Compare the result with the {r.choice(ADJECTIVES)} {r.choice(NOUNS)}.",
            f"Publish the {r.choice(NOUNS)} with its *method notes*.",
            f"Archive the raw {r.choice(NOUNS)} for later review.",
        ]
        return "\n".join(f"{k + 1}. {s}" for k, s in enumerate(steps[: r.randint(4, 7)]))

    def table(self) -> str:
        r = self.rng
        rows = ["| Indicator | Value | Unit | Year | Source |", "|---|---:|---|---:|---|"]
        for _ in range(r.randint(5, 10)):
            rows.append(
                f"| {r.choice(ADJECTIVES).capitalize()} {r.choice(NOUNS)} | "
                f"{self.number()} | {r.choice(UNITS)[0]} | {self.year()} | "
                f"{r.choice(PUBLISHERS)}{self.cite() if r.random() < 0.3 else ''} |"
            )
        return "\n".join(rows)

    def quote(self) -> str:
        return f"> {self.rng.choice(QUOTES)}\n>\n> -- {self.rng.choice(AGENCIES).capitalize()}"

    def build(self) -> str:
        r = self.rng
        target = r.randint(*TARGET_BYTES)
        # source i % n_sources is always cited, so every source is cited once N >= n_sources
        intro = (
            self.paragraph(3, 5) + f" The main reference is {{cite "
            f"{source_id(self.i % self.n_sources)}}}."
        )
        if self.i == 0:  # a small corpus still cites every source
            intro += "".join(f"{{cite {source_id(k)}}}" for k in range(self.n_sources))
        blocks = [
            intro,
            "## Overview",
            self.paragraph(),
            self.paragraph(),
            "### Key figures",
            self.bullets(),
            "## Measurements",
            self.paragraph(2, 4),
            self.table(),
            self.paragraph(2, 4),
        ]
        if self.i % 20 == 7:
            blocks.append(f"{{facts-table {GROUP_ID}}}")
        blocks += [
            "## Method",
            self.paragraph(2, 4),
            self.numbered(),
            "### Context",
            self.paragraph(),
            self.quote(),
        ]
        tail = 0
        while sum(len(b) + 2 for b in blocks) < target - 300:
            if tail < len(TAIL_HEADINGS) and r.random() < 0.4:
                blocks.append(("## " if tail % 2 == 0 else "### ") + TAIL_HEADINGS[tail])
                tail += 1
            blocks.append(self.paragraph())
        while len(self.footnotes) < self.n_footnotes:
            blocks.append(self.sentence(allow_link=False) + self.footnote_ref())
        blocks.append("\n".join(self.footnotes))
        front = [
            "---",
            f'title: "{self.title}"',
            f'description: "Key figures on {self.subject} in {self.region}, with sources '
            'and method notes."',
        ]
        if self.i < 5:
            front.append(f"order: {self.i + 1}")
        if self.i % 3 == 0:
            front.append(f"updated: 2026-{1 + self.i % 12:02d}-{1 + self.i % 28:02d}")
        front.append("---")
        return "\n".join(front) + "\n\n" + "\n\n".join(blocks) + "\n"


def home_page(seed: str, pages: int) -> str:
    """index.md (the site's home, which every page's header links to): links to the first 50."""
    links = "\n".join(
        f"- [{page_title(seed, i)[0]}]({page_name(i)})" for i in range(min(50, pages))
    )
    return (
        '---\ntitle: Far Side bench\ndescription: "A synthetic fact-sheet corpus for timing '
        'the generator: pages, facts and sources."\norder: 0\nnav_title: Home\n---\n\n'
        f"This corpus has {pages} fact sheets. The first ones:\n\n{links}\n"
    )


def write_corpus(
    out: Path | str,
    pages: int = 1000,
    seed: str = "1",
    facts: int = 200,
    sources: int = 20,
    force: bool = False,
) -> list[Path]:
    out = Path(out)
    if out.exists():
        if any(out.iterdir()) and not force:
            raise FileExistsError(f"{out} exists and is not empty (use --force)")
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    facts = max(facts, GROUP_SIZE)
    (out / "data" / "site.yaml").write_text(site_yaml(), encoding="utf-8")
    (out / "data" / "sources.yaml").write_text(sources_yaml(seed, sources), encoding="utf-8")
    (out / "data" / "facts.yaml").write_text(facts_yaml(seed, facts, sources), encoding="utf-8")
    paths = [out / "index.md"]
    paths[0].write_text(home_page(seed, pages), encoding="utf-8")
    for i in range(pages):
        path = out / page_name(i)
        path.write_text(PageWriter(seed, i, pages, facts, sources).build(), encoding="utf-8")
        paths.append(path)
    return paths


def edit_page(path: Path | str, round_: int = 0) -> None:
    """A small, valid, deterministic edit: append one sentence to the page's last paragraph
    before the footnotes (changes the page's bytes, so its cache entry misses)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    marker = "\n\n[^1]:"
    at = text.index(marker)
    text = text[:at] + f' Edited in round {round_} -- "for the benchmark".' + text[at:]
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="content folder to write")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--facts", type=int, default=200)
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    args = parser.parse_args(argv)
    try:
        paths = write_corpus(args.out, args.pages, args.seed, args.facts, args.sources, args.force)
    except FileExistsError as exc:
        parser.error(str(exc))
    size = sum(p.stat().st_size for p in paths[1:])
    print(
        f"{len(paths) - 1} pages + index.md ({size / max(1, len(paths) - 1) / 1024:.1f} KB "
        "each), "
        f"{args.facts} facts, {args.sources} sources in {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
