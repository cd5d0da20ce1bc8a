"""Bulk actions of the inbox list: start one, follow its progress, undo it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from socialdesk.accounts.audit import acting
from socialdesk.core.forms import error_text
from socialdesk.core.http import AppRequest
from socialdesk.inbox import bulk, selectors
from socialdesk.inbox.forms import BulkForm
from socialdesk.inbox.job_models import BulkJob
from socialdesk.inbox.views import list_filters

FINAL = {BulkJob.State.DONE, BulkJob.State.UNDONE, BulkJob.State.FAILED}
UNDO_OFFERED_SECONDS = 10


def _job_for_user(request: AppRequest, pk: int) -> BulkJob:
    """A person follows and undoes only their own bulk jobs."""
    return selectors.bulk_job_for_user(request.user, pk)


def _status(request: AppRequest, job: BulkJob, *, error: str = "") -> HttpResponse:
    context = {
        "job": job,
        "undoable": bulk.bulk_undoable(job),
        "undo_seconds": UNDO_OFFERED_SECONDS,
        "running": job.state not in FINAL,
        "error": error,
    }
    response = render(request, "inbox/list.html#bulk_status", context)
    if job.state in FINAL:
        response["HX-Trigger"] = "inbox-changed"  # the rows show the result
    return response


@require_POST
def bulk_action(request: AppRequest) -> HttpResponse:
    """Start a bulk action on the ticked conversations or on "all matching" the filter."""
    form = BulkForm(request.POST)
    back = reverse("inbox:list") + "?" + request.POST.get("filters", "")[:2000]
    if not form.is_valid():
        text = " ".join(str(e) for errors in form.errors.values() for e in errors)
        if request.htmx:
            return render(request, "inbox/list.html#bulk_status", {"error": text})
        messages.error(request, text)
        return redirect(back)
    data = form.cleaned_data
    filters = list_filters(QueryDict(data["filters"])) if data["all_matching"] else None
    try:
        job = bulk.bulk_start(
            by=acting(request),
            action=data["action"],
            conversation_ids=data["ids"],
            filters=filters,
            assignee=data["assignee"],
            department=data["department"],
            tag=data["tag"],
        )
    except ValidationError as error:
        if request.htmx:
            return render(request, "inbox/list.html#bulk_status", {"error": error_text(error)})
        messages.error(request, error_text(error))
        return redirect(back)
    if request.htmx:
        return _status(request, job)
    return redirect(reverse("inbox:bulk_job", args=[job.pk]))


def bulk_job(request: AppRequest, pk: int) -> HttpResponse:
    """The progress and result of one bulk job (htmx polls it while it runs)."""
    job = _job_for_user(request, pk)
    if request.htmx:
        return _status(request, job)
    return render(
        request,
        "inbox/bulk_job.html",
        {"job": job, "undoable": bulk.bulk_undoable(job), "running": job.state not in FINAL},
    )


@require_POST
def bulk_undo(request: AppRequest, pk: int) -> HttpResponse:
    """Put back what a bulk job changed, a few seconds after it finished."""
    job = _job_for_user(request, pk)
    error = ""
    try:
        job = bulk.bulk_undo(by=acting(request), job=job)
    except ValidationError as failure:
        error = error_text(failure)
    if request.htmx:
        return _status(request, job, error=error)
    if error:
        messages.error(request, error)
    return redirect(reverse("inbox:bulk_job", args=[job.pk]))
