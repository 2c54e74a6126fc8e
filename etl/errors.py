"""The one kind of failure a user is told about in one line (the CLI prints it and exits 1).

Domain code raises these as plain exceptions; only etl/cli.py knows about click.
"""

from __future__ import annotations


class EtlError(Exception):
    """A problem the user must hear about, said in one line."""

    @property
    def message(self) -> str:
        return str(self)
