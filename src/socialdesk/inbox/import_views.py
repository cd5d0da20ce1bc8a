"""Settings → Import: upload a file, watch its import run, download the rejected rows."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from socialdesk.accounts.audit import acting
from socialdesk.core.http import AppRequest
from socialdesk.inbox.import_forms import ImportForm
from socialdesk.inbox.import_services import import_job_create, report_path
from socialdesk.inbox.job_models import ImportJob

RECENT_JOBS = 20


@require_http_methods(["GET", "POST"])
def imports(request: AppRequest) -> HttpResponse:
    """The upload form and the latest imports."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = import_job_create(
            by=acting(request),
            upload=data["file"],
            fmt=data["format"],
            suffix=data["suffix"],
            mapping=data.get("mapping", {}),
            account=data["account"],
            network=data["network"],
            keep_open=data["keep_open"],
        )
        return redirect("inbox:import_job", job.pk)
    jobs = ImportJob.objects.select_related("created_by")[:RECENT_JOBS]
    return render(request, "inbox/imports.html", {"form": form, "jobs": jobs})


def import_job(request: AppRequest, pk: int) -> HttpResponse:
    """How far an import is; htmx asks again every two seconds until it has finished."""
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    template = "inbox/_import_progress.html" if request.htmx else "inbox/import_job.html"
    return render(request, template, {"job": job})


def import_rejected(request: AppRequest, pk: int) -> FileResponse:
    """Every rejected row of an import as CSV (file, line, reason)."""
    job = get_object_or_404(ImportJob, pk=pk)
    path = report_path(job)
    if not job.finished or not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-rejected.csv",
        content_type="text/csv; charset=utf-8",
    )
