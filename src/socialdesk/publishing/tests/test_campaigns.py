"""Campaigns: made and changed by managers, checked at the field, with their posts and ideas."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent
from socialdesk.channels.models import ChannelAccount
from socialdesk.publishing import campaign_services as campaigns
from socialdesk.publishing import idea_services as ideas
from socialdesk.publishing import services as posts
from socialdesk.publishing.models import Campaign


def by(person) -> Acting:
    return Acting(user=person)


def test_it_creates_a_campaign_with_colour_dates_and_goal(people):
    made = campaigns.campaign_create(
        by=by(people["manager"]),
        name=" Sommer 2027 ",
        colour="#FF8800",
        starts_on=date(2027, 6, 1),
        ends_on=date(2027, 8, 31),
        description="Reisen im Sommer",
        goal="200 neue Follower",
    )
    assert (made.name, made.colour, made.goal) == ("Sommer 2027", "#ff8800", "200 neue Follower")
    assert AuditEvent.objects.filter(action="campaign.created").count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "Eins\x00"}, "name"),
        ({"colour": "orange"}, "colour"),
        ({"colour": "#12345"}, "colour"),
        ({"starts_on": date(2027, 6, 2), "ends_on": date(2027, 6, 1)}, "ends_on"),
        ({"goal": "g" * 10_001}, "goal"),
    ],
)
def test_it_refuses_wrong_values_at_the_field(people, fields, field):
    values = {"name": "Sommer", "colour": "#2563eb", **fields}
    with pytest.raises(ValidationError) as raised:
        campaigns.campaign_create(by=by(people["manager"]), **values)
    assert list(raised.value.message_dict) == [field]
    assert Campaign.objects.count() == 0


def test_a_name_is_taken_once_whatever_its_case(people):
    campaigns.campaign_create(by=by(people["manager"]), name="Sommer")
    with pytest.raises(ValidationError) as raised:
        campaigns.campaign_create(by=by(people["manager"]), name="SOMMER")
    assert list(raised.value.message_dict) == ["name"]


def test_it_changes_and_archives_and_brings_back(people):
    made = campaigns.campaign_create(by=by(people["manager"]), name="Sommer")
    campaigns.campaign_update(
        by=by(people["manager"]),
        campaign=made,
        name="Sommer 27",
        colour="#00aa00",
        starts_on=None,
        ends_on=None,
        description="",
        goal="Mehr Reichweite",
    )
    made.refresh_from_db()
    assert (made.name, made.colour, made.goal) == ("Sommer 27", "#00aa00", "Mehr Reichweite")
    campaigns.campaign_archive(by=by(people["manager"]), campaign=made)
    made.refresh_from_db()
    assert made.archived_at is not None
    campaigns.campaign_archive(by=by(people["manager"]), campaign=made, archived=False)
    made.refresh_from_db()
    assert made.archived_at is None


def test_managers_make_campaigns_on_the_page_agents_may_not(client_as, people):
    assert client_as("agent").get(reverse("publishing:campaign_new")).status_code == 403
    manager = client_as("manager")
    wrong = manager.post(
        reverse("publishing:campaign_new"),
        {"name": "Sommer", "colour": "#ff8800", "starts_on": "2027-06-02", "ends_on": "2027-06-01"},
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {
        "ends_on": ["The campaign cannot end before it starts."]
    }
    done = manager.post(
        reverse("publishing:campaign_new"),
        {
            "name": "Sommer",
            "colour": "#ff8800",
            "starts_on": "2027-06-01",
            "ends_on": "2027-08-31",
            "goal": "200 neue Follower",
        },
    )
    made = Campaign.objects.get()
    assert done["Location"] == reverse("publishing:campaign", args=[made.pk])
    edit = manager.post(
        reverse("publishing:campaign_edit", args=[made.pk]),
        {"name": "Sommer", "colour": "#ff8800", "starts_on": "", "ends_on": "", "goal": "Mehr"},
    )
    assert edit.status_code == 302
    made.refresh_from_db()
    assert made.goal == "Mehr" and made.starts_on is None


def test_the_list_shows_colour_dates_and_counts_per_campaign(client_as, people, departments):
    summer = campaigns.campaign_create(
        by=by(people["manager"]),
        name="Sommer",
        colour="#ff8800",
        starts_on=date(2027, 6, 1),
        ends_on=date(2027, 8, 31),
    )
    channel = ChannelAccount.objects.create(network="mastodon", handle="nordlicht@bahn.example")
    for text in ("Eins", "Zwei"):
        posts.post_create(by=by(people["agent"]), text=text, channels=[channel], campaign=summer)
    ideas.idea_submit(
        by=by(people["agent"]),
        title="Idee",
        what_happened="x",
        campaign=summer,
        department=departments["Legal"],
    )
    page = client_as("manager").get(reverse("publishing:campaigns"))
    [row] = page.context["rows"]
    assert row["posts"] == [("draft", "Draft", 2)] and row["ideas"] == 1
    html = page.content.decode()
    assert 'fill="#ff8800"' in html and "Draft: 2" in html
    # a member counts only the posts and ideas they may see
    [member_row] = client_as("member").get(reverse("publishing:campaigns")).context["rows"]
    assert member_row["posts_total"] == 0 and member_row["ideas"] == 0


def test_the_campaign_page_shows_its_posts_and_ideas(client_as, people):
    summer = campaigns.campaign_create(by=by(people["manager"]), name="Sommer")
    channel = ChannelAccount.objects.create(network="mastodon", handle="nordlicht@bahn.example")
    posts.post_create(
        by=by(people["agent"]), text="Strandzug fährt", channels=[channel], campaign=summer
    )
    ideas.idea_submit(
        by=by(people["agent"]), title="Lokführerin am Meer", what_happened="x", campaign=summer
    )
    html = client_as("agent").get(reverse("publishing:campaign", args=[summer.pk])).content.decode()
    assert "Strandzug fährt" in html and "Lokführerin am Meer" in html


def test_empty_campaign_pages_say_what_to_do(client_as, people):
    assert (
        "Choose “New campaign”"
        in client_as("manager").get(reverse("publishing:campaigns")).content.decode()
    )
    assert (
        "The social media managers set them up"
        in client_as("member").get(reverse("publishing:campaigns")).content.decode()
    )
    summer = campaigns.campaign_create(by=by(people["manager"]), name="Sommer")
    html = (
        client_as("member").get(reverse("publishing:campaign", args=[summer.pk])).content.decode()
    )
    assert (
        "No posts in this campaign yet" in html and "No story ideas for this campaign yet" in html
    )


def test_an_archived_campaign_leaves_the_list_and_comes_back(client_as, people):
    summer = campaigns.campaign_create(by=by(people["manager"]), name="Sommer")
    manager = client_as("manager")
    manager.post(reverse("publishing:campaign_archive", args=[summer.pk]), {"archived": "yes"})
    assert manager.get(reverse("publishing:campaigns")).context["rows"] == []
    archived = manager.get(reverse("publishing:campaigns") + "?archived=yes").context["rows"]
    assert [r["campaign"] for r in archived] == [summer]
    manager.post(reverse("publishing:campaign_archive", args=[summer.pk]), {})
    assert len(manager.get(reverse("publishing:campaigns")).context["rows"]) == 1
