"""The wiki's writing pages: new page (from a template), edit with the merge screen after a
conflict, restore, move, trash, review, new space. Every write goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.access import WORKERS
from socialdesk.accounts.audit import acting
from socialdesk.accounts.models import User
from socialdesk.core.http import AppRequest
from socialdesk.core.params import id_param, int_param
from socialdesk.core.textdiff import collapse, word_diff

from . import forms, page_services, selectors, space_services
from .merge import has_conflict_markers, merge3
from .models import WikiDraft, WikiPage, WikiSpace
from .page_checks import EditConflict
from .page_templates import template_text
from .rendering import render_text


def _editable(request: AppRequest, pk: int) -> WikiPage:
    page = selectors.page_for_user(request.user, pk)
    if not selectors.may_edit_page(request.user, page):
        raise PermissionDenied
    return page


def _descendants(page: WikiPage) -> set[int]:
    found: set[int] = set()
    level = {page.pk}
    while level:
        found |= level
        level = (
            set(WikiPage.objects.filter(parent_id__in=level).values_list("pk", flat=True)) - found
        )
    return found


def _parents(
    request: AppRequest, space: WikiSpace, page: WikiPage | None = None
) -> QuerySet[WikiPage]:
    pages = selectors.pages_for_user(request.user).filter(space=space).order_by("title_key")
    return pages.exclude(pk__in=_descendants(page)) if page is not None else pages


@require_http_methods(["GET", "POST"])
def page_new(request: AppRequest) -> HttpResponse:
    space_id = id_param(request.GET.get("space") or request.POST.get("space"))
    if space_id is None:
        spaces = [
            s
            for s in selectors.spaces_for_user(request.user)
            if selectors.may_edit(request.user, s)
        ]
        return render(
            request,
            "wiki/choose_space.html",
            {"spaces": spaces, "title": request.GET.get("title", "")[:200]},
        )
    space = selectors.space_for_user(request.user, space_id)
    if not selectors.may_edit(request.user, space):
        raise PermissionDenied
    parents = _parents(request, space)
    if request.method == "POST":
        form = forms.NewPageForm(request.POST, parents=parents)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = page_services.page_create(
                    by=acting(request),
                    space=space,
                    title=data["title"],
                    body=data["body"],
                    parent=data["parent"],
                    template=data["template"] or "",
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The page was created."))
                return redirect("wiki:page", pk=created.pk)
    else:
        template = request.GET.get("template", "")
        parent_id = id_param(request.GET.get("parent"))
        parent = parents.filter(pk=parent_id).first() if parent_id else None
        form = forms.NewPageForm(
            initial={
                "title": request.GET.get("title", "")[:200],
                "template": template if template in ("faq", "meeting", "playbook") else "",
                "body": template_text(template),
                "parent": parent,
            },
            parents=parents,
        )
    templates = [(name, label) for name, label in WikiPage.Template.choices if name]
    return render(
        request, "wiki/page_new.html", {"form": form, "space": space, "templates": templates}
    )


def _merge_context(
    request: AppRequest, page: WikiPage, base_body: str, title: str, body: str
) -> dict[str, Any]:
    """What the merge screen shows: what changed meanwhile, what the writer changed, both texts."""
    latest = page.revisions.select_related("author").order_by("-number").first()
    who = latest.author_label if latest is not None else ""
    theirs_label = _("Version of %(name)s (version %(number)s)") % {
        "name": who,
        "number": page.revision,
    }
    merged = merge3(
        base_body, body, page.body, mine_label=_("Your version"), theirs_label=theirs_label
    )
    return {
        "conflict": True,
        "who": who,
        "current_number": page.revision,
        "theirs_diff": collapse(word_diff(base_body, page.body)),
        "mine_diff": collapse(word_diff(base_body, body)),
        "theirs_text": page.body,
        "mine_text": body,
        "marked": merged.conflicts,
        "initial": {
            "title": title,
            "body": merged.text,
            "base_revision": page.revision,
            "merging": True,
        },
    }


@require_http_methods(["GET", "POST"])
def page_edit(request: AppRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    by = acting(request)
    context: dict[str, Any] = {"page": page, "conflict": False, "preview": None}
    if request.method == "POST" and request.POST.get("discard"):
        page_services.page_discard_draft(by=by, page=page)
        messages.success(request, _("Your version was discarded."))
        return redirect("wiki:page", pk=page.pk)
    if request.method == "POST":
        form = forms.PageForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if data["merging"] and has_conflict_markers(data["body"]):
                form.add_error("body", _("Please resolve the marked passages."))
            elif request.POST.get("preview"):
                context["preview"] = render_text(request.user, page.space, data["body"])
            else:
                try:
                    page_services.page_save(
                        by=by,
                        page=page,
                        title=data["title"],
                        body=data["body"],
                        base_revision=data["base_revision"],
                        note=data["note"],
                    )
                except EditConflict as conflict:
                    page_services.page_keep_draft(
                        by=by,
                        page=page,
                        title=data["title"],
                        body=data["body"],
                        base_revision=data["base_revision"],
                    )
                    base = conflict.base.body if conflict.base is not None else ""
                    context.update(
                        _merge_context(request, conflict.current, base, data["title"], data["body"])
                    )
                    form = forms.PageForm(initial=context["initial"])
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("The page was saved."))
                    return redirect("wiki:page", pk=page.pk)
    else:
        draft = WikiDraft.objects.filter(page=page, user=request.user).first()
        if draft is not None and draft.base_revision != page.revision:
            kept = page.revisions.filter(number=draft.base_revision).first()
            context.update(
                _merge_context(request, page, kept.body if kept else "", draft.title, draft.body)
            )
            form = forms.PageForm(initial=context["initial"])
        else:
            form = forms.PageForm(
                initial={"title": page.title, "body": page.body, "base_revision": page.revision}
            )
    context["form"] = form
    return render(request, "wiki/page_edit.html", context)


@require_POST
def page_restore(request: AppRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    number = int_param(request.POST.get("number"), default=0)
    try:
        page_services.page_restore(by=acting(request), page=page, number=number)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("wiki:page_history", pk=page.pk)
    messages.success(
        request, _("Version %(number)s was restored as a new version.") % {"number": number}
    )
    return redirect("wiki:page", pk=page.pk)


@require_http_methods(["GET", "POST"])
def page_move(request: AppRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    parents = _parents(request, page.space, page)
    if request.method == "POST":
        form = forms.MoveForm(request.POST, parents=parents)
        if form.is_valid():
            try:
                page_services.page_move(
                    by=acting(request),
                    page=page,
                    parent=form.cleaned_data["parent"],
                    position=form.cleaned_data["position"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The page was moved."))
                return redirect("wiki:page", pk=page.pk)
    else:
        form = forms.MoveForm(
            initial={"parent": page.parent, "position": page.position}, parents=parents
        )
    return render(request, "wiki/page_move.html", {"page": page, "form": form})


@require_http_methods(["GET", "POST"])
def page_delete(request: AppRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    if request.method == "POST":
        page_services.page_delete(by=acting(request), page=page)
        messages.success(request, _("The page was moved to the trash."))
        return redirect("wiki:space", pk=page.space_id)
    return render(request, "wiki/page_delete.html", {"page": page})


def _owners() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=WORKERS).order_by("full_name", "email")


@require_http_methods(["GET", "POST"])
def page_review(request: AppRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    by = acting(request)
    if request.method == "POST" and request.POST.get("reviewed"):
        page_services.page_mark_reviewed(by=by, page=page)
        messages.success(request, _("The page was marked as reviewed."))
        return redirect("wiki:page", pk=page.pk)
    if request.method == "POST":
        form = forms.ReviewForm(request.POST, owners=_owners())
        if form.is_valid():
            data = form.cleaned_data
            page_services.page_set_review(
                by=by,
                page=page,
                owner=data["owner"],
                review_by=data["review_by"],
                review_every_days=data["review_every_days"],
            )
            messages.success(request, _("Owner and review date were saved."))
            return redirect("wiki:page", pk=page.pk)
    else:
        initial = {
            "owner": page.owner,
            "review_by": page.review_by,
            "review_every_days": page.review_every_days,
        }
        form = forms.ReviewForm(initial=initial, owners=_owners())
    return render(request, "wiki/page_review.html", {"page": page, "form": form})


@require_http_methods(["GET", "POST"])
def space_new(request: AppRequest) -> HttpResponse:
    if request.method == "POST":
        form = forms.SpaceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = space_services.space_create(
                    by=acting(request),
                    name=data["name"],
                    key=data["key"],
                    description=data["description"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("wiki:space", pk=created.pk)
    else:
        form = forms.SpaceForm()
    return render(request, "wiki/space_new.html", {"form": form})


@require_POST
def page_undelete(request: AppRequest, pk: int) -> HttpResponse:
    page = selectors.page_for_user(request.user, pk, deleted=True)
    if not page.is_deleted:
        return redirect("wiki:page", pk=page.pk)
    if not selectors.may_edit(request.user, page.space):
        raise PermissionDenied
    try:
        page_services.page_undelete(by=acting(request), page=page)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("wiki:trash")
    messages.success(request, _("The page is back from the trash."))
    return redirect("wiki:page", pk=page.pk)


@require_POST
def page_publish(request: AppRequest, pk: int) -> HttpResponse:
    page = _editable(request, pk)
    page_services.page_publish(by=acting(request), page=page)
    messages.success(request, _("The page was published."))
    return redirect("wiki:page", pk=page.pk)


@require_http_methods(["GET", "POST"])
def space_edit(request: AppRequest, pk: int) -> HttpResponse:
    space = selectors.space_for_user(request.user, pk)
    if space.room_id is not None:
        raise PermissionDenied  # a room's space takes the room's name
    if request.method == "POST":
        form = forms.SpaceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                space_services.space_update(
                    by=acting(request),
                    space=space,
                    name=data["name"],
                    description=data["description"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The space was saved."))
                return redirect("wiki:space", pk=space.pk)
    else:
        form = forms.SpaceForm(
            initial={"name": space.name, "key": space.key, "description": space.description}
        )
        form.fields["key"].disabled = True
    return render(request, "wiki/space_new.html", {"form": form, "space": space})
