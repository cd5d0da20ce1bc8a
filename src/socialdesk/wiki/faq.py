"""An FAQ draft from a resolved conversation: the customer's question and the team's answer,
with the people taken out (pure: reads the conversation, writes nothing).

The question is what the customer wrote before the team's first reply; the answer is what the
team replied after it. Out go the contact's name (and each part of it of three letters or more),
their handles, the names of the people who answered, then every e-mail address, phone number,
@handle and profile address. In the answer the customer's name becomes `{name}` and the
agent's `{agent}`, so the answer also works as a saved reply; in the question it becomes
"[Name]".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from socialdesk.accounts.models import User
from socialdesk.core.anonymise import scrub, scrub_contact_details
from socialdesk.inbox.models import Conversation, Direction, Message

TITLE_WORDS = 12
SHORTEST_PART = 3


@dataclass(frozen=True)
class FaqDraft:
    title: str
    question: str
    answer: str


def _name_terms(name: str) -> list[str]:
    parts = [p for p in name.replace(",", " ").split() if len(p) >= SHORTEST_PART]
    return [name, *parts] if name.strip() else []


def _people_terms(
    conversation: Conversation, messages: list[Message]
) -> tuple[list[str], list[str]]:
    contact = conversation.contact
    customer = _name_terms(contact.display_name) if contact else []
    handles = [h.handle for h in contact.handles.all()] if contact else []
    handles += [m.author_handle for m in messages if m.direction == Direction.INBOUND]
    customer += [h for h in handles if h] + [h.lstrip("@").split("@")[0] for h in handles if h]
    agents: list[str] = []
    for user in {m.author_user for m in messages if m.author_user is not None}:
        agents += [*_name_terms(user.full_name), user.email.split("@")[0]]
    return customer, agents


def _clean(text: str, customer: list[str], agents: list[str], *, answer: bool) -> str:
    text = scrub(text, customer, "{name}" if answer else _("[Name]"))
    text = scrub(text, agents, "{agent}" if answer else _("[Name]"))
    return scrub_contact_details(text).strip()


def faq_draft(conversation: Conversation) -> FaqDraft:
    messages = list(
        conversation.messages.select_related("author_user").order_by("created_at", "pk")
    )
    first_reply = next((m for m in messages if m.direction == Direction.OUTBOUND), None)
    cut = first_reply.created_at if first_reply else None
    asked = [
        m.text
        for m in messages
        if m.direction == Direction.INBOUND and (cut is None or m.created_at <= cut)
    ]
    replied = [m.text for m in messages if m.direction == Direction.OUTBOUND]
    customer, agents = _people_terms(conversation, messages)
    question = _clean("\n\n".join(asked), customer, agents, answer=False)
    answer = _clean("\n\n".join(replied), customer, agents, answer=True)
    first_line = next((line for line in question.splitlines() if line.strip()), "")
    title = Truncator(" ".join(first_line.split())).words(TITLE_WORDS) or _("Question")
    return FaqDraft(title=title[:200], question=question, answer=answer)


def faq_body(draft_question: str, draft_answer: str, *, source: str) -> str:
    """The page's Markdown in the FAQ template's sections, in the current language."""
    return "\n\n".join(
        [
            "## " + _("Question"),
            _quote(draft_question),
            "## " + _("Answer"),
            draft_answer.strip(),
            "## " + _("Source"),
            source,
        ]
    )


def _quote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.strip().splitlines())


def agents_of(conversation: Conversation) -> set[User]:
    return {
        m.author_user
        for m in conversation.messages.select_related("author_user")
        if m.author_user is not None
    }
