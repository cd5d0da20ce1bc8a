"""A post's history in words, what changed after an approval, and comments with @mentions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.inbox.models import Notification
from socialdesk.publishing import post_history, review_diff, services
from socialdesk.publishing.models import Post, PostComment, PostEvent


@pytest.fixture
def channel(db: None) -> ChannelAccount:
    return ChannelAccount.objects.create(network=Network.MASTODON, handle="bahn@mock.local")


def _scheduled(people: dict[str, User], channel: ChannelAccount) -> Post:
    by = Acting(user=people["manager"])
    at = timezone.make_aware(datetime(2031, 3, 4, 9, 30))
    post = services.post_create(
        by=by, text="Die Nachtschicht im Stellwerk Altona", channels=[channel], scheduled_at=at
    )
    services.post_submit(by=by, post=post)
    return services.post_approve(by=Acting(user=people["admin"]), post=post, comment="Schön")


def test_it_tells_the_history_in_words(people, channel):
    post = _scheduled(people, channel)
    PostEvent.objects.create(post=post, kind="published")
    PostEvent.objects.create(post=post, kind="metrics_read")
    lines = [line.text for line in post_history.history(post)]
    assert lines == [
        "Max Manager created the post.",
        "Max Manager sent the post for review.",
        "Ada Admin approved.",
        "The post has every approval it needs.",
        f"Scheduled for {review_diff.when(post.scheduled_at.isoformat())}",  # type: ignore[union-attr]
        "The post is now: Published.",
        "socialdesk: metrics read.",
    ]
    assert post_history.history(post)[2].quote == "Schön"


def test_it_records_and_shows_what_changed_after_an_approval(people, channel):
    post = _scheduled(people, channel)
    later = timezone.make_aware(datetime(2031, 3, 5, 15, 0))
    services.post_update(
        by=Acting(user=people["manager"]), post=post,
        text="Die Nachtschicht im Stellwerk Hamburg-Altona <b>", scheduled_at=later,
    )  # fmt: skip
    back = PostEvent.objects.get(post=post, kind="back_to_review")
    assert back.data["diff"]["text"] == [
        "Die Nachtschicht im Stellwerk Altona",
        "Die Nachtschicht im Stellwerk Hamburg-Altona <b>",
    ]
    assert back.data["diff"]["scheduled_at"][0].startswith("2031-03-04")
    line = next(x for x in post_history.history(post) if x.kind == "back_to_review")
    assert "the text and the time" in line.text
    text_change = line.changes[0]
    assert str(text_change.diff) == (
        "Die Nachtschicht im Stellwerk<del> Altona</del><ins> Hamburg-Altona &lt;b&gt;</ins>"
    )
    time_change = line.changes[1]
    assert "2031" in time_change.before and "2031" in time_change.after


def test_the_review_page_shows_the_diff_and_the_history_in_german(people, channel, client):
    post = _scheduled(people, channel)
    services.post_update(by=Acting(user=people["manager"]), post=post, text="Neu <script>")
    client.force_login(people["manager"])
    page = client.get(
        reverse("publishing:post_review", args=[post.pk]), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert "wieder in Prüfung" in page
    assert "<ins>Neu &lt;script&gt;</ins>" in page
    assert "04.03.2031" in page  # the time, as a German reader reads it


def test_words_diff_escapes_and_keeps_spaces():
    assert str(review_diff.words_diff("a  b c", "a  <i> c")) == (
        "a<del>  b</del><ins>  &lt;i&gt;</ins> c"
    )


def test_a_comment_with_a_mention_tells_the_person_in_the_app_and_by_e_mail(
    people, channel, client, django_capture_on_commit_callbacks: Any
):
    post = _scheduled(people, channel)
    client.force_login(people["manager"])
    mail.outbox.clear()
    seen = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("publishing:post_comment", args=[post.pk]),
            {"text": "@ada passt das Bild? @mia auch?"},
        )
    assert response.status_code == 302
    assert PostComment.objects.get().text == "@ada passt das Bild? @mia auch?"
    # Ada sees the post; Mia (Product Development, not asked) may not open it: not told
    told = Notification.objects.order_by("pk")[seen:]
    assert [(n.user.email, n.kind) for n in told] == [("ada@example.com", Notification.Kind.POST)]
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    page = client.get(reverse("publishing:post_review", args=[post.pk])).content.decode()
    assert "passt das Bild?" in page


def test_an_empty_or_hostile_comment_is_refused(people, channel):
    post = _scheduled(people, channel)
    client = Client()
    client.force_login(people["manager"])
    url = reverse("publishing:post_comment", args=[post.pk])
    response = client.post(url, {"text": "   "}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Write a comment first" in response.content.decode()
    client.post(url, {"text": "x" * 6000})
    assert not PostComment.objects.exists()
    client.post(url, {"text": "mit\x00Null"})
    assert [c.text for c in PostComment.objects.all()] in ([], ["mitNull"])


def test_a_member_cannot_comment_on_a_post_they_may_not_see(people, channel):
    post = _scheduled(people, channel)
    client = Client()
    client.force_login(people["member"])
    response = client.post(reverse("publishing:post_comment", args=[post.pk]), {"text": "hallo"})
    assert response.status_code == 404
    assert not PostComment.objects.exists()


def test_times_are_shown_in_the_readers_language(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    from django.utils import translation

    with translation.override("de"):
        assert review_diff.when("2031-03-04T08:30:00+00:00") == "04.03.2031 09:30"
    assert review_diff.when("not a time") == "no time"


def test_a_changed_image_is_shown_before_and_after(people, channel):
    from socialdesk.publishing.models import PostMedia

    post = _scheduled(people, channel)
    PostMedia.objects.create(post=post, content=b"x", mime="image/png", filename="alt.png",
                             alt_text="Stellwerk")  # fmt: skip
    before = review_diff.snapshot(post)
    PostMedia.objects.filter(post=post).update(alt_text="Stellwerk bei Nacht")
    services.mark_changed(post, Acting(user=people["manager"]), "media", before)
    line = next(x for x in post_history.history(post) if x.kind == "back_to_review")
    assert "the images" in line.text
    assert (line.changes[0].before, line.changes[0].after) == (
        "alt.png (Stellwerk)", "alt.png (Stellwerk bei Nacht)",
    )  # fmt: skip
