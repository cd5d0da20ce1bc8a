"""The fake Bluesky server, driven by the real atproto client."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from atproto import Client, models  # type: ignore[import-untyped, unused-ignore]
from atproto_client.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    BadRequestError,
    RequestException,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError  # type: ignore[import-untyped, unused-ignore]
from atproto_client.request import Request  # type: ignore[import-untyped, unused-ignore]
from atproto_server.auth.jwt import get_jwt_payload  # type: ignore[import-untyped, unused-ignore]

from socialdesk.channels.bluesky.testpeer import FakeBluesky, grapheme_length

BRAND = "brand.test"
CUSTOMER = "alice.test"
PASSWORD = "brand-app-password"
REAL_RECORDS = Path("/work/shared/data/bluesky-atproto-records")
# How early the SDK refreshes: atproto_client/client/methods_mixin/session.py, 15 minutes.
SDK_REFRESH_MARGIN = 15 * 60


@pytest.fixture(name="server")
def server_fixture() -> Iterator[FakeBluesky]:
    with FakeBluesky() as fake:
        fake.create_account(BRAND, PASSWORD, display_name="Brand", avatar=True)
        fake.create_account(CUSTOMER, "customer-password", description="Customer since 2019")
        yield fake
        assert fake.handler_errors == []


def login(server: FakeBluesky, **request_kwargs: Any) -> Client:
    client = Client(base_url=server.url, request=Request(**request_kwargs))
    client.login(BRAND, PASSWORD)
    return client


def error_of(exc: pytest.ExceptionInfo[Any]) -> XrpcError:
    response = exc.value.response
    assert response is not None
    assert isinstance(response.content, XrpcError)
    return response.content


# --------------------------------------------------------------------------- sessions


def test_login_with_handle_or_did_and_wrong_password(server: FakeBluesky) -> None:
    client = login(server)
    assert client.me is not None
    assert client.me.handle == BRAND
    assert re.fullmatch(r"did:plc:[a-z2-7]{24}", client.me.did)
    assert client.com.atproto.server.get_session().did == client.me.did

    by_did = Client(base_url=server.url)
    by_did.login(server.did_for(BRAND), PASSWORD)
    assert server.login_count == 2

    with pytest.raises(UnauthorizedError) as exc:
        Client(base_url=server.url).login(BRAND, "wrong")
    assert exc.value.response is not None and exc.value.response.status_code == 401
    assert error_of(exc).error == "AuthenticationRequired"
    assert server.login_count == 2


def test_access_token_is_a_jwt_the_sdk_can_read(server: FakeBluesky) -> None:
    client = login(server)
    access = get_jwt_payload(client.export_session_string().split(":::")[2])
    assert access.sub == server.did_for(BRAND)
    assert access.scope == "com.atproto.access"
    assert access.exp is not None and access.iat is not None
    assert access.exp - access.iat == 7200


def test_short_lived_tokens_are_refreshed_without_a_new_login() -> None:
    # Below the SDK's 15-minute margin every call starts with a refresh.
    with FakeBluesky(access_ttl_seconds=60) as server:
        server.create_account(BRAND, PASSWORD)
        client = login(server)
        client.send_post("first")
        client.com.atproto.server.get_session()
        assert server.login_count == 1
        assert server.refresh_count >= 1
        assert ("POST", "com.atproto.server.refreshSession", 200) in server.request_log


def test_refresh_happens_once_the_access_token_enters_the_sdk_margin() -> None:
    with FakeBluesky(access_ttl_seconds=SDK_REFRESH_MARGIN + 3) as server:
        server.create_account(BRAND, PASSWORD)
        client = login(server)
        client.com.atproto.server.get_session()
        assert server.refresh_count == 0

        exp = get_jwt_payload(client.export_session_string().split(":::")[2]).exp
        assert exp is not None
        time.sleep(max(0.0, exp - SDK_REFRESH_MARGIN - time.time()) + 0.05)
        client.com.atproto.server.get_session()
        assert server.refresh_count == 1
        assert server.login_count == 1


def test_server_side_expiry_is_a_400_the_sdk_does_not_recover_from(server: FakeBluesky) -> None:
    client = login(server)
    server.advance_clock(7200 + 1)  # the client's clock says the token is still fine
    with pytest.raises(BadRequestError) as exc:
        client.com.atproto.server.get_session()
    assert error_of(exc).error == "ExpiredToken"
    assert error_of(exc).message == "Token has expired"
    assert server.refresh_count == 0


def test_rotated_refresh_token_is_revoked_after_the_grace_period(server: FakeBluesky) -> None:
    server.refresh_grace_seconds = 0
    session = httpx.post(
        f"{server.url}/xrpc/com.atproto.server.createSession",
        json={"identifier": BRAND, "password": PASSWORD},
    ).json()
    refresh = {"Authorization": f"Bearer {session['refreshJwt']}"}
    url = f"{server.url}/xrpc/com.atproto.server.refreshSession"
    assert httpx.post(url, headers=refresh).status_code == 200
    time.sleep(0.01)
    again = httpx.post(url, headers=refresh)
    assert again.status_code == 400
    assert again.json() == {"error": "ExpiredToken", "message": "Token has been revoked"}
    wrong_scope = httpx.get(
        f"{server.url}/xrpc/com.atproto.server.getSession", headers=refresh
    ).json()
    assert wrong_scope["error"] == "InvalidToken"


# --------------------------------------------------------------------------- posting


def test_send_post_and_reply(server: FakeBluesky) -> None:
    client = login(server)
    root = client.send_post("We are live ✨")
    customer_reply = server.post_as(CUSTOMER, "Congrats!", reply_to_uri=root.uri)
    parent = client.get_posts([customer_reply]).posts[0]

    ref = models.AppBskyFeedPost.ReplyRef(
        root=models.create_strong_ref(root),
        parent=models.create_strong_ref(parent),
    )
    answer = client.send_post("Thank you!", reply_to=ref)
    assert answer.uri.startswith(f"at://{server.did_for(BRAND)}/app.bsky.feed.post/")
    assert re.fullmatch(r"bafyrei[a-z2-7]{52}", answer.cid)

    stored = server.records(BRAND)
    assert [r["value"]["text"] for r in stored] == ["We are live ✨", "Thank you!"]
    assert stored[1]["value"]["reply"]["root"]["uri"] == root.uri
    assert stored[1]["value"]["reply"]["parent"]["uri"] == customer_reply

    thread = client.get_post_thread(customer_reply).thread
    assert isinstance(thread, models.AppBskyFeedDefs.ThreadViewPost)
    assert isinstance(thread.parent, models.AppBskyFeedDefs.ThreadViewPost)
    assert thread.parent.post.uri == root.uri
    assert thread.replies is not None
    (reply_node,) = thread.replies
    assert isinstance(reply_node, models.AppBskyFeedDefs.ThreadViewPost)
    assert reply_node.post.uri == answer.uri
    assert thread.post.reply_count == 1
    root_view = client.get_posts([root.uri]).posts[0]
    assert root_view.reply_count == 1
    assert isinstance(root_view.record, models.AppBskyFeedPost.Record)

    record = client.get_post(answer.uri.rsplit("/", 1)[1])
    assert record.value.text == "Thank you!"


def test_customer_mention_reply_and_quote_become_notifications(server: FakeBluesky) -> None:
    client = login(server)
    mine = client.send_post("Our new shop is open")
    mention = server.post_as(CUSTOMER, "Grüße an 👋 @brand.test, wann öffnet ihr?", mention=BRAND)
    reply = server.post_as(CUSTOMER, "Finally!", reply_to_uri=mine.uri)
    quote = server.post_as(CUSTOMER, "Look at this", quote_uri=mine.uri)
    server.like_as(CUSTOMER, mine.uri)
    server.follow_as(CUSTOMER, BRAND)

    response = client.app.bsky.notification.list_notifications()
    by_reason = {n.reason: n for n in response.notifications}
    assert [n.reason for n in response.notifications] == [
        "follow",
        "like",
        "quote",
        "reply",
        "mention",
    ]
    note = by_reason["mention"]
    assert note.uri == mention
    assert note.author.handle == CUSTOMER
    assert note.is_read is False
    assert note.reason_subject is None
    record = note.record
    assert isinstance(record, models.AppBskyFeedPost.Record)
    assert record.langs == ["en"]
    assert record.facets is not None
    (facet,) = record.facets
    (feature,) = facet.features
    assert isinstance(feature, models.AppBskyRichtextFacet.Mention)
    assert feature.did == server.did_for(BRAND)
    text = record.text.encode("utf-8")
    assert text[facet.index.byte_start : facet.index.byte_end] == b"@brand.test"

    assert by_reason["reply"].uri == reply
    assert by_reason["reply"].reason_subject == mine.uri
    assert by_reason["quote"].uri == quote
    assert by_reason["quote"].reason_subject == mine.uri
    quote_record = by_reason["quote"].record
    assert isinstance(quote_record, models.AppBskyFeedPost.Record)
    assert isinstance(quote_record.embed, models.AppBskyEmbedRecord.Main)
    assert quote_record.embed.record.uri == mine.uri
    assert by_reason["like"].reason_subject == mine.uri

    # The customer sees nothing of their own doing.
    assert server.notifications(CUSTOMER) == []


def test_reply_deep_in_a_thread_notifies_root_author_and_keeps_root_ref(
    server: FakeBluesky,
) -> None:
    server.create_account("bob.test", "pw")
    root = server.post_as(BRAND, "Question of the day?")
    first = server.post_as(CUSTOMER, "Mine is…", reply_to_uri=root)
    second = server.post_as("bob.test", "Same here", reply_to_uri=first)
    value = next(r["value"] for r in server.records("bob.test") if r["uri"] == second)
    assert value["reply"]["root"]["uri"] == root
    assert value["reply"]["parent"]["uri"] == first
    brand_replies = [n for n in server.notifications(BRAND) if n["reason"] == "reply"]
    # reasonSubject is the ancestor the recipient wrote, not the direct parent.
    assert [(n["uri"], n["reasonSubject"]) for n in brand_replies] == [
        (second, root),
        (first, root),
    ]
    (customer_note,) = server.notifications(CUSTOMER)
    assert (customer_note["reason"], customer_note["reasonSubject"]) == ("reply", first)


def test_reply_notifications_reach_four_ancestors_up(server: FakeBluesky) -> None:
    names = [f"c{level}.test" for level in range(1, 6)]
    uri = server.post_as(BRAND, "Level 0")
    for name in names:
        server.create_account(name, "pw")
        uri = server.post_as(name, "deeper", reply_to_uri=uri)
    authors = [n["author"]["handle"] for n in server.notifications(BRAND)]
    assert authors == ["c4.test", "c3.test", "c2.test", "c1.test"]  # c5 is 5 levels down


def test_notifications_page_with_cursor_newest_first(server: FakeBluesky) -> None:
    client = login(server)
    uris = [server.post_as(CUSTOMER, f"question {i}", mention=BRAND) for i in range(7)]

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = models.AppBskyNotificationListNotifications.Params(limit=3, cursor=cursor)
        page = client.app.bsky.notification.list_notifications(params)
        pages += 1
        seen.extend(n.uri for n in page.notifications)
        cursor = page.cursor
        if not cursor:
            break
    assert seen == list(reversed(uris))
    assert pages == 4  # like the AppView: a cursor on every non-empty page, then an empty one

    client.app.bsky.notification.update_seen({"seen_at": client.get_current_time_iso()})
    after = client.app.bsky.notification.list_notifications()
    assert after.seen_at is not None
    assert all(n.is_read for n in after.notifications)


def test_get_record_list_records_and_delete(server: FakeBluesky) -> None:
    client = login(server)
    did = server.did_for(BRAND)
    sent = [client.send_post(f"post {i}") for i in range(5)]

    got = client.com.atproto.repo.get_record(
        {"repo": BRAND, "collection": "app.bsky.feed.post", "rkey": sent[0].uri.rsplit("/", 1)[1]}
    )
    assert got.uri == sent[0].uri
    assert got.cid == sent[0].cid

    listed = client.com.atproto.repo.list_records(
        {"repo": did, "collection": "app.bsky.feed.post", "limit": 2}
    )
    assert [r.uri for r in listed.records] == [sent[4].uri, sent[3].uri]
    rest = client.com.atproto.repo.list_records(
        {"repo": did, "collection": "app.bsky.feed.post", "cursor": listed.cursor}
    )
    assert [r.uri for r in rest.records] == [s.uri for s in reversed(sent[:3])]
    oldest = client.com.atproto.repo.list_records(
        {"repo": did, "collection": "app.bsky.feed.post", "limit": 1, "reverse": True}
    )
    assert oldest.records[0].uri == sent[0].uri

    assert client.delete_post(sent[0].uri) is True
    assert len(server.records(BRAND)) == 4
    assert client.delete_post(sent[0].uri) is True  # deleting twice is a no-op


def test_get_record_of_missing_rkey_is_record_not_found(server: FakeBluesky) -> None:
    client = login(server)
    with pytest.raises(BadRequestError) as exc:
        client.get_post("3kaaaaaaaaaaa")
    assert error_of(exc).error == "RecordNotFound"
    assert "Could not locate record" in str(error_of(exc).message)


def test_deleting_a_post_withdraws_its_notification(server: FakeBluesky) -> None:
    mention = server.post_as(CUSTOMER, "hello", mention=BRAND)
    assert len(server.notifications(BRAND)) == 1
    customer = Client(base_url=server.url)
    customer.login(CUSTOMER, "customer-password")
    customer.delete_post(mention)
    assert server.notifications(BRAND) == []


def test_duplicate_rkey_mirrors_the_pds(server: FakeBluesky) -> None:
    client = login(server)
    record = models.AppBskyFeedPost.Record(text="once", created_at=client.get_current_time_iso())
    client.app.bsky.feed.post.create(BRAND, record, rkey="3kzzzzzzzzzz2")
    with pytest.raises(RequestException) as exc:
        client.app.bsky.feed.post.create(BRAND, record, rkey="3kzzzzzzzzzz2")
    assert exc.value.response is not None and exc.value.response.status_code == 500

    server.duplicate_create_error = (400, "InvalidRequest", "Record already exists")
    with pytest.raises(BadRequestError):
        client.app.bsky.feed.post.create(BRAND, record, rkey="3kzzzzzzzzzz2")
    assert len(server.records(BRAND)) == 1


def test_overlong_post_is_rejected_like_the_lexicon_says(server: FakeBluesky) -> None:
    client = login(server)
    assert grapheme_length("👍🏽 🇩🇪 e\u0301 👨‍👩‍👧") == 7
    with pytest.raises(BadRequestError) as exc:
        client.send_post("x" * 301)
    assert "300 graphemes" in str(error_of(exc).message)
    client.send_post("e\u0301" * 300)  # 600 code points, but 300 graphemes
    with pytest.raises(BadRequestError):
        client.send_post("👨‍👩‍👧" * 200)  # 200 graphemes, but 3600 bytes
    assert len(server.records(BRAND)) == 1


def test_concurrent_writers_get_unique_record_keys(server: FakeBluesky) -> None:
    client = login(server)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(5):
                client.send_post(f"writer {n} post {i}")
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    uris = [r["uri"] for r in server.records(BRAND)]
    assert len(uris) == len(set(uris)) == 30
