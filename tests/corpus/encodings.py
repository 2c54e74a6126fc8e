"""Text encodings an archive may come in: UTF-16 and UTF-32 with a byte-order mark, and
whitespace runs that must cost linear time (issue 15, items 9 and 14)."""

from __future__ import annotations
