"""Characters archive text may hide (for rendering and for search)."""

# Bidi embeddings, overrides and isolates ("Trojan Source"): never let archive text reorder
# what surrounds it. Zero-width joiners stay in text: emoji sequences need them.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Titles and names also lose the marks that only reorder: a page title has no context to
# resolve them against.
DIRECTION_MARKS = {**BIDI_CONTROLS, **dict.fromkeys([0x200E, 0x200F, 0x061C])}
# Characters that show nothing: percent-encoded in links, dropped from search terms.
INVISIBLE = frozenset({0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF, 0x00AD, *BIDI_CONTROLS})
# str.translate table deleting them.
DROP_INVISIBLE = dict.fromkeys(INVISIBLE)

# Written around search matches by the `search` query's highlight() (char(2), char(3)) and
# turned into <mark> after escaping when a tweet is rendered.
HIGHLIGHT_START, HIGHLIGHT_END = "\x02", "\x03"
