"""SOCIALDESK_PRIVATE_NETWORKS admits named internal networks; loopback and link-local only when
named explicitly. Refusals happen before any connection (the local peer records nothing)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from socialdesk.accounts.audit import Acting
from socialdesk.channels import base, services
from socialdesk.channels.fetch import FetchError, UnsafeAddress, fetch
from socialdesk.channels.mastodon.testpeer import COMPANY_TOKEN, MastodonPeer
from socialdesk.channels.net import allowed, named_policy
from socialdesk.channels.tests.test_rss import RSS, _Handler, feeds  # noqa: F401 - fixture

BY = Acting(user=None, label="test")


def _admits(networks: list[str], address: str) -> bool:
    policy = named_policy([ipaddress.ip_network(n, strict=False) for n in networks])
    return policy(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("networks", "address", "admitted"),
    [
        ([], "10.20.1.2", False),
        (["10.20.0.0/16"], "10.20.1.2", True),
        (["10.20.0.0/16"], "10.30.0.5", False),
        (["fd00:1::/64"], "fd00:1::5", True),
        (["0.0.0.0/0"], "10.1.2.3", True),  # a blanket opens the private ranges …
        (["0.0.0.0/0"], "127.0.0.1", False),  # … never loopback,
        (["0.0.0.0/0"], "169.254.169.254", False),  # link-local or cloud metadata
        (["0.0.0.0/0"], "0.0.0.0", False),
        (["::/0"], "::1", False),
        (["::/0"], "fe80::1", False),
        (["::/0"], "::ffff:127.0.0.1", False),
        (["0.0.0.0/1"], "::ffff:127.0.0.1", False),
        (["127.0.0.0/8"], "127.0.0.1", True),  # named explicitly
        (["127.0.0.1/32"], "127.0.0.2", False),
        (["169.254.169.254/32"], "169.254.169.254", True),
        (["::1/128"], "::1", True),
        (["224.0.0.0/4"], "224.0.0.1", False),  # multicast never
        (["10.0.0.0/8"], "93.184.216.34", True),  # public stays public
    ],
)
def test_it_admits_named_networks_and_loopback_only_when_named_explicitly(
    networks: list[str], address: str, admitted: bool
) -> None:
    assert _admits(networks, address) is admitted


def test_the_setting_feeds_the_policy_of_every_outbound_request(settings: Any) -> None:
    settings.FEED_ADDRESS_POLICY = ""
    settings.PRIVATE_NETWORKS = []
    assert allowed()(ipaddress.ip_address("10.20.1.2")) is False
    settings.PRIVATE_NETWORKS = ["10.20.0.0/16"]
    assert allowed()(ipaddress.ip_address("10.20.1.2")) is True


@pytest.mark.parametrize("named", [[], ["0.0.0.0/0"], ["10.0.0.0/8", "::/0"]])
def test_a_feed_on_loopback_is_refused_before_any_connection(
    feeds: str,  # noqa: F811
    settings: Any,
    named: list[str],
) -> None:
    settings.FEED_ADDRESS_POLICY = ""
    settings.PRIVATE_NETWORKS = named
    with pytest.raises(UnsafeAddress):
        fetch(feeds + "/rss")
    assert _Handler.hits == []  # nothing reached the peer on 127.0.0.1


def test_a_feed_on_a_named_loopback_network_is_read(
    feeds: str,  # noqa: F811
    settings: Any,
) -> None:
    settings.FEED_ADDRESS_POLICY = ""
    settings.PRIVATE_NETWORKS = ["127.0.0.0/8"]
    assert fetch(feeds + "/rss").body == RSS
    assert len(_Handler.hits) == 1


def test_a_webhook_backfill_inside_the_network_is_refused_until_named(
    feeds: str,  # noqa: F811
    settings: Any,
    db: None,
) -> None:
    settings.FEED_ADDRESS_POLICY = ""
    settings.PRIVATE_NETWORKS = ["0.0.0.0/0"]
    account, _secret = services.webhook_add(by=BY, name="Shop", backfill_url=feeds + "/hook")
    with pytest.raises((base.ChannelError, FetchError)):
        base.poll(account)
    account.refresh_from_db()
    assert account.last_error_code == "refused_address"
    assert _Handler.hits == []
    settings.PRIVATE_NETWORKS = ["127.0.0.1/32"]
    with pytest.raises((base.ChannelError, FetchError)):
        base.poll(account)  # reached now: the peer answers 404 for /hook
    account.refresh_from_db()
    assert account.last_error_code == "not_found" and len(_Handler.hits) == 1


def test_a_company_mastodon_on_a_named_internal_address_can_be_connected(
    settings: Any, db: None
) -> None:
    peer = MastodonPeer().start()
    try:
        peer.reset()
        settings.FEED_ADDRESS_POLICY = ""
        settings.CHANNEL_TIMEOUT_SECONDS = 10
        settings.PRIVATE_NETWORKS = ["0.0.0.0/0"]
        with pytest.raises(Exception, match="Mastodon instance is on an internal network"):
            services.mastodon_connect(by=BY, instance_url=peer.url, access_token=COMPANY_TOKEN)
        settings.PRIVATE_NETWORKS = ["127.0.0.1/32"]
        account, created = services.mastodon_connect(
            by=BY, instance_url=peer.url, access_token=COMPANY_TOKEN
        )
        assert created and account.handle == "bob@mock.local"
        assert base.poll(account) == 0
    finally:
        peer.stop()


@pytest.mark.parametrize("name", ["SOCIALDESK_PRIVATE_NETWORKS", "OUTBOUND_ALLOWED_NETWORKS"])
def test_the_setting_and_its_deprecated_name_are_read_at_start_up(name: str, tmp_path: Any) -> None:
    from tests.test_config import _socialdesk

    bad = _socialdesk("check", env={name: "10.20.0.0/16,intranet"}, tmp_path=tmp_path)
    assert bad.returncode != 0 and f"{name}='intranet' is not a network" in bad.stderr
    shown = _socialdesk(
        "shell", "-c", "from django.conf import settings; print(settings.PRIVATE_NETWORKS)",
        env={name: "10.20.0.0/16, fd00:1::/64"}, tmp_path=tmp_path,
    )  # fmt: skip
    assert "['10.20.0.0/16', 'fd00:1::/64']" in shown.stdout, shown.stderr
