"""The change log: `/changes/`, every change to a fact's value or sources, newest first, and
the same as an Atom feed (`/changes/feed.xml`) for readers who follow corrections.

Both are made from the fact history alone, so the same commits give the same bytes: the feed's
dates are the commits' dates, never the time of the build.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fact_pages import GeneratedPage, Render
from .facts import FactBook
from .history import Change, FactHistory
from .hosting import escape, quoteattr
from .output import OutputPaths

PAGE_PATH = "changes/"
PAGE_TITLE = "Changes to facts"
FEED_PATH = "changes/feed.xml"
TEMPLATE = "changes.html"
FEED_ENTRIES = 50  # the newest commits; the page lists every one


@dataclass(frozen=True)
class Commit:
    """One commit's changes to facts, as the change log shows them."""

    commit: str
    date: str
    subject: str
    changed: tuple[Change, ...]  # values or sources changed, and facts removed
    added: tuple[Change, ...]

    @property
    def anchor(self) -> str:
        return f"commit-{self.commit[:10]}"


def describe(change: Change) -> str:
    """A change in words: `1,935.3 g → 1,935.31 g`, `sources: a → a, b`."""
    if change.kind == "added":
        return f"added: {change.value}"
    if change.kind == "removed":
        return f"removed (was {change.previous})"
    parts = []
    if change.value != change.previous:
        parts.append(f"{change.previous} → {change.value}")
    if change.sources != change.previous_sources:
        parts.append(f"sources: {', '.join(change.previous_sources)} → {', '.join(change.sources)}")
    return "; ".join(parts)


def commits_newest_first(history: FactHistory) -> list[Commit]:
    by_commit: dict[str, list[Change]] = {}
    for change in history.changes:
        by_commit.setdefault(change.commit, []).append(change)
    result = []
    for changes in by_commit.values():
        first = changes[0]
        result.append(
            Commit(
                first.commit,
                first.date,
                first.subject,
                tuple(c for c in changes if c.kind != "added"),
                tuple(c for c in changes if c.kind == "added"),
            )
        )
    return list(reversed(result))


def atom_feed(history: FactHistory, book: FactBook, absolute_url) -> str:
    """An Atom 1.0 feed (RFC 4287) of the newest commits that changed facts."""
    commits = commits_newest_first(history)[:FEED_ENTRIES]
    page_url = absolute_url(PAGE_PATH)
    updated = commits[0].date if commits else _data_date(book)
    author = book.site.author or book.site.title
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(book.site.title)}: changes to facts</title>",
        "<subtitle>Every change to a fact's value or sources, from the site's history.</subtitle>",
        f"<id>{escape(page_url)}</id>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(absolute_url(FEED_PATH))}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(page_url)}/>',
        f"<updated>{updated}</updated>",
        f"<author><name>{escape(author)}</name></author>",
    ]
    for commit in commits:
        link = f"{page_url}#{commit.anchor}"
        items = [f"{c.label}: {describe(c)}" for c in commit.changed]
        if commit.added:
            items.append(
                f"{len(commit.added)} facts added: " + ", ".join(c.label for c in commit.added)
            )
        summary = "\n".join(items)
        lines += [
            "<entry>",
            f"<title>{escape(commit.subject)}</title>",
            f"<id>{escape(link)}</id>",
            f'<link rel="alternate" type="text/html" href={quoteattr(link)}/>',
            f"<updated>{commit.date}</updated>",
            f"<summary>{escape(summary)}</summary>",
            "</entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _data_date(book: FactBook) -> str:
    """With no history, the feed's date is the newest date the data states (not the clock)."""
    dates = [d for fact in book.facts.values() for d in (fact.as_of, fact.verified) if d]
    newest = max((d.iso() for d in dates), default="1970")
    year, month, day = (newest.split("-") + ["01", "01"])[:3]
    return f"{year}-{month}-{day}T00:00:00Z"


def write_changes(
    tree: OutputPaths, render: Render, book: FactBook, history: FactHistory, absolute_url
) -> None:
    """The change log page and its feed: one page, made again on every build (cheap)."""
    page = GeneratedPage(
        PAGE_TITLE,
        "Every change to a fact's value or sources on "
        f"{book.site.title}, newest first, with the date and the reason "
        "given for it. Also as an Atom feed.",
        PAGE_PATH,
    )
    html = render(
        TEMPLATE,
        {
            "page": page,
            "history": history,
            "commits": commits_newest_first(history),
            "describe": describe,
            "canonical_url": absolute_url(PAGE_PATH),
            "json_ld": {
                "@context": "https://schema.org",
                "@type": "WebPage",
                "name": page.title,
                "description": page.description,
                "url": absolute_url(PAGE_PATH),
            },
        },
        "change log",
    )
    if html is not None:
        tree.write(page.output, html, "change log")
    tree.write(FEED_PATH, atom_feed(history, book, absolute_url), "change log feed")
