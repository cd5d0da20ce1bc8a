"""Downloads of the wiki: a page (with its subpages) or a space as Markdown in a zip, or PDF."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from socialdesk.accounts.audit import acting, record
from socialdesk.core.http import AppRequest

from . import export, selectors
from .keys import slugify


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def page_export(request: AppRequest, pk: int) -> HttpResponse:
    page = selectors.page_for_user(request.user, pk)
    kind = request.GET.get("format", "zip")
    name = slugify(page.title)
    record(acting(request), "wiki.page_exported", page, after={"format": kind[:10]})
    if kind == "pdf":
        try:
            content = export.pdf_of(request.user, page.space, page)
        except export.ExportTooLarge as error:
            messages.error(request, str(error))
            return redirect("wiki:page", pk=page.pk)
        return _download(content, f"{name}.pdf", "application/pdf")
    if kind == "md":
        return _download(
            export.page_markdown(page).encode("utf-8"), f"{name}.md", "text/markdown; charset=utf-8"
        )
    return _download(
        export.zip_of(request.user, page.space, page), f"{name}.zip", "application/zip"
    )


def space_export(request: AppRequest, pk: int) -> HttpResponse:
    space = selectors.space_for_user(request.user, pk)
    kind = request.GET.get("format", "zip")
    record(acting(request), "wiki.space_exported", space, after={"format": kind[:10]})
    if kind == "pdf":
        try:
            content = export.pdf_of(request.user, space)
        except export.ExportTooLarge as error:
            messages.error(request, str(error))
            return redirect("wiki:space", pk=space.pk)
        return _download(content, f"{space.key}.pdf", "application/pdf")
    return _download(export.zip_of(request.user, space), f"{space.key}.zip", "application/zip")
