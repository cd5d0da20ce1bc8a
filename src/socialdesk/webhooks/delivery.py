"""The worker's side of outgoing webhooks: send what is due, at least once, in order per subject.

- **Due** are pending deliveries whose time has come and that no earlier pending delivery of
  the same subject to the same subscriber waits before (one conversation's events arrive in
  the order they happened). A paused subscription's deliveries have no time (held).
- **Claimed** with one conditional UPDATE that sets a claim and a lease: several workers (also
  on several machines) never send the same delivery at once; a worker killed while sending
  leaves a lease that runs out, and another worker sends the delivery again (at least once:
  receivers tell repeats by the event id).
- **Sent** side by side (a thread pool, a kept-alive session per subscriber and thread)
  through `channels.net` (only public addresses and the operator's named networks, checked
  for every request, redirects not followed), signed (`signing.py`).
- **Recorded**: a 2xx is delivered; anything else is retried with exponential backoff (30 s
  doubling up to an hour, jittered) until a day after the event, then given up. The later
  events of the subject wait for the retry. A subscription that failed `PAUSE_AFTER_FAILURES`
  times in a row over at least `PAUSE_AFTER` is paused and every admin is told.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from socialdesk.channels import net
from socialdesk.core.addresses import redact
from socialdesk.webhooks import signing
from socialdesk.webhooks.models import Delivery, DeliveryState, Subscription
from socialdesk.webhooks.services import pause_failing

CONCURRENCY = 8
BATCH = 64  # a batch takes at most BATCH / CONCURRENCY × the timeout: 80 s by default
FIRST_RETRY = 30.0  # seconds; doubles per attempt
LONGEST_RETRY = 3600.0
PAUSE_AFTER_FAILURES = 20
PAUSE_AFTER = timedelta(hours=1)
EXCERPT = 500


@dataclass
class Outcome:
    pk: int
    code: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


@dataclass
class Pass:
    delivered: int = 0
    failed: int = 0
    given_up: int = 0
    paused: int = 0


def due(now: datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(state=DeliveryState.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def anything_due() -> bool:
    """One indexed query: is there a delivery to send now? (the worker asks every second)"""
    return Delivery.objects.filter(due()).exists()


_WAITS_BEHIND = (
    "WITH c(id, sub, subj, ev) AS (VALUES {rows}) "
    "SELECT c.id FROM c WHERE NOT EXISTS (SELECT 1 FROM webhooks_delivery d "
    "WHERE d.subscription_id = c.sub AND d.subject = c.subj AND d.state = 'pending' "
    "AND d.event_id < c.ev)"
)


def _heads(now: datetime, limit: int) -> list[int]:
    """Due deliveries that no earlier pending one of their subject waits before.

    Two plain steps instead of one anti-join over the queue: the due ones by time (the due
    index), then for just those whether an earlier one waits (the order index, looked up per
    candidate). A queue's pending share swings between nothing and everything faster than
    PostgreSQL's statistics follow, and the one-statement form was planned as a scan of every
    pending delivery per candidate (80 ms a batch at 6,000 waiting)."""
    candidates = list(
        Delivery.objects.filter(due(now))
        .order_by("next_attempt_at")  # the index's own order: read from it, never sorted
        .values_list("pk", "subscription_id", "subject", "event_id")[: limit * 4]
    )
    if not candidates:
        return []
    sql = _WAITS_BEHIND.format(rows=", ".join(["(%s, %s, %s, %s)"] * len(candidates)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in candidates for value in row])
        free = {pk for (pk,) in cursor.fetchall()}
    return [row[0] for row in candidates if row[0] in free][:limit]


def claim(limit: int = BATCH) -> list[Delivery]:
    """Claim up to `limit` due deliveries for this worker (none that another one holds)."""
    now = timezone.now()
    ids = _heads(now, limit)
    if not ids:
        return []
    token = uuid.uuid4().hex
    lease = timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    with _relaxed():
        Delivery.objects.filter(pk__in=ids).filter(due(now)).update(
            claim=token, claimed_until=now + lease
        )
    return list(
        Delivery.objects.filter(pk__in=ids, claim=token, state=DeliveryState.PENDING)
        .select_related("event", "subscription")
        .order_by("event_id")
    )


@contextmanager
def _relaxed() -> Iterator[None]:
    """A transaction whose commit does not wait for the disk (PostgreSQL).

    Safe for claims and outcomes: should the database itself crash in that moment, the claim
    or outcome is lost and the delivery is sent again (at least once, as always); a worker's
    own crash loses nothing. Two commits a batch no longer wait for the WAL flush."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


_local = threading.local()


def _session(subscription_id: int, url: str) -> requests.Session:
    """A kept-alive session per thread and subscriber (and address: an edit makes a new one).

    The environment (proxies, CA bundle) is read once here instead of on every request."""
    sessions: dict[tuple[int, str], requests.Session] = _local.__dict__.setdefault("sessions", {})
    key = (subscription_id, url)
    if key not in sessions:
        session = net.public_session()
        # What requests would read from the environment on every request (proxies, CA bundle),
        # read by requests once for this address.
        found = session.merge_environment_settings(url, {}, None, None, None)
        session.proxies, session.verify = found["proxies"], found["verify"]
        session.trust_env = False
        sessions[key] = session
    return sessions[key]


def send(delivery: Delivery, url: str, secret: str) -> Outcome:
    """POST the event once; never raises (the outcome says what happened)."""
    body = delivery.event.body.encode()
    headers = signing.headers(
        secret=secret,
        body=body,
        kind=delivery.event.kind,
        event_id=str(delivery.event.uid),
        delivery_id=delivery.pk,
    )
    started = time.monotonic()
    try:
        response = _session(delivery.subscription_id, url).post(
            url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        # Decoded by hand: `response.text` would guess the charset of every answer (slow).
        excerpt = response.content[:EXCERPT].decode(response.encoding or "utf-8", "replace")
        code: int | None = response.status_code
        error = ""
    except (requests.RequestException, net.FetchError, OSError) as exc:
        code, excerpt, error = None, "", _reason(exc, url)
    return Outcome(delivery.pk, code, excerpt, error, int((time.monotonic() - started) * 1000))


def _reason(exc: BaseException, url: str) -> str:
    if isinstance(exc, requests.Timeout):
        return f"timed out after {settings.WEBHOOK_TIMEOUT_SECONDS:g} s"
    return redact(str(exc).replace(url, redact(url)))[:EXCERPT] or type(exc).__name__


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min … at most an hour,
    each ±20 % so that many failed deliveries do not all come back at once."""
    seconds = min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_RETRY)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 (spreading, not secrecy)


def deliver_due(*, budget: float = 50.0, pool: ThreadPoolExecutor | None = None) -> Pass:
    """Send batches of due deliveries until none is left or `budget` seconds have passed."""
    done = Pass()
    deadline = time.monotonic() + budget
    own = pool is None
    pool = pool or ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="webhook")
    try:
        while time.monotonic() < deadline:
            batch = claim()
            if not batch:
                break
            targets = _targets(batch)
            outcomes = list(
                pool.map(
                    send, batch, *zip(*(targets[d.subscription_id] for d in batch), strict=True)
                )
            )
            _record(batch, outcomes, done)
    finally:
        if own:
            pool.shutdown(wait=True)
    return done


def _targets(batch: list[Delivery]) -> dict[int, tuple[str, str]]:
    targets: dict[int, tuple[str, str]] = {}
    for delivery in batch:
        if delivery.subscription_id not in targets:
            credentials = delivery.subscription.credentials
            targets[delivery.subscription_id] = (credentials["url"], credentials["secret"])
    return targets


_RECORD = (
    "UPDATE webhooks_delivery SET attempts = attempts + 1, last_attempt_at = %s, "
    "response_code = %s, response_excerpt = %s, error = %s, duration_ms = %s, claim = '', "
    "claimed_until = NULL, state = %s, delivered_at = %s, next_attempt_at = %s "
    "WHERE id = %s AND claim = %s"
)  # only what is still ours: a delivery redelivered or held meanwhile keeps its new state


def _record(batch: list[Delivery], outcomes: list[Outcome], done: Pass) -> None:
    """Write every outcome of the batch with one prepared statement (executemany)."""
    now = timezone.now()
    when = connection.ops.adapt_datetimefield_value(now)
    token = batch[0].claim  # the whole batch was claimed with one token
    by_pk = {d.pk: d for d in batch}
    rows: list[tuple[Any, ...]] = []
    later: list[tuple[Delivery, datetime]] = []
    results: dict[int, list[bool]] = {}
    for outcome in outcomes:
        delivery = by_pk[outcome.pk]
        results.setdefault(delivery.subscription_id, []).append(outcome.ok)
        state, delivered, retry = DeliveryState.PENDING, None, None
        if outcome.ok:
            state, delivered = DeliveryState.DELIVERED, when
            done.delivered += 1
        else:
            retry = now + backoff(delivery.attempts + 1)
            if retry > delivery.give_up_at:
                state, retry = DeliveryState.FAILED, None
                done.given_up += 1
            else:
                later.append((delivery, retry))
            done.failed += 1
        rows.append((
            when, outcome.code, outcome.excerpt, outcome.error, outcome.duration_ms, state,
            delivered, connection.ops.adapt_datetimefield_value(retry), outcome.pk, token,
        ))  # fmt: skip
    with _relaxed():
        with connection.cursor() as cursor:
            cursor.executemany(_RECORD, rows)
        for delivery, retry in later:  # the subject's later events wait for the retry
            Delivery.objects.filter(
                subscription_id=delivery.subscription_id,
                subject=delivery.subject,
                state=DeliveryState.PENDING,
                event_id__gt=delivery.event_id,
                next_attempt_at__lt=retry,
            ).update(next_attempt_at=retry)
        failing = _count(results, now)
    for subscription_id in failing:
        if pause_failing(subscription_id):
            done.paused += 1


def _count(results: dict[int, list[bool]], now: datetime) -> list[int]:
    """Update each subscription's failures in a row; return those that should be paused."""
    failing: list[int] = []
    for subscription in Subscription.objects.select_for_update().filter(pk__in=list(results)):
        for ok in results[subscription.pk]:
            if ok:
                subscription.failures, subscription.failing_since = 0, None
                subscription.last_success_at = now
            else:
                subscription.failures += 1
                subscription.failing_since = subscription.failing_since or now
        subscription.save(update_fields=["failures", "failing_since", "last_success_at"])
        if (
            subscription.active
            and subscription.failures >= PAUSE_AFTER_FAILURES
            and subscription.failing_since is not None
            and now - subscription.failing_since >= PAUSE_AFTER
        ):
            failing.append(subscription.pk)
    return failing
