"""The search page: one box over everything the person may open, results while typing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe

from socialdesk.core.http import AppRequest
from socialdesk.search.forms import PER_PAGE, SearchForm
from socialdesk.search.registry import KINDS
from socialdesk.search.selectors import Hit, SearchPage, search


@dataclass(frozen=True)
class Row:
    kind: str
    label: str
    title: str
    url: str
    snippet: SafeString
    at: datetime | None
    badges: tuple[str, ...]


def _row(hit: Hit) -> Row:
    kind = KINDS.get(hit.kind)
    return Row(
        kind=hit.kind,
        label=str(kind.label) if kind else hit.kind,
        title=hit.title,
        url=hit.url,
        snippet=mark_safe(hit.snippet_html),  # noqa: S308 - escaped in search.snippets, <mark> only
        at=hit.at,
        badges=hit.badges,
    )


def results(request: AppRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    found, page_number = SearchPage(), 1
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        page_number = form.cleaned_data.get("page") or 1
        if query:
            found = search(
                request.user,
                query,
                filters=form.filters(),
                order=form.cleaned_data.get("order") or "relevance",
                limit=PER_PAGE,
                offset=(page_number - 1) * PER_PAGE,
            )
            if found.problem is not None:
                form.add_error("q", found.problem.message)
    context = {
        "form": form,
        "query": query,
        "rows": [_row(hit) for hit in found.hits],
        "more": found.more,
        "page_number": page_number,
        "first": (page_number - 1) * PER_PAGE + 1,
        "last": (page_number - 1) * PER_PAGE + len(found.hits),
        "next_url": _page_url(request, page_number + 1) if found.more else "",
        "previous_url": _page_url(request, page_number - 1) if page_number > 1 else "",
        "narrowed": form.is_bound and form.is_valid() and form.narrowed(),
    }
    template = "search/_results.html" if request.htmx else "search/results.html"
    return render(request, template, context)


def _page_url(request: AppRequest, number: int) -> str:
    params = request.GET.copy()
    params["page"] = str(number)
    return "?" + urlencode(list(params.lists()), doseq=True)
