"""One row per conversation (CSV streamed, XLSX write-only), who sees which rows, and the
`socialdesk report` command."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from socialdesk.goals import report_export
from socialdesk.goals.kpis import Period
from socialdesk.goals.tests import kpi_history
from socialdesk.inbox.models import Conversation

PERIOD = {"preset": "custom", "since": "2026-10-19", "until": "2026-11-30"}


@pytest.fixture
def history(db: None, departments: Any) -> dict[str, Any]:
    return kpi_history.build()


def _rows(response: Any) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)  # type: ignore[arg-type]
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_it_exports_one_row_per_conversation_with_its_figures(
    history: dict[str, Any], client_as: Callable[[str], Client]
) -> None:
    response = client_as("manager").get(reverse("goals:report_conversations"), PERIOD)
    rows = _rows(response)
    header, body = rows[0], rows[1:]
    start, end = Period.of_days(date(2026, 10, 19), date(2026, 11, 30)).bounds()
    expected = {
        c.pk
        for c in Conversation.objects.all()
        if c.first_message_at and start <= c.first_message_at < end
    }
    assert {int(r[0]) for r in body} == expected and len(body) == len(expected) == 11
    by_id = {int(r[0]): dict(zip(header, r, strict=True)) for r in body}
    late = by_id[history["conversations"][1].pk]  # answered after 30 h, first clock breached
    assert late["First response (seconds)"] == str(30 * 3600)
    assert late["First response"] == "1 d 6 h"
    assert late["SLA first response"] == "breached"
    assert late["SLA next response"] == "breached"
    assert late["Next responses"] == "1" and late["Next response, median (seconds)"] == "32400"
    assert late["Department"] == "Customer Service"
    assert late["Link"].endswith(f"/inbox/{history['conversations'][1].pk}/")
    resolved = by_id[history["conversations"][6].pk]
    assert resolved["SLA resolution"] == "met" and resolved["SLA first response"] == ""
    tagged = by_id[history["conversations"][0].pk]
    assert tagged["Tags"] == "billing" and tagged["SLA first response"] == "met"


def test_a_member_exports_only_their_departments_conversations(
    history: dict[str, Any], client_as: Callable[[str], Client]
) -> None:
    rows = _rows(client_as("member").get(reverse("goals:report_conversations"), PERIOD))[1:]
    product = {
        c.pk
        for c in history["conversations"]
        if c.department and c.department.name == "Product Development"
    }
    assert {int(r[0]) for r in rows} == product and len(product) == 3
    assert {r[2] for r in rows} == {"Product Development"}


def test_the_xlsx_export_has_numbers_and_dates(
    history: dict[str, Any], client_as: Callable[[str], Client]
) -> None:
    response = client_as("manager").get(
        reverse("goals:report_conversations"), {**PERIOD, "format": "xlsx"}
    )
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 11
    first = rows[0]
    assert first[0].data_type == "n"
    assert first[4].is_date  # first message at
    assert first[7].data_type == "n" and first[7].value == 2 * 3600


def test_the_csv_is_streamed_in_chunks(
    history: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_export, "CHUNK", 4)
    period = Period.of_days(date(2026, 10, 1), date(2026, 11, 30))
    parts = list(report_export.csv_stream(period, None))
    assert len(parts) == 12  # the header and one part per conversation, never one big string
    assert sum(len(p) for p in parts) == len(report_export.csv_bytes(period, None))


# ---------------------------------------------------------------------------- the command
def test_the_command_writes_each_format(history: dict[str, Any], tmp_path: Path) -> None:
    out = io.StringIO()
    for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK"), ("csv", b"\xef\xbb\xbf")):
        target = tmp_path / f"bericht.{fmt}"
        call_command(
            "report", since="2026-10-19", until="2026-11-01", fmt=fmt, out=str(target), stdout=out
        )
        assert target.read_bytes().startswith(magic)
        assert f"Wrote {target} ({fmt.upper()}, {target.stat().st_size:,} bytes)" in out.getvalue()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"since": "2026-13-01"}, "--since: '2026-13-01' is not a date"),
        ({"until": "yesterday"}, "--until: 'yesterday' is not a date"),
        ({"fmt": "docx"}, "--format: 'docx' is not one of pdf, xlsx, csv"),
        ({"until": "2026-10-01"}, "The end lies before the start."),
        ({"out": "/nonexistent-dir/x.pdf"}, "does not exist"),
        ({"out": "/"}, "is a directory"),
    ],
)
def test_the_command_explains_what_is_wrong(
    history: dict[str, Any], tmp_path: Path, options: dict[str, str], message: str
) -> None:
    args = {"since": "2026-10-19", "until": "2026-11-01", "fmt": "pdf",
            "out": str(tmp_path / "r.pdf"), **options}  # fmt: skip
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("report", **args)


def test_the_command_says_when_it_cannot_write(history: dict[str, Any], tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(CommandError, match="cannot write"):
        call_command(
            "report", since="2026-10-19", until="2026-11-01", fmt="csv",
            out=str(a_file / "r.csv"),  # its "directory" is a file
        )  # fmt: skip


def test_a_large_export_is_never_held_in_memory_at_once(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """12,000 conversations read 500 at a time: the CSV comes in parts, and the most memory
    used while reading it all stays well under the size of the whole file (memory grows with
    the chunk, not with the export)."""
    import tracemalloc
    from datetime import UTC, datetime, timedelta

    from socialdesk.channels.models import ChannelAccount

    account = ChannelAccount.objects.create(network="mastodon", handle="gross")
    start = datetime(2026, 11, 2, 8, tzinfo=UTC)
    Conversation.objects.bulk_create(
        Conversation(
            channel_account=account,
            first_message_at=start + timedelta(seconds=i),
            first_response_at=start + timedelta(seconds=i + 600),
            first_response_seconds=600,
        )
        for i in range(12_000)
    )
    period = Period.of_days(date(2026, 11, 2), date(2026, 11, 8))
    monkeypatch.setattr(report_export, "CHUNK", 500)
    for _part in report_export.csv_stream(period, None):  # a first run warms every cache
        pass
    tracemalloc.start()
    size = parts = 0
    with CaptureQueriesContext(connection) as queries:
        for part in report_export.csv_stream(period, None):
            size += len(part)
            parts += 1
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert parts == 12_001
    assert size > 1_200_000
    assert peak < size, (peak, size)
    reads = [q for q in queries.captured_queries if 'FROM "inbox_conversation"' in q["sql"]]
    assert len(reads) == 12_000 // 500 + 1  # one read per chunk, and the empty last one

    print(f"peak {peak:,} bytes for a CSV of {size:,} bytes")
