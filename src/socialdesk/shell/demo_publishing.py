"""Stories and posts for `socialdesk demo`: a summer campaign with approval steps (Marketing,
then Legal), ideas from the departments in every state, and posts in draft and in review.
Nothing is scheduled: the demo channel has no credentials, so nothing could go out."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing import campaign_services, idea_services, review_services, services
from socialdesk.publishing.models import ApprovalStep

DOMAIN = "nordlicht-bahn.example"


def _person(local: str) -> Acting:
    return Acting(user=User.objects.get(email=f"{local}@{DOMAIN}"))


def fill_demo_publishing() -> int:
    """Create the campaign, ideas and posts; return how many posts."""
    today = timezone.localdate()
    jana, mehmet = _person("jana.petersen"), _person("mehmet.yildiz")
    campaign = campaign_services.campaign_create(
        by=jana, name="Sommer an der Küste", colour="#0e7490",
        starts_on=today - timedelta(days=7), ends_on=today + timedelta(days=60),
        description="Ausflüge ans Meer mit Bahn und Rad, erzählt von den Menschen im Zug.",
        goal="Mehr Ausflugsfahrten an Nord- und Ostsee als im letzten Sommer.",
    )  # fmt: skip
    for position, name in enumerate(("Marketing", "Recht")):
        department = Department.objects.filter(name=name).first()
        if department is not None:
            ApprovalStep.objects.create(campaign=campaign, department=department, position=position)
    development = Department.objects.filter(name="Produktentwicklung").first()
    new = idea_services.idea_submit(
        by=_person("lukas.brandt"), title="Azubis bauen das neue Fahrgastdisplay",
        what_happened="Vier Azubis haben in Neumünster das Display für die Regionalzüge gebaut.",
        why_it_matters="Fahrgäste sehen endlich Anschlüsse und freie Fahrradplätze.",
        department=development, people_involved="Lena, Ole, Sina und Tim (2. Lehrjahr)",
    )  # fmt: skip
    idea_services.idea_comment(by=jana, idea=new, text="Toll! Gibt es Fotos vom Einbau?")
    night = idea_services.idea_submit(
        by=_person("aylin.demir"), title="Nachtschicht in der Werkstatt Kiel",
        what_happened="Zwischen 22 und 5 Uhr werden die Züge für den Sommerverkehr fit gemacht.",
        department=development, campaign=campaign, about_date=today - timedelta(days=3),
    )  # fmt: skip
    idea_services.idea_accept(by=jana, idea=night)
    rescue = idea_services.idea_submit(
        by=_person("tobias.engel"), title="Ein Igel auf Gleis 3",
        what_happened="Ein Zugbegleiter hat in Husum einen Igel vom Bahnsteig gerettet.",
    )  # fmt: skip
    idea_services.idea_decline(
        by=jana, idea=rescue, reason="Schöne Geschichte, aber der Igel ist schon viral gegangen."
    )
    channel = ChannelAccount.objects.filter(network=Network.MASTODON).first()
    if channel is None:
        return 0
    services.post_create(
        by=mehmet, text="Fahrrad im IC nach Sylt? So klappt es: Stellplatz reservieren, "
        "Fahrradkarte lösen, am Bahnsteig auf das Fahrrad-Symbol achten.",
        thread=["Tipp: Von Juni bis August sind die Plätze schnell weg. Früh buchen lohnt sich!"],
        channels=[channel], title="Fahrrad nach Sylt",
    )  # fmt: skip
    post = services.post_create(
        by=jana, text="Wenn alle schlafen, arbeitet die Werkstatt Kiel: Heute Nacht machen "
        "unsere Teams die Züge für den Sommer an der Küste fit. #NordlichtBahn #Werkstatt",
        channels=[channel], campaign=campaign, idea=night, title="Nachtschicht in Kiel",
        language="de",
    )  # fmt: skip
    services.post_submit(by=jana, post=post)
    review_services.post_comment_add(
        by=jana, post=post, text="@nele.hansen kannst du bis Donnerstag drüberschauen?"
    )
    return 2
