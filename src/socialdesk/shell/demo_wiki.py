"""Wiki pages for `socialdesk demo`: an organisation-wide handbook with a small tree, links
between its pages (one to a page not yet written), a FAQ answer, meeting notes, a playbook, a
page edited twice and one due for review."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role, User
from socialdesk.wiki import page_services, space_services
from socialdesk.wiki.page_templates import template_text

START = """Willkommen im Handbuch des Social-Media-Teams der Nordlicht-Bahn.

- [[Rückerstattung bei Zugausfall]] – was wir Fahrgästen sagen
- [[Sturm-Playbook]] – wenn Unwetter den Verkehr stoppt
- [[Tonalität]] – wie wir schreiben (noch zu schreiben)
"""
REFUND = """## Frage

Mein Zug ist ausgefallen. Bekomme ich mein Geld zurück?

## Antwort

Ja. Bei einem Ausfall erstatten wir den Fahrpreis ganz; bei 60 Minuten Verspätung 25 %.
Den Antrag stellt man im Kundenkonto unter „Fahrgastrechte“.

## Hintergrund

Gilt für alle Tickets der Nordlicht-Bahn, auch Zeitkarten (anteilig).

## Quelle

Fahrgastrechte-Richtlinie, Stand März.
"""


def _acting() -> Acting:
    person = User.objects.filter(is_active=True, role=Role.MANAGER).order_by("pk").first()
    return Acting(user=person) if person is not None else Acting(user=None, label="demo")


def fill() -> int:
    """Create the handbook; return how many pages."""
    by = _acting()
    space = space_services.space_create(
        by=Acting(user=None, label="demo"),
        name="Handbuch",
        key="handbuch",
        description="Wissen des Teams: Antworten, Abläufe, Besprechungen.",
    )
    start = page_services.page_create(by=by, space=space, title="Startseite", body=START)
    refund = page_services.page_create(
        by=by, space=space, title="Rückerstattung bei Zugausfall", body=REFUND, parent=start,
        template="faq", review_by=timezone.localdate() - timedelta(days=2),
    )  # fmt: skip
    page_services.page_save(
        by=by, page=refund, title=refund.title, base_revision=1,
        body=REFUND.replace("Stand März", "Stand Oktober"), note="Stand aktualisiert",
    )  # fmt: skip
    storm = template_text("playbook", "de").replace(
        "Was soll erreicht werden?", "Fahrgäste früh und ehrlich informieren."
    )
    page_services.page_create(
        by=by, space=space, title="Sturm-Playbook", body=storm, parent=start, template="playbook"
    )
    meeting = template_text("meeting", "de").replace(
        "Wer macht was bis wann", "Jana: FAQ zu [[Rückerstattung bei Zugausfall]] prüfen"
    )
    page_services.page_create(
        by=by, space=space, title="Teamrunde", body=meeting, parent=start, template="meeting"
    )
    return 4
