"""Email channel, through Django's email backend: the EMAIL_* settings, or the channel's own SMTP
server (its password stored encrypted)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from monitoring.channels.destinations import REFUSED, host_errors
from monitoring.channels.errors import DeliveryFailed


def send(*, channel, message) -> None:
    if channel is None or not channel.recipients:
        raise DeliveryFailed("no recipients")
    overrides = {}
    if channel.smtp_host:
        port = channel.smtp_port or 25
        if host_errors(channel.smtp_host, port, must_resolve=True):
            raise DeliveryFailed(REFUSED)
        overrides = {
            "host": channel.smtp_host,
            "port": port,
            "username": channel.smtp_username or None,
            "password": channel.secrets().get("smtp_password") or None,
            "use_tls": channel.smtp_use_tls,
            "timeout": settings.ALERT_DELIVERY_TIMEOUT_SECONDS,
        }
    email = EmailMessage(
        subject=message.subject,
        body=message.text,
        from_email=channel.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(channel.recipients),
        connection=get_connection(fail_silently=False, **overrides),
    )
    try:
        email.send()
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        raise DeliveryFailed(type(error).__name__) from None
