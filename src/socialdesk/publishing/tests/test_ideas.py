"""Story ideas: submitted by anyone, decided by the team, told to the submitter, followed."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Notification
from socialdesk.publishing import idea_services as ideas
from socialdesk.publishing import services as posts
from socialdesk.publishing.idea_selectors import idea_history
from socialdesk.publishing.idea_services import PhotoUpload
from socialdesk.publishing.models import Idea, IdeaComment, IdeaPhoto, IdeaStatus, Post


def photo_bytes(width: int = 120, height: int = 80, *, gps: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Kamera GmbH"
    if gps:
        exif[0x8825] = {1: "N", 2: (53.0, 33.0, 1.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def by(user: User) -> Acting:
    return Acting(user=user, ip="127.0.0.1")


def submit(user: User, **fields: Any) -> Idea:
    values: dict[str, Any] = {
        "title": "Azubi-Tag in Kiel",
        "what_happened": "Zehn Azubis bauten einen Zug aus Lego.",
    }
    values.update(fields)
    return ideas.idea_submit(by=by(user), **values)


@pytest.fixture
def mastodon(db: None) -> ChannelAccount:
    return ChannelAccount.objects.create(network="mastodon", handle="nordlicht@bahn.example")


# --------------------------------------------------------------------------- services


def test_it_stores_an_idea_with_its_photos_without_gps_and_the_submitter_follows(people):
    mia = people["member"]
    idea = submit(mia, photos=[PhotoUpload(photo_bytes(gps=True), "Azubis mit Lego-Zug", "a.jpg")])
    assert idea.status == IdeaStatus.NEW and idea.submitted_by == mia
    photo = IdeaPhoto.objects.get(idea=idea)
    assert photo.alt_text == "Azubis mit Lego-Zug" and photo.mime == "image/jpeg"
    assert b"Kamera GmbH" not in bytes(photo.content)
    assert list(idea.followers.all()) == [mia]


def test_a_bad_photo_is_an_error_at_its_place_and_nothing_is_stored(people):
    good = PhotoUpload(photo_bytes(), "Ein Foto")
    with pytest.raises(ValidationError) as raised:
        submit(people["member"], photos=[good, PhotoUpload(b"not an image", "kaputt")])
    assert set(raised.value.message_dict) == {"photos.1"}
    assert "not an image that can be read" in raised.value.message_dict["photos.1"][0]
    assert Idea.objects.count() == 0 and IdeaPhoto.objects.count() == 0


def test_a_photo_without_alt_text_is_refused(people):
    with pytest.raises(ValidationError) as raised:
        submit(people["member"], photos=[PhotoUpload(photo_bytes(), "  ")])
    assert set(raised.value.message_dict) == {"photos.0.alt_text"}
    assert Idea.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "A\x00B"}, "title"),
        ({"what_happened": "   "}, "what_happened"),
        ({"why_it_matters": "y" * 10_001}, "why_it_matters"),
    ],
)
def test_it_refuses_wrong_text_at_the_field(people, fields, field):
    with pytest.raises(ValidationError) as raised:
        submit(people["member"], **fields)
    assert list(raised.value.message_dict) == [field]
    assert Idea.objects.count() == 0


def test_the_managers_hear_of_a_new_idea(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        idea = submit(people["member"])
    told = Notification.objects.filter(kind=Notification.Kind.IDEA)
    assert [n.user for n in told] == [people["manager"]]
    assert told.get().link == reverse("publishing:idea", args=[idea.pk])
    assert [m.to for m in mail.outbox] == [[people["manager"].email]]


def test_a_decline_needs_a_reason(people):
    idea = submit(people["member"])
    with pytest.raises(ValidationError) as raised:
        ideas.idea_decline(by=by(people["manager"]), idea=idea, reason=" ")
    assert list(raised.value.message_dict) == ["reason"]
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.NEW


def test_a_german_submitter_hears_of_the_decline_in_german(
    people, django_capture_on_commit_callbacks
):
    mia = people["member"]
    mia.language = "de"
    mia.save()
    idea = submit(mia, title="Lego-Zug")
    ideas.idea_unfollow(by=by(mia), idea=idea)  # told even when no longer following
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ideas.idea_decline(by=by(people["manager"]), idea=idea, reason="Passt nicht zur Saison.")
    [sent] = mail.outbox
    assert sent.to == [mia.email]
    assert sent.subject == "Story-Idee „Lego-Zug“ wurde abgelehnt"
    assert "Grund: Passt nicht zur Saison." in sent.body
    assert "Status: Abgelehnt" in sent.body
    note = Notification.objects.get(user=mia, kind=Notification.Kind.IDEA)
    assert note.title == sent.subject


def test_followers_hear_of_status_changes_and_comments_but_not_of_their_own(
    people, django_capture_on_commit_callbacks
):
    mia, max_, alex = people["member"], people["manager"], people["agent"]
    User.objects.update(language="en")
    idea = submit(mia)
    ideas.idea_follow(by=by(alex), idea=idea)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        ideas.idea_accept(by=by(max_), idea=idea)
        ideas.idea_comment(by=by(alex), idea=idea, text="Ich kenne die Ausbilderin.")
    told = sorted((n.user.email, n.title) for n in Notification.objects.all())
    assert told == [
        (alex.email, "Story idea “Azubi-Tag in Kiel” was accepted"),
        (mia.email, "Alex Agent on “Azubi-Tag in Kiel”: Ich kenne die Ausbilderin."),
        (mia.email, "Story idea “Azubi-Tag in Kiel” was accepted"),
    ]
    assert IdeaComment.objects.get().author == alex


def test_an_idea_is_planned_with_its_posts_and_published_with_them(people, mastodon):
    max_ = people["manager"]
    idea = submit(people["member"])
    ideas.idea_accept(by=by(max_), idea=idea)
    post = posts.post_create(by=by(max_), text="Lego!", channels=[mastodon])
    ideas.idea_plan(by=by(max_), idea=idea, posts=[post])
    idea.refresh_from_db()
    post.refresh_from_db()
    assert idea.status == IdeaStatus.PLANNED and post.idea == idea
    ideas.on_post_published(post)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PUBLISHED
    actions = [e.action for e in idea_history(idea)]
    assert actions == ["idea.submitted", "idea.accepted", "idea.planned", "idea.published"]


def test_a_post_written_for_an_idea_makes_it_planned(people, mastodon):
    idea = submit(people["member"])
    post = posts.post_create(by=by(people["agent"]), text="Lego!", channels=[mastodon], idea=idea)
    ideas.on_post_created(post)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PLANNED


def test_planning_needs_a_post_and_a_declined_idea_cannot_be_planned(people, mastodon):
    idea = submit(people["member"])
    with pytest.raises(ValidationError) as raised:
        ideas.idea_plan(by=by(people["agent"]), idea=idea, posts=[])
    assert list(raised.value.message_dict) == ["posts"]
    ideas.idea_decline(by=by(people["agent"]), idea=idea, reason="Nein")
    post = posts.post_create(by=by(people["agent"]), text="x", channels=[mastodon])
    with pytest.raises(ValidationError):
        ideas.idea_plan(by=by(people["agent"]), idea=idea, posts=[post])
    assert Post.objects.get().idea is None


# --------------------------------------------------------------------------- pages


def _upload(name: str = "lego.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else photo_bytes(), "image/jpeg")


def test_anyone_submits_an_idea_with_a_photo_through_story(client_as, people, departments):
    client = client_as("member")
    form = client.get("/story/")
    assert form.status_code == 200 and b"Tell us your story" in form.content
    response = client.post(
        "/story/",
        {
            "title": "Lego-Zug",
            "what_happened": "Azubis bauten ihn.",
            "department": departments["Product Development"].pk,
            "photo_2": _upload(),
            "alt_2": "Der Lego-Zug auf dem Tisch",
        },
    )
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/publishing/ideas/{idea.pk}/"
    page = client.get(response["Location"]).content.decode()
    photo = idea.photos.get()
    assert f'src="/publishing/ideas/photos/{photo.pk}/"' in page
    assert 'alt="Der Lego-Zug auf dem Tisch"' in page
    served = client.get(f"/publishing/ideas/photos/{photo.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


def test_a_broken_photo_is_shown_at_its_field_and_nothing_is_stored(client_as, people):
    response = client_as("member").post(
        "/story/",
        {
            "title": "Lego-Zug",
            "what_happened": "Azubis.",
            "photo_1": _upload(),
            "alt_1": "gut",
            "photo_3": _upload("x.png", b"\x89PNG kaputt"),
            "alt_3": "",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["photo_3"] == ["This file is not an image that can be read."]
    assert form.errors["alt_3"] == ["Describe the photo for people who cannot see it (alt text)."]
    assert "photo_1" not in form.errors
    assert Idea.objects.count() == 0 and IdeaPhoto.objects.count() == 0


def test_the_list_filters_by_status_department_and_campaign_and_counts(
    client_as, people, departments
):
    from socialdesk.publishing.campaign_services import campaign_create

    summer = campaign_create(by=by(people["manager"]), name="Sommer", colour="#ff8800")
    legal, product = departments["Legal"], departments["Product Development"]
    one = submit(people["agent"], title="Eins", department=legal, campaign=summer)
    submit(people["agent"], title="Zwei", department=product)
    ideas.idea_accept(by=by(people["manager"]), idea=one)
    client = client_as("manager")
    everything = client.get(reverse("publishing:ideas")).context
    assert everything["total"] == 2
    assert ("accepted", "Accepted", 1) in everything["counts"]
    by_campaign = client.get(reverse("publishing:ideas") + f"?campaign={summer.pk}")
    assert [i.title for i in by_campaign.context["page"]] == ["Eins"]
    by_status = client.get(reverse("publishing:ideas") + "?status=new")
    assert [i.title for i in by_status.context["page"]] == ["Zwei"]
    empty = client.get(reverse("publishing:ideas") + f"?status=declined&department={product.pk}")
    assert b"No story ideas match these filters" in empty.content


def test_an_empty_list_says_what_to_do(client_as):
    page = client_as("member").get(reverse("publishing:ideas")).content.decode()
    assert "No story ideas yet" in page and "/story/" in page


def test_a_member_sees_neither_another_departments_idea_nor_its_photo(
    client_as, people, departments
):
    legal_idea = submit(
        people["agent"],
        title="Geheim-Legal",
        department=departments["Legal"],
        photos=[PhotoUpload(photo_bytes(), "Akten")],
    )
    own_department = submit(
        people["agent"], title="Produkt-Story", department=departments["Product Development"]
    )
    member = client_as("member")
    listed = member.get(reverse("publishing:ideas")).content.decode()
    assert "Produkt-Story" in listed and "Geheim-Legal" not in listed
    assert member.get(reverse("publishing:idea", args=[legal_idea.pk])).status_code == 404
    photo = legal_idea.photos.get()
    assert member.get(reverse("publishing:idea_photo", args=[photo.pk])).status_code == 404
    assert member.get(reverse("publishing:idea", args=[own_department.pk])).status_code == 200
    assert (
        client_as("agent").get(reverse("publishing:idea_photo", args=[photo.pk])).status_code == 200
    )


def test_the_team_accepts_and_declines_on_the_page_a_member_may_not(client_as, people):
    idea = submit(people["member"])
    member = client_as("member")
    assert member.post(reverse("publishing:idea_accept", args=[idea.pk])).status_code == 403
    assert b'id="accept"' not in member.get(reverse("publishing:idea", args=[idea.pk])).content
    agent = client_as("agent")
    refused = agent.post(reverse("publishing:idea_decline", args=[idea.pk]), {"reason": ""})
    assert refused.status_code == 400
    assert "Tell the submitter why" in refused.content.decode()
    agent.post(reverse("publishing:idea_decline", args=[idea.pk]), {"reason": "Zu intern."})
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DECLINED
    page = member.get(reverse("publishing:idea", args=[idea.pk])).content.decode()
    assert "Zu intern." in page and "Declined" in page


def test_a_member_comments_and_follows_on_the_page(client_as, people, departments):
    idea = submit(people["agent"], department=departments["Product Development"])
    member = client_as("member")
    url = reverse("publishing:idea", args=[idea.pk])
    member.post(reverse("publishing:idea_follow", args=[idea.pk]), {"follow": "yes"})
    assert idea.followers.filter(pk=people["member"].pk).exists()
    member.post(reverse("publishing:idea_comment", args=[idea.pk]), {"text": "Ich war dabei!"})
    assert "Ich war dabei!" in member.get(url).content.decode()
    member.post(reverse("publishing:idea_follow", args=[idea.pk]), {})
    assert not idea.followers.filter(pk=people["member"].pk).exists()


def test_the_team_sees_the_write_a_post_link_and_links_posts(client_as, people, mastodon):
    idea = submit(people["member"])
    post = posts.post_create(by=by(people["agent"]), text="Lego!", channels=[mastodon])
    agent = client_as("agent")
    page = agent.get(reverse("publishing:idea", args=[idea.pk])).content.decode()
    assert f'href="/publishing/posts/new/?idea={idea.pk}"' in page
    agent.post(reverse("publishing:idea_plan", args=[idea.pk]), {"posts": [post.pk]})
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PLANNED and idea.posts.get() == post
    history = agent.get(reverse("publishing:idea", args=[idea.pk])).content.decode()
    assert "Story idea planned" in history


def test_a_viewer_may_submit_too(client_as, people):
    assert people["viewer"].role == Role.VIEWER
    client_as("viewer").post("/story/", {"title": "Besuch", "what_happened": "Ein Besuch."})
    assert Idea.objects.get().submitted_by == people["viewer"]


def test_lists_read_no_photo_bytes(client_as, people):
    """Ideas with photos are listed and shown without reading a byte of their photos."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(3):
        submit(people["agent"], title=f"Idee {number}", photos=[PhotoUpload(photo_bytes(), "x")])
    client = client_as("manager")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("publishing:ideas")).context["page"][0].photo_count == 1
        idea = client.get(reverse("publishing:idea", args=[Idea.objects.earliest("pk").pk]))
        assert len(idea.context["photos"]) == 1
    assert not [q["sql"] for q in queries if '"content"' in q["sql"] and "ideaphoto" in q["sql"]]


def test_an_idea_page_lists_only_the_posts_the_reader_may_see(client_as, people, mastodon):
    idea = submit(people["member"], title="Lego-Zug")
    for text in ("Teambeitrag-Geheimnis", "Mias Beitrag"):
        author = people["agent"] if text.startswith("Team") else people["member"]
        posts.post_create(by=by(author), text=text, channels=[mastodon], idea=idea, title=text)
    as_member = client_as("member").get(reverse("publishing:idea", args=[idea.pk]))
    page = as_member.content.decode()
    assert "Mias Beitrag" in page and "Teambeitrag-Geheimnis" not in page
    as_agent = client_as("agent").get(reverse("publishing:idea", args=[idea.pk])).content.decode()
    assert "Mias Beitrag" in as_agent and "Teambeitrag-Geheimnis" in as_agent
