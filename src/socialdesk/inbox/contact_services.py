"""Writing contacts: merging two contacts that are one customer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.core import changes
from socialdesk.inbox.models import Contact, ContactHandle, Conversation, Message


def contact_merge(*, by: Acting, keep: Contact, other: Contact) -> Contact:
    """Merge `other` into `keep` (one customer known under two handles): its handles,
    conversations and messages move over, its name fills an empty one, and `other` is gone.
    Audited by number only (the audit log outlives an erasure, DSGVO Art. 17)."""
    if keep.pk == other.pk:
        raise ValidationError({"other_id": _("A contact cannot be merged into itself.")})
    other_pk = other.pk
    with transaction.atomic():
        handles = ContactHandle.objects.filter(contact_id=other_pk).update(contact=keep)
        conversations = list(
            Conversation.objects.filter(contact_id=other_pk).values_list("pk", flat=True)
        )
        Conversation.objects.filter(pk__in=conversations).update(contact=keep)
        messages = Message.objects.filter(contact_id=other_pk).update(contact=keep)
        if not keep.display_name and other.display_name:
            keep.display_name = other.display_name
            keep.save(update_fields=["display_name"])
        other.delete()
        record(
            by,
            "contact.merged",
            keep,
            after={
                "merged": f"#{other_pk}",
                "handles": handles,
                "conversations": len(conversations),
                "messages": messages,
            },
            object_repr=f"contact #{keep.pk}",
        )
        changes.changed("inbox.contact", [keep.pk, other_pk])
        changes.changed("inbox.conversation", conversations)
    return keep
