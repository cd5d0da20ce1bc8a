"""Store imported rows as contacts, conversations and messages, chunk by chunk.

Each chunk is one transaction with a fixed number of queries, whatever the chunk holds, so
an import of a million rows runs at a steady pace with flat memory. Threading follows the
parent ids: a row joins its parent's conversation whether the parent came earlier in the
file, later in the file, or in a file imported before or after; conversations that turn out
to be one thread are merged.

Every row passes `normalise` (the one gate before the database). Ids are unique per channel
account, as the database's constraint says: a row that names its account (`account`, or the
importer's `fixed_account`) is a duplicate only of a message of that account and threads
only with that account's messages; a row without one (twcs) is looked up across the
network's accounts. When the database still refuses a chunk, it is stored in halves until
only the rows it refuses are left; they are rejected with the database's reason.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from socialdesk.channels.items.normalise import normalise
from socialdesk.channels.items.readers import ImportRow, Parsed, Rejection, RowError
from socialdesk.channels.models import ChannelAccount
from socialdesk.core import changes, forked, triggers
from socialdesk.core.db import insert_rows, reserve_ids, update_rows
from socialdesk.inbox import event_data, rollups
from socialdesk.inbox.importing import ahead, threads
from socialdesk.inbox.importing.contacts import contacts_for
from socialdesk.inbox.importing.facts import (
    FACT_COLUMNS,
    FACT_FIELDS,
    MessageFact,
    NewConversation,
    settle_facts,
)
from socialdesk.inbox.importing.facts import refresh_conversations as refresh_conversations
from socialdesk.inbox.importing.settle import answered, refresh_targets, settle_status
from socialdesk.inbox.models import (
    Conversation,
    ConversationEvent,
    Direction,
    Message,
    Status,
)
from socialdesk.insights.language import guess_language
from socialdesk.insights.needs_reply import needs_reply

MENTION = re.compile(r"@(\w{1,64})")
ACCOUNT_NAME_LENGTH = 120  # ChannelAccount.name
# What the database says when a value does not fit: the row is rejected, the rest is stored.
# (Lock timeouts and lost connections are OperationalErrors and stop the import instead.)
REFUSED = (DataError, IntegrityError, ValueError, OverflowError)
MESSAGE_FIELDS = [
    "conversation", "channel_account", "external_id", "direction", "author_handle", "contact",
    "text", "created_at", "parent", "parent_external_id", "needs_reply", "language", "imported_at",
    "meta",
]  # fmt: skip
AT = {name: n for n, name in enumerate(["id", *MESSAGE_FIELDS])}  # a message's value by name
# A message's values that `MessageFact` takes after its id, in its order.
FACT_OF_MESSAGE = [
    "created_at", "direction", "needs_reply", "channel_account", "contact", "language"
]  # fmt: skip
# What a new conversation is inserted with: its facts and the defaults of a new one.
NEW_FIELDS = ["status", "sla_state", "sla_warned", "created_at", *FACT_FIELDS]


@dataclass
class ImportStats:
    rows_read: int = 0
    created: int = 0
    duplicates: int = 0
    rejected: int = 0
    conversations_created: int = 0
    conversations_merged: int = 0
    conversations_resolved: int = 0
    conversations_reopened: int = 0


@dataclass
class Importer:
    """Import rows of one network; call `feed` per file, then read `stats`."""

    network: str
    company_handles: set[str]
    thread_start_needs_reply: bool = False
    listening: bool = False  # items from listening sources (feeds) never need a reply
    fixed_account: ChannelAccount | None = None  # every item belongs to this account (a feed)
    # History from files: answered conversations are resolved, waiting ones reopened (settle.py).
    settle: bool = False
    # Live channel items: the company's own new thread is resolved, a customer reopens (settle.py).
    settle_live: bool = False
    # Live channel items: tell other tools (core.events) of new conversations and customer
    # messages; history from files is no news and announces nothing.
    announce: bool = False
    # History from files: the SLA clocks of conversations that already have a policy follow
    # the messages added to them (live items tell every conversation after the import).
    refresh_targets: bool = False
    chunk_size: int = 5000
    # Above one: each row's language and needs-reply are decided ahead in forked processes
    # (ahead.py), as many as the other cores, while this one stores the chunk before.
    jobs: int = 1
    on_rejection: Callable[[Rejection], None] = lambda rejection: None
    on_progress: Callable[[ImportStats], None] = lambda stats: None
    stats: ImportStats = field(default_factory=ImportStats)
    touched: set[int] = field(default_factory=set)  # the conversations this import changed
    _accounts: dict[str, ChannelAccount] = field(default_factory=dict)
    _file_label: str = ""
    _handles_version: int = 0  # counts changes of `company_handles`
    _answers: dict[int, tuple[str, bool | None]] = field(default_factory=dict)  # by id(row)
    _answers_version: int = -1  # of the company handles `_answers` were decided with

    def __post_init__(self) -> None:
        self.company_handles = {ChannelAccount.normalise_handle(h) for h in self.company_handles}
        for account in ChannelAccount.objects.filter(network=self.network):
            self._accounts[account.handle] = account
            if account.handle:
                self.company_handles.add(account.handle)

    # ------------------------------------------------------------------ public

    def feed(self, file_label: str, parsed: Iterable[Parsed]) -> None:
        """Import every row; bad rows go to `on_rejection` and the rest is stored."""
        self._file_label = file_label
        chunks = self._chunks(parsed)
        if self.jobs > 1:
            workers = self.jobs - 1
            ahead.warm()
            with forked.forked_pool(workers) as pool:
                asked = ((chunk, self._asked(chunk)) for chunk in chunks)
                for chunk, question, answers in ahead.in_order(pool, asked, workers):
                    self._answers = {
                        id(row): a for (_l, row), a in zip(chunk, answers, strict=True)
                    }
                    self._answers_version = question.version
                    self._store(chunk)
                    self.on_progress(self.stats)
            self._answers = {}
        else:
            for chunk in chunks:
                self._store(chunk)
                self.on_progress(self.stats)
        self.on_progress(self.stats)

    def _chunks(self, parsed: Iterable[Parsed]) -> Iterator[list[tuple[int, ImportRow]]]:
        """The valid rows in chunks; the others rejected as they are read."""
        chunk: list[tuple[int, ImportRow]] = []
        for line, item in parsed:
            self.stats.rows_read += 1
            if isinstance(item, ImportRow):
                row = item
                item = normalise(item)
            else:
                row = None
            if isinstance(item, RowError):
                self._reject(line, item.reason, item.external_id, row)
                continue
            chunk.append((line, item))
            if len(chunk) >= self.chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _asked(self, chunk: list[tuple[int, ImportRow]]) -> ahead.Asked:
        """What the processes ahead decide of a chunk: every row's language, and whether a
        customer's row needs a reply (a company's never does, a twcs thread start always)."""
        return ahead.Asked(
            [row.text for _line, row in chunk],
            [
                not (self.listening or self._is_company(row))
                and not (self.thread_start_needs_reply and not row.parent_id)
                for _line, row in chunk
            ],
            frozenset(self.company_handles),
            self._handles_version,
        )

    def _reject(self, line: int, reason: str, external_id: str, row: ImportRow | None) -> None:
        self.stats.rejected += 1
        self.on_rejection(Rejection(self._file_label, line, reason, external_id, row))

    # ------------------------------------------------------------------ accounts

    def _account(self, handle: str) -> ChannelAccount:
        handle = ChannelAccount.normalise_handle(handle)
        account = self._accounts.get(handle)
        if account is None:
            account, _created = ChannelAccount.objects.get_or_create(
                network=self.network,
                handle=handle,
                defaults={"name": f"@{handle}"[:ACCOUNT_NAME_LENGTH] if handle else ""},
            )
            self._accounts[handle] = account
            if handle and handle not in self.company_handles:
                self.company_handles.add(handle)
                self._handles_version += 1
        return account

    def _account_ids(self) -> list[int]:
        self._account("")  # the account for conversations without a known company account
        return [account.pk for account in self._accounts.values()]

    def _is_company(self, row: ImportRow) -> bool:
        if row.inbound is not None:
            return not row.inbound
        return ChannelAccount.normalise_handle(row.author) in self.company_handles

    def _mentioned_company(self, text: str) -> str | None:
        for mention in MENTION.findall(text):
            handle = str(mention).lower()
            if handle in self.company_handles:
                return handle
        return None

    # ------------------------------------------------------------------ one chunk

    def _store(self, chunk: list[tuple[int, ImportRow]]) -> None:
        """Store a chunk in one transaction; if the database refuses it, store it in halves."""
        stats = dataclasses.replace(self.stats)
        accounts, handles = dict(self._accounts), set(self.company_handles)
        try:
            with transaction.atomic():
                self._store_chunk(chunk)
        except REFUSED as error:
            # Nothing of the chunk is stored: forget what it counted and created.
            self.stats = dataclasses.replace(stats, rejected=self.stats.rejected)
            self._accounts, self.company_handles = accounts, handles
            self._handles_version += 1
            if len(chunk) > 1:
                middle = len(chunk) // 2
                self._store(chunk[:middle])
                self._store(chunk[middle:])
                return
            line, row = chunk[0]
            reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            self._reject(line, f"the database refused the item: {reason}", row.external_id, row)

    def _scope(self, row: ImportRow) -> int | None:
        """Return the account a row's id is unique in; None: any account of the network."""
        if self.fixed_account is not None:
            return self.fixed_account.pk
        if row.account:
            return self._account(row.account).pk
        return None

    def _messages(self, scope: int | None) -> QuerySet[Message]:
        if scope is not None:
            return Message.objects.filter(channel_account_id=scope)
        return Message.objects.filter(channel_account_id__in=self._account_ids())

    def _store_chunk(self, chunk: list[tuple[int, ImportRow]]) -> None:
        by_scope: dict[int | None, list[tuple[int, ImportRow]]] = defaultdict(list)
        for line, row in chunk:
            by_scope[self._scope(row)].append((line, row))
        for scope, scoped in by_scope.items():
            self._store_scoped(scoped, scope)

    def _store_scoped(self, chunk: list[tuple[int, ImportRow]], scope: int | None) -> None:
        messages = self._messages(scope)
        rows = self._without_duplicates(chunk, messages)
        if not rows:
            return
        by_id = {row.external_id: row for row in rows}

        # Parents already stored, and stored replies whose parent arrives now.
        outside_parent_ids = {r.parent_id for r in rows if r.parent_id and r.parent_id not in by_id}
        stored_parents = {
            external_id: (pk, conversation_id)
            for external_id, pk, conversation_id in messages.filter(
                external_id__among=list(outside_parent_ids)
            ).values_list("external_id", "pk", "conversation_id")
        }
        accounts = {scope} if scope is not None else set(self._account_ids())
        orphans = [
            (pk, parent, conversation_id)
            for pk, parent, conversation_id, account in threads.replies_to(list(by_id))
            if account in accounts
        ]

        groups = threads.grouped(rows, by_id, stored_parents, orphans)
        conversation_of, new, merged = threads.conversations_for(rows, groups)
        self.stats.conversations_created += len(new)
        self.stats.conversations_merged += merged
        contact_of = contacts_for(self.network, [r for r in rows if not self._is_company(r)])
        created = self._create_messages(
            rows, conversation_of, new, contact_of, stored_parents, scope
        )
        self._link_orphans(orphans, created)
        touched = set(conversation_of.values())
        self.touched |= touched
        self._refresh_conversations(touched - new, scope)  # new ones were inserted complete
        changes.changed("inbox.contact", set(contact_of.values()))
        changes.changed("inbox.message", created.values())
        changes.changed("inbox.conversation", touched)
        # Inside the chunk's transaction (`_store`): a refused chunk announces nothing.
        before = event_data.states(touched - new) if self.announce else {}
        if self.settle or self.settle_live:
            # History: the new ones were settled as they were inserted.
            settled = touched - new if self.settle else touched
            resolved, reopened = settle_status(settled, live=not self.settle)
            self.stats.conversations_resolved += resolved
            self.stats.conversations_reopened += reopened
        if self.refresh_targets:
            refresh_targets(touched - new)
        if self.announce:  # new conversations as settled, their messages, then reopened ones
            event_data.announce_stored(new, created.values())
            event_data.announce_moves(before, by=None)
        self.stats.created += len(created)

    def _without_duplicates(
        self, chunk: list[tuple[int, ImportRow]], messages: QuerySet[Message]
    ) -> list[ImportRow]:
        ids = [row.external_id for _line, row in chunk]
        stored = set(messages.filter(external_id__among=ids).values_list("external_id", flat=True))
        rows: list[ImportRow] = []
        for _line, row in chunk:
            if row.external_id in stored:
                self.stats.duplicates += 1
                continue
            stored.add(row.external_id)
            rows.append(row)
        return rows

    def _create_messages(
        self,
        rows: list[ImportRow],
        conversation_of: dict[str, int],
        new: set[int],
        contact_of: dict[str, int],
        stored_parents: dict[str, tuple[int, int]],
        scope: int | None,
    ) -> dict[str, int]:
        """Insert the new conversations, complete with their facts, then the messages with
        their ids, parents and final account known: nothing is read back or updated. Returns
        the message id per row id."""
        placeholder_id = scope if scope is not None else self._account("").pk
        ids = reserve_ids(Message, len(rows))
        pk_of = dict(zip((r.external_id for r in rows), ids, strict=True))
        now = timezone.now()
        values: list[list[Any]] = []
        answers = self._answers if self._answers_version == self._handles_version else {}
        for row in rows:
            company = self._is_company(row)
            known = answers.get(id(row))
            language = guess_language(row.text) if known is None else known[0]
            replied = None if known is None else known[1]
            parent = pk_of.get(row.parent_id) or stored_parents.get(row.parent_id, (None,))[0]
            values.append(
                [
                    pk_of[row.external_id],
                    conversation_of[row.external_id],
                    self._account(row.author).pk if company and scope is None else placeholder_id,
                    row.external_id,
                    Direction.OUTBOUND if company else Direction.INBOUND,
                    row.author,
                    None if company else contact_of[ChannelAccount.normalise_handle(row.author)],
                    row.text,
                    row.created_at,
                    parent,
                    row.parent_id,
                    self._needs_reply(row, company, language) if replied is None else replied,
                    language,
                    now,
                    row.meta or {},
                ]
            )
        self._insert_new_conversations(values, new, scope, placeholder_id, now)
        # one statement each, not a trigger per message: the rollup, and what the apps above
        # keep per message (the messages waiting to be classified)
        with rollups.counted_together(ids), triggers.bulk_insert(Message._meta.db_table, ids):
            insert_rows(Message, ["id", *MESSAGE_FIELDS], values)
        return pk_of

    def _needs_reply(self, row: ImportRow, company: bool, language: str) -> bool:
        if self.listening or company:
            return False
        if self.thread_start_needs_reply and not row.parent_id:
            return True
        return needs_reply(
            row.text, company_handles=self.company_handles, language=language or None
        )

    def _insert_new_conversations(
        self,
        values: list[list[Any]],
        new: set[int],
        scope: int | None,
        placeholder_id: int,
        now: datetime,
    ) -> None:
        """The facts of the new conversations from their messages' values (all in this
        chunk), as `refresh_conversations` would compute them after the insert; the messages'
        values take the account and first-message flag those facts decide."""
        if not new:
            return
        per_conversation: dict[int, list[MessageFact]] = defaultdict(list)
        texts: dict[int, str] = {}
        for v in values:
            if v[AT["conversation"]] in new:
                pk = v[AT["id"]]
                per_conversation[v[AT["conversation"]]].append(
                    MessageFact(pk, *(v[AT[name]] for name in FACT_OF_MESSAGE))
                )
                texts[pk] = v[AT["text"]]
        conversations = [NewConversation(pk, placeholder_id) for pk in sorted(new)]
        settled = settle_facts(
            conversations,
            per_conversation,
            texts,
            self._accounts_by_id(),
            self._mentioned_company if scope is None else None,
            first_inbound_needs_reply=self.thread_start_needs_reply,
        )
        account_of = {c.pk: c.channel_account_id for c in conversations}
        flagged = set(settled.flagged)
        for v in values:
            if v[AT["conversation"]] in new:
                v[AT["channel_account"]] = account_of[v[AT["conversation"]]]
                if v[AT["id"]] in flagged:
                    v[AT["needs_reply"]] = True
        # History from files: the answered ones are inserted resolved, as `settle_status`
        # would leave them (one UPDATE of thousands of rows a chunk less).
        done = {c.pk for c in conversations if answered(c)} if self.settle else set()
        with triggers.bulk_insert(Conversation._meta.db_table, [c.pk for c in conversations]):
            insert_rows(
                Conversation,
                ["id", *NEW_FIELDS, "resolved_at"],
                [
                    [c.pk, Status.RESOLVED if c.pk in done else Status.OPEN, "", "", now,
                     *(getattr(c, column) for column in FACT_COLUMNS),
                     c.last_message_at if c.pk in done else None]
                    for c in conversations
                ],
            )  # fmt: skip
        insert_rows(
            ConversationEvent,
            ["conversation", "at", "old_status", "new_status"],
            [(c.pk, c.last_message_at, Status.OPEN, Status.RESOLVED) for c in conversations
             if c.pk in done],
        )  # fmt: skip
        self.stats.conversations_resolved += len(done)

    @staticmethod
    def _link_orphans(orphans: list[tuple[int, str, int]], pk_of: dict[str, int]) -> None:
        update_rows(
            Message,
            ["parent"],
            [(pk_of[parent], pk) for pk, parent, _c in orphans if parent in pk_of],
        )

    def _refresh_conversations(self, conversation_ids: set[int], scope: int | None) -> None:
        """Recompute the stored facts (first message, first response, account, …).

        Conversations of rows that name their account stay on it (moving them to another
        account by a mention would move their messages out of the account their ids are
        unique in).
        """
        refresh_conversations(
            conversation_ids,
            self._accounts_by_id(),
            self._mentioned_company if scope is None else None,
            first_inbound_needs_reply=self.thread_start_needs_reply,
        )

    def _accounts_by_id(self) -> dict[int, ChannelAccount]:
        return {account.pk: account for account in self._accounts.values()}
