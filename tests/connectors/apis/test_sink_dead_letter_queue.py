"""A sink gets a dead letter queue by default: inside the tenant's prefix, created at provisioning,
and it really receives the records the sink cannot process, with Connect's error context headers."""

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from connectors.services.topics import existing_topics
from tenants.models import Role
from tests.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]


def _read_all(bootstrap: str, topic: str, *, expected: int, timeout: float = 60.0) -> list:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"dlq-test-{topic}", "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        messages = []

        def poll():
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                messages.append(message)
            return len(messages) >= expected

        wait_for(poll, timeout=timeout, interval=0, message=f"{expected} record(s) on {topic}")
        return messages
    finally:
        consumer.close()


def test_a_record_the_sink_cannot_read_lands_in_the_dead_letter_queue(
    client_for, tenant, local_cluster, local_stack, celery_worker_process, file_sandbox, unique_name
):
    bootstrap = local_stack.config.bootstrap_servers
    connector_id = unique_name("orders")
    topic = f"sales.{connector_id}"
    sink_file = file_sandbox / "orders.out"
    client = client_for(tenant, Role.DEVELOPER)

    created = client.post(
        "/api/v1/connectors/",
        {
            "type": "file-sink",
            "cluster": "local",
            "stage": "dev",
            "id": connector_id,
            "config": {"file": str(sink_file)},
            "topics": [topic],
            "create_topics": True,
        },
        format="json",
    )
    assert created.status_code == 202, created.json()
    name = created.json()["name"]
    dlq_topic = f"sales.dlq.{name}"
    wait_for(
        lambda: client.get(f"/api/v1/connectors/{name}/").json()["state"] == "RUNNING", timeout=60, message="RUNNING"
    )
    assert existing_topics(cluster=local_cluster, names=[topic, dlq_topic]) == {topic, dlq_topic}

    producer = Producer({"bootstrap.servers": bootstrap})
    producer.produce(topic, key=b"1", value=b'{"order": 1}')
    producer.produce(topic, key=b"2", value=b"this is not json")
    producer.produce(topic, key=b"3", value=b'{"order": 3}')
    assert producer.flush(10) == 0

    wait_for(lambda: sink_file.exists() and sink_file.read_text().count("order") == 2, timeout=60, message="sink file")
    assert sorted(sink_file.read_text().splitlines()) == ["{order=1}", "{order=3}"]  # two partitions: any order

    [dead] = _read_all(bootstrap, dlq_topic, expected=1)
    assert dead.value() == b"this is not json" and dead.key() == b"2"
    headers = dict(dead.headers() or [])
    assert headers["__connect.errors.topic"] == topic.encode()
    assert b"DataException" in headers["__connect.errors.exception.class.name"]

    assert client.delete(f"/api/v1/connectors/{name}/").status_code == 202
    wait_for(
        lambda: client.get(f"/api/v1/connectors/{name}/").json()["state"] == "DELETED", timeout=60, message="DELETED"
    )
