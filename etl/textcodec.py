"""The encoding of an archive's text files, told by their byte-order mark.

Exports are UTF-8, but a file that went through an editor or a Windows tool can come back as
UTF-16 or UTF-32 with a BOM. Without a BOM a file is read as UTF-8. Bad bytes decode to lone
surrogates in U+DC80..U+DCFF (UTF-8: one per byte, as `surrogateescape`; UTF-16/32: one per
bad code unit), which each reader finds, replaces with U+FFFD and reports where they were.
"""

from __future__ import annotations

import codecs

# UTF-32 LE before UTF-16 LE: FF FE 00 00 starts with FF FE. (A UTF-16 LE file whose first
# character is NUL would read as UTF-32: no text file starts that way.)
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
LONGEST_BOM = 4
DAMAGED = "textcodec-damaged"
MARK = "\udcff"  # what a bad UTF-16/32 code unit decodes to
SURROGATEESCAPE = codecs.lookup_error("surrogateescape")


def sniff(head: bytes) -> tuple[str, int]:
    """(codec name, length of the BOM) for a file starting with `head`: UTF-8 without one."""
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return "utf-8", 0


def label(encoding: str) -> str:
    """How problem rows name an encoding: UTF-8, UTF-16, UTF-32."""
    return encoding[:6].upper()


def damaged(error: UnicodeDecodeError) -> tuple[str, int]:
    """The lone surrogates that stand for bad bytes (see the module's docstring)."""
    if error.encoding == "utf-8":
        return SURROGATEESCAPE(error)
    return MARK, error.end


codecs.register_error(DAMAGED, damaged)


def decode(data: bytes, errors: str = "replace") -> str:
    """The text of a whole file (or its head), decoded as its BOM says, without the BOM."""
    encoding, skip = sniff(data)
    return data[skip:].decode(encoding, errors)
