"""Alert channels: one module per kind, each with `send(*, channel, message)` raising DeliveryFailed.

`channel` is an AlertChannel, or None for the platform team's webhook (ALERT_WEBHOOK_URL). A
message is the rendered, secret-free `monitoring.messages.Message`.
"""

from __future__ import annotations

from monitoring.channels import mail, webhook
from monitoring.channels.errors import DeliveryFailed

SENDERS = {"webhook": webhook.send, "email": mail.send}


def send(*, kind: str, channel, message) -> None:
    SENDERS[kind](channel=channel, message=message)


__all__ = ["DeliveryFailed", "send"]
