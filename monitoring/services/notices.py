"""Notices that are not alerts (a declined change request, for one): sent to a tenant's default
alert channels, through the same deliveries (one task each, retried, recorded) as alerts."""

from __future__ import annotations

from django.db import transaction

from monitoring.messages import Message
from monitoring.models import AlertChannel, Delivery
from monitoring.services.dispatch import dispatch_delivery
from tenants.models import Tenant


@transaction.atomic
def notice_to_tenant(*, tenant: Tenant, subject: str, text: str, payload: dict) -> int:
    """One delivery per enabled default channel of `tenant`; the message holds no secret (callers' duty)."""
    channels = AlertChannel.objects.filter(tenant=tenant, enabled=True, is_default=True).select_related("tenant")
    message = {"subject": subject, "text": text, "payload": {"kind": Delivery.Kind.NOTICE, **payload}}
    count = 0
    for channel in channels:
        delivery = Delivery.objects.create(
            tenant=tenant, channel=channel, target=channel.label, kind=Delivery.Kind.NOTICE, notice=message
        )
        dispatch_delivery(delivery_id=delivery.pk)
        count += 1
    return count


def notice_message(delivery: Delivery) -> Message:
    return Message(**delivery.notice)
