"""The history of every fact: the values and sources it has had, read from the git history of
the data folder at build time.

One `git log` lists the commits that touched the data folder (first parent only, so a merge
counts as one change and the walk is linear), oldest first; one `git cat-file --batch` reads
every data file each commit changed. Each version is read with the same loader as the build,
so a value is written exactly as pages write it. Same commits, same history: nothing here
depends on the clock or the machine. Without git, or outside a repository, the history is
simply unavailable; the build goes on.

git_head.py reads HEAD from the repository's files, without a subprocess: the build's input
fingerprint includes it (a commit changes the history even when no file changed), and the
store keeps the history read for that HEAD, so a rebuild never reads it twice.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from .fact_records import read_fact
from .fact_values import Record
from .facts import Fact
from .yamlfile import YamlList, YamlMap, parse_yaml

GIT_TIMEOUT = 60


@dataclass(frozen=True)
class Change:
    """One commit's change to one fact."""

    commit: str  # full hash
    date: str  # commit date, ISO 8601 with its offset, as git gives it
    subject: str  # the commit message's first line
    fact_id: str
    label: str
    kind: str  # "added", "changed" or "removed"
    value: str  # as readers see it ("" when removed)
    sources: tuple[str, ...]
    previous: str = ""  # the value before ("" when added)
    previous_sources: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        return self.commit[:10]

    @property
    def day(self) -> str:
        return self.date[:10]


@dataclass(frozen=True)
class FactHistory:
    """Every change to every fact, oldest first; `available` is False without git."""

    available: bool
    changes: tuple[Change, ...] = ()
    reason: str = ""

    def of(self, fact_id: str) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.fact_id == fact_id)

    def newest_first(self) -> tuple[Change, ...]:
        return tuple(reversed(self.changes))


# ---------------------------------------------------------------------------------------------
# Reading the history


def read_history(data_dir: Path) -> FactHistory:
    """Every change to every fact in the data folder's git history."""
    try:
        top = _git(data_dir, "rev-parse", "--show-toplevel").strip()
        folder = data_dir.resolve().relative_to(Path(top).resolve()).as_posix()
        # --parents: each commit's parents as the path-limited history sees them (the nearest
        # ancestors that touched the data); --raw gives each new file version's blob id.
        log = _git(
            data_dir,
            "log",
            "--parents",
            "--topo-order",
            "--reverse",
            "--no-renames",
            "--diff-merges=first-parent",
            "--raw",
            "--no-abbrev",
            "--format=%x1e%H%x1f%P%x1f%cI%x1f%s",
            "--",
            folder or ".",
            cwd=top,
        )
        commits = _parse_log(log)
        blobs = _read_blobs(
            top, sorted({blob for commit in commits for blob in commit.files.values() if blob})
        )
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return FactHistory(False, reason=_reason(exc))
    return FactHistory(True, tuple(_changes(commits, blobs)))


def _git(folder: Path, *args: str, cwd: str | None = None) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd or folder,
        capture_output=True,
        encoding="utf-8",
        timeout=GIT_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise OSError(result.stderr.strip() or f"git {args[0]} failed")
    return result.stdout


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "git is not installed"
    if "not a git repository" in str(exc).lower():
        return "the data folder is not in a git repository"
    return "the git history could not be read"


@dataclass
class _Commit:
    commit: str
    parents: list[str]
    date: str
    subject: str
    files: dict[str, str]  # data file path -> its new blob id ("" when deleted)


def _parse_log(log: str) -> list[_Commit]:
    commits = []
    for record in log.split("\x1e")[1:]:
        header, _, rest = record.partition("\n")
        commit, parents, date, subject = header.split("\x1f", 3)
        files = {}
        for line in rest.splitlines():
            meta, _, path = line.partition("\t")
            fields = meta.split()
            if len(fields) == 5 and PurePosixPath(path).suffix in (".yaml", ".yml"):
                files[path] = "" if fields[4] == "D" else fields[3]
        commits.append(_Commit(commit, parents.split(), date, subject, files))
    return commits


def _read_blobs(top: str, blob_ids: list[str]) -> dict[str, str]:
    """The text of each blob, read by one `git cat-file --batch`."""
    if not blob_ids:
        return {}
    request = "".join(f"{blob}\n" for blob in blob_ids).encode()
    result = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=top,
        input=request,
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=True,
    )
    output, position, blobs = result.stdout, 0, {}
    for blob in blob_ids:
        end = output.index(b"\n", position)
        header = output[position:end].split()
        position = end + 1
        if len(header) < 3:  # "<id> missing"
            continue
        size = int(header[2])
        blobs[blob] = output[position : position + size].decode("utf-8", errors="replace")
        position += size + 1
    return blobs


def _facts_in(text: str, path: str) -> dict[str, Fact]:
    """The facts one version of a data file states, read as the build reads them; a record
    that was invalid in that commit is skipped (history records what was, not what is)."""
    document, _errors = parse_yaml(text, path)
    if not isinstance(document, YamlMap) or not isinstance(document.get("facts"), YamlList):
        return {}
    facts = {}
    for raw in document["facts"]:
        if isinstance(raw, YamlMap):
            fact = read_fact(Record(raw, "fact", path, []))
            if fact is not None:
                facts[fact.id] = fact
    return facts


def _snapshot(files: dict[str, dict[str, Fact]]) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """fact id -> (label, value as text, sources) for every fact in all files of one commit."""
    every = {fact_id: fact for path in sorted(files) for fact_id, fact in files[path].items()}
    result = {}
    for fact_id, fact in every.items():
        if fact.value_from is not None:
            origin = every.get(fact.value_from)
            if origin is None or origin.value_from is not None:
                continue
            fact = replace(
                origin,
                id=fact.id,
                label=fact.label,
                sources=tuple(dict.fromkeys(origin.sources + fact.sources)),
            )
        result[fact_id] = (fact.label, fact.text(), fact.sources)
    return result


Snapshot = dict[str, tuple[str, str, tuple[str, ...]]]


def _changes(commits: list[_Commit], blobs: dict[str, str]):
    """Each commit's changes against its parent. A merge is a change only where its value
    differs from every parent's (a conflict resolved by hand): what a branch changed is told
    by the branch's own commits, with their own messages."""
    parsed: dict[str, dict[str, Fact]] = {}  # blob id -> facts, each version read once
    trees: dict[str, dict[str, str]] = {}  # commit -> data file path -> blob id
    snapshots: dict[str, Snapshot] = {}
    for entry in commits:
        parents = [p for p in entry.parents if p in trees]
        tree = dict(trees[parents[0]]) if parents else {}
        for path, blob in entry.files.items():
            if blob and blob in blobs:
                tree[path] = blob
            else:
                tree.pop(path, None)
        trees[entry.commit] = tree
        for blob in tree.values():
            if blob not in parsed:
                parsed[blob] = _facts_in(blobs[blob], blob)
        after = snapshots[entry.commit] = _snapshot(
            {path: parsed[blob] for path, blob in tree.items()}
        )
        befores = [snapshots[p] for p in parents] or [{}]
        for fact_id in sorted(after.keys() | befores[0].keys()):
            new = after.get(fact_id)
            olds = [before.get(fact_id) for before in befores]
            if any(_same(old, new) for old in olds):
                continue
            old = olds[0]
            kind = "added" if old is None else "removed" if new is None else "changed"
            label = (new or old)[0]  # type: ignore[index]
            yield Change(
                entry.commit,
                entry.date,
                entry.subject,
                fact_id,
                label,
                kind,
                new[1] if new else "",
                new[2] if new else (),
                old[1] if old else "",
                old[2] if old else (),
            )


def _same(old, new) -> bool:
    """The same value and sources. A new label alone is not a change to the fact, nor is a
    change of spacing only ("2,807 ± 3" as text, then as a quantity with thin spaces)."""
    if old is None or new is None:
        return old is new
    return _spaced(old[1]) == _spaced(new[1]) and old[2] == new[2]


def _spaced(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
