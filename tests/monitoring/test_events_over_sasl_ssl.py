"""Lifecycle events published over the local broker's SASL_SSL listener with SCRAM-SHA-512 and the stack's CA;
with a wrong password they stay in the outbox with a clear reason that names no secret (issue 14)."""

from __future__ import annotations

import json
import uuid

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from django.test import override_settings

from monitoring.kafka import events_producer_reset
from monitoring.models import OutboxEvent
from monitoring.services.outbox import publish_events

pytestmark = [pytest.mark.django_db, pytest.mark.connect]


def events_over_sasl_ssl(local_stack, *, password: str, topic: str):
    return override_settings(
        EVENTS_BOOTSTRAP_SERVERS=local_stack.config.sasl_ssl_bootstrap_servers,
        EVENTS_SECURITY_PROTOCOL="SASL_SSL",
        EVENTS_SASL_MECHANISM="SCRAM-SHA-512",
        EVENTS_SASL_USERNAME=local_stack.config.sasl_username,
        EVENTS_SASL_PASSWORD=password,
        EVENTS_SSL_CA_LOCATION=str(local_stack.ca_file),
        EVENTS_TOPIC=topic,
    )


@pytest.fixture(autouse=True)
def fresh_producer():
    events_producer_reset()
    yield
    events_producer_reset()


def keys_in(bootstrap: str, topic: str) -> list[str]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"read-{uuid.uuid4().hex[:6]}"})
    try:
        consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        keys = []
        while (message := consumer.poll(5)) is not None:
            if not message.error():
                keys.append(message.key().decode())
                assert json.loads(message.value())["type"] == "test.event"
        return keys
    finally:
        consumer.close()


def test_lifecycle_events_are_published_over_sasl_ssl_with_scram(local_stack):
    topic = f"controlplane.events.{uuid.uuid4().hex[:8]}"
    OutboxEvent.objects.create(type="test.event", subject="edh-shared-sales-dev-crm-connector", data={})

    with events_over_sasl_ssl(local_stack, password=local_stack.sasl_password(), topic=topic):
        assert publish_events() == 1

    assert OutboxEvent.objects.get().published_at is not None
    assert keys_in(local_stack.config.bootstrap_servers, topic) == ["edh-shared-sales-dev-crm-connector"]


def test_a_wrong_password_keeps_the_events_with_a_clear_reason_and_no_secret(local_stack):
    OutboxEvent.objects.create(type="test.event", subject="edh-shared-sales-dev-crm-connector", data={})

    with events_over_sasl_ssl(local_stack, password="not-the-Password-7", topic="controlplane.events.never"):
        assert publish_events() == 0

    event = OutboxEvent.objects.get()
    assert event.published_at is None and event.attempts == 1
    assert event.last_error == (
        "the events cluster refused the SCRAM-SHA-512 login as 'controlplane' (wrong user name or password)"
    )
