"""The report as people read it: the cells of the HTML page, and the PDF, XLSX and CSV files.

Call these inside `translation.override(language)` (and build the report there too): labels,
numbers ("87,5 %", "2 Std. 14 Min."), dates (30.11.2026) and the files' headers follow it.

- PDF: WeasyPrint from `goals/reports/print.html` (A4, print CSS, page numbers "Seite 2 von 3").
- XLSX: openpyxl, one sheet per section, a header row (bold, frozen), column widths; numbers
  are numbers, shares numbers with a percent format, durations Excel times (`[h]:mm`), moments
  and days real dates in the organisation's time zone.
- CSV: ONE file, `;` as separator (what Excel expects where the decimal mark is a comma, as in
  German), UTF-8 with a byte order mark (so Excel reads umlauts). Each line starts with the
  section; each section begins with its own header line and is followed by an empty line.
  One file rather than a zip of files: it opens with a double click and the CLI's `--out` names
  one file. Values are for machines: numbers with a decimal point, shares as fractions (0.875),
  durations in seconds, moments ISO 8601 with their offset, days ISO (2026-11-30).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from socialdesk.accounts.models import Organisation
from socialdesk.core.durations import human_duration
from socialdesk.goals import report_data as rd
from socialdesk.goals.kpis import Unit, format_value
from socialdesk.goals.kpis.registry import REGISTRY
from socialdesk.goals.report_data import Column, Report, Section

CSV_SEPARATOR = ";"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME = {"pdf": "application/pdf", "xlsx": XLSX_MIME, "csv": "text/csv; charset=utf-8"}


def _zone() -> ZoneInfo:
    return ZoneInfo(Organisation.current().time_zone)


def filename(report: Report, fmt: str) -> str:
    name = _("report")
    return f"{name}-{report.period.start.isoformat()}-{report.period.last_day.isoformat()}.{fmt}"


# ---------------------------------------------------------------------------- for people
def display(row: dict[str, Any], column: Column) -> str:
    """One cell as text for the page and the PDF."""
    value = row.get(column.key)
    if column.kind == rd.KPI_VALUE:
        unit = Unit(row.get("unit", Unit.NUMBER))
        if column.key == "change":
            kpi = REGISTRY.get(row.get("name", ""))
            return kpi.format_delta(value) if kpi else "–"
        return format_value(unit, value)
    if value is None or value == "":
        return "–" if column.kind != rd.TEXT else ""
    if column.kind == rd.SHARE:
        return format_value(Unit.SHARE, value)
    if column.kind == rd.DURATION:
        return human_duration(value)
    if column.kind in (rd.INT, rd.NUMBER):
        return format_value(Unit.COUNT if column.kind == rd.INT else Unit.NUMBER, value)
    if column.kind == rd.MOMENT:
        return formats.date_format(value.astimezone(_zone()), "SHORT_DATETIME_FORMAT")
    if column.kind == rd.DATE:
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def table(section: Section) -> list[list[dict[str, Any]]]:
    """The rows of a section as cells: text, the link behind it and whether it is a number."""
    numeric = {rd.INT, rd.NUMBER, rd.SHARE, rd.DURATION, rd.KPI_VALUE}
    rows = []
    for row in section.rows:
        cells = []
        for column in section.columns:
            if column.kind == rd.LINK:
                continue
            url = row.get("url", "") if column is section.columns[0] else ""
            cells.append({"text": display(row, column), "url": url, "num": column.kind in numeric})
        rows.append(cells)
    return rows


def context(report: Report) -> dict[str, Any]:
    """What the report templates (page, PDF, share page, e-mail) need."""
    return {
        "report": report,
        "sections": [
            {
                "section": s,
                "headers": [c.label for c in s.columns if c.kind != rd.LINK],
                "rows": table(s),
            }
            for s in report.sections
        ],
    }


# ---------------------------------------------------------------------------- PDF
def print_html(report: Report) -> str:
    return render_to_string(
        "goals/reports/print.html", {**context(report), "LANGUAGE_CODE": translation.get_language()}
    )


def pdf_document(report: Report) -> Any:
    """The laid-out pages (a WeasyPrint Document: `.pages`, `.write_pdf()`)."""
    from weasyprint import HTML  # heavy; imported when a PDF is made

    return HTML(string=print_html(report)).render()


def pdf(report: Report) -> bytes:
    return pdf_document(report).write_pdf() or b""


# ---------------------------------------------------------------------------- XLSX
def _excel_value(row: dict[str, Any], column: Column) -> tuple[Any, str | None]:
    """The value for a cell and its number format."""
    value = row.get(column.key)
    if value is None:
        return None, None
    kind = column.kind
    if kind == rd.KPI_VALUE:
        kind = {
            Unit.SHARE: rd.SHARE,
            Unit.DURATION: rd.DURATION,
            Unit.COUNT: rd.INT,
            Unit.NUMBER: rd.NUMBER,
        }[Unit(row.get("unit", Unit.NUMBER))]
        if column.key == "change" and kind == rd.SHARE:
            return float(value), "+0.0%;-0.0%;0.0%"
        if column.key == "change" and kind == rd.DURATION:
            return value / 86400, "+[h]:mm;-[h]:mm"
    german = (translation.get_language() or "en").startswith("de")
    if kind == rd.SHARE:
        return float(value), "0.0%"
    if kind == rd.DURATION:
        return value / 86400, "[h]:mm"  # Excel time: a day is 1
    if kind == rd.INT:
        return value, "#,##0"
    if kind == rd.NUMBER:
        return float(value), "#,##0.0"
    if kind == rd.MOMENT and isinstance(value, datetime):
        local = value.astimezone(_zone()).replace(tzinfo=None)
        return local, "DD.MM.YYYY HH:MM" if german else "YYYY-MM-DD HH:MM"
    if kind == rd.DATE and isinstance(value, date):
        return value, "DD.MM.YYYY" if german else "YYYY-MM-DD"
    return str(value), None


def _clean(text: str) -> str:
    """Text for a cell: no control characters (openpyxl refuses them)."""
    return "".join(ch for ch in text if ch >= " " or ch in "\t\n")


def xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for section in report.sections:
        sheet = book.create_sheet(str(section.title)[:31])
        sheet.append([_clean(str(c.label)) for c in section.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        widths = [max(10, len(str(c.label)) + 2) for c in section.columns]
        for row in section.rows:
            values = []
            for index, column in enumerate(section.columns):
                value, number_format = _excel_value(row, column)
                if isinstance(value, str):
                    value = _clean(value)
                    widths[index] = min(60, max(widths[index], len(value) + 2))
                values.append((value, number_format))
            sheet.append([v for v, _f in values])
            for cell, (_v, number_format) in zip(sheet[sheet.max_row], values, strict=True):
                if number_format:
                    cell.number_format = number_format
        for index, width in enumerate(widths, start=1):
            if section.columns[index - 1].kind in (rd.MOMENT, rd.DATE):
                width = max(width, 18)
            sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------- CSV
def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def csv_bytes(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    for section in report.sections:
        writer.writerow([_("section"), *[str(c.label) for c in section.columns]])
        for row in section.rows:
            writer.writerow([section.key, *[_csv_value(row.get(c.key)) for c in section.columns]])
        writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render(report: Report, fmt: str) -> bytes:
    if fmt == "pdf":
        return pdf(report)
    if fmt == "xlsx":
        return xlsx(report)
    if fmt == "csv":
        return csv_bytes(report)
    raise ValueError(f"unknown format {fmt!r}")
