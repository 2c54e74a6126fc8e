"""Emoji in text, for the stats page's "top emoji" (counted once by the build, etl/summaries.py).

An emoji is what Unicode draws as one: a character shown as emoji by default (😀, ⭐), a
character that is text by default followed by U+FE0F (❤️, ☀️), a flag (two regional
indicators), a keycap (1️⃣), each with its skin tone and tag characters, and sequences of
them joined by U+200D (👩‍💻). Symbols that are text by default and written without U+FE0F
(★, ♪, ©, ✓ in Japanese or legal text) are not counted. Variation selectors are dropped from
the key, and put back after a text-default character, so ❤️ written with or without a
trailing selector in a sequence is one emoji.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

# Emoji_Presentation=Yes: drawn as emoji even without U+FE0F.
_DEFAULT = (
    "\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693"
    "\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa"
    "\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf"
    "\u2b1b\u2b1c\u2b50\u2b55"
    "\U0001f004\U0001f0cf\U0001f18e\U0001f191-\U0001f19a\U0001f201\U0001f21a\U0001f22f"
    "\U0001f232-\U0001f236\U0001f238-\U0001f23a\U0001f250\U0001f251"
    "\U0001f300-\U0001f64f\U0001f680-\U0001f6ff\U0001f7e0-\U0001f7eb\U0001f7f0"
    "\U0001f90c-\U0001f9ff\U0001fa70-\U0001faff"
)
# Emoji that are text by default: emoji only with U+FE0F (or inside a sequence).
_TEXT_DEFAULT = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u2328\u23cf\u23ed-\u23ef"
    "\u23f1\u23f2\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb\u25fc\u2600-\u2604\u260e"
    "\u2611\u2618\u261d\u2620\u2622\u2623\u2626\u262a\u262e\u262f\u2638-\u263a\u2640\u2642"
    "\u265f\u2660\u2663\u2665\u2666\u2668\u267b\u267e\u2692\u2694-\u2697\u2699\u269b\u269c"
    "\u26a0\u26a7\u26b0\u26b1\u26c8\u26cf\u26d1\u26d3\u26e9\u26f0\u26f1\u26f4\u26f7-\u26f9"
    "\u2702\u2708\u2709\u270c\u270d\u270f\u2712\u2714\u2716\u271d\u2721\u2733\u2734\u2744"
    "\u2747\u2763\u2764\u27a1\u2934\u2935\u2b05-\u2b07\u3030\u303d\u3297\u3299"
    "\U0001f170\U0001f171\U0001f17e\U0001f17f\U0001f202\U0001f237"
)
_MODIFIERS = "[\U0001f3fb-\U0001f3ff]?[\U000e0020-\U000e007f]*"
_ONE = f"(?:[{_DEFAULT}]\ufe0f?|[{_TEXT_DEFAULT}]\ufe0f){_MODIFIERS}"
_JOINED = f"(?:[{_DEFAULT}{_TEXT_DEFAULT}]\ufe0f?{_MODIFIERS})"
EMOJI = re.compile(
    "[\U0001f1e6-\U0001f1ff]{2}"  # a flag
    "|[0-9#*]\ufe0f?\u20e3"  # a keycap
    f"|{_ONE}(?:\u200d{_JOINED})*"
)
_TEXT_DEFAULT_ALONE = re.compile(f"([{_TEXT_DEFAULT}])(?![\U0001f3fb-\U0001f3ff])")


def canonical(emoji: str) -> str:
    """One key however the emoji was written: without variation selectors, but with U+FE0F
    after a text-default character (so that it is drawn as an emoji)."""
    bare = emoji.replace("\ufe0f", "")
    if "\u20e3" in bare:
        return bare.replace("\u20e3", "\ufe0f\u20e3")
    return _TEXT_DEFAULT_ALONE.sub("\\1\ufe0f", bare)


def find_emoji(text: str) -> list[str]:
    """The emoji of a text, in order, each in its canonical form."""
    return [canonical(match) for match in EMOJI.findall(text or "")]


def count_emoji(texts: Iterable[str]) -> tuple[Counter, Counter]:
    """(uses, tweets): how often each emoji appears, and in how many of the texts."""
    uses, tweets = Counter(), Counter()
    for text in texts:
        found = find_emoji(text)
        if found:
            uses.update(found)
            tweets.update(set(found))
    return uses, tweets
