"""The room pages: list tabs with unread counts and empty states, new room, the room page
(pinned first, "N weitere Antworten", "Neu", archive banner), a huge paste kept in the form,
the last owner's refusal shown, private rooms 404 for others."""

from __future__ import annotations

from django.urls import reverse

from socialdesk.spaces import post_services, room_services
from socialdesk.spaces.models import Room, RoomPost
from socialdesk.spaces.tests.helpers import by


def test_it_lists_my_rooms_with_unread_counts_and_says_what_to_do_when_empty(client_as, people):
    member = client_as("member")
    page = member.get(reverse("spaces:rooms"), HTTP_ACCEPT_LANGUAGE="de")
    assert "Sie sind noch in keinem Raum." in page.content.decode()
    room = room_services.room_create(
        by=by(people["agent"]), name="Relaunch", members=[people["member"]]
    )
    post_services.post_create(by=by(people["agent"]), room=room, body="Hallo")
    html = member.get(reverse("spaces:rooms")).content.decode()
    assert f'id="unread-{room.pk}">1<' in html
    member.get(reverse("spaces:room", args=[room.pk]))
    assert f'id="unread-{room.pk}"' not in member.get(reverse("spaces:rooms")).content.decode()


def test_it_opens_a_room_from_the_form_with_members(client_as, people, departments):
    response = client_as("agent").post(
        reverse("spaces:room_new"),
        {
            "name": "Relaunch Website",
            "purpose": "Neue Seite",
            "visibility": "private",
            "members": [people["viewer"].pk],
            "departments": [departments["Product Development"].pk],
        },
    )
    room = Room.objects.get()
    assert response.status_code == 302
    assert set(room.memberships.values_list("user__email", flat=True)) == {
        "alex@example.com",
        "vic@example.com",
        "mia@example.com",
    }
    assert client_as("manager").get(reverse("spaces:room", args=[room.pk])).status_code == 404


def test_it_keeps_a_huge_paste_in_the_form_with_a_german_message(client_as, people):
    room = room_services.room_create(by=by(people["agent"]), name="Team")
    text = "Ä" * 25_000
    response = client_as("agent").post(
        reverse("spaces:room_post_new", args=[room.pk]), {"body": text}, HTTP_ACCEPT_LANGUAGE="de"
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Der Text ist 25.000 Zeichen lang; erlaubt sind 20.000." in html
    assert text in html
    assert not RoomPost.objects.exists()


def test_it_shows_pinned_first_more_replies_and_the_new_divider(client_as, people):
    agent = by(people["agent"])
    room = room_services.room_create(by=agent, name="Team", members=[people["member"]])
    pinned = post_services.post_create(by=agent, room=room, body="Regeln").post
    post_services.post_pin(by=agent, post=pinned, pinned=True)
    client = client_as("member")
    client.get(reverse("spaces:room", args=[room.pk]))  # read up to here
    root = post_services.post_create(by=agent, room=room, body="Frage zum Ticketkauf").post
    for n in range(5):
        post_services.post_create(by=agent, room=room, body=f"Antwort {n}", parent=root)
    html = client.get(
        reverse("spaces:room", args=[room.pk]), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert html.index("Regeln") < html.index("Frage zum Ticketkauf")
    assert "2 weitere Antworten" in html
    assert html.index('class="new-divider"') < html.index("Frage zum Ticketkauf")
    assert html.count('class="new-divider"') == 1


def test_it_shows_the_last_owners_refusal_and_the_archive_banner(client_as, people):
    room = room_services.room_create(by=by(people["agent"]), name="Team")
    client = client_as("agent")
    response = client.post(
        reverse("spaces:room_leave", args=[room.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert "letzte verantwortliche Person" in response.content.decode()
    client.post(reverse("spaces:room_archive", args=[room.pk]))
    html = client.get(
        reverse("spaces:room", args=[room.pk]), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert "Archiviert – nur lesbar" in html
    assert reverse("spaces:room_post_new", args=[room.pk]) not in html
    refused = client.post(reverse("spaces:room_post_new", args=[room.pk]), {"body": "Hallo"})
    assert refused.status_code == 403


def test_it_lets_members_reply_react_and_readers_only_read(client_as, people):
    room = room_services.room_create(by=by(people["agent"]), name="Team")
    root = post_services.post_create(by=by(people["agent"]), room=room, body="Start").post
    member = client_as("member")
    member.post(
        reverse("spaces:room_post_new", args=[room.pk]), {"body": "Antwort", "parent": root.pk}
    )
    member.post(reverse("spaces:post_react", args=[root.pk]), {"emoji": "🎉", "on": "1"})
    root.refresh_from_db()
    assert root.reply_count == 1 and root.reactions.get().emoji == "🎉"
    viewer = client_as("viewer")
    assert viewer.get(reverse("spaces:room", args=[room.pk])).status_code == 200
    assert (
        viewer.post(reverse("spaces:room_post_new", args=[room.pk]), {"body": "x"}).status_code
        == 403
    )
    assert viewer.get(reverse("spaces:post", args=[root.pk])).status_code == 302


def test_it_still_checks_the_csrf_token_of_a_new_post(people):
    from django.test import Client

    room = room_services.room_create(by=by(people["agent"]), name="Team")
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["agent"])
    response = client.post(reverse("spaces:room_post_new", args=[room.pk]), {"body": "Hallo"})
    assert response.status_code == 403
    assert not RoomPost.objects.exists()
