"""`socialdesk import`: bring conversation history in from files."""

from __future__ import annotations

import os
import sys
import time
from argparse import ArgumentParser
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from socialdesk.channels.items import readers
from socialdesk.channels.items.readers import Rejection
from socialdesk.channels.models import Network
from socialdesk.core import changes
from socialdesk.core.csv_export import csv_writer
from socialdesk.inbox.importing.pipeline import Importer, ImportStats
from socialdesk.inbox.importing.sources import EXTENSIONS, company_handles, parsed_rows
from socialdesk.inbox.models import Conversation

SHOWN_REJECTIONS = 20

MAPPING_HELP = (
    "csv only: which column holds each field, e.g. --map id=MessageID --map author=User. "
    "Fields: id, author, text, created_at (required); inbound (true/false; else decided by "
    "whether the author is the company account), parent_id, account, author_name. "
    "Unmapped fields are looked up under their own name."
)


class Progress:
    """A one-line progress bar on a terminal; silent elsewhere (logs, CI)."""

    def __init__(self, stream: TextIO, total_bytes: int) -> None:
        self.stream = stream
        self.total = max(total_bytes, 1)
        self.enabled = stream.isatty()
        self.started = time.monotonic()
        self.last = 0.0
        self.bytes_done = 0

    def update(self, stats: ImportStats, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.2 and not force):
            return
        self.last = now
        rate = stats.rows_read / max(now - self.started, 1e-6)
        share = min(self.bytes_done / self.total, 1.0)
        bar = "#" * int(share * 30)
        self.stream.write(
            f"\r[{bar:<30}] {share:4.0%}  {stats.rows_read:,} rows  {rate:,.0f} rows/s  "
            f"{stats.rejected:,} rejected"
        )
        self.stream.flush()

    def step(self, label: str) -> Callable[[int, int], None]:
        """A bar for a step after the rows (`done` of `total`)."""

        def show(done: int, total: int) -> None:
            now = time.monotonic()
            if not self.enabled or (now - self.last < 0.2 and done < total):
                return
            self.last = now
            bar = "#" * int(done / max(total, 1) * 30)
            self.stream.write(f"\r[{bar:<30}] {label}: {done:,} / {total:,}")
            self.stream.flush()

        return show

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Import conversation history (twcs CSV, mapped CSV or JSON Lines) into the inbox."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "files",
            nargs="+",
            type=Path,
            metavar="FILE",
            help="files, or folders: every file of a folder with the format's extension",
        )
        parser.add_argument("--format", choices=["twcs", "csv", "jsonl"], required=True)
        parser.add_argument(
            "--map", action="append", default=[], metavar="FIELD=COLUMN", help=MAPPING_HELP
        )
        parser.add_argument(
            "--account",
            default="",
            help="csv/jsonl: the company handle rows belong to (default: a column 'account')",
        )
        parser.add_argument(
            "--network",
            default=Network.OTHER,
            choices=Network.values,
            help="csv/jsonl: the network of the rows",
        )
        parser.add_argument("--report", type=Path, help="where to write every rejected row (CSV)")
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument(
            "--keep-open",
            action="store_true",
            help="leave every conversation open (default: the ones the company answered last "
            "are resolved, the ones waiting for a reply stay open)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):  # the command speaks one language
            self._handle(**options)

    def _handle(self, **options: Any) -> None:
        fmt = options["format"]
        files = self._files(options["files"], EXTENSIONS[fmt])
        mapping = self._mapping(options["map"])
        network = Network.TWITTER if fmt == "twcs" else options["network"]

        report_path: Path = options["report"] or (
            Path(settings.DATA_DIR)
            / "import-reports"
            / f"rejected-{datetime.now():%Y%m%d-%H%M%S}.csv"
        )
        rejections_shown = 0
        report_file = None
        report_writer = None

        def on_rejection(rejection: Rejection) -> None:
            nonlocal rejections_shown, report_file, report_writer
            if report_writer is None:
                report_path.parent.mkdir(parents=True, exist_ok=True)
                report_file = report_path.open("w", newline="", encoding="utf-8")
                report_writer = csv_writer(report_file)
                report_writer.writerow(["file", "line", "reason"])
            report_writer.writerow([rejection.file, rejection.line, rejection.reason])
            if rejections_shown < SHOWN_REJECTIONS:
                progress.finish() if progress.enabled and rejections_shown == 0 else None
                self.stderr.write(f"{rejection.file}:{rejection.line}: {rejection.reason}")
                rejections_shown += 1

        progress = Progress(sys.stderr, sum(p.stat().st_size for p in files))
        importer = Importer(
            network=network,
            company_handles=company_handles(fmt, files, options["account"]),
            thread_start_needs_reply=fmt == "twcs",
            refresh_targets=True,
            settle=not options["keep_open"],
            chunk_size=max(1, options["chunk_size"]),
            jobs=os.cpu_count() or 1,
            on_rejection=on_rejection,
            on_progress=progress.update,
        )
        started = time.monotonic()
        conversations_before = Conversation.objects.count()
        done_bytes = 0
        # The search entries are written in bulk: beside the import (PostgreSQL) and below.
        with changes.deferred(), changes.caught_up_beside() as caught_beside:
            for path in files:
                importer.feed(
                    str(path), parsed_rows(fmt, path, mapping=mapping, account=options["account"])
                )
                done_bytes += path.stat().st_size
                progress.bytes_done = done_bytes
                progress.update(importer.stats, force=True)
        progress.finish()
        indexed = caught_beside() + changes.catch_up(
            jobs=os.cpu_count() or 1, progress=progress.step("search index"),
            before=caught_beside(),
        )  # fmt: skip
        progress.finish()
        if report_file is not None:
            report_file.close()

        stats = importer.stats
        seconds = time.monotonic() - started
        self.stdout.write(
            f"rows read: {stats.rows_read}\n"
            f"messages created: {stats.created}\n"
            f"duplicates skipped: {stats.duplicates}\n"
            f"rows rejected: {stats.rejected}\n"
            f"conversations: {Conversation.objects.count() - conversations_before:+d}\n"
            f"conversations resolved (answered last by the company): "
            f"{stats.conversations_resolved}\n"
            f"conversations reopened (waiting for a reply): {stats.conversations_reopened}\n"
            f"search entries written: {indexed}\n"
            f"seconds: {seconds:.1f}"
        )
        if stats.rejected:
            if stats.rejected > SHOWN_REJECTIONS:
                self.stderr.write(f"… and {stats.rejected - SHOWN_REJECTIONS} more.")
            self.stderr.write(f"Every rejected row is listed in {report_path}")
            raise SystemExit(1)

    @staticmethod
    def _files(paths: list[Path], extensions: tuple[str, ...]) -> list[Path]:
        """Return the files to import: the files named, and a folder's matching files (sorted)."""
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                found = sorted(
                    p for p in path.iterdir() if p.is_file() and p.suffix.lower() in extensions
                )
                if not found:
                    raise CommandError(
                        f"{path} is a folder without {' or '.join(extensions)} files"
                    )
                files += found
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or folder")
        return files

    @staticmethod
    def _mapping(pairs: list[str]) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for pair in pairs:
            field, sep, column = pair.partition("=")
            if not sep or field not in readers.CANONICAL_FIELDS or not column:
                fields = ", ".join(readers.CANONICAL_FIELDS)
                raise CommandError(f"--map {pair!r}: write FIELD=COLUMN with FIELD one of {fields}")
            mapping[field] = column
        return mapping
