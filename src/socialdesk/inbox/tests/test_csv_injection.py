"""Every CSV the product writes opens in a spreadsheet as text, never as a formula."""

from __future__ import annotations

import csv
from io import StringIO

import pytest

from socialdesk.inbox.models import Conversation, Tag
from socialdesk.inbox.tests.test_import import THREADS, _import, _write

FORMULA = '=HYPERLINK("http://x")'
FILE_FORMULA = '=HYPERLINK("evil")'  # a file name cannot hold "/"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(StringIO(text)) for cell in row]


def test_it_neutralises_a_formula_tag_in_the_kpi_export(client_as, tmp_path):
    _import("--format", "twcs", str(_write(tmp_path / "a.csv", THREADS)))
    conversations = list(Conversation.objects.order_by("pk"))
    conversations[0].tags.add(Tag.objects.create(name=FORMULA))
    conversations[1].tags.add(Tag.objects.create(name="+1 escalate"), Tag.objects.create(name="ok"))
    conversations[2].tags.add(Tag.objects.create(name="@channel"))

    response = client_as("manager").get(
        "/inbox/kpi/first-response.csv?since=2026-03-01&until=2026-03-31"
    )
    text = b"".join(response.streaming_content).decode()
    cells = _cells(text)
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    tags = sorted(row["tags"] for row in csv.DictReader(StringIO(text)))
    assert tags == ["'+1 escalate;ok", '\'=HYPERLINK("http://x")', "'@channel"]


def test_it_neutralises_formulas_in_the_import_rejection_report(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [THREADS[0], ("40", "504", "True", "yesterday", "@StreamCare hello?", "", "")]
    _write(tmp_path / f"{FILE_FORMULA}.csv", rows)
    report = tmp_path / "rejected.csv"
    code, _out, _err = _import("--format", "twcs", f"{FILE_FORMULA}.csv", "--report", str(report))
    assert code == 1
    text = report.read_text(encoding="utf-8")
    cells = _cells(text)
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert f"'{FILE_FORMULA}.csv" in cells


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),
        ("＝1+1", "'＝1+1"),
        ("plain text", "plain text"),
        ("", ""),
        (-2, "-2"),
        (42, "42"),
        (None, ""),
    ],
)
def test_the_shared_writer_neutralises_each_cell(value, written):
    from socialdesk.core.csv_export import csv_writer

    buffer = StringIO()
    csv_writer(buffer).writerow([value])
    assert next(csv.reader(StringIO(buffer.getvalue()))) == [written]
