"""Zip files inside a SOURCE, duplicate member names, terminal escapes in names and texts,
and media names in either Unicode normalisation form (issue 15, items 10, 11, 13 and 15)."""

from __future__ import annotations
