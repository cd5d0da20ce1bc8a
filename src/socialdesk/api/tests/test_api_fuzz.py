"""Schema-driven fuzzing (schemathesis): every operation of the API, called with generated
valid and invalid values by a token of each role, never answers 5xx and every answer matches
the schema it documents. In process, on the test database (both databases in CI)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import response_schema_conformance

from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Contact, Conversation, Direction, Message

ROLES = ("admin", "manager", "agent", "member", "viewer")
EXAMPLES = 6  # per operation and role (12: 80 s, no more found)


@pytest.fixture
def keys(
    people: dict[str, User], departments: Any, settings: Any, tmp_path: Path
) -> dict[str, str]:
    settings.DATA_DIR = tmp_path  # an upload that passes its checks is kept there (imports)
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    for n in range(3):  # something to read and change, some of it handed to a department
        contact = Contact.objects.create(display_name=f"Kunde {n}")
        conversation = Conversation.objects.create(
            channel_account=account,
            contact=contact,
            department=departments["Product Development"] if n else None,
        )
        Message.objects.create(
            conversation=conversation,
            channel_account=account,
            contact=contact,
            external_id=f"f{n}",
            direction=Direction.INBOUND,
            text="Wo ist mein Ticket?",
            created_at=conversation.created_at,
        )
    found = {}
    for role in ROLES:
        _token, found[role] = api_tokens.api_token_create(
            by=Acting(user=people[role]), user=people[role], name="fuzz"
        )
    return found


@pytest.fixture
def connections_kept() -> Iterator[None]:
    """The WSGI application closes the database connection after each request, which would
    end the test's transaction on PostgreSQL: as Django's test client, keep it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("connections_kept")
def test_no_operation_answers_5xx_or_outside_its_schema(keys: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json",
        get_wsgi_application(),
        headers={"Authorization": f"Bearer {keys['admin']}"},
    )
    failures: list[str] = []
    operations = 0
    for found in schema.get_all_operations():
        if isinstance(found, Err):  # an operation the schema describes wrongly
            failures.append(str(found.err()))
            continue
        operation = found.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            for role in ROLES:
                response = case.call(headers={"Authorization": f"Bearer {keys[role]}"})
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )

        try:
            call()
        except Exception as error:  # every failing operation is reported
            failures.append(f"{operation.label}: {str(error)[:600]}")
    assert operations > 80  # every operation was called
    assert not failures, "\n\n".join(failures)
