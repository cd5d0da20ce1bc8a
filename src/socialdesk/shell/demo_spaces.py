"""Project rooms for `socialdesk demo`: a public room with people from Hamburg and München
(threads, a pinned post, mentions, reactions) and a private one of the legal review."""

from __future__ import annotations

from socialdesk.accounts import site_services
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.accounts.site_models import Site
from socialdesk.spaces import post_services, room_services
from socialdesk.spaces.models import Room

DOMAIN = "nordlicht-bahn.example"
SITES = {
    "Hamburg": ("jana.petersen", "mehmet.yildiz", "sophie.wagner", "nele.hansen"),
    "München": ("lukas.brandt", "aylin.demir", "katharina.vogt", "tobias.engel"),
}


def _person(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{DOMAIN}").first()


def _acting(local: str) -> Acting:
    return Acting(user=_person(local))


def _sites() -> list[Site]:
    """The two sites of the demo; people without a site get theirs (demo data only)."""
    made = []
    for name, locals_ in SITES.items():
        site = Site.objects.filter(name=name).first() or site_services.site_create(
            by=Acting(user=None, label="demo"), name=name, time_zone="Europe/Berlin"
        )
        User.objects.filter(
            email__in=[f"{local}@{DOMAIN}" for local in locals_], site__isnull=True
        ).update(site=site)
        made.append(site)
    return made


def fill() -> int:
    """Create the demo rooms (once); return how many posts were written."""
    if Room.objects.filter(name="Relaunch Website").exists() or _person("jana.petersen") is None:
        return 0
    jana, lukas, mehmet = (
        _acting("jana.petersen"),
        _acting("lukas.brandt"),
        _acting("mehmet.yildiz"),
    )
    room = room_services.room_create(
        by=jana,
        name="Relaunch Website",
        purpose="Die neue Website mit Ticketkauf bis zum Fahrplanwechsel: Texte, Tests, Termine.",
        sites=_sites(),
    )
    rules = post_services.post_create(
        by=jana,
        room=room,
        body="**So arbeiten wir hier:** Fragen als eigener Raumbeitrag, Antworten im Verlauf. "
        "Termine stehen oben angeheftet.",
    ).post
    post_services.post_pin(by=jana, post=rules, pinned=True)
    question = post_services.post_create(
        by=lukas,
        room=room,
        body="@[Mehmet Yıldız] welche Fragen zum Ticketkauf kommen im Kundenservice am häufigsten?",
    ).post
    answer = post_services.post_create(
        by=mehmet,
        room=room,
        parent=question,
        body="Vor allem Rückerstattung und Sparpreise. Ich sammle die zehn häufigsten bis Freitag.",
    ).post
    post_services.post_react(by=lukas, post=answer, emoji="🙏", on=True)
    post_services.post_create(
        by=jana, room=room, body="@raum Testrunde am Donnerstag um 10 Uhr, Raum Elbe und online."
    )
    legal = Department.objects.filter(name="Recht").first()
    private = room_services.room_create(
        by=_acting("katharina.vogt"),
        name="Rechtliche Prüfung Relaunch",
        purpose="AGB, Impressum und Datenschutzerklärung der neuen Seite.",
        visibility="private",
        members=[p for p in (_person("jana.petersen"),) if p is not None],
        departments=[legal] if legal else [],
    )
    post_services.post_create(
        by=_acting("katharina.vogt"),
        room=private,
        body="Entwurf der Datenschutzerklärung folgt; bitte noch nicht veröffentlichen.",
    )
    return 6
