"""Every change to sites, and which site a person or a department belongs to."""

from __future__ import annotations

import unicodedata
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Department, User
from socialdesk.accounts.site_models import SITE_NAME_MAX, Site


def _clean_name(name: str) -> str:
    """The name as people read it: no control characters (NUL included), single spaces."""
    visible = "".join(c for c in name if unicodedata.category(c)[0] != "C" or c in " \t")
    cleaned = " ".join(visible.split())
    if not cleaned:
        raise ValidationError({"name": _("Enter a name.")})
    if len(cleaned) > SITE_NAME_MAX:
        raise ValidationError(
            {
                "name": _("A name has at most %(max)s characters (this one has %(count)s).")
                % {"max": SITE_NAME_MAX, "count": len(cleaned)}
            }
        )
    return cleaned


def _clean_time_zone(time_zone: str) -> str:
    time_zone = time_zone.strip()
    if time_zone and time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": _("Choose one of the listed time zones.")})
    return time_zone


def _state(site: Site) -> dict[str, Any]:
    return {"name": site.name, "time_zone": site.time_zone}


def _refuse_duplicate(name: str, site: Site | None = None) -> None:
    others = Site.objects.filter(name__iexact=name)
    if site is not None:
        others = others.exclude(pk=site.pk)
    if others.exists():
        raise ValidationError({"name": _("A site with this name exists already.")})


def site_create(*, by: Acting, name: str, time_zone: str = "") -> Site:
    """Create a site (Standort)."""
    name, time_zone = _clean_name(name), _clean_time_zone(time_zone)
    _refuse_duplicate(name)
    with transaction.atomic():
        site = Site.objects.create(name=name, time_zone=time_zone)
        record(by, "site.created", site, after=_state(site))
    return site


def site_update(*, by: Acting, site: Site, name: str, time_zone: str = "") -> Site:
    """Rename a site or change its time zone."""
    name, time_zone = _clean_name(name), _clean_time_zone(time_zone)
    _refuse_duplicate(name, site)
    before = _state(site)
    with transaction.atomic():
        site.name, site.time_zone = name, time_zone
        site.save(update_fields=["name", "time_zone"])
        if before != _state(site):
            record(by, "site.updated", site, before=before, after=_state(site))
    return site


def site_delete(*, by: Acting, site: Site) -> None:
    """Delete a site nobody belongs to; a site still in use is refused, saying by whom."""
    with transaction.atomic():
        locked = Site.objects.select_for_update().get(pk=site.pk)
        people = User.objects.filter(site=locked).count()
        departments = Department.objects.filter(site=locked).count()
        if people:
            raise ValidationError(
                ngettext(
                    "This site is still assigned to %(count)s person.",
                    "This site is still assigned to %(count)s people.",
                    people,
                )
                % {"count": people}
            )
        if departments:
            raise ValidationError(
                ngettext(
                    "This site is still assigned to %(count)s department.",
                    "This site is still assigned to %(count)s departments.",
                    departments,
                )
                % {"count": departments}
            )
        record(by, "site.deleted", locked, before=_state(locked))
        locked.delete()


def user_set_site(*, by: Acting, user: User, site: Site | None) -> User:
    """Say at which site a person works (None: no site)."""
    if user.site_id == (site.pk if site else None):
        return user
    before = {"site": user.site.name if user.site else None}
    with transaction.atomic():
        user.site = site
        user.save(update_fields=["site"])
        record(
            by,
            "person.site_changed",
            user,
            before=before,
            after={"site": site.name if site else None},
        )
    return user


def department_set_site(*, by: Acting, department: Department, site: Site | None) -> Department:
    """Say at which site a department works (None: no site, or several)."""
    if department.site_id == (site.pk if site else None):
        return department
    before = {"site": department.site.name if department.site else None}
    with transaction.atomic():
        department.site = site
        department.save(update_fields=["site"])
        record(
            by,
            "department.site_changed",
            department,
            before=before,
            after={"site": site.name if site else None},
        )
    return department
