"""The one way the product writes CSV: cells a spreadsheet would run as a formula stay text.

Customers, agents and file names put text into exports (tags, handles, rejection reasons). A
spreadsheet runs a cell starting with ``= + - @`` (also after spaces, as full-width characters,
or after a tab or carriage return) as a formula, e.g. ``=HYPERLINK(...)`` sending data away.
Following OWASP's advice on CSV injection, such a cell is written with a leading single quote,
and every cell is quoted so a list separator inside a cell (``;`` in German spreadsheets) cannot
start a new cell that escapes the check.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

# What a spreadsheet may read as the start of a formula (ASCII and full-width forms).
FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
# Characters some spreadsheets skip before looking for a formula.
SKIPPED_BEFORE_FORMULA = " \t\r\n\u3000"


class _Writable(Protocol):
    def write(self, value: str, /) -> Any: ...


def neutralise(value: object) -> str:
    """Return a cell's text so that no spreadsheet runs it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return text  # a number (even a negative one) is data, not a formula
    if text[:1] in ("\t", "\r") or text.lstrip(SKIPPED_BEFORE_FORMULA).startswith(FORMULA_STARTS):
        return "'" + text
    return text


class SafeCsvWriter:
    """A ``csv.writer`` that neutralises every cell and quotes them all."""

    def __init__(self, file: _Writable) -> None:
        self._writer = csv.writer(file, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[object]) -> Any:
        """Write one row; return what the file's ``write`` returned (for streaming)."""
        return self._writer.writerow([neutralise(cell) for cell in row])


def csv_writer(file: _Writable) -> SafeCsvWriter:
    """Return the writer every CSV export of the product uses."""
    return SafeCsvWriter(file)
