"""The fake Bluesky server's rate limits and injected faults, and its views against real
responses, driven by the real atproto client (the server fixture: `test_fake_bluesky`)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from atproto_client.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    InvokeTimeoutError,
    NetworkError,
    RateLimitExceededError,
    RequestException,
)

from socialdesk.channels.bluesky.testpeer import FakeBluesky, LoggedRequest
from tests.test_fake_bluesky import (
    BRAND,
    CUSTOMER,
    PASSWORD,
    REAL_RECORDS,
    error_of,
    login,
    server_fixture,  # noqa: F401 - the fixture is used by name
)

# --------------------------------------------------------------------------- limits and faults


def test_rate_limit_headers_and_429(server: FakeBluesky) -> None:
    server.set_rate_limit(4, 60)
    client = login(server)  # createSession counts against the IP, getProfile against the account
    response = client.invoke_query("com.atproto.server.getSession")
    assert response.headers["ratelimit-limit"] == "4"
    assert response.headers["ratelimit-remaining"] == "2"
    assert response.headers["ratelimit-policy"] == "4;w=60"
    assert int(response.headers["ratelimit-reset"]) > time.time()
    client.send_post("one")
    client.send_post("two")

    with pytest.raises(RateLimitExceededError) as exc:
        client.send_post("one too many")
    assert exc.value.limit == 4
    assert exc.value.remaining == 0
    assert exc.value.reset_at is not None and exc.value.reset_at > datetime.now(UTC)
    assert exc.value.policy == "4;w=60"
    assert error_of(exc).error == "RateLimitExceeded"
    assert server.request_log[-1] == LoggedRequest("POST", "com.atproto.repo.createRecord", 429)
    assert len(server.records(BRAND)) == 2


def test_injected_429_carries_a_near_reset(server: FakeBluesky) -> None:
    client = login(server)
    server.fault("app.bsky.notification.listNotifications", "status:429", delay=5)
    with pytest.raises(RateLimitExceededError) as exc:
        client.app.bsky.notification.list_notifications()
    assert exc.value.reset_at is not None
    ahead = (exc.value.reset_at - datetime.now(UTC)).total_seconds()
    assert 3 < ahead <= 6
    client.app.bsky.notification.list_notifications()  # count=1: the next call is served


def test_5xx_faults_map_to_sdk_exceptions(server: FakeBluesky) -> None:
    client = login(server)
    server.fault("com.atproto.repo.createRecord", "status:500")
    server.fault("com.atproto.repo.createRecord", "status:502")
    with pytest.raises(RequestException) as exc500:
        client.send_post("a")
    assert not isinstance(exc500.value, NetworkError)
    assert exc500.value.response is not None and exc500.value.response.status_code == 500
    with pytest.raises(NetworkError) as exc502:  # the SDK files 502 (and 409, 413) as network
        client.send_post("b")
    assert exc502.value.response is not None and exc502.value.response.status_code == 502
    assert server.records(BRAND) == []
    client.send_post("c")
    assert len(server.records(BRAND)) == 1


def test_drop_after_commit_stores_the_record_but_the_client_sees_no_answer(
    server: FakeBluesky,
) -> None:
    client = login(server)
    server.fault("com.atproto.repo.createRecord", "drop_after_commit")
    # atproto 0.0.73 lets httpx.RemoteProtocolError through unwrapped (it is no NetworkError).
    with pytest.raises((httpx.RemoteProtocolError, NetworkError)):
        client.send_post("did this go out?")
    assert [r["value"]["text"] for r in server.records(BRAND)] == ["did this go out?"]
    assert server.request_log[-1] == LoggedRequest("POST", "com.atproto.repo.createRecord", 0)

    server.fault("com.atproto.repo.createRecord", "reset_after_commit")
    with pytest.raises(NetworkError) as exc:  # a TCP reset is an httpx.ReadError: wrapped
        client.send_post("and this one?")
    assert exc.value.response is None
    assert len(server.records(BRAND)) == 2


def test_timeout_fault_becomes_invoke_timeout_error(server: FakeBluesky) -> None:
    client = login(server, timeout=0.3)
    server.fault("app.bsky.feed.getPostThread", "timeout", delay=2)
    started = time.monotonic()
    with pytest.raises(InvokeTimeoutError) as exc:
        client.get_post_thread(f"at://{server.did_for(BRAND)}/app.bsky.feed.post/3kaaaaaaaaaaa")
    assert time.monotonic() - started < 1.5
    assert exc.value.response is None
    assert server.request_log[-1].status == 0


# --------------------------------------------------------------------------- shapes


def _missing_keys(real: Any, ours: Any, path: str = "") -> list[str]:
    """Paths of keys present in ``real`` but absent in ``ours`` (lists: first items compared)."""
    missing: list[str] = []
    if isinstance(real, dict) and isinstance(ours, dict):
        for key, value in real.items():
            if key not in ours:
                missing.append(f"{path}.{key}")
            else:
                missing.extend(_missing_keys(value, ours[key], f"{path}.{key}"))
    elif isinstance(real, list) and isinstance(ours, list) and real and ours:
        missing.extend(_missing_keys(real[0], ours[0], f"{path}[0]"))
    return missing


@pytest.mark.skipif(not REAL_RECORDS.is_dir(), reason="real Bluesky records not available")
def test_views_cover_the_keys_of_real_responses(server: FakeBluesky) -> None:
    def real(name: str) -> Any:
        return json.loads((REAL_RECORDS / name).read_text())

    client = login(server)
    server.follow_as(BRAND, CUSTOMER)
    server.follow_as(CUSTOMER, BRAND)
    quoted = client.send_post("test")
    quote = server.post_as(BRAND, "", quote_uri=quoted.uri)
    server.post_as(CUSTOMER, "hi", mention=BRAND)
    like = server.like_as(BRAND, quoted.uri)

    def xrpc(nsid: str, **params: Any) -> Any:
        headers = client.request.get_headers()
        return httpx.get(f"{server.url}/xrpc/{nsid}", params=params, headers=headers).json()

    thread = xrpc("app.bsky.feed.getPostThread", uri=quote)
    real_thread = real("thread_view_post_with_embed_media.json")
    # The real post quotes with media (recordWithMedia); ours quotes a bare record. Compare the
    # record parts of the embed and its view, and everything else as is.
    real_post = real_thread["thread"]["post"]
    real_embed_view = real_post.pop("embed")
    real_embed = real_post["record"].pop("embed")
    ours = thread["thread"]["post"]
    assert _missing_keys(real_thread, thread) == []
    assert _missing_keys(real_embed["record"], ours["record"]["embed"]) == []
    assert _missing_keys(real_embed_view["record"], ours["embed"]) == []

    rkey = quote.rsplit("/", 1)[1]
    post = xrpc(
        "com.atproto.repo.getRecord", repo=BRAND, collection="app.bsky.feed.post", rkey=rkey
    )
    assert _missing_keys(real("post_record.json"), post) == []
    like_rkey = like.rsplit("/", 1)[1]
    like_record = xrpc(
        "com.atproto.repo.getRecord", repo=BRAND, collection="app.bsky.feed.like", rkey=like_rkey
    )
    assert _missing_keys(real("like_record.json"), like_record) == []
    resolved = xrpc("com.atproto.identity.resolveHandle", handle=CUSTOMER)
    assert _missing_keys(real("resolve_handle.json"), resolved) == []

    # No real listNotifications was saved; its author is a profileView like getFollows' entries.
    (notification,) = xrpc("app.bsky.notification.listNotifications", reasons="mention")[
        "notifications"
    ]
    server_author = notification["author"]
    server_author["avatar"] = "https://example.invalid/avatar"  # the customer has none
    for profile in real("get_follows.json")["follows"]:
        profile["viewer"].pop("mutedByList", None)  # mute lists are not modelled
        assert _missing_keys(profile, server_author) == []

    session = httpx.post(
        f"{server.url}/xrpc/com.atproto.server.createSession",
        json={"identifier": BRAND, "password": PASSWORD},
    ).json()
    assert _missing_keys(real("did_doc.json")["didDoc"], session["didDoc"]) == []
