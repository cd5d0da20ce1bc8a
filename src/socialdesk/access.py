"""Who may open which page and call which API operation: the one table for the whole product.

`PAGES` maps every named URL to the roles allowed to open it; `API` maps every API operation
to the roles allowed to call it. `shell.middleware.AccessMiddleware` enforces `PAGES` for every
request and `api.auth.RoleTokenAuth` enforces `API`; a URL or operation missing here is denied
(and `tests/test_access_table.py` fails until it is added). Whether a person may see one
particular object is decided by the selectors of each app, after this table has allowed the page.
"""

from __future__ import annotations

from typing import Any, Final

from socialdesk.accounts.models import Role

PUBLIC: Final = frozenset({"anonymous", *Role.values})
"""Open without signing in (sign-in, password reset, invitation links)."""
EVERYONE: Final = frozenset(Role.values)
"""Every signed-in person, whatever their role."""
MANAGERS: Final = frozenset({Role.ADMIN, Role.MANAGER})
ADMINS: Final = frozenset({Role.ADMIN})
TEAM: Final = frozenset({Role.ADMIN, Role.MANAGER, Role.AGENT})
WORKERS: Final = frozenset({Role.ADMIN, Role.MANAGER, Role.AGENT, Role.MEMBER})
"""Everyone who works on something: the team and the department members (not read-only)."""

PAGES: Final[dict[str, frozenset[str]]] = {
    # shell
    "shell:home": EVERYONE,
    "shell:goals": EVERYONE,
    "shell:publishing": EVERYONE,
    "shell:spaces": EVERYONE,
    "shell:settings": EVERYONE,
    "shell:set_language": PUBLIC,
    "shell:healthz": PUBLIC,
    # the operator's figures: the METRICS_TOKEN or an allowed network is the credential
    "shell:metrics": PUBLIC,
    # pushed by networks; authenticated by the HMAC signature of each delivery
    # listening: everyone reads what the monitors find; the team defines monitors
    "listening:overview": EVERYONE,
    "listening:monitor": EVERYONE,
    "listening:monitor_edit": TEAM,
    "listening:monitor_delete": TEAM,
    # feedback items: the team captures and answers; departments work their boards
    "feedback:items": EVERYONE,
    "feedback:item": EVERYONE,
    "feedback:item_new": TEAM,
    "feedback:item_forward": TEAM,
    "feedback:item_status": WORKERS,
    "feedback:item_handoff": WORKERS,
    "feedback:link_remove": TEAM,
    "feedback:draft_send": TEAM,
    "feedback:boards": EVERYONE,
    "feedback:board": EVERYONE,
    # signed single-use links from the digest e-mail: the token is the credential
    "feedback:act": PUBLIC,
    "feedback:topics": MANAGERS,
    "feedback:correct": TEAM,
    "channels:webhook": PUBLIC,
    "channels:health": MANAGERS,
    "channels:mastodon_start": MANAGERS,
    "channels:mastodon_callback": MANAGERS,
    "channels:bluesky_connect": MANAGERS,
    "channels:webhook_add": MANAGERS,
    "channels:channel": MANAGERS,
    "channels:pause": MANAGERS,
    "channels:resume": MANAGERS,
    "channels:reconnect": MANAGERS,
    "channels:disconnect": MANAGERS,
    "channels:webhook_secret": MANAGERS,
    # inbox: everyone who may see a conversation reads it; the team works it
    "inbox:list": EVERYONE,
    "inbox:conversation": EVERYONE,
    "inbox:reply": TEAM,
    "inbox:retry_send": TEAM,
    "inbox:delivery": EVERYONE,
    "inbox:note": TEAM | {Role.MEMBER},
    "inbox:assign": TEAM,
    "inbox:status": TEAM,
    "inbox:tags": TEAM,
    "inbox:needs_reply": TEAM,
    "inbox:notifications": EVERYONE,
    "inbox:notifications_read": EVERYONE,
    "inbox:notification_open": EVERYONE,
    "inbox:presence": EVERYONE,
    "inbox:saved_replies": TEAM,
    "inbox:saved_reply_delete": MANAGERS,
    "inbox:saved_reply_edit": TEAM,
    "inbox:saved_reply_preview": TEAM,
    # imports from the browser (Settings → Import): managers bring in history
    "inbox:imports": MANAGERS,
    "inbox:import_job": MANAGERS,
    "inbox:import_rejected": MANAGERS,
    "inbox:bulk": TEAM,
    "inbox:bulk_job": TEAM,
    "inbox:bulk_undo": TEAM,
    "kpi:first_response": EVERYONE,
    "kpi:first_response_csv": MANAGERS | {Role.VIEWER},
    # a customer's page, their data export and erasure (DSGVO Art. 15 and 17)
    "privacy:contact": MANAGERS,
    "privacy:contact_export": MANAGERS,
    "privacy:contact_erase": MANAGERS,
    # response-time targets
    # outgoing webhooks carry the company's data to other tools: admins only
    "webhooks:overview": ADMINS,
    "webhooks:create": ADMINS,
    "webhooks:detail": ADMINS,
    "webhooks:edit": ADMINS,
    "webhooks:delete": ADMINS,
    "webhooks:pause": ADMINS,
    "webhooks:resume": ADMINS,
    "webhooks:rotate": ADMINS,
    "webhooks:test": ADMINS,
    "webhooks:redeliver_failed": ADMINS,
    "webhooks:delivery": ADMINS,
    "webhooks:redeliver": ADMINS,
    "sla:overview": EVERYONE,
    "sla:hours_create": MANAGERS,
    "sla:hours_edit": MANAGERS,
    "sla:policy_create": MANAGERS,
    "sla:policy_edit": MANAGERS,
    "sla:policy_delete": MANAGERS,
    # signing in and out
    "accounts:login": PUBLIC,
    "accounts:login_two_factor": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:invitation_accept": PUBLIC,
    # one's own account
    "accounts:profile": EVERYONE,
    "accounts:password_change": EVERYONE,
    "accounts:two_factor": EVERYONE,
    "accounts:two_factor_disable": EVERYONE,
    "accounts:tokens": EVERYONE,
    "accounts:token_revoke": EVERYONE,
    # departments
    "accounts:department_list": EVERYONE,
    "accounts:department_detail": EVERYONE,
    "accounts:department_create": MANAGERS,
    "accounts:department_edit": MANAGERS,
    "accounts:department_delete": MANAGERS,
    # people
    "accounts:people": EVERYONE,
    "accounts:person_detail": EVERYONE,
    "accounts:person_edit": ADMINS,
    "accounts:person_deactivate": ADMINS,
    "accounts:person_reactivate": ADMINS,
    "accounts:person_reset_two_factor": ADMINS,
    "accounts:invite": ADMINS,
    "accounts:invitation_revoke": ADMINS,
    "accounts:invitation_resend": ADMINS,
    # administration
    "accounts:organisation": ADMINS,
    "accounts:audit_log": ADMINS,
    # API documentation (the operations themselves are in API below)
    "api:api-root": EVERYONE,
    "api:openapi-json": PUBLIC,  # its view asks for a session or a token (api.auth.docs_access)
    "api:openapi-view": EVERYONE,
    # publishing, the composer (issue 12 item 3): agents and managers write posts; everyone
    # reads the posts the selectors show them
    "publishing:posts": EVERYONE,
    "publishing:post": EVERYONE,
    "publishing:post_new": TEAM,
    "publishing:post_edit": TEAM,
    "publishing:post_media_delete": TEAM,
    # publishing, review (issue 12 item 4 and 8): everyone who may see a post reads its review;
    # agents and managers send posts for review; whether a person may approve or ask for
    # changes is decided per post by `publishing.approvals` (steps may name department members
    # and agents); managers set the steps
    "publishing:post_review": EVERYONE,
    "publishing:post_submit": TEAM,
    "publishing:post_approve": WORKERS,
    "publishing:post_changes": WORKERS,
    "publishing:post_comment": WORKERS,
    # signed single-use links from the approval e-mail: the token is the credential
    "publishing:approval_link": PUBLIC,
    "publishing:approval_steps": MANAGERS,
    # publishing, story ideas and campaigns (issue 12 items 1, 2): everyone tells a story and
    # comments; the team decides and plans; managers and admins run the campaigns
    "story": EVERYONE,
    "publishing:ideas": EVERYONE,
    "publishing:idea_new": EVERYONE,
    "publishing:idea": EVERYONE,
    "publishing:idea_photo": EVERYONE,
    "publishing:idea_comment": EVERYONE,
    "publishing:idea_follow": EVERYONE,
    "publishing:idea_accept": TEAM,
    "publishing:idea_decline": TEAM,
    "publishing:idea_plan": TEAM,
    "publishing:idea_campaign": TEAM,
    "publishing:campaigns": EVERYONE,
    "publishing:campaign": EVERYONE,
    "publishing:campaign_new": MANAGERS,
    "publishing:campaign_edit": MANAGERS,
    "publishing:campaign_archive": MANAGERS,
    # publishing, after publishing (issue 12 item 7): figures and replies for everyone who
    # sees the post; editing and deleting a published post for managers and admins
    "publishing:post_after": EVERYONE,
    "publishing:post_edit_published": MANAGERS,
    "publishing:post_delete_published": MANAGERS,
    # publishing, the calendar: everyone reads the posts they may see (selectors) and keeps a
    # personal feed; the team moves posts; managers set the posting slots; the feed's address
    # carries its own secret, which is the credential
    "publishing:calendar": EVERYONE,
    "publishing:post_reschedule": TEAM,
    "publishing:post_queue": TEAM,
    "publishing:slots": MANAGERS,
    "publishing:calendar_feed": EVERYONE,
    "publishing:ical": PUBLIC,
    # publishing, delivery (issue 12, engine): managers and admins publish; everyone who may
    # see a post sees how its delivery goes
    "publishing:post_publish_now": MANAGERS,
    "publishing:target_retry": MANAGERS,
    "publishing:post_delivery": EVERYONE,
    # goals: the KPI registry (issue 13 item 3)
    "goals:kpis": EVERYONE,
    # goals, the strategy (issue 13 item 1): everyone signed in reads it; managers and admins
    # write its sections and objectives
    "goals:strategy": EVERYONE,
    "goals:strategy_history": EVERYONE,
    "goals:strategy_edit": MANAGERS,
    "goals:objectives": EVERYONE,
    "goals:objective_new": MANAGERS,
    "goals:objective_edit": MANAGERS,
    "goals:objective_move": MANAGERS,
    "goals:objective_remove": MANAGERS,
    # goals: guidelines people read, onboarding, adoption (issue 13 item 2)
    "goals:publications": EVERYONE,
    "goals:publication": EVERYONE,
    "goals:publication_confirm": EVERYONE,
    "goals:publication_new": MANAGERS,
    "goals:onboarding": EVERYONE,
    "goals:onboarding_tour": EVERYONE,
    "goals:onboarding_people": MANAGERS,
    "goals:adoption": MANAGERS,
    "goals:adoption_department": MANAGERS,
    # goals: goals with targets, forecasts and status (issue 13 item 4)
    "goals:goals": EVERYONE,
    "goals:goal": EVERYONE,
    # goals: the goal pages, set and change (issue 13 item 4, pages)
    "goals:goal_new": MANAGERS,
    "goals:goal_edit": MANAGERS,
    "goals:goal_archive": MANAGERS,
    "goals:goal_evaluate": MANAGERS,
    # goals: the dashboards (issue 13 item 5); a member sees their own departments' (selectors)
    "goals:dashboard": EVERYONE,
    "goals:dashboard_department": EVERYONE,
    "goals:dashboard_channel": EVERYONE,
    # goals: reports (issue 13 item 6): everyone reads the report of what they may see;
    # managers share links and schedule e-mails; the share link's token is the credential
    "goals:reports": EVERYONE,
    "goals:report_conversations": EVERYONE,
    "goals:report_shares": MANAGERS,
    "goals:report_share_revoke": MANAGERS,
    "goals:report_schedules": MANAGERS,
    "goals:report_schedule_new": MANAGERS,
    "goals:report_schedule": MANAGERS,
    "goals:report_schedule_pause": MANAGERS,
    "goals:report_schedule_delete": MANAGERS,
    "shared_reports:report": PUBLIC,
    # issue 14 WP1 (foundation): sites, hand-over, knowledge; placeholders of the new apps
    "accounts:sites": MANAGERS,
    "accounts:site_new": MANAGERS,
    "accounts:site_edit": MANAGERS,
    "accounts:site_delete": MANAGERS,
    "spaces:rooms": EVERYONE,
    "wiki:index": EVERYONE,
    "search:results": EVERYONE,
    "wiki:faq_from_conversation": TEAM,
    "wiki:page_reply": TEAM,
    "goals:strategy_wiki": MANAGERS,
    # issue 14 WP2 (spaces): rows appended here
    # reading follows spaces.selectors (private rooms: members only); writing is for workers,
    # the object rules (owner, author, archived) are checked in the services
    "spaces:room_new": WORKERS,
    "spaces:room": EVERYONE,
    "spaces:room_edit": WORKERS,
    "spaces:room_members": EVERYONE,
    "spaces:room_member_add": WORKERS,
    "spaces:room_member_remove": WORKERS,
    "spaces:room_join": WORKERS,
    "spaces:room_leave": EVERYONE,
    "spaces:room_notify": EVERYONE,
    "spaces:room_archive": WORKERS,
    "spaces:room_unarchive": WORKERS,
    "spaces:room_post_new": WORKERS,
    "spaces:post": EVERYONE,
    "spaces:thread": EVERYONE,
    "spaces:post_edit": WORKERS,
    "spaces:post_delete": WORKERS,
    "spaces:post_pin": WORKERS,
    "spaces:post_react": WORKERS,
    "spaces:attachment": EVERYONE,
    "spaces:mention_suggest": EVERYONE,
    "spaces:rooms_admin": ADMINS,
    "spaces:room_take_over": ADMINS,
    # issue 14 WP3 (wiki): rows appended here
    "wiki:missing": EVERYONE,
    "wiki:review_due": EVERYONE,
    "wiki:space_new": MANAGERS,
    "wiki:space": EVERYONE,
    "wiki:room_space": EVERYONE,
    "wiki:page_new": WORKERS,
    "wiki:page": EVERYONE,
    "wiki:page_edit": WORKERS,
    "wiki:page_history": EVERYONE,
    "wiki:page_diff": EVERYONE,
    "wiki:page_restore": WORKERS,
    "wiki:page_move": WORKERS,
    "wiki:page_delete": WORKERS,
    "wiki:page_review": WORKERS,
    "wiki:page_export": EVERYONE,
    "wiki:trash": EVERYONE,
    "wiki:space_edit": MANAGERS,
    "wiki:page_undelete": WORKERS,
    "wiki:page_publish": WORKERS,
    "wiki:space_export": EVERYONE,
    # issue 14 WP4/WP5 (search): rows appended here
}

API: Final[dict[str, frozenset[str]]] = {
    "me": EVERYONE,
    "list_departments": EVERYONE,
    "get_department": EVERYONE,
    "create_department": MANAGERS,
    "update_department": MANAGERS,
    "delete_department": MANAGERS,
    "list_people": EVERYONE,
    "get_person": EVERYONE,
    "update_person": ADMINS,
    # issue 15, the inbox (api/conversations.py): as the inbox pages allow
    "list_conversations": EVERYONE,
    "get_conversation": EVERYONE,
    "reply_conversation": TEAM,
    "add_note": TEAM | {Role.MEMBER},
    "assign_conversation": TEAM,
    "set_conversation_status": TEAM,
    "set_conversation_tags": TEAM,
    "set_needs_reply": TEAM,
    "start_bulk_job": TEAM,  # as inbox:bulk, inbox:bulk_job, inbox:bulk_undo
    "get_bulk_job": TEAM,
    "undo_bulk_job": TEAM,
    "create_import": MANAGERS,  # as inbox:imports, inbox:import_job, inbox:import_rejected
    "list_imports": MANAGERS,
    "get_import": MANAGERS,
    "list_import_rejections": MANAGERS,
    "list_contacts": EVERYONE,
    "get_contact": EVERYONE,
    "merge_contacts": MANAGERS,  # as the contact's privacy page
    "list_channels": MANAGERS,  # as the channel health page
    "pause_channel": MANAGERS,
    "resume_channel": MANAGERS,
    "list_saved_replies": TEAM,  # as the saved replies page
    "create_saved_reply": TEAM,
    "update_saved_reply": TEAM,
    "delete_saved_reply": MANAGERS,
    "list_tags": EVERYONE,
    "list_notifications": EVERYONE,
    "read_notifications": EVERYONE,
    "list_audit_events": ADMINS,  # as the audit log page
    "list_feedback": EVERYONE,  # feedback items, as their pages (feedback:*)
    "list_feedback_boards": EVERYONE,
    "get_feedback_board": EVERYONE,
    "get_feedback": EVERYONE,
    "create_feedback": TEAM,
    "link_feedback": TEAM,
    "unlink_feedback": TEAM,  # as feedback:link_remove
    "forward_feedback": TEAM,
    "set_feedback_status": WORKERS,
    "send_feedback_draft": TEAM,
    "discard_feedback_draft": TEAM,
    "list_feedback_topics": MANAGERS,  # as feedback:topics
    "save_feedback_topic": MANAGERS,
    "update_feedback_topic": MANAGERS,
    "list_routing_rules": MANAGERS,
    "create_routing_rule": MANAGERS,
    "delete_routing_rule": MANAGERS,
    "list_sla_policies": EVERYONE,  # as the SLA page
    "create_sla_policy": MANAGERS,  # sla:policy_create
    "update_sla_policy": MANAGERS,
    "delete_sla_policy": MANAGERS,
    "create_business_hours": MANAGERS,  # sla:hours_create
    "update_business_hours": MANAGERS,
    "list_business_hours": EVERYONE,
    # outgoing webhooks: admins only, as their pages (webhooks:*)
    "list_webhook_events": ADMINS,
    "list_webhooks": ADMINS,
    "get_webhook": ADMINS,
    "create_webhook": ADMINS,
    "update_webhook": ADMINS,
    "delete_webhook": ADMINS,
    "pause_webhook": ADMINS,
    "resume_webhook": ADMINS,
    "rotate_webhook_secret": ADMINS,
    "test_webhook": ADMINS,
    "list_webhook_deliveries": ADMINS,
    "redeliver_webhook_delivery": ADMINS,
    "redeliver_webhook_failed": ADMINS,
    "list_monitors": EVERYONE,  # listening, as its pages (listening:*)
    "get_monitor": EVERYONE,
    "list_monitor_matches": EVERYONE,
    "create_monitor": TEAM,
    "update_monitor": TEAM,
    "delete_monitor": TEAM,
    # issue 12, REST for posts (api/posts.py): everyone reads what the selector shows them;
    # the team writes; approving is checked per post (managers, admins, or whom a step names);
    # managers and admins publish.
    "list_posts": EVERYONE,
    "get_post": EVERYONE,
    "post_metrics": EVERYONE,
    "create_post": TEAM,
    "update_post": TEAM,
    "submit_post": TEAM,
    "schedule_post": TEAM,
    "approve_post": WORKERS,
    "request_changes": WORKERS,
    "publish_now": MANAGERS,
    # publishing, story ideas and campaigns (issue 12 items 1, 2)
    "list_ideas": EVERYONE,
    "get_idea": EVERYONE,
    "create_idea": EVERYONE,
    "accept_idea": TEAM,
    "decline_idea": TEAM,
    "list_campaigns": EVERYONE,
    "get_campaign": EVERYONE,
    "create_campaign": MANAGERS,
    # goals, KPIs and goals over REST (issue 13 item 8): everyone reads the KPIs (counted over
    # what they may see) and the goals `goals_for_user` gives them; managers and admins write
    "list_kpis": EVERYONE,
    "get_kpi": EVERYONE,
    "list_goals": EVERYONE,
    "get_goal": EVERYONE,
    "create_goal": MANAGERS,
    "update_goal": MANAGERS,
    "archive_goal": MANAGERS,
    # goals: reports (issue 13 item 6): the token's person decides what the report covers
    "get_report": EVERYONE,
    # issue 14 WP1 (foundation): API operations
    # issue 14 WP2 (spaces): API operations
    # reading follows spaces.selectors; object rules (owner, author, archived) in the services
    "list_rooms": EVERYONE,
    "get_room": EVERYONE,
    "list_room_posts": EVERYONE,
    "get_room_attachment": EVERYONE,
    "create_room": WORKERS,
    "update_room": WORKERS,
    "archive_room": WORKERS,
    "unarchive_room": WORKERS,
    "join_room": WORKERS,
    "leave_room": EVERYONE,
    "add_room_members": WORKERS,
    "remove_room_member": WORKERS,
    "create_room_post": WORKERS,
    "update_room_post": WORKERS,
    "delete_room_post": WORKERS,
    "react_room_post": WORKERS,
    "unreact_room_post": WORKERS,
    "pin_room_post": WORKERS,
    "unpin_room_post": WORKERS,
    # issue 14 WP3 (wiki): API operations
    "list_wiki_spaces": EVERYONE,
    "list_wiki_pages": EVERYONE,
    "get_wiki_page": EVERYONE,
    "list_wiki_revisions": EVERYONE,
    "get_wiki_revision": EVERYONE,
    "export_wiki_page": EVERYONE,
    "create_wiki_page": WORKERS,
    "update_wiki_page": WORKERS,
    "delete_wiki_page": WORKERS,
    "restore_wiki_revision": WORKERS,
    # issue 14 WP4 (search): API operations
    "search": EVERYONE,  # one search; the hits pass the owning selectors of the caller
}


def page_allows(url_name: str, role: str | None) -> bool:
    """Return whether a person with `role` (None: not signed in) may open the page."""
    allowed = PAGES.get(url_name)
    if allowed is None:
        return False
    return (role or "anonymous") in allowed


def api_allows(operation: str, role: str) -> bool:
    """Return whether a person with `role` may call the API operation."""
    return role in API.get(operation, frozenset())


def user_may(user: Any, url_name: str) -> bool:
    """Return whether this person (or an anonymous visitor) may open the page `url_name`."""
    role = user.role if getattr(user, "is_authenticated", False) else None
    return page_allows(url_name, role)
