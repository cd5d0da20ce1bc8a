"""A lived-in inbox for `socialdesk demo`: a few days of a rail company's social channels."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department
from socialdesk.channels.items.readers import ImportRow
from socialdesk.channels.models import Network
from socialdesk.feedback.models import Topic
from socialdesk.inbox.importing.pipeline import Importer
from socialdesk.inbox.models import Conversation
from socialdesk.listening.services import monitor_create
from socialdesk.sla.models import BusinessHours, SlaPolicy
from socialdesk.sla.services import refresh_sla

ACCOUNT = "nordlichtbahn"

# (id, author, minutes ago, text, parent id); the company's rows are written by ACCOUNT.
THREADS: list[tuple[str, str, int, str, str]] = [
    (
        "d1",
        "lena_k",
        26 * 60,
        "@nordlichtbahn Mein RE nach Lübeck ist ausgefallen. Gilt mein Ticket im nächsten Zug?",
        "",
    ),
    ("d2", ACCOUNT, 25 * 60, "@lena_k Ja, Ihr Ticket gilt im nächsten Zug. Gute Fahrt!", "d1"),
    ("d3", "lena_k", 25 * 60 - 10, "@nordlichtbahn Danke, hat geklappt!", "d2"),
    (
        "d4",
        "tom_travels",
        30 * 60,
        "@nordlichtbahn Why does the app crash every time I open my ticket?",
        "",
    ),
    (
        "d5",
        "kiel_pendler",
        3 * 60,
        "@nordlichtbahn Seit drei Tagen kein WLAN im ICE 712. Wann wird das repariert?",
        "",
    ),
    (
        "d6",
        "anna.schmidt",
        50,
        "@nordlichtbahn Kann ich mein Fahrrad im IC nach Sylt mitnehmen?",
        "",
    ),
    (
        "d7",
        "fahrgastverband_nord",
        20,
        "@nordlichtbahn Toller Einsatz eurer Teams beim Sturm gestern, danke!",
        "",
    ),
    (
        "d8",
        "j_meyer",
        2 * 24 * 60,
        "@nordlichtbahn Wo finde ich meine Rechnung für die BahnCard?",
        "",
    ),
    (
        "d9",
        ACCOUNT,
        2 * 24 * 60 - 90,
        "@j_meyer Unter Mein Konto → Rechnungen. Hilft Ihnen das weiter?",
        "d8",
    ),
    (
        "d10",
        "j_meyer",
        2 * 24 * 60 - 100,
        "@nordlichtbahn Da ist sie nicht. Nur die Fahrkarten.",
        "d9",
    ),
]


def fill_demo_inbox(now: datetime | None = None) -> int:
    """Import the demo conversations and a 24-hour policy; return how many conversations."""
    now = now or timezone.now()
    rows = [
        (
            number,
            ImportRow(
                external_id=external_id,
                author=author,
                inbound=author != ACCOUNT,
                created_at=now - timedelta(minutes=minutes),
                text=text,
                parent_id=parent,
                account=ACCOUNT,
            ),
        )
        for number, (external_id, author, minutes, text, parent) in enumerate(THREADS, start=1)
    ]
    importer = Importer(network=Network.MASTODON, company_handles={ACCOUNT})
    importer.feed("demo", rows)
    hours = BusinessHours.objects.create(
        name="Kundenservice",
        time_zone="Europe/Berlin",
        german_state="SH",
        weekly_hours={
            **{str(d): [["07:00", "20:00"]] for d in range(5)},
            "5": [["09:00", "16:00"]],
        },
    )
    SlaPolicy.objects.create(
        name="Erste Antwort in 24 Stunden", first_response_minutes=24 * 60, priority=10
    )
    SlaPolicy.objects.create(
        name="Servicezeiten: Antwort in 2 Stunden",
        first_response_minutes=120,
        business_hours=hours,
        is_active=False,
        priority=5,
    )
    ids = list(Conversation.objects.values_list("pk", flat=True))
    refresh_sla(ids, now=now)
    _listening()
    return len(ids)


TOPICS = [
    ("App & Website", "app, website, login, qr", "Produktentwicklung"),
    ("Ticketkauf", "ticket, fahrkarte, automat, erstattung", "Kundenservice"),
    ("Pünktlichkeit", "verspätung, ausfall, pünktlich, anschluss", "Kundenservice"),
    ("Personal", "schaffner, zugbegleiter, personal, mitarbeiter", "Kundenservice"),
    ("Datenschutz", "datenschutz, dsgvo", "Recht"),
]


def _listening() -> None:
    """Topics that route to the demo departments, and a monitor over the demo inbox."""
    for name, keywords, department in TOPICS:
        Topic.objects.create(
            name=name,
            keywords=keywords,
            department=Department.objects.filter(name=department).first(),
        )
    monitor_create(
        by=Acting(user=None, label="demo"),
        name="Tickets und App",
        query="ticket* OR fahrkarte* OR app OR website",
    )
