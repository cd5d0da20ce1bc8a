"""`/metrics`: Prometheus reads the operator's figures with a token (or from an allowed network),
never with a session, and the figures are what is stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from prometheus_client.parser import text_string_to_metric_families

from socialdesk.inbox.models import Conversation
from socialdesk.shell.tests import operations_data as data

TOKEN = "Zk3q9-xW2pL7vR4tY8uI0oP3aS6dF1gH5jK"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def token(settings: Any) -> str:
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    return TOKEN


def scrape(**headers: str) -> Any:
    return Client().get("/metrics", headers=headers)


def samples(response: Any) -> Samples:
    """The samples of an exposition, read by Prometheus' own parser."""
    found: Samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _not_a_page(response: Any) -> None:
    assert response["Content-Type"].startswith("text/plain")
    assert b"<html" not in response.content.lower()


def test_it_is_off_while_no_token_and_no_network_are_set(db: None, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    response = scrape(Authorization="Bearer anything")
    assert response.status_code == 404
    _not_a_page(response)


def test_it_refuses_a_missing_or_wrong_token_in_plain_text(db: None, token: str) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer " + TOKEN[:-1] + "x"},
        {"Authorization": "Bearer " + TOKEN[:10]},
        {"Authorization": "Basic " + TOKEN},
        {"Authorization": TOKEN},
    ):
        response = scrape(**headers)
        assert response.status_code == 401, headers
        assert response["WWW-Authenticate"].startswith("Bearer")
        _not_a_page(response)
        assert b"socialdesk_" not in response.content


def test_a_scraper_with_the_token_gets_the_metrics_without_a_session(
    db: None, token: str, settings: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True  # HTTPS=true: pages go to https, the scrape does not
    response = scrape(Authorization=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "sessionid" not in response.cookies
    found = samples(response)
    assert found[("socialdesk_workers_alive", ())] == 0
    assert found[("socialdesk_sla_check_age_seconds", ())] == float("inf")  # never ran
    assert b"# HELP socialdesk_oldest_unanswered_age_seconds " in response.content
    # A page is sent to https, and (over https) to sign in: the token alone let the scrape in.
    assert Client().get("/inbox/")["Location"].startswith("https://")
    assert Client().get("/inbox/", secure=True)["Location"].startswith("/login/")


def test_the_figures_are_what_is_stored(db: None, token: str) -> None:
    expected = data.installation()
    found = samples(scrape(Authorization=f"Bearer {TOKEN}"))

    def value(name: str, **labels: str) -> float:
        return found[(f"socialdesk_{name}", tuple(sorted(labels.items())))]

    def series(name: str) -> dict[tuple[str, ...], float]:
        return {
            tuple(v for _k, v in labels): v
            for (n, labels), v in found.items()
            if n == f"socialdesk_{name}"
        }

    assert series("tasks_ready") == {(task,): n for task, n in expected["ready"].items()}
    assert series("tasks_running") == {(task,): n for task, n in expected["running"].items()}
    lags = series("channel_ingest_lag_seconds")
    assert lags.keys() == expected["channels"].keys()
    for key, seconds in expected["channels"].items():
        assert lags[key] == pytest.approx(seconds, abs=30)
    assert value("conversations_waiting_for_reply") == expected["waiting"]
    assert value("oldest_unanswered_age_seconds") == pytest.approx(expected["oldest"], abs=30)
    assert value("sla_check_age_seconds") == pytest.approx(expected["sla"], abs=30)
    assert value("sends_failed") == expected["sends_failed"]
    assert series("webhook_deliveries") == {(s,): n for s, n in expected["webhooks"].items()}
    assert value("incoming_webhook_deliveries_pending") == expected["incoming_pending"]
    assert series("items_set_aside") == {(k,): n for k, n in expected["set_aside"].items()}
    assert value("search_backlog") == expected["search_backlog"]
    beats = series("worker_heartbeat_age_seconds")
    assert beats.keys() == {(name,) for name in expected["workers"]}
    for name, seconds in expected["workers"].items():
        assert beats[(name,)] == pytest.approx(seconds, abs=30)
    assert value("workers_alive") == expected["alive"]


def test_nobody_waiting_reads_zero(db: None, token: str) -> None:
    account = data.channel("mastodon", "nordlichtbahn")
    data.conversation(account, "open", None)
    found = samples(scrape(Authorization=f"Bearer {TOKEN}"))
    assert found[("socialdesk_oldest_unanswered_age_seconds", ())] == 0
    assert found[("socialdesk_conversations_waiting_for_reply", ())] == 0


def test_a_scrape_asks_as_many_queries_for_fifty_channels_as_for_one(db: None, token: str) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert scrape(Authorization=f"Bearer {TOKEN}").status_code == 200
        return len(captured)

    first = data.channel("mastodon", "account0")
    data.conversation(first, "open", timedelta(minutes=5))
    queries()  # the first request of a test also sets up the organisation
    one = queries()
    for n in range(1, 50):
        account = data.channel("mastodon", f"account{n}")
        data.conversation(account, "open", timedelta(minutes=n))
        data.task(data.ALPHA)
    assert queries() == one
    found = samples(scrape(Authorization=f"Bearer {TOKEN}"))
    lags = [key for key in found if key[0] == "socialdesk_channel_ingest_lag_seconds"]
    assert len(lags) == 50
    assert Conversation.objects.count() == 50


@pytest.mark.parametrize(
    ("remote", "forwarded", "trust", "status"),
    [
        ("10.20.3.4", None, False, 200),
        ("::ffff:10.20.3.4", None, False, 200),  # gunicorn on [::] sees IPv4 like this
        ("192.0.2.1", None, False, 403),
        # Through a proxy whose X-Forwarded-For is not trusted: no address to go by.
        ("10.20.3.4", "10.20.0.9", False, 403),
        # Trusted: the address the proxy saw (last), not what the client wrote before it.
        ("127.0.0.1", "198.51.100.7, 10.20.0.9", True, 200),
        ("127.0.0.1", "10.20.0.9, 198.51.100.7", True, 403),
    ],
)
def test_an_allowed_network_needs_no_token(
    db: None, settings: Any, remote: str, forwarded: str | None, trust: bool, status: int
) -> None:
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    settings.TRUST_X_FORWARDED_FOR = trust
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = Client().get("/metrics", **extra)  # type: ignore[arg-type]
    assert response.status_code == status
    if status == 200:
        assert b"socialdesk_workers_alive" in response.content
    else:
        _not_a_page(response)


def test_a_token_works_beside_the_networks(db: None, settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    outside = {"REMOTE_ADDR": "192.0.2.1"}
    assert Client().get("/metrics", **outside).status_code == 401  # type: ignore[arg-type]
    with_token = Client(headers={"Authorization": f"Bearer {TOKEN}"})
    assert with_token.get("/metrics", **outside).status_code == 200  # type: ignore[arg-type]
