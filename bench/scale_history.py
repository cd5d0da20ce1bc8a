"""`goals_history.fill`'s year of history written set-based in PostgreSQL (issue 16, item 5).

`fill(messages, now=...)` writes the rows `goals_history.fill` writes, with the same shapes
(threads of 2 to 5 messages alternating customer/company on 2 accounts, 5 departments, 5 tags,
reply delays log-normal with a median of ~50 min, 3 % of the questions never answered, one in
seven needing no reply, SLA outcomes of the three kinds, a sentiment for one inbound message in
five, the small tables from `goals_history._others`), but with `INSERT … SELECT` over
`generate_series` instead of Python rows: `goals_history.fill` writes ~3,500 messages/s, too
slow for 10 million. The random numbers come from PostgreSQL's `random()` after
`setseed()`; the inbound texts name one of 20 subjects and an order code, so the search has
frequent words (a subject: ~5 % of the inbound messages) and rare ones (a code: ~1 in 200,000).

The secondary indexes of the big tables are dropped before the rows are written and made again
afterwards (`CREATE INDEX` from their own definitions), which is quicker than keeping them up to
date row by row; `timings` says how long each step took.
"""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Any

from bench.goals_history import DEPARTMENTS, TAGS, _others

BIG_TABLES = (
    "inbox_conversation",
    "inbox_conversation_tags",
    "inbox_message",
    "sla_slaoutcome",
    "feedback_classification",
)
SUBJECTS = (
    "lieferung", "rechnung", "paket", "retoure", "gutschein", "kundenkonto", "passwort",
    "newsletter", "filiale", "garantie", "ersatzteil", "abo", "kündigung", "lastschrift",
    "versand", "reklamation", "termin", "störung", "tarif", "vertrag",
)  # fmt: skip
YEAR = 365 * 86400


def _execute(sql: str, params: Any = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _fetch(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _insert_select(
    model: Any, given: dict[str, str], source: str, params: list[Any] | None = None
) -> int:
    """INSERT INTO the model's table the given columns (SQL expressions over `source`, in
    this order; `params` fills their placeholders); every other column gets the field's
    default (NULL where the field allows it)."""
    from django.db import connection

    known = {field.column for field in model._meta.concrete_fields}
    unknown = set(given) - known
    assert not unknown, unknown
    columns, values = list(given), list(given.values())
    defaults = []
    for field in model._meta.concrete_fields:
        if field.column in given or field.primary_key:
            continue
        columns.append(field.column)
        if field.null:
            values.append("NULL")
        else:
            values.append("%s")
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {source}"
    )
    return _execute(sql, [*(params or []), *defaults])


def drop_indexes() -> list[str]:
    """Drop the secondary indexes and unique constraints of the big tables (not the primary
    keys); return the statements that make them again."""
    again = []
    for _table, name, definition in _fetch(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        [list(BIG_TABLES)],
    ):
        again.append(definition)
        _execute(f'DROP INDEX "{name}"')
    for table, name, definition in _fetch(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%s)",
        [list(BIG_TABLES)],
    ):
        again.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        _execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return again


def fill(
    messages: int,
    *,
    now: datetime,
    seed: int = 1,
    log: Any = print,
    timings: dict[str, float] | None = None,
) -> dict[str, Any]:
    from socialdesk.accounts.models import Department, Organisation
    from socialdesk.channels.models import ChannelAccount
    from socialdesk.feedback.models import Classification
    from socialdesk.inbox.models import Conversation, Message, Tag
    from socialdesk.sla.models import SlaOutcome

    timings = {} if timings is None else timings
    step_started = time.perf_counter()

    def step(name: str) -> None:
        nonlocal step_started
        timings[name] = time.perf_counter() - step_started
        log(f"  {name}: {timings[name]:.1f} s")
        step_started = time.perf_counter()

    organisation = Organisation.current()
    organisation.time_zone = "Europe/Berlin"
    organisation.save()
    departments = [Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS]
    accounts = [
        ChannelAccount.objects.create(network="mastodon", handle=h, name=h.title())
        for h in ("nord", "sued")
    ]
    tags = [Tag.objects.create(name=name) for name in TAGS]
    again = drop_indexes()
    _execute("SET maintenance_work_mem = '512MB'")
    _execute("SET work_mem = '256MB'")
    _execute("SELECT setseed(%s)", [1 / (seed + 1)])
    # 1. the plan of every conversation: random numbers first (one table, so that each is
    # drawn once), then the thread's times, needs and length.
    plans = messages * 10 // 32 + 10  # 3.2 messages per thread on average; cut below
    _execute("DROP TABLE IF EXISTS sd_scale_draw, sd_scale_plan")
    _execute(
        "CREATE UNLOGGED TABLE sd_scale_draw AS SELECT n, "
        + ", ".join(f"random() AS r{k}" for k in range(14))
        + " FROM generate_series(1, %s) AS n",
        [plans],
    )
    dept_ids = [d.pk for d in departments]
    tag_ids = [t.pk for t in tags]
    account_ids = [a.pk for a in accounts]

    def reply_delay(u1: str, u2: str) -> str:  # log-normal(8.0, 2.3), at least 30 s
        return (
            f"greatest(30, least(1e8, floor(exp(8.0 + 2.3 * sqrt(-2 * ln(1 - {u1})) "
            f"* cos(2 * pi() * {u2})))))::bigint"
        )

    _execute(
        f"""
        CREATE UNLOGGED TABLE sd_scale_plan AS
        WITH drawn AS (
            SELECT n,
                   CASE WHEN r0 < 0.03 THEN 1
                        ELSE (ARRAY[2, 3, 4, 5, 2, 4])[n %% 6 + 1] END AS length0,
                   %(now)s::timestamptz
                       - make_interval(secs => 120 + floor(r1 * ({YEAR} - 120))) AS t0,
                   r2 > 0.14 AS needs0, r3 > 0.3 AS needs2, r4 > 0.3 AS needs4,
                   CASE WHEN r5 >= 0.2 THEN (%(depts)s::bigint[])[floor(r6 * 5)::int + 1]
                        END AS department,
                   CASE WHEN r7 < 0.3 THEN (%(tags)s::bigint[])[n %% 5 + 1] END AS tag,
                   (%(accounts)s::bigint[])[n %% 2 + 1] AS account,
                   {reply_delay("r8", "r9")} AS g1,
                   300 + floor(r10 * (172800 - 300))::bigint AS g2,
                   {reply_delay("r11", "r12")} AS g3,
                   300 + floor(r13 * (172800 - 300))::bigint AS g4
            FROM sd_scale_draw
        ), counted AS (
            SELECT *, sum(length0) OVER (ORDER BY n) - length0 AS before FROM drawn
        )
        SELECT n, department, tag, account, before,
               least(length0, %(messages)s - before)::int AS length,
               ARRAY[needs0, false, needs2, false, needs4] AS needs,
               ARRAY[
                   least(t0, %(now)s::timestamptz - interval '1 second'),
                   least(t0 + make_interval(secs => g1),
                         %(now)s::timestamptz - interval '1 second'),
                   least(t0 + make_interval(secs => g1 + g2),
                         %(now)s::timestamptz - interval '1 second'),
                   least(t0 + make_interval(secs => g1 + g2 + g3),
                         %(now)s::timestamptz - interval '1 second'),
                   least(t0 + make_interval(secs => g1 + g2 + g3 + g4),
                         %(now)s::timestamptz - interval '1 second')
               ] AS times
        FROM counted WHERE before < %(messages)s
        """,
        {
            "now": now,
            "depts": dept_ids,
            "tags": tag_ids,
            "accounts": account_ids,
            "messages": messages,
        },
    )
    _execute("DROP TABLE sd_scale_draw")
    _execute("ALTER TABLE sd_scale_plan ADD PRIMARY KEY (n)")
    _execute("ANALYZE sd_scale_plan")
    step("plan")
    # 2. conversations (id = the plan's n), as goals_history writes them
    facts = """(
        SELECT p.*, p.times[p.length] AS last_at,
               p.times[2 * ((p.length - 1) / 2) + 1] AS last_inbound,
               CASE WHEN p.length > 1 THEN p.times[2] END AS answer,
               CASE WHEN p.length %% 2 = 1 AND p.needs[p.length] THEN p.times[p.length]
                    END AS waiting
        FROM sd_scale_plan p) AS f"""
    conversations = _conversations(Conversation, facts, now)
    through = Conversation.tags.through
    _execute(
        f"INSERT INTO {through._meta.db_table} (conversation_id, tag_id) "
        "SELECT n, tag FROM sd_scale_plan WHERE tag IS NOT NULL"
    )
    step("conversations")
    # 3. messages: id and external id count up thread by thread, as fill() numbers them
    subjects = list(SUBJECTS)
    written = _insert_select(
        Message,
        {
            "id": "p.before + k + 1",
            "conversation_id": "p.n",
            "channel_account_id": "p.account",
            "external_id": "'m' || (p.before + k)",
            "direction": "CASE WHEN k %% 2 = 0 THEN 'in' ELSE 'out' END",
            "text": """CASE WHEN k %% 2 = 0 THEN
                'Wann kommt meine ' || (%s::text[])[(p.before + k) * 7919 %% 20 + 1]
                || '? Auftrag ' || translate(((p.before + k) * 104729 %% 200003)::text,
                                             '0123456789', 'abcdefghij')
                ELSE 'Wir schauen nach!' END""",
            "created_at": "p.times[k + 1]",
            "needs_reply": "k %% 2 = 0 AND p.needs[k + 1]",
            "author_handle": "CASE WHEN k %% 2 = 0 THEN 'kunde' ELSE 'firma' END",
            "parent_external_id": "''",
            "language": "'de'",
            "imported_at": "p.times[k + 1]",
        },
        "sd_scale_plan p CROSS JOIN LATERAL generate_series(0, p.length - 1) AS k",
        [subjects],
    )
    step("messages")
    # 4. SLA outcomes of the questions that need a reply (fill's _outcomes)
    outcomes = 0
    for kind, target, start, stop, where in (
        ("first_response", 4 * 3600, "p.times[1]", "CASE WHEN p.length > 1 THEN p.times[2] END",
         "p.needs[1]"),
        ("next_response", 8 * 3600, "p.times[3]", "p.times[4]", "p.needs[1] AND p.length >= 4"),
        ("resolution", 48 * 3600, "p.times[1]",
         "CASE WHEN p.length %% 2 = 0 THEN p.times[p.length] END",
         "p.needs[1] AND p.n %% 2 = 0"),
    ):  # fmt: skip
        due = f"({start} + interval '{target} seconds')"
        elapsed = f"extract(epoch FROM {stop} - {start})::bigint"
        outcomes += _insert_select(
            SlaOutcome,
            {
                "conversation_id": "p.n",
                "channel_account_id": "p.account",
                "department_id": "p.department",  # the conversation's (no assignee in the plan)
                "kind": f"'{kind}'",
                "policy_name": "'Standard'",
                "target_seconds": str(target),
                "business_hours_name": "''",
                "started_at": start,
                "due_at": due,
                "stopped_at": stop,
                "state": f"CASE WHEN {stop} IS NULL THEN 'pending' "
                f"WHEN {stop} <= {due} THEN 'met' ELSE 'breached' END",
                "elapsed_seconds": elapsed,
                "margin_seconds": f"{target} - {elapsed}",
                "evaluated": "false",
                "recorded_at": start,
                "updated_at": start,
            },
            f"sd_scale_plan p WHERE {where}",
        )
    step("sla outcomes")
    # 5. a sentiment for every fifth inbound message (fill's _sentiments)
    classified = _insert_select(
        Classification,
        {
            "message_id": "m.id",
            "relevant": "true",
            "relevance_confidence": "0.9",
            "sentiment": "(ARRAY['negative', 'neutral', 'positive'])[m.id %% 3 + 1]",
            "sentiment_confidence": "0.8",
            "topics": "'[]'::jsonb",
            "source": "'rules'",
            "updated_at": "now()",
            "written_at": "m.created_at",
            # the conversation's (feedback.copies; the trigger copies them when both are NULL)
            "department_id": "m.department_id",
        },
        "(SELECT i.id, i.created_at, c.department_id, row_number() OVER (ORDER BY i.id) AS rn "
        "FROM inbox_message i JOIN inbox_conversation c ON c.id = i.conversation_id "
        "WHERE i.direction = 'in') AS m WHERE m.rn %% 5 = 1",
    )
    step("sentiments")
    for table in BIG_TABLES:
        _execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )
    _execute("DROP TABLE sd_scale_plan")
    for statement in again:
        _execute(statement)
    step("indexes")
    others = _others(random.Random(seed), now, departments, accounts)
    step("feedback, posts, listening")
    counts = {
        "conversations": conversations,
        "messages": written,
        "sla_outcomes": outcomes,
        "classified": classified,
        **others,
    }
    log(f"history: {counts}")
    return {"departments": departments, "accounts": accounts, "tags": tags, **counts}


def _conversations(model: Any, facts: str, now: datetime) -> int:
    """The conversations of the plan (`facts` names each thread's last, last inbound, answer
    and waiting moments) with their SLA state as `goals_history._sla_state` decides it."""
    return _insert_select(
        model,
        {
            "id": "f.n",
            "channel_account_id": "f.account",
            "department_id": "f.department",
            "status": "CASE WHEN f.waiting IS NOT NULL THEN 'open' ELSE 'resolved' END",
            "first_message_at": "f.times[1]",
            "first_message_inbound": "true",
            "needs_reply": "f.needs[1]",
            "first_response_at": "f.answer",
            "first_response_seconds": "extract(epoch FROM f.answer - f.times[1])::bigint",
            "last_message_at": "f.last_at",
            "last_inbound_at": "f.last_inbound",
            "waiting_since": "f.last_inbound",
            "waiting_for_us_since": "f.waiting",
            "message_count": "f.length",
            "preview": "'Frage?'",
            "language": "'de'",
            "created_at": "f.times[1]",
            "sla_state": """CASE
                WHEN f.waiting IS NOT NULL THEN CASE
                    WHEN f.waiting + interval '24 hours' <= %s::timestamptz THEN 'breached'
                    WHEN f.waiting + interval '20 hours' <= %s::timestamptz THEN 'at_risk'
                    ELSE 'on_track' END
                WHEN f.answer IS NULL THEN ''
                WHEN f.answer - f.times[1] <= interval '24 hours' THEN 'met'
                ELSE 'breached' END""",
            "sla_warned": "''",
            "sla_due_at": "f.waiting + interval '24 hours'",
        },
        facts,
        [now, now],
    )
