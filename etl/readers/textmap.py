"""An export's tweet text as the reader stores it, and where the export's offsets land in it.

Before it is stored, `full_text` is changed: its t.co links are replaced by their expansion,
its media links cut, its HTML entities (`&amp;`, `&lt;`) decoded and its ends trimmed. The
entities' `indices` count code points of the text before any change: to place an entity in
the stored text, its offsets are moved by what the changes before them added or took away.
"""

from __future__ import annotations

import html

Swap = tuple[str, str]  # every occurrence of the first replaced by the second, in order

# Characters marking offsets while a text is changed: Unicode's noncharacters, which no
# tweet is expected to hold (one the text doesn't hold is used).
MARKS = [chr(c) for c in range(0xFDD0, 0xFDF0)]


def changed(text: str, swaps: list[Swap]) -> str:
    """The text with every swap made, one after the other, and HTML entities decoded."""
    for old, new in swaps:
        text = text.replace(old, new)
    return html.unescape(text)


def offsets_in(source: str, swaps: list[Swap], full: str, offsets: list[int]) -> dict[int, int]:
    """{offset into `source`: where it falls in full.strip()}, full being
    changed(source, swaps). An offset inside a changed part (a t.co link's middle) falls
    nowhere and is left out, as are all when the changes can't be followed."""
    wanted = sorted({o for o in offsets if 0 <= o <= len(source)})
    if not wanted:
        return {}
    if "&" in source or any("&" in new for _, new in swaps):
        moved = by_marks(source, swaps, full, wanted)
    else:
        moved = by_edits(source, swaps, wanted)
        if moved is None:
            moved = by_marks(source, swaps, full, wanted)
    lead = len(full) - len(full.lstrip())
    length = len(full.strip())
    return {o: min(max(p - lead, 0), length) for o, p in moved.items() if p is not None}


def by_edits(source: str, swaps: list[Swap], wanted: list[int]) -> dict[int, int | None] | None:
    """The offsets moved by each replacement before them: exact when no replacement brings
    in text another one replaces and no two overlap (else None). No HTML entity in sight."""
    first: dict[str, str] = {}  # a second swap of one text finds nothing left to swap
    for old, new in swaps:
        first.setdefault(old, new)
    if "" in first or any(old in new for old in first for _, new in swaps):
        return None
    edits = []
    for old, new in first.items():
        at = source.find(old)
        while at >= 0:
            edits.append((at, at + len(old), len(new) - len(old)))
            at = source.find(old, at + len(old))
    edits.sort()
    if any(edits[i][0] < edits[i - 1][1] for i in range(1, len(edits))):
        return None
    moved: dict[int, int | None] = {}
    shift = k = 0
    for offset in wanted:
        while k < len(edits) and edits[k][1] <= offset:
            shift += edits[k][2]
            k += 1
        inside = k < len(edits) and edits[k][0] < offset
        moved[offset] = None if inside else offset + shift
    return moved


def by_marks(source: str, swaps: list[Swap], full: str, wanted: list[int]) -> dict[int, int]:
    """The offsets found again after marking each in the source and making the changes."""
    mark = next((m for m in MARKS if m not in source), None)
    if mark is None:
        return {}
    pieces = [source[a:b] for a, b in zip([0, *wanted], [*wanted, len(source)], strict=True)]
    marked = changed(mark.join(pieces), swaps)
    if marked.replace(mark, "") != full:
        return {}
    moved = {}
    at = marked.find(mark)
    for count, offset in enumerate(wanted):
        if at < 0:
            return {}
        moved[offset] = at - count
        at = marked.find(mark, at + 1)
    return moved if at < 0 else {}
