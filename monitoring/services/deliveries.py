"""Sending one delivery (run by its own task): render, send through the channel, record the attempt."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from monitoring.channels import DeliveryFailed, send
from monitoring.messages import render
from monitoring.models import Delivery
from monitoring.services.notices import notice_message

logger = logging.getLogger(__name__)


def delivery_send(*, delivery_id: int) -> bool:
    """Send it unless already sent; raise DeliveryFailed (the task retries with backoff). The row is
    locked while sending, so a delivery queued twice (re-sent after a broker outage) goes out once;
    every attempt is recorded, the failed ones too."""
    failure: DeliveryFailed | None = None
    with transaction.atomic():
        Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        delivery = Delivery.objects.select_related(
            "alert__connector__cluster", "alert__connector__tenant", "alert__tenant", "alert__cluster", "channel"
        ).get(pk=delivery_id)
        if delivery.status == Delivery.Status.SENT:
            return False
        if delivery.channel is None and delivery.target != Delivery.PLATFORM:
            # Its channel was deleted meanwhile: never send a tenant's notification elsewhere.
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error="channel deleted")
            return False
        kind = "webhook" if delivery.channel is None else delivery.channel.kind
        try:
            message = render(delivery.alert, kind=delivery.kind) if delivery.alert_id else notice_message(delivery)
            send(kind=kind, channel=delivery.channel, message=message)
        except DeliveryFailed as error:
            failure = error
            Delivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1, last_error=str(error)[:200])
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                attempts=F("attempts") + 1, status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
            )
    if failure is not None:
        logger.warning(
            "alert delivery failed",
            extra={"delivery_id": delivery.pk, "target": delivery.target, "error": str(failure)},
        )
        raise failure
    logger.info("alert delivered", extra={"delivery_id": delivery.pk, "target": delivery.target})
    return True


def delivery_give_up(*, delivery_id: int) -> None:
    """Retries exhausted: recorded as failed."""
    Delivery.objects.filter(pk=delivery_id).exclude(status=Delivery.Status.SENT).update(status=Delivery.Status.FAILED)
