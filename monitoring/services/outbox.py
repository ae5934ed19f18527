"""The events outbox: rows written in the transaction of what they announce, drained in id order to
the events topic by `publish_events` (a task). Publishing never blocks or loses a transition: a
broker that is down only leaves rows waiting; delivery to Kafka is at least once, in order, and a
consumer drops repeats by the CloudEvent `id`."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from monitoring.events import cloud_event
from monitoring.kafka import EventsPublishFailed, events_producer, events_producer_reset
from monitoring.models import OutboxEvent

logger = logging.getLogger(__name__)


def events_enabled() -> bool:
    return bool(settings.EVENTS_BOOTSTRAP_SERVERS)


def outbox_add(*, type: str, subject: str, data: dict) -> None:
    """Record one event; call inside the announcing transaction. Written whether or not events are
    published (a process without the events settings still records them for the drainer)."""
    OutboxEvent.objects.create(type=type, subject=subject, data=data)


def outbox_prune() -> int:
    """Forget published events, and unpublished ones while publishing is off, after EVENTS_RETENTION_DAYS
    (run by the sweep)."""
    cutoff = timezone.now() - timedelta(days=settings.EVENTS_RETENTION_DAYS)
    old = OutboxEvent.objects.filter(created_at__lt=cutoff)
    if events_enabled():
        old = old.filter(published_at__isnull=False)
    return old.delete()[0]


def as_cloud_event(row: OutboxEvent) -> dict:
    return cloud_event(
        event_id=str(row.event_id),
        type=row.type,
        source=settings.EVENTS_SOURCE,
        subject=row.subject,
        time=row.created_at,
        data=row.data,
    )


def publish_events(*, batch_size: int | None = None) -> int:
    """Publish the oldest unpublished rows, in order; returns how many were published.

    One drainer at a time (a row lock on the batch, NOWAIT: a second drainer just returns) keeps the
    order. Rows are marked published up to the first one Kafka did not acknowledge."""
    if not events_enabled():
        return 0
    batch_size = batch_size or settings.EVENTS_BATCH_SIZE
    published = 0
    while True:
        with transaction.atomic():
            try:
                rows = list(
                    OutboxEvent.objects.select_for_update(nowait=True)
                    .filter(published_at__isnull=True)
                    .order_by("id")[:batch_size]
                )
            except DatabaseError:  # "could not obtain lock": another drainer is at it
                return published
            if not rows:
                return published
            try:
                delivered = events_producer().publish(
                    topic=settings.EVENTS_TOPIC, messages=[(row.subject, as_cloud_event(row)) for row in rows]
                )
            except EventsPublishFailed as error:
                delivered, failure = error.delivered, error.reason
                events_producer_reset()
            else:
                failure = ""
            done = rows[:delivered]
            if done:
                OutboxEvent.objects.filter(pk__in=[row.pk for row in done]).update(published_at=timezone.now())
            if failure:
                OutboxEvent.objects.filter(pk=rows[delivered].pk).update(
                    attempts=F("attempts") + 1, last_error=failure[:200]
                )
                logger.warning("events not published; kept in the outbox", extra={"error": failure[:200]})
                return published + delivered
            published += delivered
        if len(rows) < batch_size:
            return published
