"""Connector errors: one code per known class, a short sentence in German and English."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation

from socialdesk.channels.base import ChannelError, PermanentError, RateLimited
from socialdesk.channels.errors import Code, classify, explain
from socialdesk.channels.fetch import FetchError, RateLimitedFetch, UnsafeAddress

CASES = [
    (
        FetchError("https://x.example/feed: the name does not resolve ([Errno -2])"),
        Code.UNREACHABLE,
    ),
    (ChannelError("the instance could not be reached (Connection refused)"), Code.UNREACHABLE),
    (UnsafeAddress("x points at 10.0.0.1, an address inside a network"), Code.REFUSED_ADDRESS),
    (PermanentError("x points at 10.0.0.1, an address inside a network; …"), Code.REFUSED_ADDRESS),
    (PermanentError("Bluesky refused the credentials (AuthenticationRequired)"), Code.CREDENTIALS),
    (PermanentError("the instance refused the access token (401: Unauthorized)"), Code.CREDENTIALS),
    (PermanentError("x", code="credentials"), Code.CREDENTIALS),
    (FetchError("https://x.example/feed: the server answered HTTP 404"), Code.NOT_FOUND),
    (RateLimited("Mastodon's rate limit is reached"), Code.RATE_LIMITED),
    (
        RateLimitedFetch("asks to wait", retry_at=datetime(2026, 1, 1, tzinfo=UTC)),
        Code.RATE_LIMITED,
    ),
    (
        ChannelError("could not be reached (SSLError: certificate verify failed)"),
        Code.TLS,
    ),
    (FetchError("https://x.example/feed: no answer within 10 s"), Code.TIMEOUT),
    (ChannelError("Bluesky could not be reached (ReadTimeout: timed out)"), Code.TIMEOUT),
    (FetchError("not a readable RSS or Atom feed (syntax error)"), Code.NOT_FEED),
    (ChannelError("the instance answered with a server error (502)"), Code.SERVER),
    (FetchError("https://x.example/feed: the server answered HTTP 418"), Code.REFUSED),
    (
        PermanentError(
            "Mastodon refused the request (422: Text is too long (maximum is 500 characters))"
        ),
        Code.REFUSED,
    ),
    ("something nobody foresaw", Code.UNKNOWN),
]


@pytest.mark.parametrize(("error", "code"), CASES)
def test_it_names_the_class_of_each_known_error(error: BaseException | str, code: Code) -> None:
    assert classify(error) == code


@pytest.mark.parametrize("code", list(Code))
@pytest.mark.parametrize("network", ["mastodon", "bluesky", "rss", "webhook"])
def test_every_code_reads_as_a_sentence_in_german_and_english(code: Code, network: str) -> None:
    with translation.override("en"):
        english = explain(code, network)
    with translation.override("de"):
        german = explain(code, network)
    assert english.endswith(".") and german.endswith(".")
    assert english != german
    assert "%(" not in english + german
    if network == "mastodon" and "%(what)s" in _template(code):
        assert "Mastodon instance" in english and "Mastodon-Instanz" in german
        assert "feed" not in english.lower()


def _template(code: Code) -> str:
    return "%(what)s" if code not in (Code.TLS, Code.NOT_FEED, Code.UNKNOWN) else ""


def test_a_rate_limit_says_until_when_in_the_readers_format(settings: object) -> None:
    until = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
    with translation.override("de"):
        german = explain(Code.RATE_LIMITED, "mastodon", until=until)
    assert german.startswith("Die Mastodon-Instanz bittet zu warten (Ratenlimit), bis 30.11.2026")
