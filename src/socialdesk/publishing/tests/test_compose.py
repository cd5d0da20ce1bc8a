"""The composer: one post for several channels with a variant per network, images with alt
text, and every kind of bad input refused at its field with nothing saved."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing import services
from socialdesk.publishing.models import Idea, Post, PostMedia, PostPart, PostStatus

NEW = reverse("publishing:post_new")


def _photo(width: int = 1600, height: int = 1200) -> bytes:
    rng = random.Random(5)
    image = Image.new("RGB", (width, height))
    image.putdata(
        [
            (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            for _ in range(width * height)
        ]
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def channels(db: None) -> dict[str, ChannelAccount]:
    return {
        "mastodon": ChannelAccount.objects.create(
            network=Network.MASTODON,
            handle="bob@mock.local",
            name="Nordlicht Mastodon",
            limits={"max_characters": 500, "characters_reserved_per_url": 23},
        ),
        "bluesky": ChannelAccount.objects.create(
            network=Network.BLUESKY, handle="nordlicht.bsky.social", name="Nordlicht Bluesky"
        ),
    }


def _data(channels: list[ChannelAccount], **extra: Any) -> dict[str, Any]:
    return {
        "channels": [str(c.pk) for c in channels],
        "text": "Hallo",
        "visibility": "public",
        "action": "save",
        **extra,
    }


def _nothing_saved() -> None:
    assert Post.objects.count() == 0
    assert PostMedia.objects.count() == 0
    assert PostPart.objects.count() == 0


def test_it_saves_one_post_for_two_networks_with_an_own_text_for_bluesky(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount]
) -> None:
    mastodon, bluesky = channels["mastodon"], channels["bluesky"]
    photo = _photo()
    assert len(photo) > 1_000_000
    response = client_as("manager").post(
        NEW,
        _data(
            [mastodon, bluesky],
            text="Hinter den Kulissen: die Nachtschicht im Stellwerk. Wir zeigen euch, wie es geht.",
            thread=["Teil 2: die Weichenheizung", ""],
            **{
                f"customise_{bluesky.pk}": "on",
                f"variant_{bluesky.pk}": ["Nachtschicht im Stellwerk 🌙", "Weichenheizung 🔥"],
            },
            image_new_0=SimpleUploadedFile("stellwerk.png", photo, "image/png"),
            alt_new_0="Ein Stellwerk bei Nacht, Monitore leuchten",
            part_new_0="1",
            content_warning="",
            link_url="",
        ),
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/publishing/posts/{post.pk}/"
    assert post.status == PostStatus.DRAFT and post.language == "de"
    parts = {
        t.channel.network: [p.text for p in t.parts.all()]
        for t in post.targets.select_related("channel")
    }
    assert parts == {
        "mastodon": [post.text, "Teil 2: die Weichenheizung"],
        "bluesky": ["Nachtschicht im Stellwerk 🌙", "Weichenheizung 🔥"],
    }
    media = post.media.get()
    assert len(bytes(media.content)) <= 1_000_000  # Bluesky's limit is the strictest
    assert media.alt_text == "Ein Stellwerk bei Nacht, Monitore leuchten"

    page = client_as("manager").get(reverse("publishing:post", args=[post.pk])).content.decode()
    assert "Nachtschicht im Stellwerk 🌙" in page and "Teil 2: die Weichenheizung" in page
    assert "Alt text: Ein Stellwerk bei Nacht" in page


def test_a_post_from_an_idea_starts_with_its_text_and_remembers_it(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount], people: dict[str, User]
) -> None:
    idea = Idea.objects.create(
        title="Azubis bauen ein Stellwerk nach",
        what_happened="Unsere Azubis haben ein Modell gebaut, das wir jetzt im Foyer zeigen.",
        submitted_by=people["member"],
    )
    client = client_as("agent")
    page = client.get(NEW + f"?idea={idea.pk}").content.decode()
    assert "Unsere Azubis haben ein Modell" in page and 'value="Azubis bauen' in page
    client.post(NEW + f"?idea={idea.pk}", _data([channels["mastodon"]], idea=str(idea.pk)))
    assert Post.objects.get().idea == idea
    # An id that names nothing (or overflows every database) opens no idea.
    assert client.get(NEW + "?idea=99999999999999999999999").status_code == 200
    assert client.get(NEW + "?idea=424242").status_code == 404


def test_a_part_too_long_for_one_network_is_named_with_its_count_and_nothing_is_saved(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount]
) -> None:
    client = client_as("manager")
    response = client.post(
        NEW,
        _data(
            list(channels.values()),
            text="Kurz",
            thread=["ä" * 312],
            image_new_0=SimpleUploadedFile("a.png", _photo(40, 30), "image/png"),
            alt_new_0="Bild",
        ),
        HTTP_ACCEPT_LANGUAGE="de",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bluesky, Teil 2: 312 von 300 Zeichen" in page
    assert "Mastodon" not in page.split("compose-errors")[1].split("</div>")[0]
    _nothing_saved()


def test_missing_alt_text_stops_the_review_and_keeps_nothing(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount]
) -> None:
    response = client_as("manager").post(
        NEW,
        _data(
            [channels["bluesky"]],
            action="submit",
            image_new_0=SimpleUploadedFile("a.png", _photo(40, 30), "image/png"),
        ),
    )
    assert (
        "Describe this image for people who cannot see it (alt text)." in response.content.decode()
    )
    _nothing_saved()


@pytest.mark.parametrize(
    ("upload", "says"),
    [
        (b"%PDF-1.7 not an image", "This file is not an image that can be read."),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "This file is not an image that can be read."),
        (b"BM" + b"\0" * 100, "This file is not an image that can be read."),
    ],
)
def test_an_unsupported_or_broken_file_is_refused_at_its_field(
    client_as: Callable[[str], Client],
    channels: dict[str, ChannelAccount],
    upload: bytes,
    says: str,
) -> None:
    response = client_as("manager").post(
        NEW,
        _data(
            [channels["mastodon"]],
            image_new_1=SimpleUploadedFile("x.png", upload, "image/png"),
            alt_new_1="x",
        ),
    )
    page = response.content.decode()
    assert says in page and page.rindex(says) > page.index('id="id_image_new_1"')
    _nothing_saved()


def test_an_image_that_cannot_be_shrunk_enough_is_refused(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount]
) -> None:
    tiny = ChannelAccount.objects.create(
        network=Network.MASTODON, handle="bob@tiny.example", limits={"image_size_limit": 200}
    )
    response = client_as("manager").post(
        NEW,
        _data(
            [tiny],
            image_new_0=SimpleUploadedFile("a.png", _photo(300, 300), "image/png"),
            alt_new_0="Rauschen",
        ),
    )
    assert "This image cannot be made small enough for the chosen networks." in (
        response.content.decode()
    )
    _nothing_saved()


def test_a_time_in_the_past_is_refused_at_the_field(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount]
) -> None:
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_as("manager").post(NEW, _data([channels["mastodon"]], scheduled_at=past))
    page = response.content.decode()
    assert "This time is in the past." in page
    assert page.index("This time is in the past.", page.index('id="id_scheduled_at"')) > 0
    _nothing_saved()


def test_a_channel_that_cannot_publish_or_is_disconnected_is_refused(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount]
) -> None:
    feed = ChannelAccount.objects.create(network=Network.RSS, handle="example.org/feed")
    gone = ChannelAccount.objects.create(
        network=Network.MASTODON, handle="old@mock.local", disconnected_at=timezone.now()
    )
    client = client_as("manager")
    page = client.get(NEW).content.decode()
    assert "example.org/feed" not in page and "old@mock.local" not in page  # not offered
    response = client.post(NEW, _data([feed, gone]))
    page = response.content.decode()
    assert "@example.org/feed cannot publish posts." in page
    assert "Mastodon @old@mock.local is disconnected" in page
    _nothing_saved()


def test_hostile_values_are_refused_or_cleaned_and_never_fail_the_page(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount]
) -> None:
    client = client_as("manager")
    huge = "9" * 30
    response = client.post(NEW, {**_data([]), "channels": [huge, "-1", "x"], "campaign": huge})
    assert "A chosen channel does not exist." in response.content.decode()
    response = client.post(NEW, _data([channels["mastodon"]], text="a" * 50_001))
    assert response.status_code == 200 and "50000" in response.content.decode()
    response = client.post(
        NEW,
        _data(
            [channels["mastodon"]],
            title="T" * 201,
            alt_new_0="a" * 1501,
            image_new_0=SimpleUploadedFile("a.png", _photo(20, 20)),
        ),
    )
    page = response.content.decode()
    assert "at most 200 characters" in page
    response = client.post(
        NEW,
        _data(
            [channels["mastodon"]],
            alt_new_0="a" * 1501,
            image_new_0=SimpleUploadedFile("a.png", _photo(20, 20)),
        ),
    )
    assert "Mastodon takes alt text of at most 1,500 characters." in response.content.decode()
    _nothing_saved()
    assert client.get(f"/publishing/posts/{huge}/").status_code == 404
    assert client.get(f"/publishing/posts/{huge}/edit/").status_code == 404
    response = client.post(
        NEW,
        _data(
            [channels["mastodon"]],
            text="Null\x00Byte",
            thread=["zwei\x00"],
            title="T\x00",
            content_warning="\x00cw",
            part_new_0=huge,
            alt_new_0="Alt\x00",
            image_new_0=SimpleUploadedFile("bild\x00" + "x" * 300, _photo(20, 20), "image/png"),
        ),
    )
    post = Post.objects.get()
    media = post.media.get()
    assert media.alt_text == "Alt" and media.filename.startswith("bildxxx")
    assert "\x00" not in media.filename and len(media.filename) <= 255
    assert (post.text, post.thread, post.title, post.content_warning) == (
        "NullByte",
        ["zwei"],
        "T",
        "cw",
    )
    assert "\x00" not in "".join(PostPart.objects.values_list("text", flat=True))


def test_editing_an_approved_post_sends_it_back_to_review_and_a_variant_can_follow_again(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount], people: dict[str, User]
) -> None:
    mastodon, bluesky = channels["mastodon"], channels["bluesky"]
    by = Acting(user=people["manager"])
    post = services.post_create(
        by=by, text="Alt", channels=[mastodon, bluesky], variants={bluesky.pk: ["Eigener Text"]}
    )
    services.post_approve(by=Acting(user=people["admin"]), post=post)
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    client = client_as("manager")
    page = client.get(reverse("publishing:post_edit", args=[post.pk])).content.decode()
    assert "Eigener Text" in page
    client.post(
        reverse("publishing:post_edit", args=[post.pk]),
        _data(
            [mastodon, bluesky],
            text="Neu",
            **{f"variant_{bluesky.pk}": ["Eigener Text"]},
        ),
    )  # fmt: skip  (the "own text" box is not ticked: Bluesky follows the main text again)
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW and post.version == 2
    # Saved and "sent for review" again while in review: it stays there, with the change.
    client.post(
        reverse("publishing:post_edit", args=[post.pk]),
        _data([mastodon, bluesky], text="Neuer", action="submit"),
    )
    post.refresh_from_db()
    assert (post.status, post.text) == (PostStatus.IN_REVIEW, "Neuer")
    assert list(
        PostPart.objects.filter(target__channel=bluesky).values_list("text", flat=True)
    ) == ["Neuer"]  # Bluesky follows the main text


def test_an_image_is_removed_and_a_published_post_cannot_be_edited(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount], people: dict[str, User]
) -> None:
    post = services.post_create(
        by=Acting(user=people["manager"]), text="Bild", channels=[channels["mastodon"]]
    )
    media = PostMedia.objects.create(post=post, content=b"x", mime="image/png", alt_text="a")
    client = client_as("agent")
    url = reverse("publishing:post_media_delete", args=[post.pk, media.pk])
    assert client.post(url).status_code == 302
    assert not PostMedia.objects.exists()
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED)
    response = client.get(reverse("publishing:post_edit", args=[post.pk]))
    assert response.status_code == 302 and response["Location"] == f"/publishing/posts/{post.pk}/"


def test_the_list_filters_by_status_and_a_member_sees_only_what_concerns_them(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount], people: dict[str, User]
) -> None:
    services.post_create(
        by=Acting(user=people["manager"]), text="Entwurf vom Team", channels=[channels["mastodon"]]
    )
    mine = services.post_create(
        by=Acting(user=people["member"]), text="Mein Beitrag", channels=[channels["mastodon"]]
    )
    Post.objects.filter(pk=mine.pk).update(status=PostStatus.IN_REVIEW)
    team = client_as("agent").get(reverse("publishing:posts") + "?status=draft").content.decode()
    assert "Entwurf vom Team" in team and "Mein Beitrag" not in team
    member = client_as("member").get(reverse("publishing:posts")).content.decode()
    assert "Mein Beitrag" in member and "Entwurf vom Team" not in member
    assert client_as("member").get(NEW).status_code == 403
    assert client_as("viewer").get(reverse("publishing:posts")).status_code == 200


def test_the_list_filters_by_campaign(
    client_as: Callable[[str], Client], channels: dict[str, ChannelAccount], people: dict[str, User]
) -> None:
    from socialdesk.publishing.models import Campaign

    summer = Campaign.objects.create(name="Sommer an der Küste")
    by = Acting(user=people["manager"])
    services.post_create(by=by, text="Strandzug", channels=[channels["mastodon"]], campaign=summer)
    services.post_create(by=by, text="Winterfahrplan", channels=[channels["mastodon"]])
    client = client_as("agent")
    shown = client.get(reverse("publishing:posts") + f"?campaign={summer.pk}").content.decode()
    assert "Strandzug" in shown and "Winterfahrplan" not in shown
    assert "Winterfahrplan" in client.get(reverse("publishing:posts")).content.decode()
    hostile = client.get(reverse("publishing:posts") + "?campaign=99999999999999999999999")
    assert hostile.status_code == 200 and "Winterfahrplan" in hostile.content.decode()
