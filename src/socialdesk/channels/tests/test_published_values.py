"""What a network answers about a published post is outside data: the id, link and meta a
connector hands back are ones the database holds (both databases), or a clear refusal."""

from __future__ import annotations

import pytest

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.base import PermanentError, Sent, checked_sent
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing import services
from socialdesk.publishing.models import PostPart


def test_hostile_answers_are_cleaned_and_stored_on_a_part(people: dict[str, User]) -> None:
    channel = ChannelAccount.objects.create(network=Network.MASTODON, handle="bob@mock.local")
    post = services.post_create(by=Acting(user=people["manager"]), text="Hallo",
                                channels=[channel])  # fmt: skip
    hostile = Sent(
        external_id=" 1094\x00\ud800 ",
        url="https://mock.local/@bob/1094\x00",
        meta={
            "visibility": "pub\x00lic",
            "url": "javascript:alert(1)",
            "k\x00ey": ["\x00"],
            "uri": "at://x/" + "y" * 5000,
        },
    )
    sent = checked_sent(hostile, "Mastodon")
    assert sent.external_id == "1094\ufffd"
    assert sent.url == "https://mock.local/@bob/1094"
    assert sent.meta == {
        "visibility": "public",
        "url": "",
        "key": [""],
        "uri": "at://x/" + "y" * 5000,
    }
    too_long_link = checked_sent(Sent("1", url="https://x.example/" + "a" * 1000), "Mastodon")
    assert too_long_link.url == ""
    PostPart.objects.filter(target__post=post).update(
        remote_id=sent.external_id, url=sent.url, meta=sent.meta
    )
    stored = PostPart.objects.get(target__post=post)
    assert (stored.remote_id, stored.url, stored.meta) == (sent.external_id, sent.url, sent.meta)


@pytest.mark.parametrize("external_id", ["", " \x00 ", "9" * 501])
def test_an_id_that_cannot_be_kept_whole_is_refused_with_the_reason(external_id: str) -> None:
    with pytest.raises(PermanentError) as caught:
        checked_sent(Sent(external_id=external_id), "Bluesky")
    assert caught.value.code == "refused"
    assert "the post may be on Bluesky: look there before trying again" in str(caught.value)
    assert checked_sent(Sent(external_id="9" * 500), "Bluesky").external_id == "9" * 500
