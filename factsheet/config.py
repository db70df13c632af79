"""Config: where the site's inputs and output live and the URL it is served at; validated once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SiteError
from .owned_folders import adopt_old_cache, output_problem


@dataclass(frozen=True)
class Config:
    root: Path  # the project folder; error messages show paths relative to it
    content_dir: Path
    data_dir: Path
    templates_dir: Path
    static_dir: Path
    out_dir: Path
    cache_dir: Path
    base_path: str = "/"  # always starts and ends with "/": "/" or "/REPO/"
    site_url: str | None = None  # overrides site.url from the data: canonical origin + base path
    strict: bool = False
    jobs: int = 0  # worker processes for Markdown; 0 = one per core
    drafts: bool = False  # build pages marked `draft: true` too (bannered, noindex)

    def url(self, path: str = "") -> str:
        """A base-path-absolute URL for a site path: url('far-side/') == '/REPO/far-side/'."""
        return self.base_path + path.lstrip("/")


def normalize_base_path(value: str) -> str:
    """'/REPO', 'REPO/', '' and '/' become '/REPO/' and '/'."""
    inner = value.strip().strip("/")
    return f"/{inner}/" if inner else "/"


def make_config(
    root: Path,
    *,
    content: str | Path = "content",
    data: str | Path | None = None,
    templates: str | Path = "templates",
    static: str | Path = "static",
    out: str | Path = "_site",
    cache: str | Path | None = None,
    base_path: str = "/",
    site_url: str | None = None,
    strict: bool = False,
    jobs: int = 0,
) -> tuple[Config | None, list[SiteError]]:
    """Resolve folders against `root` and check every setting; all problems are returned."""
    root = root.resolve()
    content_dir = (root / content).resolve()
    out_dir = (root / out).resolve()
    config = Config(
        root=root,
        content_dir=content_dir,
        data_dir=(root / data).resolve() if data else content_dir / "data",
        templates_dir=(root / templates).resolve(),
        static_dir=(root / static).resolve(),
        out_dir=out_dir,
        cache_dir=(root / cache).resolve() if cache else out_dir.parent / ".cache" / "factsheet",
        base_path=normalize_base_path(base_path),
        site_url=site_url.rstrip("/") if site_url else None,
        strict=strict,
        jobs=jobs,
    )
    return config, _problems(config)


def _problems(config: Config) -> list[SiteError]:
    errors = []
    for name, folder in (("--content", config.content_dir), ("--templates", config.templates_dir)):
        if not folder.is_dir():
            errors.append(SiteError(str(folder), None, f"{name} folder does not exist"))
    if not re.fullmatch(r"/(?:[A-Za-z0-9._~-]+/)*", config.base_path):
        errors.append(
            SiteError("--base-path", None, f"{config.base_path!r} is not a URL path like /REPO/")
        )
    elif {".", ".."} & set(config.base_path.split("/")):
        # A browser resolves /./x/ to /x/ and /../ to /: every link would miss the site.
        errors.append(
            SiteError(
                "--base-path",
                None,
                f"{config.base_path!r} is not a clean URL path like /REPO/ (no '.' or '..' parts)",
            )
        )
    if config.site_url and not re.fullmatch(r"https?://[^\s/]+(?:/[^\s]*)?", config.site_url):
        errors.append(SiteError("--site-url", None, f"{config.site_url!r} is not an http(s) URL"))
    for name, folder in (
        ("--content", config.content_dir),
        ("--templates", config.templates_dir),
        ("--static", config.static_dir),
        ("--data", config.data_dir),
    ):
        if _inside(config.out_dir, folder) or _inside(folder, config.out_dir):
            errors.append(
                SiteError(
                    "--out",
                    None,
                    f"the output folder {config.out_dir} overlaps "
                    f"the {name} folder; the build would erase it",
                )
            )
    if _inside(config.out_dir, config.root):
        errors.append(SiteError("--out", None, "the output folder must not contain the project"))
    elif not any(error.path == "--out" for error in errors):
        errors += filter(None, [output_problem(config.out_dir)])  # only a folder a build made
    if _inside(config.out_dir, config.cache_dir) or _inside(config.cache_dir, config.out_dir):
        errors.append(
            SiteError(
                "--cache",
                None,
                f"the cache folder {config.cache_dir} overlaps "
                "the output folder, which every build replaces",
            )
        )
    else:
        adopt_old_cache(config.cache_dir)  # a foreign folder is left alone: a cache miss
    return errors


def _inside(folder: Path, other: Path) -> bool:
    """Whether `other` is `folder` or lies within it."""
    return other == folder or folder in other.parents
