"""Which reader reads a file of each format, and who the company is in it.

Shared by `socialdesk import` and the browser's import jobs, so both read files alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from socialdesk.channels.items import readers
from socialdesk.channels.items.readers import Parsed
from socialdesk.channels.models import Network

FORMATS = ("twcs", "csv", "jsonl")
# The files of a folder that are imported, per format (also what an upload may be called).
EXTENSIONS = {"twcs": (".csv",), "csv": (".csv",), "jsonl": (".jsonl", ".json")}


def network_of(fmt: str, network: str) -> str:
    """twcs is Twitter's; other files say their network (else "other")."""
    return Network.TWITTER if fmt == "twcs" else network or Network.OTHER


def company_handles(fmt: str, files: Iterable[Path], account: str) -> set[str]:
    """The company's handles: twcs names them by their answers, other formats by `account`."""
    if fmt == "twcs":
        handles: set[str] = set()
        for path in files:
            handles |= readers.company_authors_twcs(path)
        return handles
    return {account} if account else set()


def parsed_rows(
    fmt: str, path: Path, *, mapping: Mapping[str, str], account: str
) -> Iterator[Parsed]:
    """The file's rows, each an ImportRow or a RowError with its line."""
    if fmt == "twcs":
        return readers.read_twcs(path)
    if fmt == "csv":
        return readers.read_mapped_csv(path, mapping, default_account=account)
    return readers.read_jsonl(path, default_account=account)
