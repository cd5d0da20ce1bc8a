"""Shared bits of the rooms tests."""

from __future__ import annotations

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User


def by(person: User) -> Acting:
    return Acting(user=person)
