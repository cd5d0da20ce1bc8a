"""`socialdesk report --since D --until D --format pdf|xlsx|csv --out FILE [--language de|en]`:
the organisation-wide report of the days since … until (both included) written to a file."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from socialdesk.accounts.models import Organisation
from socialdesk.goals import report_formats
from socialdesk.goals.report_data import build_report
from socialdesk.goals.report_services import check_period

FORMATS = ("pdf", "xlsx", "csv")


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date such as 2026-11-30") from None


class Command(BaseCommand):
    help = "Write the organisation-wide report of a period as PDF, XLSX or CSV."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--since", required=True, help="first day, e.g. 2026-11-01")
        parser.add_argument("--until", required=True, help="last day (included), e.g. 2026-11-30")
        parser.add_argument("--format", required=True, dest="fmt", help="pdf, xlsx or csv")
        parser.add_argument("--out", required=True, help="the file to write")
        parser.add_argument(
            "--language", default="", help="de or en (default: the organisation's language)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = _date(options["since"], "--since")
        until = _date(options["until"], "--until")
        fmt = options["fmt"].lower()
        if fmt not in FORMATS:
            raise CommandError(f"--format: {options['fmt']!r} is not one of pdf, xlsx, csv")
        try:
            period = check_period(since, until)
        except ValidationError as error:
            raise CommandError(f"--until: {' '.join(error.messages)}") from None
        languages = {code for code, _name in settings.LANGUAGES}
        language = options["language"] or Organisation.current().default_language or "en"
        if language not in languages:
            raise CommandError(f"--language: {language!r} is not one of {', '.join(languages)}")
        out = Path(options["out"])
        if out.is_dir():
            raise CommandError(f"--out: {out} is a directory; name a file")
        if not out.parent.exists():
            raise CommandError(f"--out: the directory {out.parent} does not exist")
        with translation.override(language):
            content = report_formats.render(build_report(period), fmt)
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"--out: cannot write {out}: {error.strerror}") from None
        self.stdout.write(
            f"Wrote {out} ({fmt.upper()}, {len(content):,} bytes): the report of "
            f"{since.isoformat()} – {until.isoformat()} in {language}."
        )
