"""Publishing a post's parts to a real Mastodon API (mastodon-mock) through Mastodon.py:
images with their alt text, content warning, visibility, language, threads, and what the
worker must tell apart when something goes wrong (refused for good, try later, wait)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from socialdesk.channels import base
from socialdesk.channels.base import Outgoing, OutgoingMedia
from socialdesk.channels.bluesky.record_keys import tid
from socialdesk.channels.mastodon import publish as mastodon_publish
from socialdesk.channels.mastodon.testpeer import COMPANY, DroppingProxy, MastodonPeer
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.rss.connector import plain_text
from socialdesk.channels.tests.test_mastodon import POLICY, _connect
from socialdesk.publishing.services import new_key


@pytest.fixture(scope="module")
def server() -> Iterator[MastodonPeer]:
    peer = MastodonPeer().start()
    yield peer
    peer.stop()


@pytest.fixture
def instance(server: MastodonPeer, settings: Any, db: None) -> MastodonPeer:
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    server.reset()
    return server


def image(colour: str = "red", size: tuple[int, int] = (64, 48), kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()


def part(text: str, *, reply_to: Any = None, **fields: Any) -> Outgoing:
    previous = {"external_id": reply_to.external_id, **(reply_to.meta or {})} if reply_to else None
    return Outgoing(
        key=new_key(), text=text, created_at=timezone.now(), reply_to=previous, **fields
    )


def on_server(server: MastodonPeer, status_id: str) -> Any:
    return server.client(COMPANY).status(status_id)


def own_statuses(server: MastodonPeer) -> list[Any]:
    bob = server.client(COMPANY)
    statuses: list[Any] = bob.account_statuses(bob.me().id, limit=40)
    return statuses


def test_it_posts_images_with_their_alt_text_and_keeps_warning_visibility_and_language(
    instance: MastodonPeer,
) -> None:
    account = _connect(instance.url)
    photos = (
        OutgoingMedia(image("red"), "image/png", "Stellwerk bei Nacht", 64, 48),
        OutgoingMedia(image("blue", kind="JPEG"), "image/jpeg", "Weichenheizung im Schnee"),
    )
    sent = mastodon_publish.publish(account, part(
        "Hinter den Kulissen: Nachtschicht im Stellwerk", media=photos,
        content_warning="Lärm", visibility="unlisted", language="de",
    ))  # fmt: skip
    status = on_server(instance, sent.external_id)
    assert [m.description for m in status.media_attachments] == [
        "Stellwerk bei Nacht", "Weichenheizung im Schnee",
    ]  # fmt: skip
    assert [m.type for m in status.media_attachments] == ["image", "image"]
    assert (status.spoiler_text, status.visibility, status.language) == ("Lärm", "unlisted", "de")
    assert "Nachtschicht im Stellwerk" in status.content
    assert sent.url and sent.meta == {"visibility": "unlisted", "url": sent.url}


def test_it_waits_until_the_instance_has_processed_an_image(
    instance: MastodonPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mastodon_publish, "MEDIA_POLL_FIRST", 0.01)
    proxy = DroppingProxy(instance.url)
    try:
        account = _connect(proxy.url)
        proxy.slow_media(questions=2)  # 202 with url null, then 206 twice, then 200
        photo = OutgoingMedia(image(), "image/png", "Bahnsteig 3")
        sent = mastodon_publish.publish(account, part("Neu am Bahnsteig", media=(photo,)))
        answered = [(method, status) for method, path, status in proxy.seen if "/media" in path]
        assert answered == [("POST", 202), ("GET", 206), ("GET", 206), ("GET", 200)]
        status = on_server(instance, sent.external_id)
        assert [m.description for m in status.media_attachments] == ["Bahnsteig 3"]
    finally:
        proxy.stop()


def test_an_image_still_processing_after_the_wait_is_tried_again_later(
    instance: MastodonPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mastodon_publish, "MEDIA_POLL_FIRST", 0.01)
    monkeypatch.setattr(mastodon_publish, "MEDIA_WAIT_SECONDS", 0.2)
    proxy = DroppingProxy(instance.url)
    try:
        account = _connect(proxy.url)
        proxy.slow_media(questions=1000)
        photo = OutgoingMedia(image(), "image/png", "Bahnsteig 3")
        with pytest.raises(base.ChannelError) as caught:
            mastodon_publish.publish(account, part("Neu am Bahnsteig", media=(photo,)))
        assert not isinstance(caught.value, base.PermanentError)
        assert "still processing image 1" in str(caught.value)
        assert own_statuses(instance) == []
    finally:
        proxy.stop()


class SleepClock:
    """A clock that moves only when the code under test pauses: the waits are counted, while an
    upload that takes its time on a loaded machine counts nothing."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_images_of_a_part_share_one_wait(
    instance: MastodonPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Image 1 is asked about after 1 s of the 1.5 s wait and is ready; image 2 would be asked
    # about at 2 s, past the part's wait. Were each image given its own 1.5 s, both would go out.
    monkeypatch.setattr(mastodon_publish, "MEDIA_POLL_FIRST", 1.0)
    monkeypatch.setattr(mastodon_publish, "MEDIA_WAIT_SECONDS", 1.5)
    monkeypatch.setattr(mastodon_publish, "time", SleepClock())
    proxy = DroppingProxy(instance.url)
    try:
        account = _connect(proxy.url)
        proxy.slow_media(questions=0)  # each upload answers 202; the first question 200
        photos = (OutgoingMedia(image(), "image/png", "eins"),
                  OutgoingMedia(image("blue"), "image/png", "zwei"))  # fmt: skip
        with pytest.raises(base.ChannelError) as caught:
            mastodon_publish.publish(account, part("Zwei langsame Bilder", media=photos))
        assert "still processing image 2" in str(caught.value)  # image 1 used most of it
        assert own_statuses(instance) == []
    finally:
        proxy.stop()


def test_a_thread_goes_out_as_replies_in_order_and_each_part_is_found_again(
    instance: MastodonPeer,
) -> None:
    account = _connect(instance.url)
    first = part("Teil 1: die Nachtschicht", content_warning="lang")
    sent_first = mastodon_publish.publish(account, first)
    second = part("Teil 2: die Weichen", reply_to=sent_first, content_warning="lang")
    sent_second = mastodon_publish.publish(account, second)
    third = part("Teil 3: der Morgen", reply_to=sent_second, content_warning="lang")
    sent_third = mastodon_publish.publish(account, third)
    chain = [on_server(instance, s.external_id) for s in (sent_first, sent_second, sent_third)]
    assert [str(s.in_reply_to_id or "") for s in chain] == [
        "", sent_first.external_id, sent_second.external_id,
    ]  # fmt: skip
    for outgoing, sent in ((first, sent_first), (second, sent_second), (third, sent_third)):
        found = mastodon_publish.find_published(account, outgoing)
        assert found is not None and found.external_id == sent.external_id
    # the same words without the warning, or answering another post, are another post
    assert mastodon_publish.find_published(account, part("Teil 1: die Nachtschicht")) is None
    assert mastodon_publish.find_published(account, part(
        "Teil 2: die Weichen", reply_to=sent_third, content_warning="lang"
    )) is None  # fmt: skip


def test_a_post_with_images_and_a_warning_is_found_and_the_key_keeps_it_once(
    instance: MastodonPeer,
) -> None:
    account = _connect(instance.url)
    photo = OutgoingMedia(image(), "image/png", "Stellwerk")
    outgoing = part("Gute Nacht aus dem Stellwerk https://example.org/stellwerk",
                    media=(photo,), content_warning="Nachtarbeit")  # fmt: skip
    sent = mastodon_publish.publish(account, outgoing)
    found = mastodon_publish.find_published(account, outgoing)
    assert found is not None and found.external_id == sent.external_id
    again = mastodon_publish.publish(account, outgoing)  # the same Idempotency-Key
    assert again.external_id == sent.external_id
    assert len(own_statuses(instance)) == 1


def test_an_older_post_with_the_same_words_is_not_taken_for_this_part(
    instance: MastodonPeer,
) -> None:
    account = _connect(instance.url)
    mastodon_publish.publish(account, part("Guten Morgen aus Altona!"))
    later = timezone.now() + timedelta(hours=1)  # the part made an hour after that post
    tomorrow = Outgoing(key=tid(later, 7), text="Guten Morgen aus Altona!", created_at=later)
    assert mastodon_publish.key_time(tomorrow.key) is not None
    assert abs((mastodon_publish.key_time(tomorrow.key) - later).total_seconds()) < 1  # type: ignore[operator]
    assert mastodon_publish.find_published(account, tomorrow) is None


def test_a_post_is_found_whatever_the_instance_made_of_lines_mentions_and_markup(
    instance: MastodonPeer,
) -> None:
    account = _connect(instance.url)
    text = "Gute Nacht, @alice@mock.local!\nMehr: https://example.org/a\n\n*Zweiter* Absatz"
    outgoing = part(text)
    sent = mastodon_publish.publish(account, outgoing)
    found = mastodon_publish.find_published(account, outgoing)
    assert found is not None and found.external_id == sent.external_id


def test_posts_of_images_only_are_told_apart_by_their_alt_text(instance: MastodonPeer) -> None:
    account = _connect(instance.url)
    night = part("", media=(OutgoingMedia(image("black"), "image/png", "Stellwerk bei Nacht"),))
    day = part("", media=(OutgoingMedia(image("white"), "image/png", "Stellwerk am Tag"),))
    sent_night = mastodon_publish.publish(account, night)
    assert mastodon_publish.find_published(account, day) is None
    sent_day = mastodon_publish.publish(account, day)
    for outgoing, sent in ((night, sent_night), (day, sent_day)):
        found = mastodon_publish.find_published(account, outgoing)
        assert found is not None and found.external_id == sent.external_id


def test_our_words_and_the_html_of_a_real_instance_compare_equal() -> None:
    html = (
        '<p>Gute Nacht <a href="https://mastodon.social/tags/Stellwerk" class="mention hashtag" '
        'rel="tag">#<span>Stellwerk</span></a> mit <span class="h-card"><a href="https://x.social'
        '/@kim" class="u-url mention">@<span>kim</span></a></span><br />mehr: <a href="https://'
        'example.org/stellwerk/sehr/langer/pfad" rel="nofollow noopener" target="_blank"><span '
        'class="invisible">https://</span><span class="ellipsis">example.org/stellwerk/sehr/lan'
        '</span><span class="invisible">ger/pfad</span></a></p><p>Zweiter Absatz</p>'
    )
    ours = (
        "Gute Nacht #Stellwerk mit @kim@x.social\nmehr: "
        "https://example.org/stellwerk/sehr/langer/pfad\n\nZweiter Absatz"
    )
    shown = plain_text(html)
    assert mastodon_publish.comparable(shown) == mastodon_publish.comparable(ours)
    assert mastodon_publish.comparable(shown) != mastodon_publish.comparable("Gute Nacht")
    assert mastodon_publish.comparable("mail me: a@b.example") == "mailme:a@b.example"


def test_a_part_is_found_behind_many_later_posts(instance: MastodonPeer) -> None:
    account = _connect(instance.url)
    first = part("Fahrplanwechsel: alles Wichtige")
    sent = mastodon_publish.publish(account, first)
    second = part("Teil 2", reply_to=sent)
    sent_second = mastodon_publish.publish(account, second)
    bob = instance.client(COMPANY)
    for number in range(45):  # more than one page of our own statuses came after them
        bob.status_post(f"Meldung {number}")
    for outgoing, published in ((first, sent), (second, sent_second)):
        found = mastodon_publish.find_published(account, outgoing)
        assert found is not None and found.external_id == published.external_id


def test_an_image_the_instance_has_not_finished_is_tried_again(instance: MastodonPeer) -> None:
    account = _connect(instance.url)
    body = {
        "error": "Cannot attach files that have not finished processing. Try again in a moment!"
    }
    fault = instance.fault(
        path="/api/v1/statuses", methods=["POST"], status=422, body=body, count=1
    )
    with fault, pytest.raises(base.ChannelError) as caught:
        mastodon_publish.publish(account, part("Gleich mit Bild"))
    assert not isinstance(caught.value, base.PermanentError)
    assert "still processing" in str(caught.value)


def test_a_post_whose_answer_was_lost_is_found_and_not_posted_again(
    instance: MastodonPeer,
) -> None:
    proxy = DroppingProxy(instance.url)
    try:
        account = _connect(proxy.url)
        photo = OutgoingMedia(image(), "image/png", "Stellwerk")
        outgoing = part("Angekommen, Antwort verloren", media=(photo,), content_warning="Test")
        proxy.drop("POST", "/api/v1/statuses")
        with pytest.raises(base.ChannelError) as caught:
            mastodon_publish.publish(account, outgoing)
        assert not isinstance(caught.value, base.PermanentError)
        (status,) = own_statuses(instance)  # it did arrive
        found = mastodon_publish.find_published(account, outgoing)
        assert found is not None and found.external_id == str(status.id)
        again = mastodon_publish.publish(account, outgoing)  # even without asking first
        assert again.external_id == str(status.id)
        assert len(own_statuses(instance)) == 1
    finally:
        proxy.stop()


def test_a_server_error_is_tried_again_and_nothing_went_out(instance: MastodonPeer) -> None:
    account = _connect(instance.url)
    outgoing = part("Fahrplanwechsel am Sonntag")
    fault = instance.fault(path="/api/v1/statuses", methods=["POST"], status=500, count=1)
    with fault, pytest.raises(base.ChannelError) as caught:
        mastodon_publish.publish(account, outgoing)
    assert not isinstance(caught.value, base.PermanentError)
    assert caught.value.code == "server"
    assert own_statuses(instance) == []
    assert mastodon_publish.find_published(account, outgoing) is None
    mastodon_publish.publish(account, outgoing)
    assert len(own_statuses(instance)) == 1


def test_a_timeout_is_tried_again(instance: MastodonPeer) -> None:
    account = _connect(instance.url)  # CHANNEL_TIMEOUT_SECONDS is 5 in these tests
    photo = OutgoingMedia(image(), "image/png", "Stellwerk")
    fault = instance.fault(path="/api/v2/media", type="latency", delay_ms=8000, count=1)
    with fault, pytest.raises(base.ChannelError) as caught:
        mastodon_publish.publish(account, part("Langsam", media=(photo,)))
    assert not isinstance(caught.value, base.PermanentError)
    assert own_statuses(instance) == []


def test_a_rate_limit_waits_until_the_instance_says(instance: MastodonPeer) -> None:
    account = _connect(instance.url)
    until = timezone.now().replace(microsecond=0) + timedelta(minutes=7)
    headers = {"X-RateLimit-Reset": str(int(until.timestamp())), "X-RateLimit-Remaining": "0"}
    fault = instance.fault(
        path="/api/v1/statuses", methods=["POST"], type="ratelimit", headers=headers, count=1
    )
    with fault, pytest.raises(base.RateLimited) as caught:
        mastodon_publish.publish(account, part("Gleich"))
    assert caught.value.retry_at is not None
    assert abs((caught.value.retry_at - until).total_seconds()) < 2
    assert own_statuses(instance) == []


def test_a_status_too_long_for_the_instance_is_refused_for_good(instance: MastodonPeer) -> None:
    account = _connect(instance.url)
    with pytest.raises(base.PermanentError) as caught:
        mastodon_publish.publish(account, part("x" * 501))
    assert caught.value.code == "refused"
    assert "Mastodon refused the post" in str(caught.value)
    assert "Text is too long (maximum is 500 characters)" in str(caught.value)
    assert own_statuses(instance) == []


@pytest.mark.parametrize("status", [413, 422])
def test_an_image_the_instance_refuses_is_refused_for_good(
    instance: MastodonPeer, status: int
) -> None:
    account = _connect(instance.url)
    photos = (
        OutgoingMedia(image(), "image/png", "eins"),
        OutgoingMedia(image("blue"), "image/png", "zwei"),
    )
    body = {"error": "Validation failed: File content type is invalid"} if status == 422 else None
    fault = instance.fault(
        path="/api/v2/media", methods=["POST"], status=status, body=body, count=1
    )
    with fault, pytest.raises(base.PermanentError) as caught:
        mastodon_publish.publish(account, part("Mit Bildern", media=photos))
    assert caught.value.code == "refused"
    assert str(caught.value).startswith("Mastodon refused image 1 (image/png, ")
    assert str(status) in str(caught.value)
    assert own_statuses(instance) == []


def test_what_the_instance_said_it_does_not_take_is_refused_before_uploading(
    instance: MastodonPeer,
) -> None:
    proxy = DroppingProxy(instance.url)
    try:
        account = _connect(proxy.url)
        ChannelAccount.objects.filter(pk=account.pk).update(
            limits={"max_media": 2, "image_size_limit": 2000}
        )
        account.refresh_from_db()
        small = OutgoingMedia(image(size=(4, 4)), "image/png", "klein")
        with pytest.raises(base.PermanentError) as caught:
            mastodon_publish.publish(account, part("Drei Bilder", media=(small, small, small)))
        assert str(caught.value) == (
            "this instance takes at most 2 images per post; this part has 3"
        )
        large = OutgoingMedia(b"\x89PNG\r\n\x1a\n" + b"\0" * 2000, "image/png", "groß")
        with pytest.raises(base.PermanentError) as caught:
            mastodon_publish.publish(account, part("Groß", media=(small, large)))
        assert str(caught.value) == (
            "image 2 has 2,008 bytes; this instance takes images of at most 2,000 bytes"
        )
        assert caught.value.code == "refused"
        assert [path for _method, path, _status in proxy.seen if "/media" in path] == []
        assert own_statuses(instance) == []
    finally:
        proxy.stop()


def test_the_key_time_of_other_formats_is_unknown() -> None:
    assert mastodon_publish.key_time("not-a-tid") is None
    assert isinstance(mastodon_publish.key_time(new_key()), datetime)
    assert time.time() - mastodon_publish.key_time(new_key()).timestamp() < 5  # type: ignore[union-attr]


def test_an_account_without_publish_rights_is_refused_for_good(
    instance: MastodonPeer,
) -> None:
    account = _connect(instance.url)
    credentials = account.credentials
    credentials["access_token"] = "revoked"
    account.set_credentials(credentials)
    ChannelAccount.objects.filter(pk=account.pk).update(
        credentials_encrypted=account.credentials_encrypted
    )
    account.refresh_from_db()
    with pytest.raises(base.PermanentError) as caught:
        mastodon_publish.publish(account, part("Hallo"))
    assert caught.value.code == "credentials"


def test_a_reply_is_recognised_as_the_instance_renders_it() -> None:
    """Mastodon shows a mention by its local part and a line break as a tag: the reply we
    wrote is still found (otherwise a retry would post it twice)."""
    from socialdesk.channels.mastodon.connector import _same_reply

    shown = "@kim Danke für den Hinweis!Wir prüfen das."  # <p>…</p><p>…</p> reduced to text
    assert _same_reply(shown, "@kim@x.social Danke für den Hinweis!\n\nWir prüfen das.")
    assert not _same_reply(shown, "@kim@x.social Danke für den Hinweis!")
