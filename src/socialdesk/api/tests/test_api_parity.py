"""Every browser action on the objects the API covers has its API operation, allowed to
exactly the roles the page allows (one table, `access.py`), and documented in the schema."""

from __future__ import annotations

import pytest

from socialdesk import access
from socialdesk.api.tests.conftest import Api

# page (access.PAGES) → the API operations doing the same (access.API)
PAIRS: dict[str, tuple[str, ...]] = {
    "inbox:list": ("list_conversations",),
    "inbox:conversation": ("get_conversation",),
    "inbox:reply": ("reply_conversation",),
    "inbox:note": ("add_note",),
    "inbox:assign": ("assign_conversation",),
    "inbox:status": ("set_conversation_status",),
    "inbox:tags": ("set_conversation_tags",),
    "inbox:needs_reply": ("set_needs_reply",),
    "inbox:bulk": ("start_bulk_job",),
    "inbox:bulk_job": ("get_bulk_job",),
    "inbox:bulk_undo": ("undo_bulk_job",),
    "inbox:imports": ("create_import", "list_imports"),
    "inbox:import_job": ("get_import",),
    "inbox:import_rejected": ("list_import_rejections",),
    "inbox:notifications": ("list_notifications",),
    "inbox:notifications_read": ("read_notifications",),
    "inbox:saved_replies": ("list_saved_replies", "create_saved_reply"),
    "inbox:saved_reply_edit": ("update_saved_reply",),
    "inbox:saved_reply_delete": ("delete_saved_reply",),
    "channels:health": ("list_channels",),
    "channels:pause": ("pause_channel",),
    "channels:resume": ("resume_channel",),
    "privacy:contact": ("merge_contacts",),
    "accounts:audit_log": ("list_audit_events",),
    "feedback:items": ("list_feedback",),
    "feedback:item": ("get_feedback",),
    "feedback:item_new": ("create_feedback", "link_feedback"),
    "feedback:item_forward": ("forward_feedback",),
    "feedback:link_remove": ("unlink_feedback",),
    "feedback:boards": ("list_feedback_boards",),
    "feedback:board": ("get_feedback_board",),
    "feedback:item_status": ("set_feedback_status",),
    "feedback:draft_send": ("send_feedback_draft", "discard_feedback_draft"),
    "feedback:topics": (
        "list_feedback_topics",
        "save_feedback_topic",
        "update_feedback_topic",
        "list_routing_rules",
        "create_routing_rule",
        "delete_routing_rule",
    ),
    "listening:overview": ("list_monitors",),
    "sla:overview": ("list_sla_policies", "list_business_hours"),
    "sla:policy_create": ("create_sla_policy",),
    "sla:policy_edit": ("update_sla_policy",),
    "sla:policy_delete": ("delete_sla_policy",),
    "sla:hours_create": ("create_business_hours",),
    "sla:hours_edit": ("update_business_hours",),
    "listening:monitor": ("get_monitor", "list_monitor_matches"),
    "listening:monitor_edit": ("create_monitor", "update_monitor"),  # the overview creates
    # with this page's right
    "listening:monitor_delete": ("delete_monitor",),
    "webhooks:overview": ("list_webhooks", "list_webhook_events"),
    "webhooks:create": ("create_webhook",),
    "webhooks:detail": ("get_webhook", "list_webhook_deliveries"),
    "webhooks:edit": ("update_webhook",),
    "webhooks:delete": ("delete_webhook",),
    "webhooks:pause": ("pause_webhook",),
    "webhooks:resume": ("resume_webhook",),
    "webhooks:rotate": ("rotate_webhook_secret",),
    "webhooks:test": ("test_webhook",),
    "webhooks:redeliver": ("redeliver_webhook_delivery",),
    "webhooks:redeliver_failed": ("redeliver_webhook_failed",),
}


@pytest.mark.parametrize("page", sorted(PAIRS))
def test_the_api_allows_what_the_page_allows(page: str) -> None:
    for operation in PAIRS[page]:
        assert access.API[operation] == access.PAGES[page], (page, operation)


@pytest.mark.django_db
def test_every_paired_operation_is_in_the_schema_with_its_errors(api_as: Api) -> None:
    schema = api_as("viewer").get("/api/v1/openapi.json").json()
    documented = {
        op["operationId"]: op
        for path in schema["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for operations in PAIRS.values():
        for operation in operations:
            assert operation in documented, operation
            answers = documented[operation]["responses"]
            assert {"401", "403", "404", "422"} <= set(answers), operation
            assert documented[operation].get("summary"), operation
            named = documented[operation]["description"].split("**Roles:**")[-1]
            assert {r.strip() for r in named.split(",")} == set(access.API[operation]), operation
