"""Writing wiki spaces: organisation-wide ones (managers) and the one of a project room."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from socialdesk.access import MANAGERS
from socialdesk.accounts.audit import Acting, record
from socialdesk.spaces.models import Room

from .keys import clean_title, slugify
from .models import SPACE_KEY_MAX, SPACE_NAME_MAX, WikiSpace
from .page_checks import too_long


def _checked(name: str, key: str, description: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    name = clean_title(name)
    description = description.replace("\x00", "")
    key = slugify(key or name, fallback="")[:SPACE_KEY_MAX].strip("-")
    if not name:
        errors["name"] = [gettext("Please give the space a name.")]
    elif len(name) > SPACE_NAME_MAX:
        errors["name"] = [too_long(SPACE_NAME_MAX, len(name))]
    if not key:
        errors["key"] = [gettext("Please give the space a short key of letters and digits.")]
    if len(description) > 2000:
        errors["description"] = [too_long(2000, len(description))]
    if errors:
        raise ValidationError(errors)
    return name, key, description


def space_create(*, by: Acting, name: str, key: str = "", description: str = "") -> WikiSpace:
    if by.user is not None and by.user.role not in MANAGERS:
        raise PermissionDenied
    name, key, description = _checked(name, key, description)
    with transaction.atomic():
        if WikiSpace.objects.filter(key=key).exists():
            raise ValidationError({"key": [gettext("This key is already taken.")]})
        space = WikiSpace.objects.create(
            name=name, key=key, description=description, created_by=by.user
        )
        record(by, "wiki.space_created", space, after={"name": name, "key": key})
    return space


def space_update(*, by: Acting, space: WikiSpace, name: str, description: str) -> WikiSpace:
    if by.user is not None and by.user.role not in MANAGERS:
        raise PermissionDenied
    name, _key, description = _checked(name, space.key, description)
    with transaction.atomic():
        before = {"name": space.name}
        space.name, space.description = name, description
        space.save(update_fields=["name", "description"])
        record(by, "wiki.space_updated", space, before=before, after={"name": name})
    return space


def space_ensure_for_room(*, by: Acting, room: Room) -> WikiSpace:
    """The room's space, created on first use (its key from the room's name, made unique)."""
    with transaction.atomic():
        existing = WikiSpace.objects.filter(room=room).first()
        if existing is not None:
            return existing
        base = f"raum-{slugify(room.name, fallback=str(room.pk))}"[: SPACE_KEY_MAX - 6].strip("-")
        key, number = base, 2
        while WikiSpace.objects.filter(key=key).exists():
            key, number = f"{base}-{number}", number + 1
        space = WikiSpace.objects.create(
            name=room.name[:SPACE_NAME_MAX], key=key, room=room, created_by=by.user
        )
        record(by, "wiki.space_created", space, after={"room": room.pk, "key": key})
    return space
