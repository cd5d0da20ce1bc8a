"""Each network's rules for one post: counted as the networks count, and enforced on review."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing import rules, services
from socialdesk.publishing.models import PostMedia, PostStatus

TRICKY = "Grüße 👍🏽 an @anna@social.example.org – mehr: https://example.org/a/very/long/path?x=1."


def test_it_counts_an_emoji_with_skin_tone_as_one_character() -> None:
    assert rules.graphemes("👍🏽") == 1
    assert rules.graphemes("🇩🇪 👨‍👩‍👧") == 3
    assert len("👍🏽") == 2  # what a naive count would say


def test_it_counts_a_link_as_the_instance_reserves_and_a_mention_by_its_local_part() -> None:
    countable = rules.mastodon_countable(TRICKY, 23)
    assert countable == "Grüße 👍🏽 an @anna – mehr: " + "x" * 23 + "."
    assert rules.graphemes(countable) == 49
    # Bluesky counts the text as written.
    assert rules.graphemes(TRICKY) == 85


def test_a_mastodon_post_over_the_instances_limit_names_the_part_and_the_count() -> None:
    limits = {"max_characters": 60, "characters_reserved_per_url": 23}
    assert rules.mastodon([TRICKY], limits=limits) == []
    found = rules.mastodon(["kurz", TRICKY + " " + "a" * 20], limits=limits)
    assert [p.field for p in found] == ["part:1"]
    assert found[0].message == "Mastodon, part 2: 70 of 60 characters"
    # The content warning counts too (spoiler_text + text, as Mastodon counts).
    assert rules.mastodon([TRICKY], limits=limits, content_warning="x" * 12)[0].field == "part:0"


def test_a_bluesky_part_over_300_graphemes_is_named_in_german() -> None:
    text = "ä" * 312
    with translation.override("de"):
        found = rules.bluesky(["Erster Teil", text])
    assert [p.message for p in found] == ["Bluesky, Teil 2: 312 von 300 Zeichen"]
    # 300 emoji with skin tone (600 code points) still fit.
    assert rules.bluesky(["👍🏽" * 300]) == []


def test_it_limits_images_per_part_and_their_size_per_network() -> None:
    images = [rules.Image(500_000, "a", 0, str(i)) for i in range(5)]
    images.append(rules.Image(1_200_000, "b", 1, "big"))
    found = rules.bluesky(["eins", "zwei"], images)
    fields = [p.field for p in found]
    assert fields == ["media:0", "image:big"]
    assert "1,000,000" in found[1].message and "1,200,000" in found[1].message
    # Mastodon takes the big one (16 MB by default) but not 5 in one part (at most 4).
    assert [p.field for p in rules.mastodon(["eins", "zwei"], images)] == ["media:0"]
    assert (
        rules.mastodon(["eins"], [rules.Image(2_000, key="x")], {"image_size_limit": 1_000})[
            0
        ].field
        == "image:x"
    )
    assert rules.mastodon(["x"], [rules.Image(1, "a" * 1501, key="y")])[0].field == "alt:y"


def test_hostile_limits_from_an_instance_fall_back_to_the_defaults() -> None:
    limits = {"max_characters": "9999", "characters_reserved_per_url": -5, "max_media": True}
    assert rules.mastodon(["a" * 500], limits=limits) == []
    assert rules.mastodon(["a" * 501], limits=limits)[0].field == "part:0"


@pytest.fixture
def channels(db: None) -> dict[str, ChannelAccount]:
    return {
        "mastodon": ChannelAccount.objects.create(
            network=Network.MASTODON, handle="bob@mock.local", limits={"max_characters": 100}
        ),
        "bluesky": ChannelAccount.objects.create(network=Network.BLUESKY, handle="nb.bsky.social"),
    }


def test_check_puts_each_problem_at_the_field_it_belongs_to(
    people: dict[str, User], channels: dict[str, ChannelAccount]
) -> None:
    by = Acting(user=people["manager"])
    post = services.post_create(
        by=by,
        text="a" * 120,
        thread=["b" * 310],
        channels=list(channels.values()),
        variants={channels["bluesky"].pk: ["kurz", "c" * 301]},
    )
    PostMedia.objects.create(post=post, content=b"x" * 1_100_000, mime="image/jpeg")
    errors = rules.check(post)
    media = post.media.get()
    assert errors == {
        "text": ["Mastodon, part 1: 120 of 100 characters"],
        "thread": ["Mastodon, part 2: 310 of 100 characters"],
        f"variant_{channels['bluesky'].pk}": ["Bluesky, part 2: 301 of 300 characters"],
        f"image_{media.pk}": [
            "Bluesky takes images of at most 1,000,000 bytes; this one has 1,100,000."
        ],
    }
    assert f"alt_{media.pk}" in rules.ready_for_review(post)


def test_a_post_that_is_not_ready_cannot_be_sent_for_review_or_approved(
    people: dict[str, User], channels: dict[str, ChannelAccount]
) -> None:
    by = Acting(user=people["manager"])
    post = services.post_create(by=by, text="Hallo", channels=[channels["bluesky"]])
    media = PostMedia.objects.create(post=post, content=b"x" * 10, mime="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        services.post_submit(by=by, post=post)
    assert list(caught.value.message_dict) == [f"alt_{media.pk}"]
    with pytest.raises(ValidationError):
        services.post_approve(by=Acting(user=people["admin"]), post=post)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and not post.approvals.exists()

    PostMedia.objects.filter(pk=media.pk).update(alt_text="Ein Stellwerk bei Nacht")
    services.post_submit(by=by, post=post)
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW


def test_a_disconnected_channel_or_one_that_cannot_publish_is_refused(
    people: dict[str, User], channels: dict[str, ChannelAccount]
) -> None:
    from django.utils import timezone

    feed = ChannelAccount.objects.create(network=Network.RSS, handle="example.org/feed")
    channels["mastodon"].disconnected_at = timezone.now()
    channels["mastodon"].save()
    post = services.post_create(
        by=Acting(user=people["manager"]), text="Hallo", channels=[channels["mastodon"], feed]
    )
    messages = rules.check(post)["channels"]
    assert messages == [
        "Mastodon @bob@mock.local is disconnected: connect it again or choose another channel.",
        "@example.org/feed cannot publish posts.",
    ]
