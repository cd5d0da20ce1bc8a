"""Fill an empty database with a small, believable organisation."""

from __future__ import annotations

import secrets
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from socialdesk.accounts import services
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Organisation, Role, User
from socialdesk.shell import demo_spaces, demo_wiki
from socialdesk.shell.demo import fill_demo_inbox
from socialdesk.shell.demo_goals import fill_demo_goals
from socialdesk.shell.demo_publishing import fill_demo_publishing

ORGANISATION = "Nordlicht Bahn GmbH"

DEPARTMENTS = [
    (
        "Marketing",
        "Kampagnen, Markenauftritt und Geschichten hinter den Kulissen.",
        "marketing@nordlicht-bahn.example",
    ),
    ("PR", "Presse, Krisenkommunikation und Sprachregelungen.", "presse@nordlicht-bahn.example"),
    (
        "Kundenservice",
        "Antwortet auf Fragen zu Tickets, Erstattungen und Verspätungen.",
        "service@nordlicht-bahn.example",
    ),
    (
        "Produktentwicklung",
        "App, Website und Ticketautomaten; nimmt Feedback aus der Community auf.",
        "produkt@nordlicht-bahn.example",
    ),
    (
        "Recht",
        "Prüft Gewinnspiele, Impressum, Datenschutz und heikle Antworten.",
        "recht@nordlicht-bahn.example",
    ),
    ("Personal", "Stellenanzeigen und Employer Branding.", ""),
]

PEOPLE = [
    ("Jana Petersen", "jana.petersen", Role.MANAGER, ["Marketing", "Kundenservice"]),
    ("Mehmet Yıldız", "mehmet.yildiz", Role.AGENT, ["Kundenservice"]),
    ("Sophie Wagner", "sophie.wagner", Role.AGENT, ["Kundenservice"]),
    ("Lukas Brandt", "lukas.brandt", Role.MEMBER, ["Produktentwicklung"]),
    ("Aylin Demir", "aylin.demir", Role.MEMBER, ["Produktentwicklung"]),
    ("Dr. Katharina Vogt", "katharina.vogt", Role.MEMBER, ["Recht"]),
    ("Tobias Engel", "tobias.engel", Role.MEMBER, ["PR"]),
    ("Nele Hansen", "nele.hansen", Role.MEMBER, ["Marketing"]),
    ("Felix Richter", "felix.richter", Role.VIEWER, ["Personal"]),
    ("Clara Schmidt", "clara.schmidt", Role.ADMIN, []),
]
DOMAIN = "nordlicht-bahn.example"


class Command(BaseCommand):
    help = (
        "Fill an empty database with a demo organisation: departments, people with roles, "
        "and a few days of conversations under an SLA policy."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--password", help="password for every demo person (default: generated)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if (
            Department.objects.exists()
            or User.objects.filter(role__in=[Role.AGENT, Role.MEMBER]).exists()
        ):
            raise CommandError(
                "The database is not empty (it has departments or team members); "
                "the demo only fills an empty one. Use a fresh DATABASE_URL to try it."
            )
        password = options["password"] or secrets.token_urlsafe(10)
        by = Acting(user=None, label="demo")
        with transaction.atomic():
            organisation = Organisation.current()
            services.organisation_update(
                by=by,
                name=ORGANISATION,
                time_zone="Europe/Berlin",
                default_language="de",
                two_factor_roles=organisation.two_factor_roles,
            )
            departments = {
                name: services.department_create(by=by, name=name, description=text, email=email)
                for name, text, email in DEPARTMENTS
            }
            for full_name, local, role, member_of in PEOPLE:
                user = User.objects.create_user(
                    f"{local}@{DOMAIN}", password, full_name=full_name, role=role, language="de"
                )
                services.user_set_departments(
                    by=by, user=user, departments=[departments[d] for d in member_of]
                )
            conversations = fill_demo_inbox()
            posts = fill_demo_publishing()
            goals = fill_demo_goals()
            pages = demo_wiki.fill()
            room_posts = demo_spaces.fill()
        self.stdout.write(self.style.SUCCESS(f"Demo organisation “{ORGANISATION}” is ready:"))
        for _name, local, role, member_of in PEOPLE:
            self.stdout.write(
                f"  {local + '@' + DOMAIN:<40} {Role(role).label!s:<22} {', '.join(member_of)}"
            )
        self.stdout.write(f"The inbox holds {conversations} conversations under a 24-hour policy.")
        self.stdout.write(f"Publishing holds a campaign, three story ideas and {posts} posts.")
        self.stdout.write(f"Goals: the strategy, the guidelines and {goals} goals.")
        self.stdout.write(f"The wiki holds a handbook of {pages} pages.")
        self.stdout.write(f"Two project rooms hold {room_posts} posts.")
        self.stdout.write(f"Every demo person signs in with the password: {password}")
