"""REST API: one search over everything the caller may see (issue 14, WP4).

`GET /api/v1/search?q=…` answers with the hits of the query the token's person may open
(the same selectors as the pages decide), best first or newest first, a page at a time.
A query that cannot be read is a 400 naming the problem and its position, in the caller's
language; no SQL runs for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from pydantic import Field

from socialdesk.api.auth import allow
from socialdesk.api.inputs import Id, Moment
from socialdesk.api.post_schemas import ERRORS, Error
from socialdesk.core.http import ApiRequest
from socialdesk.search.kinds.base import Filters
from socialdesk.search.selectors import MAX_LIMIT, MAX_OFFSET, search

router = Router(tags=["search"])

KindName = Literal[
    "conversation",
    "message",
    "note",
    "contact",
    "feedback",
    "listening",
    "post",
    "idea",
    "room",
    "room_post",
    "person",
]


class SearchParams(Schema):
    q: str = Field(description='The query: words, "phrases", prefix*, -not, OR, #tag, @name.')
    type: list[KindName] = Field(default_factory=list, description="Only these kinds.")
    since: Moment | None = Field(default=None, alias="from")
    until: Moment | None = Field(default=None, alias="to")
    author: Id | None = Field(default=None, description="A person's id.")
    department: Id | None = Field(default=None, description="A department's id.")
    channel: Id | None = Field(default=None, description="A channel's id.")
    order: Literal["relevance", "newest"] = "relevance"
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)
    page: int = Field(default=1, ge=1, le=1_000)


class HitOut(Schema):
    type: str
    id: int
    title: str
    url: str
    snippet: str
    snippet_html: str = Field(description="Escaped text; the matching words in <mark>.")
    highlights: list[str]
    score: float
    at: datetime | None


class SearchOut(Schema):
    query: str
    page: int
    results: list[HitOut]
    more: bool


@router.get(
    "",
    response={200: SearchOut, 400: Error, **ERRORS},
    summary="Search everything",
    **allow("search"),
)
def search_all(request: ApiRequest, params: Query[SearchParams]) -> Any:
    """The hits of `q` the caller may open: conversations, messages, notes, contacts,
    feedback, posts, story ideas, project rooms and their posts, people (`type` repeatable;
    `listening` gives the messages of listening matches). `from`/`to` (ISO 8601 with offset),
    `author`, `department` and `channel` narrow it; kinds a filter does not apply to drop out.
    An unreadable query: 400 with `errors.q`."""
    offset = (params.page - 1) * params.limit
    if offset > MAX_OFFSET:
        return _bad(request, _narrow())
    filters = Filters(
        kinds=tuple(params.type),
        since=params.since,
        until=params.until,
        author_id=params.author,
        department_id=params.department,
        channel_id=params.channel,
    )
    found = search(
        request.auth,
        params.q,
        filters=filters,
        order=params.order,
        limit=params.limit,
        offset=offset,
    )
    if found.problem is not None:
        return _bad(request, found.problem.message)
    results = [
        HitOut(
            type=hit.kind,
            id=hit.object_id,
            title=hit.title,
            url=hit.url,
            snippet=hit.snippet_text,
            snippet_html=hit.snippet_html,
            highlights=list(hit.highlights),
            score=hit.score,
            at=hit.at,
        )
        for hit in found.hits
    ]
    return SearchOut(query=params.q, page=params.page, results=results, more=found.more)


def _narrow() -> str:
    return gettext("Please narrow your search down.")


def _bad(request: ApiRequest, message: str) -> HttpResponse:
    return JsonResponse({"detail": message, "errors": {"q": [message]}}, status=400)
