"""What a network's connector is: a typed protocol with declared optional capabilities.

Every network has a package `channels/<kind>/` whose `connector.py` module IS the connector
(a module satisfies a `Protocol` as an object does). It must be able to `poll`; everything
else it may do is declared in its `CAPABILITIES` and then provided:

- `SEND`: `send(account, message) -> Sent` posts a reply where the customer wrote, and
  `reply_text(parent_meta, parent_author, text) -> str` gives the reply as it will be posted;
- `FIND_SENT`: `find_sent(account, message) -> Sent | None` says whether an earlier attempt
  reached the network (asked before every retry, so a reply is never posted twice);
- `CHECK`: `check(account) -> str` reaches the network with the stored credentials or
  address and returns the account's handle;
- `PUBLISH`: `publish(account, outgoing) -> Sent` posts one part of a post (`base.Outgoing`,
  a thread's later parts answer the previous one), and `find_published(account, outgoing)
  -> Sent | None` says whether an earlier attempt with the same key arrived (asked before
  every retry, so a part never goes out twice);
- `METRICS`: `metrics(account, sent) -> dict[str, int]`, the public figures of a published
  part (`likes`, `reposts`, `replies`, `quotes`; `sent` is `{"external_id": …, **meta}`);
- `EDIT`: `edit_published(account, sent, outgoing) -> Sent` changes a published post;
- `DELETE`: `delete_published(account, sent) -> None` removes it from the network;
- `FOLLOWERS`: `followers(account) -> int` reads how many follow the company's account now
  (for the daily snapshot, `channels/followers.py`).

Callers ask the capabilities (`supports`, `sender`, `finds_sent`, …), never a list of
networks kept by hand. `load` refuses a connector that declares a capability without its
functions. Errors are `base.ChannelError` / `base.RateLimited` / `base.PermanentError`.
Test peers (`channels/<kind>/testpeer*`) belong to tests and are never imported here.
"""

from __future__ import annotations

from enum import StrEnum
from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard, cast, runtime_checkable

from socialdesk.channels.models import Network

if TYPE_CHECKING:
    from socialdesk.channels.base import Outgoing, Sent
    from socialdesk.channels.models import ChannelAccount

CONNECTORS = {
    Network.MASTODON: "socialdesk.channels.mastodon.connector",
    Network.BLUESKY: "socialdesk.channels.bluesky.connector",
    Network.RSS: "socialdesk.channels.rss.connector",
    Network.WEBHOOK: "socialdesk.channels.webhook.connector",  # the backfill poll
}


class Capability(StrEnum):
    """What a connector can do besides polling."""

    SEND = "send"
    FIND_SENT = "find_sent"
    CHECK = "check"
    PUBLISH = "publish"
    METRICS = "metrics"
    EDIT = "edit"
    DELETE = "delete"
    FOLLOWERS = "followers"


# The functions each capability promises (`poll` is always required).
FUNCTIONS: dict[Capability, tuple[str, ...]] = {
    Capability.SEND: ("send", "reply_text"),
    Capability.FIND_SENT: ("find_sent",),
    Capability.CHECK: ("check",),
    Capability.PUBLISH: ("publish", "find_published"),
    Capability.METRICS: ("metrics",),
    Capability.EDIT: ("edit_published",),
    Capability.DELETE: ("delete_published",),
    Capability.FOLLOWERS: ("followers",),
}


@runtime_checkable
class Connector(Protocol):
    """Every connector: it declares its capabilities and polls."""

    CAPABILITIES: frozenset[Capability]

    def poll(self, account: ChannelAccount) -> int:
        """Fetch what is new since `account.cursor`, store it with `base.store_batch` (items
        and the moved cursor in one transaction); return how many were new."""
        ...


# `message` is an outbound `inbox.models.Message` (channels sit below inbox, so it is `Any`).
class Sender(Connector, Protocol):
    def send(self, account: ChannelAccount, message: Any) -> Sent: ...

    def reply_text(self, parent_meta: dict[str, Any], parent_author: str, text: str) -> str:
        """The reply as posted (e.g. naming the customer); ValidationError when too long."""
        ...


class SentFinder(Connector, Protocol):
    def find_sent(self, account: ChannelAccount, message: Any) -> Sent | None: ...


class Checker(Connector, Protocol):
    def check(self, account: ChannelAccount) -> str: ...


class Publisher(Connector, Protocol):
    def publish(self, account: ChannelAccount, outgoing: Outgoing) -> Sent: ...

    def find_published(self, account: ChannelAccount, outgoing: Outgoing) -> Sent | None: ...


class MetricsReader(Connector, Protocol):
    def metrics(self, account: ChannelAccount, sent: dict[str, Any]) -> dict[str, int]: ...


class Editor(Connector, Protocol):
    def edit_published(
        self, account: ChannelAccount, sent: dict[str, Any], outgoing: Outgoing
    ) -> Sent: ...


class Deleter(Connector, Protocol):
    def delete_published(self, account: ChannelAccount, sent: dict[str, Any]) -> None: ...


class FollowerCounter(Connector, Protocol):
    def followers(self, account: ChannelAccount) -> int: ...


def missing(candidate: object) -> list[str]:
    """Return what a connector lacks for what it declares ([] when it keeps its word)."""
    lacking = [] if callable(getattr(candidate, "poll", None)) else ["poll"]
    declared = getattr(candidate, "CAPABILITIES", None)
    if not isinstance(declared, frozenset) or not all(isinstance(c, Capability) for c in declared):
        return [*lacking, "CAPABILITIES (a frozenset of Capability)"]
    for capability in sorted(declared):
        lacking += [
            f"{name} (for {capability})"
            for name in FUNCTIONS[capability]
            if not callable(getattr(candidate, name, None))
        ]
    return lacking


def load(network: str) -> Connector | None:
    """Return the connector of a network, None for a network without one (imports only)."""
    path = CONNECTORS.get(network)  # type: ignore[call-overload]
    if path is None:
        return None
    module = import_module(path)
    lacking = missing(module)
    if lacking:
        raise TypeError(f"{path} does not provide {', '.join(lacking)}")
    return cast(Connector, module)


def capabilities(network: str) -> frozenset[Capability]:
    found = load(network)
    return found.CAPABILITIES if found is not None else frozenset()


def supports(network: str, capability: Capability) -> bool:
    """Whether channels of this network can do `capability` (False without a connector)."""
    return capability in capabilities(network)


def sends(connector: Connector) -> TypeGuard[Sender]:
    return Capability.SEND in connector.CAPABILITIES


def finds_sent(connector: Connector) -> TypeGuard[SentFinder]:
    return Capability.FIND_SENT in connector.CAPABILITIES


def checks(connector: Connector) -> TypeGuard[Checker]:
    return Capability.CHECK in connector.CAPABILITIES


def publishes(connector: Connector) -> TypeGuard[Publisher]:
    return Capability.PUBLISH in connector.CAPABILITIES


def reads_metrics(connector: Connector) -> TypeGuard[MetricsReader]:
    return Capability.METRICS in connector.CAPABILITIES


def sender(network: str) -> Sender | None:
    """The connector that sends replies in this network's channels, or None."""
    found = load(network)
    return found if found is not None and sends(found) else None


def edits(connector: Connector) -> TypeGuard[Editor]:
    return Capability.EDIT in connector.CAPABILITIES


def deletes(connector: Connector) -> TypeGuard[Deleter]:
    return Capability.DELETE in connector.CAPABILITIES


def counts_followers(connector: Connector) -> TypeGuard[FollowerCounter]:
    return Capability.FOLLOWERS in connector.CAPABILITIES


def publisher(network: str) -> Publisher | None:
    """The connector that publishes posts in this network's channels, or None."""
    found = load(network)
    return found if found is not None and publishes(found) else None
