"""build(config): decide whether anything changed, and if so run the pipeline (pipeline.py:
load, validate, render, write).

Every stage returns its problems instead of stopping at the first; the build raises BuildError
with all of them before anything is swapped into the output folder.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from .config import Config
from .errors import SiteError
from .incremental import DiskStore, Store, output_key
from .live_output import LiveOutput
from .output import StagedOutput


@dataclass(frozen=True)
class BuildResult:
    pages: int
    files: int
    rendered: int  # pages whose Markdown was converted (not taken from the store)
    skipped: bool  # nothing changed since the last build of this output folder
    warnings: tuple[SiteError, ...]
    seconds: float
    changed: tuple[str, ...] = ()  # with a LiveOutput: the files written or removed


def build(
    config: Config, store: Store | None = None, output: LiveOutput | StagedOutput | None = None
) -> BuildResult:
    """Build the site; raise BuildError, with the output untouched, on any problem.

    The store remembers what the last build read and made (by default in the cache folder);
    the output is a staging folder swapped in for config.out_dir, or the dev server's
    LiveOutput, which rewrites only files whose bytes changed.
    """
    started = time.perf_counter()
    store = store if store is not None else DiskStore(config.cache_dir, config)
    output = output or StagedOutput(config.out_dir, source_date_epoch())
    try:
        today = build_date()
        # The build's date is an input: citations show it, and facts grow stale with it.
        inputs = store.scan(config)
        inputs = dataclasses.replace(
            inputs, fingerprint=output_key(inputs.fingerprint, today.isoformat())
        )
        warnings = store.unchanged(inputs, output.out_dir)
        if warnings is not None:
            return BuildResult(0, 0, 0, True, warnings, time.perf_counter() - started)
        # The pipeline's modules (Markdown, Jinja, charts, pictures) load only when there is
        # work: a build with nothing changed is mostly interpreter start-up.
        from .pipeline import make_site

        return make_site(config, store, output, inputs, today, started)
    finally:
        store.save()


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH, for reproducible file times in the Pages artifact."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(epoch) if epoch.isdigit() else None


def build_date() -> date:
    """The day of the build: SOURCE_DATE_EPOCH's (UTC) if set, so that a build is reproducible,
    else today's."""
    epoch = source_date_epoch()
    moment = datetime.fromtimestamp(epoch, UTC) if epoch is not None else datetime.now(UTC)
    return moment.date()
