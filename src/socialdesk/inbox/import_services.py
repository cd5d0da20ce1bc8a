"""Imports started in the browser: store the upload, run it in the background, report.

The upload is kept under the data dir (`imports/`) only until its import has run; the rows
the import rejects are written to `import-reports/job-<id>.csv` through the product's one CSV
writer, and the first of them are kept on the job for its page.
"""

from __future__ import annotations

import logging
import uuid
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.channels.items.readers import Rejection
from socialdesk.core import changes
from socialdesk.core.csv_export import csv_writer
from socialdesk.inbox.importing.pipeline import Importer, ImportStats
from socialdesk.inbox.importing.sources import company_handles, network_of, parsed_rows
from socialdesk.inbox.job_models import ImportJob

logger = logging.getLogger(__name__)

SHOWN_REJECTIONS = 50
REASON_LENGTH = 500
PROGRESS_EVERY_SECONDS = 0.5


def upload_folder() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def report_path(job: ImportJob) -> Path:
    """Where every rejected row of the job is listed (file, line, reason)."""
    return Path(settings.DATA_DIR) / "import-reports" / f"job-{job.pk}.csv"


def _clean(text: str, length: int) -> str:
    """Text from a file or a database error as the job may keep it (no NUL, not too long)."""
    return text.replace("\x00", "\ufffd")[:length]


def import_job_create(
    *,
    by: Acting,
    upload: UploadedFile[Any],
    fmt: str,
    suffix: str,
    mapping: dict[str, str],
    account: str = "",
    network: str = "",
    keep_open: bool = False,
) -> ImportJob:
    """Keep the uploaded file and queue its import; the job's page shows how far it is."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{suffix}"
    lines, last = 0, b"\n"  # UTF-16 files end in b"\n\x00"
    with (folder / stored).open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-2:] or last
    lines += not last.endswith((b"\n", b"\n\x00"))  # a last line without its line break
    header = 0 if fmt == "jsonl" else 1
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=by.user,
            file_name=_clean(upload.name or stored, 255),
            stored_file=stored,
            file_size=upload.size or 0,
            format=fmt,
            options={
                "mapping": mapping,
                "account": account,
                "network": network,
                "keep_open": keep_open,
            },
            rows_total=max(lines - header, 0),
        )
        record(
            by,
            "import.started",
            job,
            after={"file": job.file_name, "format": fmt, "bytes": job.file_size},
            object_repr=f"import #{job.pk}",
        )
        transaction.on_commit(partial(_queue, job.pk))
    return job


def _queue(job_id: int) -> None:
    from socialdesk.inbox.import_tasks import run_import_job

    run_import_job.enqueue(job_id)


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job (the worker calls this); None when another worker took it."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)
    # Rejected rows are explained in the language of the person who uploaded the file.
    language = getattr(job.created_by, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return _run_claimed(job)


def _run_claimed(job: ImportJob) -> ImportJob:
    path = upload_folder() / job.stored_file
    report = report_path(job)
    report.parent.mkdir(parents=True, exist_ok=True)
    shown: list[list[Any]] = []
    with report.open("w", newline="", encoding="utf-8") as report_file:
        writer = csv_writer(report_file)
        writer.writerow(["file", "line", "reason"])

        def on_rejection(rejection: Rejection) -> None:
            reason = _clean(rejection.reason, REASON_LENGTH)
            writer.writerow([job.file_name, rejection.line, reason])
            if len(shown) < SHOWN_REJECTIONS:
                shown.append([job.file_name, rejection.line, reason])

        last = [0.0]

        def on_progress(stats: ImportStats) -> None:
            now = timezone.now().timestamp()
            if now - last[0] >= PROGRESS_EVERY_SECONDS:
                last[0] = now
                ImportJob.objects.filter(pk=job.pk).update(**_counts(stats), first_rejections=shown)

        options = job.options
        importer = Importer(
            network=network_of(job.format, options.get("network", "")),
            company_handles=set(),
            thread_start_needs_reply=job.format == "twcs",
            refresh_targets=True,
            settle=not options.get("keep_open", False),
            on_rejection=on_rejection,
            on_progress=on_progress,
        )
        state, error = ImportJob.State.DONE, ""
        try:
            account = options.get("account", "")
            importer.company_handles |= company_handles(job.format, [path], account)
            with changes.deferred():  # the search entries are written in bulk after the rows
                importer.feed(
                    job.file_name,
                    parsed_rows(
                        job.format, path, mapping=options.get("mapping", {}), account=account
                    ),
                )
        except Exception as failure:  # the job says why; the worker goes on with other work
            logger.exception("import job %s failed", job.pk)
            state = ImportJob.State.FAILED
            error = _clean(_("The import stopped: %(reason)s") % {"reason": failure}, REASON_LENGTH)
        finally:
            path.unlink(missing_ok=True)
    try:  # the rows are stored; their search entries are written now, or by the worker
        changes.catch_up()
    except Exception:
        logger.exception("import job %s: its search entries wait for the worker", job.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        **_counts(importer.stats),
        first_rejections=shown,
        state=state,
        error=error,
        stored_file="",
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    record(
        Acting(user=job.created_by, label="" if job.created_by else "worker"),
        "import.finished",
        job,
        after={"state": state, **_counts(importer.stats)},
        object_repr=f"import #{job.pk}",
    )
    return job


def _counts(stats: ImportStats) -> dict[str, int]:
    return {
        "rows_read": stats.rows_read,
        "rows_stored": stats.created,
        "duplicates": stats.duplicates,
        "rejected": stats.rejected,
        "conversations_resolved": stats.conversations_resolved,
    }
