"""Handing a feedback item to its department's issue tracker: its facts as JSON, signed, posted
through the checked client (`channels.net.public_session`) to the department's webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting
from socialdesk.channels.net import public_session
from socialdesk.core.addresses import redact
from socialdesk.core.redaction import redact_text
from socialdesk.feedback.models import FeedbackItem
from socialdesk.feedback.services import item_event


def handoff_payload(item: FeedbackItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "title": item.title,
        "description": item.description,
        "status": item.status,
        "topic": item.topic.name if item.topic else None,
        "department": item.department.name if item.department else None,
        "mentions": item.mention_count,
        "first_seen": item.first_seen.isoformat() if item.first_seen else None,
        "last_seen": item.last_seen.isoformat() if item.last_seen else None,
        "url": settings.SITE_URL + reverse("feedback:item", args=[item.pk]),
        "messages": [
            {
                "text": link.message.text,
                "author": link.message.author_handle,
                "created_at": link.message.created_at.isoformat(),
            }
            for link in item.links.select_related("message")[:50]
        ],
    }


def handoff_signature(body: bytes) -> str:
    key = settings.FEEDBACK_HANDOFF_SECRET or settings.SECRET_KEY
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def _without_secrets(text: str, url: str) -> str:
    """Return an error text with the tracker's address shown as everywhere else: redacted.

    requests quotes the address it failed on ("Max retries exceeded with url: /hook?token=…");
    a tracker's webhook address often carries its token.
    """
    shown = redact(url)
    raw_parts, shown_parts = urlsplit(url), urlsplit(shown)
    for raw, safe in (
        (url, shown),
        (
            urlunsplit(("", "", raw_parts.path, raw_parts.query, "")),
            urlunsplit(("", "", shown_parts.path, shown_parts.query, "")),
        ),
    ):
        if raw and raw != "/":
            text = text.replace(raw, safe)
    return redact_text(text)


def hand_off(*, by: Acting, item: FeedbackItem) -> str:
    """Post the item as signed JSON to its department's issue tracker webhook."""
    department = item.department
    address = department.issue_tracker_address if department is not None else ""
    if department is None or not address:
        raise ValidationError(
            _("The item's department has no issue tracker webhook (set it on the department).")
        )
    body = json.dumps(handoff_payload(item), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Socialdesk-Signature-256": handoff_signature(body),
        "X-Socialdesk-Event": "feedback.handoff",
    }
    try:
        response = public_session().post(address, data=body, headers=headers, timeout=10)
        result = f"HTTP {response.status_code}"
        ok = 200 <= response.status_code < 300
    except Exception as error:  # network errors and refused addresses alike
        cause = error.__cause__ or error.__context__ or error
        reason = _without_secrets(str(cause), address)
        result, ok = f"not delivered: {reason[:200]}", False
    item.handed_off_at = timezone.now() if ok else item.handed_off_at
    item.handoff_result = result[:300]
    item.save(update_fields=["handed_off_at", "handoff_result", "updated_at"])
    item_event(item, by, "handoff", result)
    if not ok:
        raise ValidationError(
            _("The issue tracker did not take it: %(result)s") % {"result": result}
        )
    return result
