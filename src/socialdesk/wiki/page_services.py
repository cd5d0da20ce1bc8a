"""Writing wiki pages: create, save (every change a revision), restore, move, trash, review.

Every write goes through here, takes the acting person, is audited and tells the search
(`core.changes`) inside its transaction. A save started from an older revision than the page's
raises `EditConflict` and overwrites nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import User
from socialdesk.core import changes

from .keys import slugify, title_key
from .links import resolve_waiting, store_links
from .models import NOTE_MAX, WikiAlias, WikiDraft, WikiLink, WikiPage, WikiRevision, WikiSpace
from .page_checks import MAX_DEPTH, EditConflict, checked, duplicate_title
from .rendering import plain_text
from .selectors import may_edit, may_edit_page
from .signals import page_saved

__all__ = ["EditConflict"]


def _label(by: Acting) -> str:
    if by.user is not None:
        return (by.user.full_name or by.user.email)[:254]
    return by.name[:254]


def _require(by: Acting, allowed: bool) -> None:
    if by.user is not None and not allowed:
        raise PermissionDenied(gettext("You may not change this page."))


def _title_taken(space: WikiSpace, key: str, *, besides: int | None = None) -> bool:
    pages = WikiPage.objects.filter(space=space, title_key=key, deleted_at__isnull=True)
    return pages.exclude(pk=besides).exists() if besides else pages.exists()


def _free_slug(space: WikiSpace, title: str, *, besides: int | None = None) -> str:
    base = slugify(title)
    pages = WikiPage.objects.filter(space=space, slug__startswith=base)
    if besides is not None:
        pages = pages.exclude(pk=besides)
    taken = set(pages.values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _check_parent(page: WikiPage | None, space: WikiSpace, parent: WikiPage | None) -> None:
    if parent is None:
        return
    if parent.space_id != space.pk or parent.is_deleted:
        raise ValidationError({"parent": [gettext("Choose a page of the same space.")]})
    depth = 1
    node: WikiPage | None = parent
    while node is not None:
        if page is not None and node.pk == page.pk:
            raise ValidationError(
                {"parent": [gettext("A page cannot be moved under its own subpage.")]}
            )
        depth += 1
        node = node.parent
    if depth > MAX_DEPTH:
        raise ValidationError({"parent": [gettext("Pages nest at most 10 levels deep.")]})


def _revision(by: Acting, page: WikiPage, *, note: str = "", **extra: int | None) -> WikiRevision:
    return WikiRevision.objects.create(
        page=page,
        number=page.revision,
        title=page.title,
        body=page.body,
        author=by.user,
        author_label=_label(by),
        note=note.replace("\x00", "")[:NOTE_MAX],
        **extra,
    )


def page_create(
    *,
    by: Acting,
    space: WikiSpace,
    title: str,
    body: str = "",
    parent: WikiPage | None = None,
    template: str = "",
    status: str = WikiPage.Status.PUBLISHED,
    owner: User | None = None,
    source_conversation_id: int | None = None,
    managed_by: str = "",
    review_by: date | None = None,
) -> WikiPage:
    if by.user is not None and not managed_by:  # managed: the keeping app checked its rights
        _require(by, may_edit(by.user, space))
    title, body = checked(title, body)
    with transaction.atomic():
        _check_parent(None, space, parent)
        key = title_key(title)
        if _title_taken(space, key):
            raise duplicate_title()
        page = WikiPage.objects.create(
            space=space,
            parent=parent,
            title=title,
            title_key=key,
            slug=_free_slug(space, title),
            body=body,
            plain_text=plain_text(body),
            revision=1,
            status=status,
            template=template,
            owner=owner if owner is not None else by.user,
            review_by=review_by,
            managed_by=managed_by,
            source_conversation_id=source_conversation_id,
            created_by=by.user,
            updated_by=by.user,
        )
        WikiAlias.objects.filter(space=space, title_key=key).delete()
        _revision(by, page)
        store_links(page)
        resolve_waiting(page)
        record(by, "wiki.page_created", page, after={"title": title, "space": space.key})
        changes.changed("wiki.page", [page.pk])
    return page


def page_save(
    *, by: Acting, page: WikiPage, title: str, body: str, base_revision: int, note: str = ""
) -> WikiPage:
    """Save a new revision; equal text saves nothing. Raises `EditConflict` when the page
    changed since `base_revision` (nothing is overwritten), ValidationError at the fields."""
    title, body = checked(title, body)
    with transaction.atomic():
        locked = WikiPage.objects.select_for_update().get(pk=page.pk)
        locked.space = page.space
        if by.user is not None:
            _require(by, may_edit_page(by.user, locked))
        if base_revision != locked.revision:
            base = locked.revisions.filter(number=base_revision).first()
            raise EditConflict(locked, base, base_revision, title, body)
        return _write(by, locked, title, body, note=note)


def _write(
    by: Acting, page: WikiPage, title: str, body: str, *, note: str = "", **extra: int | None
) -> WikiPage:
    if title == page.title and body == page.body:
        return page
    old_title, old_key = page.title, page.title_key
    key = title_key(title)
    if key != old_key:
        if _title_taken(page.space, key, besides=page.pk):
            raise duplicate_title()
        WikiAlias.objects.filter(space=page.space, title_key=key).delete()
        WikiAlias.objects.update_or_create(
            space=page.space, title_key=old_key, defaults={"page": page}
        )
        page.slug = _free_slug(page.space, title, besides=page.pk)
    page.title, page.title_key, page.body = title, key, body
    page.plain_text = plain_text(body)
    page.revision += 1
    page.updated_by = by.user
    page.save()
    _revision(by, page, note=note, **extra)
    store_links(page)
    if key != old_key:
        resolve_waiting(page)
    WikiDraft.objects.filter(page=page, user=by.user).delete()
    record(
        by,
        "wiki.page_saved",
        page,
        before={"title": old_title},
        after={"title": title, "revision": page.revision},
    )
    changes.changed("wiki.page", [page.pk])
    page_saved.send(sender=WikiPage, page=page, by=by)
    return page


def page_keep_draft(
    *, by: Acting, page: WikiPage, title: str, body: str, base_revision: int
) -> WikiDraft | None:
    """Keep the losing side of a conflict for its writer (nothing typed is lost)."""
    if by.user is None:
        return None
    with transaction.atomic():
        draft, _created = WikiDraft.objects.update_or_create(
            page=page,
            user=by.user,
            defaults={"title": title[:200], "body": body, "base_revision": base_revision},
        )
        record(by, "wiki.draft_kept", page, after={"base_revision": base_revision})
    return draft


def page_discard_draft(*, by: Acting, page: WikiPage) -> int:
    with transaction.atomic():
        count, _kinds = WikiDraft.objects.filter(page=page, user=by.user).delete()
        if count:
            record(by, "wiki.draft_discarded", page)
    return count


def page_restore(*, by: Acting, page: WikiPage, number: int) -> WikiPage:
    """A new revision with the text and title of revision `number`; nothing is deleted."""
    with transaction.atomic():
        locked = WikiPage.objects.select_for_update().get(pk=page.pk)
        locked.space = page.space
        if by.user is not None:
            _require(by, may_edit_page(by.user, locked))
        old = locked.revisions.filter(number=number).first()
        if old is None:
            raise ValidationError(gettext("There is no version %(number)s.") % {"number": number})
        note = gettext("Restored from version %(number)s") % {"number": number}
        return _write(by, locked, old.title, old.body, note=note, restored_from=number)


def page_move(
    *, by: Acting, page: WikiPage, parent: WikiPage | None, position: int = 0
) -> WikiPage:
    if by.user is not None:
        _require(by, may_edit_page(by.user, page))
    with transaction.atomic():
        locked = WikiPage.objects.select_for_update().get(pk=page.pk)
        _check_parent(locked, page.space, parent)
        before = {"parent": locked.parent_id, "position": locked.position}
        locked.parent, locked.position = parent, max(0, min(position, 1_000_000))
        locked.save(update_fields=["parent", "position", "updated_at"])
        record(
            by,
            "wiki.page_moved",
            locked,
            before=before,
            after={"parent": getattr(parent, "pk", None)},
        )
        changes.changed("wiki.page", [locked.pk])
    return locked


def page_delete(*, by: Acting, page: WikiPage) -> WikiPage:
    """Into the trash: its subpages move up to its parent, links to it become missing."""
    if by.user is not None:
        _require(by, may_edit_page(by.user, page))
    with transaction.atomic():
        locked = WikiPage.objects.select_for_update().get(pk=page.pk)
        WikiPage.objects.filter(parent=locked).update(parent=locked.parent)
        locked.deleted_at, locked.deleted_by = timezone.now(), by.user
        locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        WikiLink.objects.filter(target=locked).update(target=None)
        record(by, "wiki.page_deleted", locked)
        changes.changed("wiki.page", [locked.pk])
    return locked


def page_undelete(*, by: Acting, page: WikiPage) -> WikiPage:
    if by.user is not None:
        _require(by, may_edit(by.user, page.space))
    with transaction.atomic():
        locked = WikiPage.objects.select_for_update().get(pk=page.pk)
        if _title_taken(page.space, locked.title_key, besides=locked.pk):
            raise duplicate_title()
        locked.deleted_at, locked.deleted_by = None, None
        if locked.parent is not None and locked.parent.is_deleted:
            locked.parent = None
        locked.save(update_fields=["deleted_at", "deleted_by", "parent", "updated_at"])
        locked.space = page.space
        resolve_waiting(locked)
        record(by, "wiki.page_undeleted", locked)
        changes.changed("wiki.page", [locked.pk])
    return locked


def page_set_review(
    *,
    by: Acting,
    page: WikiPage,
    owner: User | None,
    review_by: date | None,
    review_every_days: int | None = None,
) -> WikiPage:
    if by.user is not None:
        _require(by, may_edit_page(by.user, page))
    with transaction.atomic():
        before = {"owner": page.owner_id, "review_by": str(page.review_by or "")}
        page.owner, page.review_by, page.review_every_days = owner, review_by, review_every_days
        page.save(update_fields=["owner", "review_by", "review_every_days", "updated_at"])
        after = {"owner": getattr(owner, "pk", None), "review_by": str(review_by or "")}
        record(by, "wiki.page_review_set", page, before=before, after=after)
        changes.changed("wiki.page", [page.pk])
    return page


def page_mark_reviewed(*, by: Acting, page: WikiPage) -> WikiPage:
    """Reviewed now; the next review is due after the page's interval (none without one)."""
    if by.user is not None:
        _require(by, may_edit_page(by.user, page))
    with transaction.atomic():
        today = timezone.localdate()
        page.reviewed_at, page.reviewed_by = timezone.now(), by.user
        every = page.review_every_days
        page.review_by = today + timedelta(days=every) if every else None
        page.save(update_fields=["reviewed_at", "reviewed_by", "review_by", "updated_at"])
        record(by, "wiki.page_reviewed", page, after={"review_by": str(page.review_by or "")})
        changes.changed("wiki.page", [page.pk])
    return page


def page_publish(*, by: Acting, page: WikiPage) -> WikiPage:
    """A draft („Entwurf“) becomes a published page."""
    if by.user is not None:
        _require(by, may_edit_page(by.user, page))
    with transaction.atomic():
        if page.status != WikiPage.Status.PUBLISHED:
            page.status = WikiPage.Status.PUBLISHED
            page.save(update_fields=["status", "updated_at"])
            record(by, "wiki.page_published", page)
            changes.changed("wiki.page", [page.pk])
    return page


def page_sync_managed(
    *, by: Acting, source_key: str, space: WikiSpace, title: str, body: str
) -> WikiPage:
    """The page another part of the product keeps (e.g. `goals.strategy.vision`): created on the
    first call, a new revision when its text changed; read-only in the wiki itself."""
    key = source_key.replace("\x00", "")[:100]
    with transaction.atomic():
        page = (
            WikiPage.objects.select_for_update()
            .filter(managed_by=key, deleted_at__isnull=True)
            .first()
        )
        if page is None:
            return page_create(
                by=by, space=space, title=title, body=body, managed_by=key, owner=by.user
            )  # fmt: skip
        page.space = WikiSpace.objects.get(pk=page.space_id)
        checked_title, checked_body = checked(title, body)
        return _write(by, page, checked_title, checked_body)
