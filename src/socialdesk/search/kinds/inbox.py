"""Kinds of the inbox: conversations, messages, notes, contacts — and listening matches,
which are message entries narrowed to the matches the person may see."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import User
from socialdesk.core.reversing import page_url
from socialdesk.inbox import selectors
from socialdesk.inbox.models import Contact, ContactHandle, Conversation, Message, Note
from socialdesk.listening.selectors import matches_for_user
from socialdesk.search.kinds.base import Doc, Ids, Kind, Shown, among, keys, same, stored_time


def _conversation_rule(user: User) -> Q | None:
    if selectors.sees_every_conversation(user):
        return None
    return among("conversation_id", selectors.conversations_for_user(user))


def _by_department(pk: int) -> Q:
    return among("conversation_id", Conversation.objects.filter(department_id=pk))


def _by_channel(pk: int) -> Q:
    return among("conversation_id", Conversation.objects.filter(channel_account_id=pk))


def _contact_name(contact: Contact | None) -> str:
    return str(contact) if contact is not None else str(_("Unknown contact"))


def _build_conversations(ids: Ids) -> list[Doc]:
    """Plain tuples in three statements (prefetching builds a manager per conversation, which
    cost more than everything else of a reindex)."""
    rows = list(
        Conversation.objects.filter(keys(ids))
        .order_by()
        .annotate(at=stored_time("last_message_at", "created_at"))
        .values_list("pk", "contact_id", "contact__display_name", "preview", "at", "language")
    )
    handles: dict[int, list[str]] = {}
    contacts = {contact for _pk, contact, *_rest in rows if contact is not None}
    for contact, handle in (
        ContactHandle.objects.filter(contact_id__in=contacts)
        .order_by("pk")
        .values_list("contact_id", "handle")
    ):
        handles.setdefault(contact, []).append(handle)
    tags: dict[int, list[str]] = {}
    through = Conversation.tags.through
    for conversation, name in (
        through.objects.filter(keys(ids, "conversation_id"))
        .order_by("pk")
        .values_list("conversation_id", "tag__name")
    ):
        tags.setdefault(conversation, []).append(f"#{name}")
    return [
        Doc(
            object_id=pk,
            title=" ".join([name or "", *handles.get(contact, ())]) if contact else "",
            body=" ".join([*tags.get(pk, ()), preview]),
            at=at,
            language=language,
            conversation_id=pk,
        )
        for pk, contact, name, preview, at, language in rows
    ]


def _show_conversations(user: User, ids: Ids) -> dict[int, Shown]:
    rows = (
        selectors.conversations_for_user(user)
        .filter(pk__in=ids)
        .order_by()
        .select_related("contact")
    )
    return {
        c.pk: Shown(
            _contact_name(c.contact),
            c.preview,
            page_url("inbox:conversation", c.pk),
            c.last_message_at or c.created_at,
        )
        for c in rows
    }


def _build_messages(ids: Ids) -> list[Doc]:
    rows = (
        Message.objects.filter(keys(ids))
        .order_by()
        .annotate(at=stored_time("created_at"))
        .values_list(
            "pk",
            "text",
            "at",
            "language",
            "conversation_id",
            "author_user_id",
            "author_handle",
        )
    )  # plain tuples: a model instance per message costs more than analysing its text
    return [
        Doc(
            object_id=pk,
            title="",
            body=text,
            at=at,
            language=language,
            conversation_id=conversation_id,
            author_id=author_id,
            handles=(handle,) if handle else (),
        )
        for pk, text, at, language, conversation_id, author_id, handle in rows
    ]


def _show_messages(user: User, ids: Ids) -> dict[int, Shown]:
    rows = (
        selectors.messages_for_user(user)
        .filter(pk__in=ids)
        .order_by()
        .values_list("pk", "text", "created_at", "author_handle", "conversation_id",
                     "author_user_id", "author_user__full_name", "conversation__contact_id",
                     "conversation__contact__display_name")
    )  # fmt: skip
    # plain tuples: four model instances per hit (message, conversation, contact, author)
    # took longer than reading the rows
    shown = {}
    for pk, text, at, handle, conversation, author, author_name, contact, name in rows:
        who = (author_name or "") if author is not None else (handle or "")
        shown[pk] = Shown(
            who
            or _contact_name(
                None if contact is None else Contact(pk=contact, display_name=name or "")
            ),
            text,
            page_url("inbox:conversation", conversation, anchor=f"#message-{pk}"),
            at,
        )
    return shown


def _build_notes(ids: Ids) -> list[Doc]:
    return [
        Doc(
            object_id=n.pk,
            title="",
            body=n.text,
            at=n.created_at,
            conversation_id=n.conversation_id,
            author_id=n.author_id,
        )
        for n in Note.objects.filter(keys(ids)).order_by()
    ]


def _show_notes(user: User, ids: Ids) -> dict[int, Shown]:
    rows = (
        Note.objects.filter(among("conversation_id", selectors.conversations_for_user(user)))
        .filter(pk__in=ids)
        .select_related("conversation__contact")
        .order_by()
    )
    return {
        n.pk: Shown(
            str(_("Note on %(contact)s") % {"contact": _contact_name(n.conversation.contact)}),
            n.text,
            page_url("inbox:conversation", n.conversation_id, anchor=f"#note-{n.pk}"),
            n.created_at,
        )
        for n in rows
    }


def _build_contacts(ids: Ids) -> list[Doc]:
    # plain tuples: a contact and its handles as model instances took 50 µs a contact, more
    # than analysing them (an import makes one contact for every second row)
    handles: dict[int, list[str]] = defaultdict(list)
    for contact_id, handle in (
        ContactHandle.objects.filter(keys(ids, "contact_id"))
        .order_by("pk")
        .values_list("contact_id", "handle")
    ):
        handles[contact_id].append(handle)
    return [
        Doc(object_id=pk, title=name, body=" ".join(handles.get(pk, ())), at=at)
        for pk, name, at in Contact.objects.filter(keys(ids))
        .order_by()
        .values_list("pk", "display_name", "created_at")
    ]


def _contact_rule(user: User) -> Q | None:
    if selectors.sees_every_conversation(user):
        return None
    return among("object_id", selectors.conversations_for_user(user), key="contact_id")


def _show_contacts(user: User, ids: Ids) -> dict[int, Shown]:
    rows = (
        selectors.contacts_for_user(user).filter(pk__in=ids).order_by().prefetch_related("handles")
    )
    latest: dict[int, int] = {}  # contact -> their newest conversation the person may open
    for contact_id, pk in (
        selectors.conversations_for_user(user)
        .filter(contact_id__in=ids)
        .order_by("contact_id", "-last_message_at")
        .values_list("contact_id", "pk")
    ):
        latest.setdefault(contact_id, pk)
    shown = {}
    for c in rows:
        conversation = latest.get(c.pk)
        link = page_url("inbox:conversation", conversation) if conversation else ""
        handles = " ".join(h.handle for h in c.handles.all())
        shown[c.pk] = Shown(str(c), handles, link, c.created_at)
    return shown


def _listening_rule(user: User) -> Q:
    return among("object_id", matches_for_user(user), key="message_id")


def _no_docs(ids: Ids) -> list[Doc]:
    return []


CONVERSATION = Kind(
    key="conversation",
    label=_("Conversations"),
    entry_kind="conversation",
    sources={"inbox.conversation": same},
    build=_build_conversations,
    objects=lambda: Conversation.objects.all(),
    visible=_conversation_rule,
    show=_show_conversations,
    department=_by_department,
    channel=_by_channel,
)
MESSAGE = Kind(
    key="message",
    label=_("Messages"),
    entry_kind="message",
    sources={"inbox.message": same},
    build=_build_messages,
    objects=lambda: Message.objects.all(),
    visible=_conversation_rule,
    show=_show_messages,
    department=_by_department,
    channel=_by_channel,
    has_author=True,
)
NOTE = Kind(
    key="note",
    label=_("Notes"),
    entry_kind="note",
    sources={"inbox.note": same},
    build=_build_notes,
    objects=lambda: Note.objects.all(),
    visible=_conversation_rule,
    show=_show_notes,
    department=_by_department,
    has_author=True,
)
CONTACT = Kind(
    key="contact",
    label=_("Contacts"),
    entry_kind="contact",
    sources={"inbox.contact": same},
    build=_build_contacts,
    objects=lambda: Contact.objects.all(),
    visible=_contact_rule,
    show=_show_contacts,
)
LISTENING = Kind(
    key="listening",
    label=_("Listening"),
    entry_kind="message",
    sources={},
    build=_no_docs,
    objects=lambda: Message.objects.none(),
    visible=_conversation_rule,
    show=_show_messages,
    department=_by_department,
    channel=_by_channel,
    has_author=True,
    also=_listening_rule,
)
