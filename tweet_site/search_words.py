"""The words a static copy's search index holds for a tweet (etl/static_search.py), split the
same way by the search page's script (static/static-search.js) to find where a match lies.

Pagefind splits text into words at spaces, and its index of a language without spaces
(Japanese, Chinese) would hold what a segmenter makes of it, which a search of two characters
inside a longer word misses. So each run of such characters is indexed as its overlapping
pairs of characters, the last one alone ("東京タワー" -> 東京 京タ タワ ワー ー), one word for
each character: a search for any part of a run, of one character or more, is a search for
words (its pairs, or the words starting with its one character), as the server's substring
index finds it. The classes below are regex sources both Python and JavaScript read alike
(the search page gets them from its template), so both split a text into the same words.
"""

import re

from tweet_site.core import NO_SPACE_SCRIPTS

# Where words end: every character Pagefind's Rust splits at (Unicode White_Space), plus
# zero-width spaces and byte order marks (which Pagefind deletes from words) and the
# information separators: no word holds one.
SEPARATORS = r"\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
# The server search's scripts without spaces (tweet_site/core.py), \u-escaped for JavaScript.
RUN_CHARS = "".join(c if c == "-" else f"\\u{ord(c):04x}" for c in NO_SPACE_SCRIPTS)

WORD = re.compile(f"[^{SEPARATORS}]+")
RUN = re.compile(f"[{RUN_CHARS}]+")
# Pagefind reads a word starting with these as an instruction (weights, anchors), not text.
INSTRUCTION = "___"


def pieces(word: str):
    """The indexed words of one space-free word: its runs as pairs, the rest as it is."""
    start = 0
    for run in RUN.finditer(word):
        if run.start() > start:
            yield word[start : run.start()]
        for i in range(run.start(), run.end()):
            yield word[i : min(i + 2, run.end())]
        start = run.end()
    if start < len(word):
        yield word[start:]


def search_words(text: str) -> list[str]:
    """The words Pagefind indexes for `text`, in order: the n-th is the n-th location of its
    search results."""
    text = text or ""
    if INSTRUCTION not in text and not RUN.search(text):
        return WORD.findall(text)
    found = []
    for match in WORD.finditer(text):
        for piece in pieces(match.group()):
            if piece.startswith(INSTRUCTION):
                piece = "_" + piece.lstrip("_")
            found.append(piece)
    return found
