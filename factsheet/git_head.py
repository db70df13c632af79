"""The commit HEAD names, read from the repository's files without running git: cheap enough
for every build's input fingerprint (a commit changes the fact history even when no file
changed), and importable without the rest of the history machinery."""

from __future__ import annotations

from pathlib import Path

NO_GIT = "-"  # git_head() where there is no repository: history unavailable


def _git_dir(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        dot_git = candidate / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = dot_git.read_text(encoding="utf-8").strip()
            if text.startswith("gitdir:"):
                return (candidate / text[len("gitdir:") :].strip()).resolve()
            return None
    return None


def git_head(folder: Path) -> str:
    """The commit HEAD names, for the folder's repository; NO_GIT if there is none. A ref that
    cannot be resolved from the files (an unusual layout) is left to git itself."""
    try:
        git_dir = _git_dir(folder.resolve())
        if git_dir is None:
            return NO_GIT
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):
            return head  # detached
        ref = head[len("ref:") :].strip()
        common = git_dir
        if (git_dir / "commondir").is_file():
            common = (git_dir / (git_dir / "commondir").read_text().strip()).resolve()
        for place in (git_dir, common):
            if (place / ref).is_file():
                return (place / ref).read_text(encoding="utf-8").strip()
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                commit, _, name = line.partition(" ")
                if name == ref:
                    return commit
        return f"unborn:{ref}"  # a new repository without commits
    except OSError:
        return NO_GIT
