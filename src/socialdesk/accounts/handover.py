"""What a person still holds when they leave: the hand-over list on their page.

Each app above accounts registers one provider in its `AppConfig.ready()`
(`accounts.handover.register(provider)`); a provider reads through its own app's selectors,
as `viewer` may see them, and returns one section ("Offene Unterhaltungen", 3 items and
"12 more") or None when the person holds nothing there. The person page (admins) lists the
sections before and after deactivation; deactivating deletes and moves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from socialdesk.accounts.models import User


@dataclass(frozen=True)
class HandoverItem:
    text: str
    url: str
    """A page of this product (`reverse(...)`), never an address from outside."""

    def __post_init__(self) -> None:
        if not self.url.startswith("/") or self.url.startswith("//"):
            raise ValueError(f"a hand-over item links inside the product, not to {self.url!r}")


@dataclass(frozen=True)
class HandoverSection:
    title: str
    items: list[HandoverItem] = field(default_factory=list)
    more: int = 0
    """How many more there are than `items` shows (providers show a few, count the rest)."""

    @property
    def total(self) -> int:
        return len(self.items) + self.more


Provider = Callable[[User, User], HandoverSection | None]

_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Add a provider `(person, viewer) -> HandoverSection | None` (once, however often added)."""
    if provider not in _providers:
        _providers.append(provider)


def sections_for(person: User, viewer: User) -> list[HandoverSection]:
    """The sections of what `person` still holds, as `viewer` may see it; empty ones left out."""
    sections = (provider(person, viewer) for provider in list(_providers))
    return [section for section in sections if section is not None and section.total > 0]


def _forget_providers() -> list[Provider]:
    """Remove and return every provider (tests that need a known list put them back)."""
    removed = list(_providers)
    _providers.clear()
    return removed


SHOWN = 5
"""How many items a section lists; the rest is counted (`more`)."""


def section_of[T](
    title: str, rows: Iterable[T], text: Callable[[T], str], url: Callable[[T], str], total: int
) -> HandoverSection:
    """A section from the first `SHOWN` rows of a list whose full length is `total`."""
    items = [HandoverItem(text(row), url(row)) for row in rows]
    return HandoverSection(title, items, more=max(total - len(items), 0))
