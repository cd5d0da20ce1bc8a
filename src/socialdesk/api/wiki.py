"""REST API: wiki spaces, pages and revisions (issue 14, WP3), with the same rule of who may
read and write as the pages and the same services.

A change (`PATCH /wiki/pages/{id}`) names the revision it started from (`base_revision`); when
someone saved the page since, nothing is overwritten and the answer is 409 with the current
revision, title and text, so the caller can merge and send again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext
from ninja import Router, Schema, Status
from pydantic import Field

from socialdesk.accounts.audit import record
from socialdesk.api.auth import acting, allow
from socialdesk.api.inputs import Id, Text
from socialdesk.core.http import ApiRequest
from socialdesk.core.params import MAX_INT
from socialdesk.wiki import export, page_services, selectors
from socialdesk.wiki.keys import slugify
from socialdesk.wiki.models import WikiPage, WikiRevision, WikiSpace
from socialdesk.wiki.page_checks import EditConflict
from socialdesk.wiki.rendering import render_page

router = Router(tags=["Wiki"])


class SpaceOut(Schema):
    id: int
    name: str
    key: str
    description: str
    room_id: int | None
    may_edit: bool


class PageRef(Schema):
    id: int
    title: str


class TreeOut(Schema):
    id: int
    title: str
    parent_id: int | None
    depth: int
    revision: int
    status: str
    updated_at: datetime


class PageOut(Schema):
    id: int
    space_id: int
    parent_id: int | None
    title: str
    body: str
    html: str
    revision: int
    status: str
    template: str
    owner: str | None
    review_by: date | None
    updated_at: datetime
    may_edit: bool
    backlinks: list[PageRef]


class RevisionOut(Schema):
    number: int
    title: str
    author: str
    created_at: datetime
    note: str
    restored_from: int | None


class RevisionFull(RevisionOut):
    body: str


class ConflictOut(Schema):
    detail: str
    current_revision: int
    current_title: str
    current_body: str


class PageIn(Schema):
    space_id: Id
    title: Text = Field(description="At most 200 characters")
    body: Text = Field(default="", description="Markdown, at most 200,000 characters")
    parent_id: Id | None = None


class PageChange(Schema):
    base_revision: int = Field(ge=1, le=MAX_INT, description="The revision the change started from")
    title: Text | None = None
    body: Text | None = None
    note: Text = Field(default="", max_length=200)


class RestoreIn(Schema):
    revision: int = Field(ge=1, le=MAX_INT)


def _page_out(request: ApiRequest, page: WikiPage) -> PageOut:
    user = request.auth
    owner = page.owner
    return PageOut(
        id=page.pk,
        space_id=page.space_id,
        parent_id=page.parent_id,
        title=page.title,
        body=page.body,
        html=str(render_page(user, page)),
        revision=page.revision,
        status=page.status,
        template=page.template,
        owner=(owner.full_name or owner.email) if owner else None,
        review_by=page.review_by,
        updated_at=page.updated_at,
        may_edit=selectors.may_edit_page(user, page),
        backlinks=[PageRef(id=p.pk, title=p.title) for p in selectors.backlinks(user, page)],
    )


def _revision_out(revision: WikiRevision, *, full: bool = False) -> Any:
    kind = RevisionFull if full else RevisionOut
    extra = {"body": revision.body} if full else {}
    return kind(
        number=revision.number,
        title=revision.title,
        author=revision.author_label,
        created_at=revision.created_at,
        note=revision.note,
        restored_from=revision.restored_from,
        **extra,
    )


def _space_out(request: ApiRequest, space: WikiSpace) -> SpaceOut:
    return SpaceOut(
        id=space.pk,
        name=space.name,
        key=space.key,
        description=space.description,
        room_id=space.room_id,
        may_edit=selectors.may_edit(request.auth, space),
    )


@router.get("/spaces", response=list[SpaceOut], **allow("list_wiki_spaces"))
def list_wiki_spaces(request: ApiRequest) -> list[SpaceOut]:
    spaces = selectors.spaces_for_user(request.auth).select_related("room").order_by("name")
    return [_space_out(request, space) for space in spaces]


@router.get("/spaces/{space_id}/pages", response=list[TreeOut], **allow("list_wiki_pages"))
def list_wiki_pages(request: ApiRequest, space_id: Id) -> list[TreeOut]:
    space = selectors.space_for_user(request.auth, space_id)
    return [
        TreeOut(
            id=node.page.pk,
            title=node.page.title,
            parent_id=node.page.parent_id,
            depth=node.depth,
            revision=node.page.revision,
            status=node.page.status,
            updated_at=node.page.updated_at,
        )
        for node in selectors.page_tree(request.auth, space)
    ]


@router.get("/pages/{page_id}", response=PageOut, **allow("get_wiki_page"))
def get_wiki_page(request: ApiRequest, page_id: Id) -> PageOut:
    return _page_out(request, selectors.page_for_user(request.auth, page_id))


@router.post("/pages", response={201: PageOut}, **allow("create_wiki_page"))
def create_wiki_page(request: ApiRequest, payload: PageIn) -> Any:
    space = selectors.space_for_user(request.auth, payload.space_id)
    parent = None
    if payload.parent_id is not None:
        parent = selectors.pages_for_user(request.auth).filter(pk=payload.parent_id).first()
        if parent is None:
            raise Http404
    page = page_services.page_create(
        by=acting(request), space=space, title=payload.title, body=payload.body, parent=parent
    )
    return Status(201, _page_out(request, selectors.page_for_user(request.auth, page.pk)))


@router.patch(
    "/pages/{page_id}", response={200: PageOut, 409: ConflictOut}, **allow("update_wiki_page")
)
def update_wiki_page(request: ApiRequest, page_id: Id, payload: PageChange) -> Any:
    page = selectors.page_for_user(request.auth, page_id)
    if not selectors.may_edit_page(request.auth, page):
        raise PermissionDenied
    try:
        saved = page_services.page_save(
            by=acting(request),
            page=page,
            title=page.title if payload.title is None else payload.title,
            body=page.body if payload.body is None else payload.body,
            base_revision=payload.base_revision,
            note=payload.note,
        )
    except EditConflict as conflict:
        current = conflict.current
        detail = gettext("The page was changed since revision %(base)s; merge and send again.") % {
            "base": payload.base_revision
        }
        return Status(
            409,
            ConflictOut(
                detail=detail,
                current_revision=current.revision,
                current_title=current.title,
                current_body=current.body,
            ),
        )
    return _page_out(request, selectors.page_for_user(request.auth, saved.pk))


@router.delete("/pages/{page_id}", response={204: None}, **allow("delete_wiki_page"))
def delete_wiki_page(request: ApiRequest, page_id: Id) -> Any:
    page = selectors.page_for_user(request.auth, page_id)
    if not selectors.may_edit_page(request.auth, page):
        raise PermissionDenied
    page_services.page_delete(by=acting(request), page=page)
    return Status(204, None)


@router.get(
    "/pages/{page_id}/revisions", response=list[RevisionOut], **allow("list_wiki_revisions")
)
def list_wiki_revisions(request: ApiRequest, page_id: Id) -> list[RevisionOut]:
    page = selectors.page_for_user(request.auth, page_id)
    return [_revision_out(r) for r in selectors.revisions(page)]


@router.get(
    "/pages/{page_id}/revisions/{number}", response=RevisionFull, **allow("get_wiki_revision")
)
def get_wiki_revision(request: ApiRequest, page_id: Id, number: Id) -> Any:
    page = selectors.page_for_user(request.auth, page_id)
    revision = page.revisions.filter(number=min(number, MAX_INT)).first()
    if revision is None:
        raise Http404
    return _revision_out(revision, full=True)


@router.post("/pages/{page_id}/restore", response=PageOut, **allow("restore_wiki_revision"))
def restore_wiki_revision(request: ApiRequest, page_id: Id, payload: RestoreIn) -> PageOut:
    page = selectors.page_for_user(request.auth, page_id)
    if not selectors.may_edit_page(request.auth, page):
        raise PermissionDenied
    saved = page_services.page_restore(by=acting(request), page=page, number=payload.revision)
    return _page_out(request, selectors.page_for_user(request.auth, saved.pk))


@router.get("/pages/{page_id}/export", **allow("export_wiki_page"))
def export_wiki_page(request: ApiRequest, page_id: Id, format: str = "md") -> HttpResponse:
    """The page as Markdown (`md`), with its subpages as a zip (`zip`), or as PDF (`pdf`)."""
    page = selectors.page_for_user(request.auth, page_id)
    record(acting(request), "wiki.page_exported", page, after={"format": format[:10]})
    name = slugify(page.title)
    if format == "pdf":
        try:
            content = export.pdf_of(request.auth, page.space, page)
        except export.ExportTooLarge as error:
            raise ValidationError({"format": [str(error)]}) from error
        kind, suffix = "application/pdf", "pdf"
    elif format == "zip":
        content, kind, suffix = (
            export.zip_of(request.auth, page.space, page),
            "application/zip",
            "zip",
        )
    elif format == "md":
        content = export.page_markdown(page).encode("utf-8")
        kind, suffix = "text/markdown; charset=utf-8", "md"
    else:
        raise ValidationError({"format": [gettext("Choose md, zip or pdf.")]})
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
    return response
