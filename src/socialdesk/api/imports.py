"""REST API for history imports (Settings → Import): upload a file, follow its import, fetch
the rows it rejected. Through the page's own form (`ImportForm`: formats, columns, the size
limit `IMPORT_UPLOAD_MAX_MB`) and service (`import_job_create`, audited with the token); the
import itself runs in the background as for the page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from pydantic import Field

from socialdesk.api.auth import acting, allow
from socialdesk.api.inputs import Id, Text
from socialdesk.api.paging import Order, PageQuery, page
from socialdesk.api.post_schemas import ERRORS, Error, Ref
from socialdesk.channels.models import Network
from socialdesk.core.http import ApiRequest
from socialdesk.inbox.import_forms import COLUMN_LENGTH, ImportForm
from socialdesk.inbox.import_services import import_job_create, report_path
from socialdesk.inbox.job_models import ImportJob

router = Router(tags=["imports"])

Column = Annotated[Text, Field(max_length=COLUMN_LENGTH)]


class ImportIn(Schema):
    """The form fields sent with the file (multipart/form-data), named as on the page."""

    format: ImportJob.Format = Field(
        description="`twcs` (Customer Support on Twitter), `csv` (your own columns, named "
        "below) or `jsonl` (one JSON object a line: id, author, text, created_at, parent_id, "
        "inbound)."
    )
    network: Network = Field(
        default=Network.OTHER, description="CSV and JSON Lines: where the messages were written."
    )
    account: Annotated[Text, Field(max_length=255)] = Field(
        default="", description="CSV and JSON Lines: your own handle; its messages are answers."
    )
    map_id: Column = Field(default="", description="CSV: the column with the message id.")
    map_author: Column = Field(default="", description="CSV: the column with the author.")
    map_text: Column = Field(default="", description="CSV: the column with the text.")
    map_created_at: Column = Field(default="", description="CSV: the column with the time.")
    map_parent_id: Column = Field(
        default="", description="CSV, optional: the id of the message it answers."
    )
    map_inbound: Column = Field(
        default="", description="CSV, optional: true when the customer wrote it."
    )
    keep_open: bool = Field(
        default=False,
        description="Keep every conversation open (else those answered last are resolved).",
    )


class RejectionOut(Schema):
    file: str
    line: int
    reason: str = Field(description="In the language of the person who uploaded the file.")


class ImportJobOut(Schema):
    id: int
    file_name: str
    file_size: int = Field(description="Bytes.")
    format: str
    network: str
    account: str
    keep_open: bool
    state: str = Field(description="queued, running, done or failed.")
    percent: int = Field(description="How far the import is (100 when done).")
    rows_total: int = Field(description="Rows in the file (its lines without the header).")
    rows_read: int
    rows_stored: int = Field(description="Messages stored.")
    duplicates: int = Field(description="Rows already stored before.")
    rejected: int = Field(description="Rows that could not be imported.")
    conversations_resolved: int
    error: str = Field(description="Why a failed import stopped.")
    created_by: Ref | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    rejected_url: str | None = Field(
        description="When it has finished: the CSV of every rejected row (file, line, reason)."
    )


class ImportJobDetail(ImportJobOut):
    first_rejections: list[RejectionOut] = Field(
        description="The first rejected rows (at most 50); all of them at `rejected_url`."
    )


class ImportPage(Schema):
    items: list[ImportJobOut]
    next: str | None = Field(description="The cursor of the next page; null on the last.")


def _out(job: ImportJob) -> dict[str, Any]:
    person = job.created_by
    options = job.options or {}
    return {
        "id": job.pk,
        "file_name": job.file_name,
        "file_size": job.file_size,
        "format": job.format,
        "network": options.get("network", "") or Network.OTHER,
        "account": options.get("account", ""),
        "keep_open": bool(options.get("keep_open", False)),
        "state": job.state,
        "percent": job.percent,
        "rows_total": job.rows_total,
        "rows_read": job.rows_read,
        "rows_stored": job.rows_stored,
        "duplicates": job.duplicates,
        "rejected": job.rejected,
        "conversations_resolved": job.conversations_resolved,
        "error": job.error,
        "created_by": Ref(id=person.pk, name=person.full_name or person.email) if person else None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "rejected_url": (
            reverse("api:list_import_rejections", args=[job.pk]) if job.finished else None
        ),
    }


def _detail(job: ImportJob) -> ImportJobDetail:
    rejections = [
        RejectionOut(file=str(file), line=int(line), reason=str(reason))
        for file, line, reason in job.first_rejections or []
    ]
    return ImportJobDetail(**_out(job), first_rejections=rejections)


def _jobs() -> Any:
    return ImportJob.objects.select_related("created_by")


@router.post(
    "/imports",
    response={202: ImportJobDetail, **ERRORS},
    summary="Import a file of past conversations",
    **allow("create_import"),
)
def create_import(request: ApiRequest, file: File[UploadedFile], details: Form[ImportIn]) -> Any:
    """Send `multipart/form-data` with the `file` and the fields below, as the page's form. The
    file is checked first (its ending, its first line, the columns named; at most
    `IMPORT_UPLOAD_MAX_MB`): what is wrong is a 422 naming the field. Then it is imported in
    the background: follow it at `/imports/{id}`."""
    data = details.model_dump()
    data["keep_open"] = "on" if details.keep_open else ""
    form = ImportForm(data, MultiValueDict({"file": [file]}))
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    cleaned = form.cleaned_data
    job = import_job_create(
        by=acting(request),
        upload=cleaned["file"],
        fmt=cleaned["format"],
        suffix=cleaned["suffix"],
        mapping=cleaned.get("mapping", {}),
        account=cleaned["account"],
        network=cleaned["network"],
        keep_open=cleaned["keep_open"],
    )
    return Status(202, _detail(_jobs().get(pk=job.pk)))


@router.get(
    "/imports",
    response={200: ImportPage, **ERRORS, 400: Error},
    summary="List imports",
    **allow("list_imports"),
)
def list_imports(request: ApiRequest, filters: Query[PageQuery]) -> Any:
    """Every import (by anyone), the newest first, a page at a time."""
    found, following = page(
        _jobs(), Order("created_at", descending=True), filters.cursor, filters.limit
    )
    return ImportPage(items=[ImportJobOut(**_out(job)) for job in found], next=following)


@router.get(
    "/imports/{job_id}",
    response={200: ImportJobDetail, **ERRORS},
    summary="How far an import is",
    **allow("get_import"),
)
def get_import(request: ApiRequest, job_id: Id) -> Any:
    """Its state and counts, and the first rows it rejected with their line and reason."""
    return _detail(get_object_or_404(_jobs(), pk=job_id))


@router.get(
    "/imports/{job_id}/rejected",
    response={**ERRORS, 409: Error},
    summary="Every row an import rejected (CSV)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "CSV (UTF-8, comma): `file,line,reason`, one row per rejection.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
    **allow("list_import_rejections"),
)
def list_import_rejections(request: ApiRequest, job_id: Id) -> Any:
    """The page's own file, streamed: an import of millions of rows may reject many of them,
    which a CSV carries at any size and opens in a spreadsheet next to the source file; a JSON
    list would need paging through a file. The first 50 come as JSON with the import itself.
    Before the import has finished: 409."""
    job = get_object_or_404(ImportJob, pk=job_id)
    if not job.finished:
        raise HttpError(409, _("This import has not finished yet."))
    path = report_path(job)
    if not path.is_file():
        raise HttpError(404, _("There is nothing with this id that you may see."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-rejected.csv",
        content_type="text/csv; charset=utf-8",
    )
