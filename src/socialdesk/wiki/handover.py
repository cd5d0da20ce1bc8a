"""The wiki's part of a person's hand-over list: the pages they own (reviews due first)."""

from __future__ import annotations

from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.handover import SHOWN, HandoverSection, section_of
from socialdesk.accounts.models import User

from .models import WikiPage
from .selectors import pages_for_user


def owned_pages(person: User, viewer: User) -> HandoverSection | None:
    pages = pages_for_user(viewer).filter(owner=person, managed_by="")
    total = pages.count()
    if not total:
        return None
    today = timezone.localdate()

    def text(page: WikiPage) -> str:
        if page.review_by is not None and page.review_by <= today:
            due = formats.date_format(page.review_by, "SHORT_DATE_FORMAT")
            return _("%(title)s (review due since %(date)s)") % {"title": page.title, "date": due}
        return page.title

    rows = pages.order_by(F("review_by").asc(nulls_last=True), "title_key")[:SHOWN]
    url = lambda page: reverse("wiki:page", args=[page.pk])  # noqa: E731
    return section_of(_("Wiki pages they own"), rows, text, url, total)
