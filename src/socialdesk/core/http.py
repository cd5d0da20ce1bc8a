"""The request as the signed-in pages see it, typed for mypy.

Django's `HttpRequest` types `user` as "a user or anonymous" and knows nothing of what middleware
adds. Every page behind the sign-in (the access table lets no anonymous visitor reach it) takes
an `AppRequest` instead, as django-stubs recommends: a subclass that only narrows annotations.
Pages open to anonymous visitors keep `HttpRequest`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:  # annotations only: the kernel does not import the apps above it
    from django_htmx.middleware import HtmxDetails

    from socialdesk.accounts.models import Organisation, User


class SiteRequest(HttpRequest):
    """Any request once the shell's middleware ran: it carries the organisation."""

    organisation: Organisation  # set by shell.middleware.UserPreferencesMiddleware


class AppRequest(SiteRequest):
    """A request of a signed-in person: `user` is a `User`, with htmx and the organisation."""

    user: User  # set by AuthenticationMiddleware; signed in on every page that takes this
    htmx: HtmxDetails  # set by django_htmx's HtmxMiddleware


class ApiRequest(HttpRequest):
    """A request to the REST API: every operation requires a token, whose person is `auth`."""

    auth: User  # set by django-ninja from the bearer token (socialdesk.api.auth)
    api_token_name: str  # the token's name, for the audit log


FOR_MACHINES = "for_machines"


def for_machines[V: Callable[..., Any]](view: V) -> V:
    """Mark a view that answers machines, not people (webhook deliveries): it shows no dates,
    so the shell's middleware reads no time zone for it (nor the organisation it comes from)."""
    setattr(view, FOR_MACHINES, True)
    return view
