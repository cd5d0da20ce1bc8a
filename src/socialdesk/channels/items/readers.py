"""Read import files into uniform rows, line by line, with constant memory.

Every reader yields `(line_number, ImportRow)` or `(line_number, RowError)`: a bad row is
reported with its line and reason and never stops the rest of the file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from socialdesk.channels.items import jsontext

TWCS_COLUMNS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)
TWCS_DATE = "%a %b %d %H:%M:%S %z %Y"
# Fields of the canonical row; --map names the file's column for each (csv format).
CANONICAL_FIELDS = (
    "id",
    "author",
    "text",
    "created_at",
    "inbound",
    "parent_id",
    "account",
    "author_name",
)
REQUIRED_FIELDS = ("id", "author", "text", "created_at")
MAX_TEXT = 100_000


@dataclass(frozen=True, slots=True)
class ImportRow:
    external_id: str
    author: str
    inbound: bool | None  # None: decide by whether the author is a company account
    created_at: datetime
    text: str
    parent_id: str
    account: str = ""
    author_name: str = ""
    meta: dict[str, Any] | None = None  # network specifics (visibility, uri, cid, link)


@dataclass(frozen=True, slots=True)
class RowError:
    reason: str
    external_id: str = ""  # when known: the id of the item that could not be taken


Parsed = tuple[int, ImportRow | RowError]


@dataclass(frozen=True)
class Rejection:
    file: str
    line: int
    reason: str
    external_id: str = ""
    row: ImportRow | None = None  # the row as read, when it could be read


def wide_encoding(head: bytes) -> str | None:
    """Return "utf-32"/"utf-16…" when the file's first bytes show it (a BOM or NUL pattern).

    A small check rather than a guessing library: UTF-16/32 always show themselves in the
    first bytes, the check is exact and streams, and 8-bit files keep the per-line UTF-8 →
    Latin-1 reading below.
    """
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    # Text in UTF-16 without BOM: every other byte is NUL (Latin letters, digits, commas).
    if odd.count(0) >= len(odd) * 0.8 and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= len(even) * 0.8 and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decoded_lines(path: Path) -> Iterator[str]:
    """Yield the file's lines as text: UTF-16/32 when it says so, else UTF-8 (with or without
    BOM), else Latin-1 per line.

    Decoding line by line keeps memory flat and lets one Latin-1 line in a UTF-8 file
    through instead of failing the whole import.
    """
    with path.open("rb") as handle:
        encoding = wide_encoding(handle.read(512))
        handle.seek(0)
        if encoding is not None:
            text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
            for line in text:
                yield line.removeprefix("\ufeff")
            return
        first = True
        for raw in handle:
            if first:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
                first = False
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                yield raw.decode("latin-1")


def _csv_records(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(lines, strict=True)
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, [f"\x00{error}"]
            start = reader.line_num + 1
            continue
        yield start, record
        start = reader.line_num + 1


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_MOST_DIGITS = 255  # an id longer than the column cannot be stored anyway


def _whole_records(
    records: Iterable[tuple[int, list[str]]], width: int
) -> Iterator[tuple[int, list[str] | RowError]]:
    """Skip blank lines; name a broken line or one with the wrong number of columns."""
    for line, record in records:
        if record and record[0].startswith("\x00"):
            yield line, RowError(_("broken CSV: %(problem)s") % {"problem": record[0][1:]})
        elif not record or record == [""]:
            continue
        elif len(record) != width:
            yield (
                line,
                RowError(
                    _("expected %(expected)s columns, found %(found)s")
                    % {"expected": width, "found": len(record)}
                ),
            )
        else:
            yield line, record


def parse_external_id(value: str, name: str = "id") -> str:
    """Return an id as text; ids written as floats (`3.0`, `1.2e3`, `1.2163…e+18`) exactly.

    The number is read as a decimal, never through float, so all 19 digits of a tweet id
    survive. A fraction (`1.5`) is no integer id: it is kept as written. Raise ValueError for
    an exponent form with fewer digits than its value has beyond 2^53 (`1.21638E+18`, as
    spreadsheets show ids): the missing digits cannot be recovered.
    """
    value = value.strip()
    if (
        value.isdigit()
        or not _NUMBER.fullmatch(value)
        or not ("." in value or "e" in value.lower())
    ):
        return value
    number = Decimal(value)
    if number != number.to_integral_value():
        return value
    if number.adjusted() >= _MOST_DIGITS:
        raise ValueError(_("%(name)s %(value)s is too large") % {"name": name, "value": value})
    integer = int(number)
    mantissa = value.lower().split("e")[0].lstrip("+-").replace(".", "").lstrip("0")
    if abs(integer) >= jsontext.EXACT_FLOAT_LIMIT and len(mantissa) < len(str(abs(integer))):
        raise ValueError(
            _(
                "%(name)s %(value)s has only %(kept)s significant digits, the id has"
                " %(digits)s; export ids as text"
            )
            % {
                "name": name,
                "value": value,
                "kept": len(mantissa),
                "digits": len(str(abs(integer))),
            }
        )
    return str(integer)


def parse_bool(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in {"true", "1", "yes", "in", "inbound", "wahr", "ja", "eingehend"}:
        return True
    if lowered in {"false", "0", "no", "out", "outbound", "falsch", "nein", "ausgehend"}:
        return False
    return None


_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES.split(), 1)}


def _twcs_utc(value: str) -> datetime | None:
    """Parse `Tue Oct 31 22:10:47 +0000 2017` quickly (strptime is slow for millions of rows)."""
    parts = value.split()
    if len(parts) != 6 or parts[4] != "+0000" or parts[1] not in _MONTHS:
        return None
    clock = parts[3].split(":")
    try:
        return datetime(
            int(parts[5]), _MONTHS[parts[1]], int(parts[2]),
            int(clock[0]), int(clock[1]), int(clock[2]), tzinfo=UTC,
        )  # fmt: skip
    except (ValueError, IndexError):
        return None


def parse_datetime(value: str) -> datetime | None:
    """Parse the twcs form (`Tue Oct 31 22:10:47 +0000 2017`) or ISO 8601; naive means UTC."""
    value = value.strip()
    if not value:
        return None
    fast = _twcs_utc(value)
    if fast is not None:
        return fast
    try:
        return datetime.strptime(value, TWCS_DATE)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def row_from_fields(fields: Mapping[str, str], *, default_account: str) -> ImportRow | RowError:
    given_id = (fields.get("id") or "").strip()[:255]  # names the row in a rejection
    missing = [name for name in REQUIRED_FIELDS if not (fields.get(name) or "").strip()]
    if missing:
        return RowError(_("missing %(fields)s") % {"fields": ", ".join(missing)}, given_id)
    try:
        external_id = parse_external_id(fields["id"])
        parent_id = parse_external_id(fields.get("parent_id") or "", "parent id")
    except ValueError as error:
        return RowError(str(error), given_id)
    created_at = parse_datetime(fields["created_at"])
    if created_at is None:
        return RowError(
            _("created_at '%(value)s' is not a date") % {"value": fields["created_at"]}, given_id
        )
    inbound: bool | None = None
    if (fields.get("inbound") or "").strip():
        inbound = parse_bool(fields["inbound"])
        if inbound is None:
            return RowError(
                _("inbound '%(value)s' is not true or false") % {"value": fields["inbound"]},
                given_id,
            )
    text = fields["text"]
    if len(text) > MAX_TEXT:
        return RowError(
            _("text is longer than %(limit)s characters") % {"limit": MAX_TEXT}, given_id
        )
    return ImportRow(
        external_id=external_id,
        author=fields["author"].strip().lstrip("@"),
        inbound=inbound,
        created_at=created_at,
        text=text,
        parent_id=parent_id,
        account=(fields.get("account") or default_account).strip().lstrip("@"),
        author_name=(fields.get("author_name") or "").strip(),
    )


def read_twcs(path: Path) -> Iterator[Parsed]:
    """Read the 'Customer Support on Twitter' CSV layout."""
    records = _csv_records(decoded_lines(path))
    header_line, header = next(records, (1, []))
    header = [column.strip() for column in header]
    if tuple(header) != TWCS_COLUMNS:
        yield (
            header_line,
            RowError(_("header must be %(columns)s") % {"columns": ",".join(TWCS_COLUMNS)}),
        )
        return
    for line, record in _whole_records(records, len(TWCS_COLUMNS)):
        if isinstance(record, RowError):
            yield line, record
            continue
        values = dict(zip(TWCS_COLUMNS, record, strict=True))
        if parse_bool(values["inbound"]) is None:
            yield (
                line,
                RowError(
                    _("inbound '%(value)s' is not True or False") % {"value": values["inbound"]}
                ),
            )
            continue
        yield (
            line,
            row_from_fields(
                {
                    "id": values["tweet_id"],
                    "author": values["author_id"],
                    "inbound": values["inbound"],
                    "created_at": values["created_at"],
                    "text": values["text"],
                    "parent_id": values["in_response_to_tweet_id"],
                },
                default_account="",
            ),
        )


def read_mapped_csv(
    path: Path, mapping: Mapping[str, str], *, default_account: str = ""
) -> Iterator[Parsed]:
    """Read a CSV file whose columns are named by `mapping` (canonical field → column)."""
    records = _csv_records(decoded_lines(path))
    header_line, header = next(records, (1, []))
    position = {column.strip(): index for index, column in enumerate(header)}
    columns = {field: mapping.get(field, field) for field in CANONICAL_FIELDS}
    missing = [columns[f] for f in REQUIRED_FIELDS if columns[f] not in position]
    if missing:
        yield (
            header_line,
            RowError(_("no column %(columns)s in the header") % {"columns": ", ".join(missing)}),
        )
        return
    for line, record in _whole_records(records, len(header)):
        if isinstance(record, RowError):
            yield line, record
            continue
        fields = {
            field: record[position[column]]
            for field, column in columns.items()
            if column in position
        }
        yield line, row_from_fields(fields, default_account=default_account)


def read_jsonl(path: Path, *, default_account: str = "") -> Iterator[Parsed]:
    """Read JSON Lines: one object per line with the canonical field names.

    Numbers are read exactly (see jsontext): an integer id keeps every digit, an id written
    as a float beyond 2^53 is rejected; nested values in a text field are kept as JSON.
    """
    for line, text in enumerate(decoded_lines(path), start=1):
        if not text.strip():
            continue
        try:
            value = jsontext.loads(text)
        except jsontext.TooDeep as error:
            yield line, RowError(str(error))
            continue
        except json.JSONDecodeError as error:
            yield (
                line,
                RowError(
                    _("not JSON: %(problem)s at column %(column)s")
                    % {"problem": error.msg, "column": error.colno}
                ),
            )
            continue
        if not isinstance(value, dict):
            yield line, RowError(_("not a JSON object"))
            continue
        yield line, row_from_json(value, default_account=default_account)


def row_from_json(value: Mapping[str, Any], *, default_account: str) -> ImportRow | RowError:
    """Return the row of a JSON object whose values sit under the canonical field names."""
    fields: dict[str, str] = {}
    try:
        for key in CANONICAL_FIELDS:
            if key in value:
                if key in ("id", "parent_id"):
                    fields[key] = jsontext.json_id(value[key], key.replace("_", " "))
                else:
                    fields[key] = jsontext.field_text(value[key])
    except ValueError as error:
        return RowError(str(error))
    return row_from_fields(fields, default_account=default_account)


def company_authors_twcs(path: Path) -> set[str]:
    """Return the author ids of company rows (inbound False) in a twcs file."""
    authors: set[str] = set()
    records = _csv_records(decoded_lines(path))
    next(records, None)
    for _line, record in records:
        if len(record) == len(TWCS_COLUMNS) and parse_bool(record[2]) is False:
            authors.add(record[1].strip().lstrip("@").lower())
    return authors
