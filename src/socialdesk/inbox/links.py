"""Links from a conversation to things that sit above the inbox (e.g. the post a customer
answered). The inbox does not import those apps: they register a function here in their
`AppConfig.ready`, and the conversation page shows what the functions return for the viewer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socialdesk.accounts.models import User
    from socialdesk.inbox.models import Conversation


@dataclass(frozen=True)
class Link:
    text: str
    url: str


Provider = Callable[["Conversation", "User"], list[Link]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Add a source of links; registering the same function twice is a no-op."""
    if provider not in _providers:
        _providers.append(provider)


def links_for(conversation: Conversation, user: User) -> list[Link]:
    """Every registered source's links for this conversation, as this person may see them."""
    return [link for provider in _providers for link in provider(conversation, user)]
