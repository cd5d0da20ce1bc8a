"""Issue 14, `spaces`: its pages in the page-wide checks (see `tests/issue14/__init__.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_ROOM_PAGES = (
    "room", "room_edit", "room_members", "room_member_add", "room_member_remove", "room_join",
    "room_leave", "room_notify", "room_archive", "room_unarchive", "room_take_over",
    "room_post_new", "mention_suggest",
)  # fmt: skip
_POST_PAGES = ("post", "thread", "post_edit", "post_delete", "post_pin", "post_react")

KINDS: dict[str, str] = {
    **{f"spaces:{name}": "room" for name in _ROOM_PAGES},
    **{f"spaces:{name}": "room_post" for name in _POST_PAGES},
    "spaces:attachment": "room_attachment",
}
VARIANTS: dict[str, list[str]] = {
    "spaces:rooms": ["", "?show=mine", "?show=public", "?show=archived"],
}


def _fixture_room(data: dict[str, Any]) -> Any:
    """A public room with a thread, its owner an agent of the German fixture (made once)."""
    from socialdesk.accounts.audit import Acting
    from socialdesk.accounts.models import User
    from socialdesk.spaces import post_services, room_services
    from socialdesk.spaces.models import Room, RoomPost

    room = Room.objects.filter(name="Relaunch Website").first()
    if room is None:
        agent = User.objects.filter(role="agent", is_active=True).order_by("pk").first()
        room = room_services.room_create(by=Acting(user=agent), name="Relaunch Website",
                                         purpose="Die neue Seite bis März")  # fmt: skip
        root = post_services.post_create(by=Acting(user=agent), room=room, body="Erster Stand")
        for n in range(4):
            post_services.post_create(
                by=Acting(user=agent), room=room, body=f"Antwort {n}", parent=root.post
            )
    assert RoomPost.objects.filter(room=room).exists()
    return room


def _room_pk(data: dict[str, Any]) -> dict[str, Any]:
    return {"pk": _fixture_room(data).pk}


def _post_pk(data: dict[str, Any]) -> dict[str, Any]:
    room = _fixture_room(data)
    return {"pk": room.posts.filter(parent__isnull=True).order_by("pk").first().pk}


def _attachment_pk(data: dict[str, Any]) -> dict[str, Any]:
    from socialdesk.spaces.models import Attachment

    _fixture_room(data)
    found = Attachment.objects.order_by("pk").first()
    return {"pk": found.pk if found else 999999}


ARGS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    **{f"spaces:{name}": _room_pk for name in _ROOM_PAGES},
    **{f"spaces:{name}": _post_pk for name in _POST_PAGES},
    "spaces:attachment": _attachment_pk,
}

SECRET_ROOM = "Geheimraum Fusion-7Q"
SECRET_POST = "Raumgeheimnis-7Q"


def world(w: Any, people: dict[str, Any], departments: dict[str, Any]) -> None:
    """A public room Mia may read, a private one of the agent and the viewer she may not."""
    from socialdesk.accounts.audit import Acting
    from socialdesk.spaces import post_services, room_services

    agent = Acting(user=people["agent"])
    public = room_services.room_create(by=agent, name="Offener Raum", members=[people["member"]])
    open_post = post_services.post_create(by=agent, room=public, body="Für alle lesbar").post
    private = room_services.room_create(
        by=agent, name=SECRET_ROOM, visibility="private", members=[people["viewer"]]
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    secret = post_services.post_create(
        by=agent,
        room=private,
        body=f"{SECRET_POST} Zahlen",
        files=[SimpleUploadedFile("Geheimanhang-7Q.txt", f"{SECRET_POST} im Anhang".encode())],
    )
    reply = post_services.post_create(
        by=agent, room=private, body=f"{SECRET_POST} Antwort", parent=secret.post
    )
    w.ids["room"] = [public.pk, private.pk]
    w.ids["room_post"] = [open_post.pk, secret.post.pk, reply.post.pk]
    w.ids["room_attachment"] = [a.pk for a in secret.post.attachments.all()]
    w.forbidden += [SECRET_ROOM, SECRET_POST, "Geheimanhang-7Q"]
    w.hidden_pks["room"] = {private.pk}
    w.hidden_pks["room_post"] = {secret.post.pk, reply.post.pk}
    w.hidden_pks["room_attachment"] = set(w.ids["room_attachment"])
