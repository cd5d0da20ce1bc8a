"""The strategy and the guidelines as wiki pages: goals stays their source (versions,
confirmations, adoption), the wiki shows a read-only copy next to the team's other knowledge.

A manager chooses "Show in the wiki" once; from then on every saved strategy section and every
guideline published to everyone refreshes its page in the same transaction. Guidelines published
to chosen departments only stay out of the wiki (the whole organisation reads its spaces).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Organisation
from socialdesk.goals.guideline_models import Publication
from socialdesk.goals.strategy_models import SectionKey, StrategySection
from socialdesk.wiki.managed import managed_page, space_ensure
from socialdesk.wiki.models import WikiPage, WikiSpace
from socialdesk.wiki.page_services import page_sync_managed

SPACE_KEY = "strategie"
STRATEGY = "goals.strategy"
GUIDELINES = "goals.guidelines."


def mirrored() -> bool:
    return managed_page(STRATEGY) is not None


def _language() -> str:
    return Organisation.current().default_language or "de"


def strategy_markdown() -> str:
    texts = {
        s.key: s.text
        for s in StrategySection.objects.filter(organisation=Organisation.current())
        if s.text.strip()
    }
    parts = [_("Kept on the strategy page: %(url)s") % {"url": reverse("goals:strategy")}]
    for key in SectionKey:
        if key.value in texts:
            parts += [f"## {key.label}", texts[key.value]]
    return "\n\n".join(parts)


def _space(by: Acting) -> WikiSpace:
    return space_ensure(
        by=by,
        key=SPACE_KEY,
        name=_("Strategy and guidelines"),
        description=_("The social media strategy and the guidelines, kept under Goals."),
    )


def mirror_strategy(*, by: Acting) -> WikiPage:
    with translation.override(_language()):
        return page_sync_managed(
            by=by,
            space=_space(by),
            source_key=STRATEGY,
            title=_("Social media strategy"),
            body=strategy_markdown(),
        )


def mirror_publication(*, by: Acting, publication: Publication) -> WikiPage | None:
    """The page of a guideline published to everyone (None for chosen departments)."""
    if not publication.everyone:
        return None
    with translation.override(_language()):
        source = reverse("goals:publication", args=[publication.pk])
        note = _("Version %(version)s, kept under Guidelines: %(url)s") % {
            "version": publication.version,
            "url": source,
        }
        return page_sync_managed(
            by=by,
            space=_space(by),
            source_key=f"{GUIDELINES}{publication.title}"[:100],
            title=publication.title,
            body=f"{note}\n\n{publication.text}",
        )


def show_in_wiki(*, by: Acting) -> WikiPage:
    """Mirror the strategy and the newest version of each guideline published to everyone."""
    page = mirror_strategy(by=by)
    newest: dict[str, Publication] = {}
    for publication in Publication.objects.filter(everyone=True).order_by("title", "version"):
        newest[publication.title] = publication
    for publication in newest.values():
        mirror_publication(by=by, publication=publication)
    return page


def section_saved(*, by: Acting) -> None:
    if mirrored():
        mirror_strategy(by=by)


def publication_published(*, by: Acting, publication: Publication) -> None:
    if mirrored():
        mirror_publication(by=by, publication=publication)
