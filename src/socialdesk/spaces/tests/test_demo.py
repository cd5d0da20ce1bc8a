"""`socialdesk demo` fills two rooms with people of two sites (shell/demo_spaces.py)."""

from __future__ import annotations

from socialdesk.accounts.models import Role, User
from socialdesk.shell import demo_spaces
from socialdesk.spaces.models import Room


def test_it_fills_two_rooms_with_people_of_two_sites(db):
    for local in ("jana.petersen", "mehmet.yildiz", "lukas.brandt", "katharina.vogt"):
        User.objects.create_user(
            f"{local}@{demo_spaces.DOMAIN}", "x", full_name=local.replace(".", " ").title(),
            role=Role.MANAGER if local == "jana.petersen" else Role.MEMBER,
        )  # fmt: skip
    assert demo_spaces.fill() == 6
    assert demo_spaces.fill() == 0  # once
    public = Room.objects.get(name="Relaunch Website")
    sites = set(public.memberships.values_list("user__site__name", flat=True))
    assert sites == {"Hamburg", "München"}
    assert Room.objects.get(visibility="private").posts.count() == 1
