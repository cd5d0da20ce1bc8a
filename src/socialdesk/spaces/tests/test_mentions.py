"""Mentions: every syntax, who is told (in their language, never the author), the private-room
warning, and mentions rendered as links."""

from __future__ import annotations

from socialdesk.accounts.models import Role, User
from socialdesk.inbox.models import Notification
from socialdesk.spaces import mentions, post_services, room_services
from socialdesk.spaces.models import PostMention
from socialdesk.spaces.rendering import render_post
from socialdesk.spaces.tests.helpers import by


def _anna() -> User:
    return User.objects.create_user(
        "anna.schmidt@example.com", "x", full_name="Anna Schmidt", role=Role.AGENT, language="de"
    )


def test_it_understands_every_way_of_mentioning(people, departments):
    anna = _anna()
    found = mentions.parse("Hallo @anna.schmidt und @[Max Manager], @[Legal] und @alle.")
    assert [p.pk for p in found.users] == [people["manager"].pk, anna.pk]
    assert [d.name for d in found.departments] == ["Legal"]
    assert found.whole_room
    nobody = mentions.parse("E-Mail an info@example.com, @niemand, @[Unbekannt]")
    assert not nobody


def test_it_tells_the_mentioned_in_their_language_never_the_author(people, departments):
    anna = _anna()
    room = room_services.room_create(by=by(people["agent"]), name="Relaunch Website")
    written = post_services.post_create(
        by=by(people["agent"]), room=room, body="@Anna bitte prüfen, @alex auch"
    )
    note = Notification.objects.get()
    assert note.user == anna and note.kind == Notification.Kind.ROOM
    assert (
        note.title
        == "Alex Agent hat Sie in „Relaunch Website“ erwähnt: „@Anna bitte prüfen, @alex auch“"
    )
    assert note.link == f"/spaces/rooms/{room.pk}/#post-{written.post.pk}"
    assert PostMention.objects.filter(post=written.post).count() == 2  # Anna and Alex (stored)


def test_it_does_not_tell_a_non_member_of_a_private_room_and_warns_the_author(people):
    anna = _anna()
    room = room_services.room_create(
        by=by(people["agent"]), name="Geheim", visibility="private", members=[people["member"]]
    )
    written = post_services.post_create(
        by=by(people["agent"]), room=room, body="@[Anna Schmidt] und @[Mia Member]"
    )
    assert list(Notification.objects.values_list("user", flat=True)) == [people["member"].pk]
    assert written.warnings == [
        "Anna Schmidt is not a member of this private room and was not notified."
    ]
    assert anna.pk not in Notification.objects.values_list("user", flat=True)


def test_it_tells_a_whole_room_and_departments_members_who_may_read(people, departments):
    room = room_services.room_create(
        by=by(people["agent"]), name="Team", members=[people["member"], people["viewer"]]
    )
    room_services.room_set_notify(by=by(people["viewer"]), room=room, notify="none")
    post_services.post_create(by=by(people["agent"]), room=room, body="@raum Treffen")
    assert set(Notification.objects.values_list("user", flat=True)) == {people["member"].pk}
    Notification.objects.all().delete()
    post_services.post_create(by=by(people["agent"]), room=room, body="@[Customer Service] bitte")
    assert set(Notification.objects.values_list("user", flat=True)) == {people["manager"].pk}


def test_it_tells_only_newly_mentioned_people_after_an_edit(people):
    room = room_services.room_create(by=by(people["agent"]), name="Team")
    post = post_services.post_create(by=by(people["agent"]), room=room, body="@mia schau").post
    post_services.post_edit(by=by(people["agent"]), post=post, body="@mia und @max schaut")
    assert sorted(Notification.objects.values_list("user__email", flat=True)) == [
        "max@example.com",
        "mia@example.com",
    ]


def test_it_renders_mentions_as_links_and_hostile_text_as_text(people):
    room = room_services.room_create(by=by(people["agent"]), name="Team")
    post = post_services.post_create(
        by=by(people["agent"]),
        room=room,
        body="Hi @[Mia Member]. `@mia` [x](javascript:alert(1)) @[<svg onload=alert(1)>] <b>x</b>",
    ).post
    html = render_post(post)
    mia = people["member"].pk
    assert f'<a class="mention" href="/people/{mia}/"' in html or (
        f'href="/people/{mia}/"' in html and 'class="mention"' in html
    )
    assert "<code>@mia</code>" in html
    assert 'href="javascript' not in html and "<svg" not in html and "<b>" not in html
