"""The one door for writes to rooms and their members. Object rules are checked here
(PermissionDenied); every change is audited and told to `core.changes` inside its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Department, User
from socialdesk.accounts.site_models import Site
from socialdesk.core import changes

from . import selectors
from .limits import checked_text
from .models import Room, RoomMembership
from .room_models import ROOM_NAME_MAX, ROOM_PURPOSE_MAX


class RoomArchived(PermissionDenied):
    """A write to an archived room (it is read-only until unarchived)."""


def _actor(by: Acting) -> User:
    if by.user is None or not by.user.is_active:
        raise PermissionDenied(_("Only a signed-in person can do this."))
    return by.user


def _require_worker(user: User) -> None:
    if user.role not in selectors.WORKER_ROLES:
        raise PermissionDenied(_("Read-only people cannot change rooms."))


def require_open(room: Room) -> None:
    if room.is_archived:
        raise RoomArchived(_("This room is archived and read-only."))


def require_manage(user: User, room: Room) -> None:
    if not selectors.may_manage(user, room):
        raise PermissionDenied(_("Only the room's owners can do this."))


def _fields(
    name: str, purpose: str, visibility: str, *, room: Room | None = None
) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if "\x00" in name:
        errors["name"] = [_("This text contains a NUL character.")]
    elif not name:
        errors["name"] = [_("Give the room a name.")]
    elif len(name) > ROOM_NAME_MAX:
        errors["name"] = [
            _("Shorten the name to %(limit)s characters (it has %(count)s).")
            % {"limit": ROOM_NAME_MAX, "count": len(name)}
        ]
    else:
        clash = Room.objects.filter(name__iexact=name)
        if room is not None:
            clash = clash.exclude(pk=room.pk)
        if clash.exists():
            errors["name"] = [_("A room with this name already exists.")]
    try:
        purpose = checked_text(purpose, field="purpose", limit=ROOM_PURPOSE_MAX)
    except ValidationError as error:
        errors.update(error.message_dict)
    if visibility not in Room.Visibility.values:
        errors["visibility"] = [_("Choose public or private.")]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "purpose": purpose, "visibility": visibility}


def _people(
    people: Iterable[User], departments: Iterable[Department], sites: Iterable[Site]
) -> list[User]:
    """Active people named, plus the *current* people of the departments and sites."""
    ids = {p.pk for p in people}
    dept_ids = [d.pk for d in departments]
    site_ids = [s.pk for s in sites]
    found = User.objects.filter(is_active=True)
    query = Q(pk__in=ids)
    if dept_ids:
        query |= Q(departments__in=dept_ids)
    if site_ids:
        query |= Q(site__in=site_ids)
    return list(found.filter(query).distinct().order_by("pk"))


@transaction.atomic
def room_create(
    *,
    by: Acting,
    name: str,
    purpose: str = "",
    visibility: str = Room.Visibility.PUBLIC,
    members: Iterable[User] = (),
    departments: Iterable[Department] = (),
    sites: Iterable[Site] = (),
) -> Room:
    """A new room; the creator becomes its owner, the people named (and the current people of
    the departments and sites named) its members."""
    user = _actor(by)
    _require_worker(user)
    fields = _fields(name, purpose, visibility)
    room = Room.objects.create(**fields, created_by=user)
    RoomMembership.objects.create(room=room, user=user, role=RoomMembership.Role.OWNER)
    added = _add(room, [p for p in _people(members, departments, sites) if p.pk != user.pk])
    record(by, "room.created", room, after={**fields, "members": added + 1})
    changes.changed("spaces.room", [room.pk])
    return room


@transaction.atomic
def room_update(*, by: Acting, room: Room, name: str, purpose: str, visibility: str) -> Room:
    user = _actor(by)
    room = Room.objects.select_for_update().get(pk=room.pk)
    require_manage(user, room)
    require_open(room)
    fields = _fields(name, purpose, visibility, room=room)
    before = {k: getattr(room, k) for k in fields}
    if before == fields:
        return room
    for key, value in fields.items():
        setattr(room, key, value)
    room.save(update_fields=list(fields))
    record(by, "room.updated", room, before=before, after=fields)
    changes.changed("spaces.room", [room.pk])
    return room


def _add(room: Room, people: Iterable[User], role: str = RoomMembership.Role.MEMBER) -> int:
    existing = set(RoomMembership.objects.filter(room=room).values_list("user_id", flat=True))
    new = [
        RoomMembership(room=room, user=p, role=role)
        for p in people
        if p.pk not in existing and p.is_active
    ]
    RoomMembership.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def room_add_members(
    *,
    by: Acting,
    room: Room,
    people: Iterable[User] = (),
    departments: Iterable[Department] = (),
    sites: Iterable[Site] = (),
    role: str = RoomMembership.Role.MEMBER,
) -> int:
    """Add people (owners may; in a public room every member may invite); return how many."""
    user = _actor(by)
    _require_worker(user)
    require_open(room)
    inviting = not room.is_private and selectors.is_member(user, room)
    if not (selectors.may_manage(user, room) or inviting):
        raise PermissionDenied(_("Only the room's owners can add people."))
    if role not in RoomMembership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    count = _add(room, _people(people, departments, sites), role)
    if count:
        record(by, "room.members_added", room, after={"count": count})
        changes.changed("spaces.room", [room.pk])
    return count


def _refuse_last_owner(room: Room, person: User) -> None:
    owners = RoomMembership.objects.filter(room=room, role=RoomMembership.Role.OWNER)
    if owners.filter(user=person).exists() and owners.count() == 1:
        raise ValidationError(
            _(
                "You are the room's last owner. Make someone else an owner first, "
                "or archive the room."
            )
        )


@transaction.atomic
def room_remove_member(*, by: Acting, room: Room, person: User) -> None:
    user = _actor(by)
    if person.pk == user.pk:
        return room_leave(by=by, room=room)
    require_manage(user, room)
    require_open(room)
    _refuse_last_owner(room, person)
    deleted, _rows = RoomMembership.objects.filter(room=room, user=person).delete()
    if deleted:
        record(by, "room.member_removed", room, after={"person": person.email})
        changes.changed("spaces.room", [room.pk])
    return None


@transaction.atomic
def room_join(*, by: Acting, room: Room) -> RoomMembership:
    """Join a public room (private rooms are joined only by being added)."""
    user = _actor(by)
    if room.is_private or not selectors.may_read(user, room):
        raise PermissionDenied(_("Only public rooms can be joined."))
    require_open(room)
    found, created = RoomMembership.objects.get_or_create(room=room, user=user)
    if created:
        record(by, "room.joined", room)
        changes.changed("spaces.room", [room.pk])
    return found


@transaction.atomic
def room_leave(*, by: Acting, room: Room) -> None:
    """Leave a room; the last owner is refused with a message saying what to do instead."""
    user = _actor(by)
    _refuse_last_owner(room, user)
    deleted, _rows = RoomMembership.objects.filter(room=room, user=user).delete()
    if deleted:
        record(by, "room.left", room)
        changes.changed("spaces.room", [room.pk])


@transaction.atomic
def room_set_owner(*, by: Acting, room: Room, person: User, owner: bool = True) -> None:
    user = _actor(by)
    require_manage(user, room)
    require_open(room)
    if not owner:
        _refuse_last_owner(room, person)
    role = RoomMembership.Role.OWNER if owner else RoomMembership.Role.MEMBER
    changed_rows = RoomMembership.objects.filter(room=room, user=person).update(role=role)
    if not changed_rows:
        raise ValidationError(_("This person is not a member of the room."))
    record(by, "room.owner_set", room, after={"person": person.email, "role": role})
    changes.changed("spaces.room", [room.pk])


@transaction.atomic
def room_archive(*, by: Acting, room: Room) -> Room:
    user = _actor(by)
    room = Room.objects.select_for_update().get(pk=room.pk)
    require_manage(user, room)
    if room.is_archived:
        return room
    room.archived_at = timezone.now()
    room.archived_by = user
    room.save(update_fields=["archived_at", "archived_by"])
    record(by, "room.archived", room)
    changes.changed("spaces.room", [room.pk])
    return room


@transaction.atomic
def room_unarchive(*, by: Acting, room: Room) -> Room:
    user = _actor(by)
    room = Room.objects.select_for_update().get(pk=room.pk)
    require_manage(user, room)
    if not room.is_archived:
        return room
    room.archived_at = None
    room.archived_by = None
    room.save(update_fields=["archived_at", "archived_by"])
    record(by, "room.unarchived", room)
    changes.changed("spaces.room", [room.pk])
    return room


@transaction.atomic
def room_take_over(*, by: Acting, room: Room) -> None:
    """An admin becomes owner of a room (an orphaned private room); audited."""
    user = _actor(by)
    if not user.is_admin:
        raise PermissionDenied(_("Only admins can take over a room."))
    RoomMembership.objects.update_or_create(
        room=room, user=user, defaults={"role": RoomMembership.Role.OWNER}
    )
    record(by, "room.taken_over", room)
    changes.changed("spaces.room", [room.pk])


@transaction.atomic
def room_set_notify(*, by: Acting, room: Room, notify: str) -> RoomMembership:
    user = _actor(by)
    if notify not in RoomMembership.Notify.values:
        raise ValidationError({"notify": _("Choose everything, mentions only or nothing.")})
    found = RoomMembership.objects.filter(room=room, user=user).first()
    if found is None:
        raise PermissionDenied(_("Join the room first."))
    if found.notify != notify:
        before = found.notify
        found.notify = notify
        found.save(update_fields=["notify"])
        record(by, "room.notify_set", room, before={"notify": before}, after={"notify": notify})
    return found


def room_mark_read(*, user: User, room: Room, at: datetime | None = None) -> None:
    """Note that a member has read the room up to `at` (not audited: reading changes nothing
    anyone else sees). Never moves the marker backwards."""
    at = at or timezone.now()
    RoomMembership.objects.filter(room=room, user_id=user.pk).exclude(last_read_at__gte=at).update(
        last_read_at=at
    )
