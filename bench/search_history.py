"""The searchable history bench_search measures (and bench_api reuses): the messages of
`goals_history.py` with varied German and English texts (compounds), project rooms with their
posts (20 % private), wiki pages in organisation and room spaces, and the people who search."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


COMMON_DE = [
    "zug",
    "fahrt",
    "verspätung",
    "bahnhof",
    "gleis",
    "ticket",
    "fahrkarte",
    "kunde",
    "service",
    "frage",
    "antwort",
    "bitte",
    "danke",
    "heute",
    "morgen",
    "abend",
    "stunde",
    "minute",
    "problem",
    "lösung",
    "app",
    "konto",
    "passwort",
    "rechnung",
    "lieferung",
    "paket",
    "bestellung",
    "rückerstattung",
    "störung",
    "kündigung",
    "vertrag",
    "tarif",
    "preis",
]
COMMON_EN = [
    "train",
    "delay",
    "station",
    "platform",
    "ticket",
    "customer",
    "service",
    "question",
    "answer",
    "please",
    "thanks",
    "today",
    "tomorrow",
    "evening",
    "hour",
    "minute",
    "problem",
    "solution",
    "app",
    "account",
    "password",
    "invoice",
    "delivery",
    "parcel",
    "order",
    "refund",
    "outage",
    "contract",
    "price",
]
COMPOUNDS = [
    "Ticketkauf",
    "Fahrkartenautomat",
    "Kündigungsfrist",
    "Störungsmeldung",
    "Kundenkonto",
    "Zugausfall",
    "Bahnsteigkante",
    "Rückerstattungsantrag",
    "Lieferverzögerung",
    "Passwortänderung",
]
ROOMS = 200
ROOM_SPACES = 40
ORG_SPACES = 10
PERSON_MEMBER = "mia@bench.example"
PERSON_ROOMIE = "rita@bench.example"


def _vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghiklmnoprstuvwz"
    rare = [
        "".join(rng.choice(letters) for _ in range(rng.randrange(5, 10))) for _ in range(20_000)
    ]
    return [*COMMON_DE, *COMMON_EN, *[c.lower() for c in COMPOUNDS], *rare]


def _text(rng: random.Random, vocabulary: list[str], words: int) -> str:
    out = []
    for _ in range(words):
        rank = min(int(rng.paretovariate(0.9)) - 1, len(vocabulary) - 1)
        word = vocabulary[rank] if rank < 80 else vocabulary[rng.randrange(80, len(vocabulary))]
        if rng.random() < 0.05:
            word = rng.choice(COMPOUNDS)
        out.append(word)
    return " ".join(out).capitalize() + "."


def _within_year(rng: random.Random, now: Any) -> Any:
    """A moment of the year before `now` (the messages' year): room posts and wiki pages are
    written all year, not all at once (ids follow time, so their dates decide which entries
    are the newest)."""
    from datetime import timedelta

    return now - timedelta(seconds=rng.randrange(365 * 86_400))


def fill(scale: float, rng: random.Random) -> dict[str, Any]:
    """The history of `goals_history` with varied texts, rooms and room posts."""
    from django.utils import timezone

    from bench.goals_history import fill as fill_history
    from socialdesk.accounts.models import Department, Role, User
    from socialdesk.core import changes
    from socialdesk.core.db import insert_rows, update_rows
    from socialdesk.inbox import rollups, waiting
    from socialdesk.inbox.models import Message
    from socialdesk.spaces.mentions import plain_words
    from socialdesk.spaces.models import Room, RoomMembership, RoomPost

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    rollups.drop()
    waiting.drop()
    with changes.muted():
        history = fill_history(
            max(int(1_000_000 * scale), 1_000), now=now, log=lambda t: print(t, file=sys.stderr)
        )
        vocabulary = _vocabulary(rng)
        last = 0
        while True:
            ids = list(
                Message.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:20_000]
            )
            if not ids:
                break
            update_rows(
                Message,
                ["text"],
                [(_text(rng, vocabulary, rng.randrange(6, 25)), pk) for pk in ids],
            )
            last = ids[-1]
        manager = User.objects.create_user(
            "max@bench.example", "x", full_name="Max", role=Role.MANAGER
        )
        member = User.objects.create_user(PERSON_MEMBER, "x", full_name="Mia", role=Role.MEMBER)
        member.departments.add(Department.objects.get(name="Kundenservice"))
        roomie = User.objects.create_user(PERSON_ROOMIE, "x", full_name="Rita", role=Role.MEMBER)
        rooms = [
            Room.objects.create(
                name=f"Raum {n}",
                purpose=_text(rng, vocabulary, 12),
                visibility=Room.Visibility.PRIVATE if n % 5 == 0 else Room.Visibility.PUBLIC,
            )
            for n in range(ROOMS)
        ]
        for room in rooms[::5]:
            RoomMembership.objects.create(room=room, user=roomie)
        posts = max(int(100_000 * scale), 200)
        bodies = [_text(rng, vocabulary, rng.randrange(10, 60)) for _n in range(posts)]
        rows = [
            [rooms[n % ROOMS].pk, manager.pk, body, plain_words(body), _within_year(rng, now), 0]
            for n, body in enumerate(bodies)
        ]
        for start in range(0, len(rows), 20_000):
            insert_rows(
                RoomPost,
                ["room", "author", "body", "plain_text", "created_at", "reply_count"],
                rows[start : start + 20_000],
            )
        pages = fill_wiki(scale, rng, vocabulary, rooms[:ROOM_SPACES], manager, now)
    rollups.ensure()
    waiting.ensure()
    return {
        "messages": history["messages"],
        "conversations": history["conversations"],
        "room_posts": posts,
        "wiki_pages": pages,
        "seconds": time.perf_counter() - started,
        **bench_people(),
    }


def fill_wiki(
    scale: float, rng: random.Random, vocabulary: list[str], rooms: list[Any], by: Any, now: Any
) -> int:
    """Wiki pages in organisation spaces and in the first rooms' spaces (as Markdown)."""
    from socialdesk.accounts.audit import Acting
    from socialdesk.core.db import insert_rows
    from socialdesk.wiki.keys import slugify, title_key
    from socialdesk.wiki.models import WikiPage, WikiSpace
    from socialdesk.wiki.rendering import plain_text
    from socialdesk.wiki.space_services import space_create, space_ensure_for_room

    acting = Acting(user=by)
    spaces = [
        space_create(by=acting, name=f"Bereich {n}", key=f"bereich-{n}") for n in range(ORG_SPACES)
    ] + [space_ensure_for_room(by=acting, room=room) for room in rooms]
    total = max(int(20_000 * scale), 100)
    rows = []
    for n in range(total):
        title = f"{_text(rng, vocabulary, rng.randrange(2, 6)).rstrip('.')} {n}"
        body = "\n\n".join(
            f"## {_text(rng, vocabulary, 3).rstrip('.')}\n\n{_text(rng, vocabulary, rng.randrange(20, 100))}"
            for _ in range(rng.randrange(2, 5))
        )
        space = spaces[n % len(spaces)]
        created = _within_year(rng, now)
        updated = created + (now - created) * rng.random() ** 2  # most edited soon after
        rows.append([space.pk, title, title_key(title), slugify(title)[:80], body,
                     plain_text(body), 1, WikiPage.Status.PUBLISHED, "", "", 0, by.pk, by.pk,
                     created, updated])  # fmt: skip
    fields = ["space", "title", "title_key", "slug", "body", "plain_text", "revision", "status",
              "template", "managed_by", "position", "created_by", "updated_by", "created_at",
              "updated_at"]  # fmt: skip
    for start in range(0, len(rows), 5_000):
        insert_rows(WikiPage, fields, rows[start : start + 5_000])
    assert WikiSpace.objects.count() >= len(spaces)
    return total


def bench_people() -> dict[str, Any]:
    from socialdesk.accounts.models import User

    return {
        "manager": User.objects.get(email="max@bench.example"),
        "member": User.objects.get(email=PERSON_MEMBER),
        "roomie": User.objects.get(email=PERSON_ROOMIE),
    }
