"""Label layout: word wrap, stacking label blocks without overlap, and placing a label beside a
point where it hides nothing else."""

from __future__ import annotations

from collections.abc import Sequence

from .svg import svg_text, text_width

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in user units


def wrap_words(text: str, limit: int) -> list[str]:
    """Greedy word wrap at ordinary spaces only (a no-break space keeps a value with its unit)."""
    lines: list[str] = []
    for word in (part for part in text.split(" ") if part):
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def spread(
    desired: Sequence[float], heights: Sequence[float], gap: float, min_top: float
) -> list[float]:
    """Tops for stacked label blocks, as close to the desired tops as they can be without overlap.

    Blocks must be given in top-to-bottom order. Overlapping blocks merge into a cluster placed
    where its members' desired positions average out, so a crowd of labels spreads both up and
    down around its marks instead of all being pushed below them.
    """
    clusters: list[tuple[int, int, float, float]] = []  # first, last, top, height
    for index, (want, height) in enumerate(zip(desired, heights, strict=True)):
        clusters.append((index, index, max(want, min_top), height))
        while len(clusters) > 1:
            (a_first, _, a_top, a_height), (_, b_last, b_top, _) = clusters[-2], clusters[-1]
            if a_top + a_height + gap <= b_top:
                break
            members = range(a_first, b_last + 1)
            offsets, total = [], 0.0
            for member in members:
                offsets.append(total)
                total += heights[member] + gap
            pairs = zip(members, offsets, strict=True)
            top = sum(desired[m] - off for m, off in pairs) / len(offsets)
            clusters[-2:] = [(a_first, b_last, max(top, min_top), total - gap)]
    tops: list[float] = []
    for first, last, top, _ in clusters:
        for member in range(first, last + 1):
            tops.append(top)
            top += heights[member] + gap
    return tops


def _overlap(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _outside(box: Box, bounds: Box) -> float:
    """How much of the box lies outside the bounds (as an area)."""
    area = (box[2] - box[0]) * (box[3] - box[1])
    return area - _overlap(box, bounds)


def place_label(x: float, y: float, text: str, size: float, taken: list[Box], bounds: Box) -> str:
    """Text beside a point at the first free spot of twelve, else the least crowded one.

    The chosen box is added to `taken`, so later labels avoid it.
    """
    width = text_width(text, size, bold=True)
    rise, drop = 0.8 * size, 0.25 * size  # ascent above and descent below the baseline
    mid = y + 0.35 * size  # baseline that centres the text on the point
    candidates = [
        (x + 8, mid, "start"),
        (x - 8, mid, "end"),
        (x, y - 9, "middle"),
        (x, y + 9 + rise, "middle"),
        (x + 6, y - 6, "start"),
        (x + 6, y + 6 + rise, "start"),
        (x - 6, y - 6, "end"),
        (x - 6, y + 6 + rise, "end"),
        # One line higher or lower, beside the point: room for labels of clustered sites.
        (x + 8, mid - size - 2, "start"),
        (x + 8, mid + size + 2, "start"),
        (x - 8, mid - size - 2, "end"),
        (x - 8, mid + size + 2, "end"),
    ]
    best: tuple[float, float, float, str, Box] | None = None
    for tx, ty, anchor in candidates:
        left = {"start": tx, "middle": tx - width / 2, "end": tx - width}[anchor]
        box = (left, ty - rise, left + width, ty + drop)
        score = sum(_overlap(box, other) for other in taken) + 4 * _outside(box, bounds)
        if best is None or score < best[0]:
            best = (score, tx, ty, anchor, box)
        if score == 0:
            break
    assert best is not None
    _, tx, ty, anchor, box = best
    taken.append(box)
    return svg_text(tx, ty, text, anchor)
