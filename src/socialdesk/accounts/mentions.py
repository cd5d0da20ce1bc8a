"""Who an `@name` in a text means: the one rule for notes, room posts and wiki pages.

`@anna.schmidt` matches the person whose e-mail address starts with `anna.schmidt@` (or is
exactly that), `@Anna` everyone whose full name starts with "Anna"; only active people, any
case. Moved out of `inbox.services` (issue 14) so rooms mention people the same way notes do.
"""

from __future__ import annotations

import re

from django.db.models import Q

from socialdesk.accounts.models import User

MENTION = re.compile(r"(?<![\w.])@([\w.+-]+)")


def mentioned_names(text: str) -> set[str]:
    """The names after `@` in a text, lower case, without a sentence's final full stop."""
    return {m.lower().rstrip(".") for m in MENTION.findall(text)} - {""}


def people_mentioned(text: str) -> list[User]:
    """The active people the text's `@names` mean (one query; none when there is no `@`)."""
    names = mentioned_names(text)
    if not names:
        return []
    query = Q()
    for name in names:
        query |= (
            Q(email__istartswith=f"{name}@")
            | Q(email__iexact=name)
            | Q(full_name__istartswith=name)
        )
    return list(User.objects.filter(query, is_active=True))
