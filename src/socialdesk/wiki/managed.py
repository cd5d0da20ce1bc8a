"""Pages kept elsewhere in the product and shown in the wiki (the strategy, the guidelines).

A managed page carries its source's key in `managed_by`; nobody edits it in the wiki (the
selectors say so), and its source refreshes it through `page_services.page_sync_managed`,
which writes a revision only when the text changed. The wiki never imports its sources: they
call down here.
"""

from __future__ import annotations

from socialdesk.accounts.audit import Acting

from . import space_services
from .models import WikiPage, WikiSpace


def managed_page(managed_by: str) -> WikiPage | None:
    return WikiPage.objects.filter(managed_by=managed_by, deleted_at__isnull=True).first()


def space_ensure(*, by: Acting, key: str, name: str, description: str = "") -> WikiSpace:
    """The organisation-wide space with this key, created when it does not exist."""
    found = WikiSpace.objects.filter(key=key).first()
    if found is not None:
        return found
    return space_services.space_create(by=by, name=name, key=key, description=description)
