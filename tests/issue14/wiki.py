"""Issue 14, `wiki`: its pages in the page-wide checks (see `tests/issue14/__init__.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from socialdesk.accounts.audit import Acting
from socialdesk.spaces.models import Room, RoomMembership


def _page(data: dict[str, Any]) -> dict[str, Any]:
    """A page of an organisation space (made once), with two versions and a missing link."""
    from socialdesk.wiki.models import WikiPage, WikiSpace
    from socialdesk.wiki.page_services import page_create, page_save

    found = WikiPage.objects.filter(title="Rückerstattung").first()
    if found is None:
        by = Acting(user=None, label="test")
        space = WikiSpace.objects.get_or_create(key="handbuch", defaults={"name": "Handbuch"})[0]
        found = page_create(by=by, space=space, title="Rückerstattung", body="Erst [[Fehlt]].")
        page_save(
            by=by, page=found, title="Rückerstattung", body="Dann [[Fehlt]].", base_revision=1
        )
    return {"pk": found.pk}


def _space(data: dict[str, Any]) -> dict[str, Any]:
    from socialdesk.wiki.models import WikiPage

    _page(data)
    return {"pk": WikiPage.objects.get(title="Rückerstattung").space_id}


def _room(data: dict[str, Any]) -> dict[str, Any]:
    return {"pk": Room.objects.get_or_create(name="Fahrplanwechsel")[0].pk}


PAGE_URLS = (
    "wiki:page",
    "wiki:page_edit",
    "wiki:page_history",
    "wiki:page_diff",
    "wiki:page_restore",
    "wiki:page_move",
    "wiki:page_delete",
    "wiki:page_review",
    "wiki:page_export",
    "wiki:page_undelete",
    "wiki:page_publish",
)
SPACE_URLS = ("wiki:space", "wiki:space_export", "wiki:space_edit")

ARGS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    **dict.fromkeys(PAGE_URLS, _page),
    **dict.fromkeys(SPACE_URLS, _space),
    "wiki:room_space": _room,
}
KINDS: dict[str, str] = {
    **dict.fromkeys(PAGE_URLS, "wiki_page"),
    **dict.fromkeys(SPACE_URLS, "wiki_space"),
    "wiki:room_space": "wiki_room",
}
VARIANTS: dict[str, list[str]] = {}


def api_path(path: str, samples: dict[str, Any]) -> str:
    """The wiki API's path arguments (`test_access_table.py`): a page of an organisation space."""
    if "{page_id}" not in path and "{space_id}" not in path:
        return path
    page = _page(samples)["pk"]
    space = _space(samples)["pk"]
    return (
        path.replace("{page_id}", str(page))
        .replace("{space_id}", str(space))
        .replace("{number}", "1")
    )


SECRET = "Zugticket Geheimtext-wiki-7Q"


def world(w: Any, people: dict[str, Any], departments: dict[str, Any]) -> None:
    """An organisation space Mia reads, and a private room's space she is not a member of: its
    page's title and text, and the missing page it links to, must not reach her."""
    from socialdesk.wiki.models import WikiSpace
    from socialdesk.wiki.page_services import page_create, page_save

    by = Acting(user=None, label="test")
    org = WikiSpace.objects.create(name="Handbuch", key="handbuch")
    room = Room.objects.create(name="Geheimes Projekt", visibility=Room.Visibility.PRIVATE)
    for role in ("agent", "viewer"):  # the control test: those two see it
        RoomMembership.objects.create(room=room, user=people[role])
    secret = WikiSpace.objects.create(name=f"Raum {SECRET}", key="raum-geheim", room=room)
    public = page_create(by=by, space=org, title="Rückerstattung", body="Siehe [[Kulanz]].")
    hidden = page_create(
        by=by, space=secret, title=f"Plan {SECRET}", body=f"{SECRET} [[Fehlt {SECRET}]]"
    )
    page_save(by=by, page=hidden, title=hidden.title, body=f"{SECRET} neu", base_revision=1)
    hidden = page_save(by=by, page=hidden, title=hidden.title, body=f"{SECRET} [[Fehlt {SECRET}]]", base_revision=2)  # fmt: skip
    hidden.review_by = public.created_at.date()
    hidden.save()
    w.ids["wiki_page"] = [public.pk, hidden.pk]
    w.ids["wiki_space"] = [org.pk, secret.pk]
    w.ids["wiki_room"] = [room.pk]
    w.forbidden += [SECRET]
    w.hidden_pks["wiki_page"] = {hidden.pk}
    w.hidden_pks["wiki_space"] = {secret.pk}
    w.hidden_pks["wiki_room"] = {room.pk}
