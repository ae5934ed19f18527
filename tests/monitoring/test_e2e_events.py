"""The control plane as an event source: a connector's whole life (created, provisioned, running,
paused, resumed, deleted) is consumed from the events topic as CloudEvents keyed by its name, in
order and complete, although the events broker was down for part of it.

The connector lives on the real local stack, driven through the API and a real Celery worker; the
events go to a Kafka broker of their own (EVENTS_BOOTSTRAP_SERVERS), stopped and started again by
the test; a consumer reads the topic from its beginning at the end.
"""

from __future__ import annotations

import json
import uuid

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from connectors.models import Connector
from devstack.stack import LocalStack, StackConfig
from monitoring import events as event_types
from monitoring.kafka import events_producer_reset
from monitoring.models import OutboxEvent
from monitoring.services.outbox import publish_events
from tenants.models import Role
from tests.conftest import wait_for
from tests.factories import file_source_request
from tests.system import free_ports

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]


class EventsBroker:
    """A Kafka cluster of the local stack's kind, apart from the one Connect uses, for the events topic
    only: stopped and started again by the test (its data is kept on disk)."""

    def __init__(self, run_dir, redis_url: str) -> None:
        broker_port, controller_port, connect_port = free_ports(3)
        self.stack = LocalStack(
            StackConfig(
                run_dir=run_dir,
                broker_port=broker_port,
                controller_port=controller_port,
                connect_port=connect_port,
                redis_url=redis_url,
                connect_group=f"events-{uuid.uuid4().hex[:8]}",
            )
        )

    @property
    def bootstrap(self) -> str:
        return self.stack.config.bootstrap_servers

    def start(self) -> None:
        self.stack.up(timeout=180)

    def stop(self) -> None:
        self.stack.broker.stop(timeout=30)
        assert not self.stack.broker_is_ready()

    def down(self) -> None:
        self.stack.down()


@pytest.fixture
def events_broker(tmp_path_factory, settings, test_redis_url):
    broker = EventsBroker(tmp_path_factory.mktemp("events-stack"), test_redis_url)
    broker.start()
    settings.EVENTS_BOOTSTRAP_SERVERS = broker.bootstrap
    settings.EVENTS_TOPIC = f"controlplane.events.{uuid.uuid4().hex[:8]}"
    events_producer_reset()
    try:
        yield broker
    finally:
        events_producer_reset()
        broker.down()


def _read_all(bootstrap: str, topic: str, *, until, timeout: float = 30) -> list[dict]:
    """Every message of the topic from its first offset, until `until(messages)` holds."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4().hex[:8]}"})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    messages: list[dict] = []
    try:

        def poll():
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                event = json.loads(message.value())
                event["_key"] = message.key().decode()
                messages.append(event)
            return until(messages)

        wait_for(poll, timeout=timeout, interval=0, message=f"events on {topic}")
    finally:
        consumer.close()
    return messages


def _drain_until_empty(timeout: float = 30) -> None:
    wait_for(
        lambda: publish_events() is not None and not OutboxEvent.objects.filter(published_at__isnull=True).exists(),
        timeout=timeout,
        interval=0.5,
        message="the outbox to drain",
    )


def _wait_state(client, name: str, state: str, timeout: float = 120) -> None:
    def check():
        body = client.get(f"/api/v1/connectors/{name}/").json()
        return body.get("state") == state and not body.get("operation_in_flight")

    wait_for(check, timeout=timeout, message=f"{name} to be {state}")


def _transitions(events: list[dict], name: str) -> list[str]:
    seen, states = set(), []
    for event in events:
        if event["id"] in seen:  # at least once: a repeat is dropped by its CloudEvent id
            continue
        seen.add(event["id"])
        if event["type"].endswith("connector.transitioned") and event["subject"] == name:
            states.append(event["data"]["to"])
    return states


def test_a_connectors_whole_life_is_on_the_events_topic_in_order_despite_a_broker_outage(
    client_for, tenant, local_cluster, celery_worker_process, events_broker, settings, file_sandbox, unique_name
):
    client = client_for(tenant, Role.DEVELOPER)
    source = file_sandbox / "in.txt"
    source.write_text("a\n")
    connector_id = unique_name("life")
    created = client.post(
        "/api/v1/connectors/",
        file_source_request(connector_id=connector_id, source=source),
        format="json",
    )
    assert created.status_code == 202, created.json()
    name = created.json()["name"]
    _wait_state(client, name, "RUNNING", timeout=180)
    _drain_until_empty()
    before = _read_all(
        events_broker.bootstrap, settings.EVENTS_TOPIC, until=lambda m: _transitions(m, name)[-1:] == ["RUNNING"]
    )
    assert _transitions(before, name) == ["REQUESTED", "PROVISIONING", "RUNNING"]
    first = next(event for event in before if event["type"] == event_types.TRANSITIONED and event["subject"] == name)
    assert first["specversion"] == "1.0" and first["source"] == settings.EVENTS_SOURCE and first["_key"] == name
    assert first["datacontenttype"] == "application/json" and first["data"]["tenant"] == "sales"

    events_broker.stop()  # the events broker is down: the connector's life goes on
    assert client.post(f"/api/v1/connectors/{name}/pause").status_code == 202
    _wait_state(client, name, "PAUSED")
    assert publish_events() == 0  # nothing can be published; nothing is lost
    assert client.post(f"/api/v1/connectors/{name}/resume").status_code == 202
    _wait_state(client, name, "RUNNING")
    pending = OutboxEvent.objects.filter(published_at__isnull=True, subject=name, type=event_types.TRANSITIONED)
    assert list(pending.values_list("data__to", flat=True)) == ["PAUSED", "RUNNING"]
    oldest = OutboxEvent.objects.filter(published_at__isnull=True).order_by("id").first()  # tried first, in order
    assert oldest.attempts >= 1 and oldest.last_error

    events_broker.start()
    assert client.delete(f"/api/v1/connectors/{name}/").status_code == 202
    _wait_state(client, name, "DELETED")
    _drain_until_empty()
    everything = _read_all(
        events_broker.bootstrap, settings.EVENTS_TOPIC, until=lambda m: _transitions(m, name)[-1:] == ["DELETED"]
    )
    assert _transitions(everything, name) == [
        "REQUESTED",
        "PROVISIONING",
        "RUNNING",
        "PAUSED",
        "RUNNING",
        "DELETING",
        "DELETED",
    ]
    assert all(event["_key"] == name for event in everything if event["subject"] == name)
    # Each audit row is an event too: who asked for each change, in order.
    audited = [e["data"] for e in everything if e["type"] == event_types.AUDIT_RECORDED and e["subject"] == name]
    assert [row["action"] for row in audited] == [
        "connector.create",
        "connector.pause",
        "connector.resume",
        "connector.delete",
    ]
    assert all(row["actor"].startswith("api_key:") and row["channel"] == "api" for row in audited)
    assert not Connector.objects.filter(name=name).exclude(state="DELETED").exists()
