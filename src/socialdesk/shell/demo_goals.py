"""The strategy and goals for `socialdesk demo`: the objectives section and two objectives,
the social media guidelines published to everyone, and the seed's goal ("answer every question
within 24 hours within three months") from its template, with two more beside it."""

from __future__ import annotations

from django.utils import timezone, translation

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Organisation, User
from socialdesk.goals import goal_services, goal_templates, guideline_services, strategy_services

DOMAIN = "nordlicht-bahn.example"

OBJECTIVES = (
    "# Unsere Ziele\n\n"
    "- Jede Frage auf unseren Kanälen bekommt **innerhalb von 24 Stunden** eine Antwort.\n"
    "- Wir erzählen, was hinter den Kulissen der Bahn passiert: drei Geschichten pro Woche.\n"
    "- Rückmeldungen zu Fahrplan, App und Tickets erreichen die zuständige Abteilung.\n"
)
GUIDELINES = (
    "# Leitlinien für soziale Medien\n\n"
    "- Wir duzen und bleiben freundlich, auch wenn es knirscht.\n"
    "- Fehler geben wir zu und sagen, was wir tun.\n"
    "- Persönliche Daten von Fahrgästen gehören nie in einen öffentlichen Beitrag.\n"
)


def fill_demo_goals() -> int:
    """Create the strategy, guidelines and goals; return how many goals."""
    jana = Acting(user=User.objects.get(email=f"jana.petersen@{DOMAIN}"))
    today = timezone.localdate()
    strategy_services.section_save(by=jana, key="objectives", text=OBJECTIVES)
    strategy_services.section_save(by=jana, key="guidelines", text=GUIDELINES)
    quick = strategy_services.objective_add(
        by=jana, title="Schnell antworten", description="Niemand wartet länger als einen Tag."
    )
    stories = strategy_services.objective_add(
        by=jana,
        title="Geschichten statt Werbung",
        description="Menschen und Arbeit hinter den Kulissen zeigen.",
    )
    guideline_services.publish(by=jana, title="Leitlinien für soziale Medien", text=GUIDELINES)
    made = 0
    for key, objective in (
        ("answer_within_24h", quick),
        ("median_first_response_1h", quick),
        ("posts_three_a_week", stories),
    ):
        template = goal_templates.get(key)
        assert template is not None
        with translation.override(Organisation.current().default_language):
            values = goal_templates.prefill(template, today=today)  # the name in German
        goal_services.goal_create(by=jana, objective=objective, **values)
        made += 1
    return made
