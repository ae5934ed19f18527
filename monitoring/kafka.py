"""Monitoring's Kafka clients (confluent-kafka): the events producer and the per-cluster lag queries."""

from __future__ import annotations

import json
from functools import lru_cache

from confluent_kafka import KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic, OffsetSpec
from django.conf import settings

try:
    from confluent_kafka import ConsumerGroupTopicPartitions
except ImportError:  # older confluent-kafka
    from confluent_kafka.admin import ConsumerGroupTopicPartitions


class EventsPublishFailed(Exception):
    def __init__(self, reason: str, delivered: int) -> None:
        super().__init__(reason)
        self.reason, self.delivered = reason, delivered


class LagUnavailable(Exception):
    """The cluster's brokers could not be asked for offsets."""


def events_kafka_config() -> dict:
    config = {
        "bootstrap.servers": settings.EVENTS_BOOTSTRAP_SERVERS,
        "security.protocol": settings.EVENTS_SECURITY_PROTOCOL,
    }
    if settings.EVENTS_SASL_MECHANISM:
        config.update(
            {
                "sasl.mechanism": settings.EVENTS_SASL_MECHANISM,
                "sasl.username": settings.EVENTS_SASL_USERNAME,
                "sasl.password": settings.EVENTS_SASL_PASSWORD,
            }
        )
    return config


class EventsProducer:
    """An idempotent producer (acks=all, ordered per key even across retries)."""

    def __init__(self) -> None:
        base = events_kafka_config()
        self.producer = Producer(
            {
                **base,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                "message.timeout.ms": 10000,
                "socket.timeout.ms": 5000,
            }
        )
        self.admin = AdminClient(base)
        self.known_topics: set[str] = set()

    def _ensure_topic(self, topic: str) -> None:
        if topic in self.known_topics:
            return
        try:
            metadata = self.admin.list_topics(timeout=5)
        except KafkaException as error:
            raise EventsPublishFailed(f"brokers unavailable: {error.args[0].name()}", 0) from None
        if topic not in metadata.topics:
            futures = self.admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
            try:
                futures[topic].result(timeout=10)
            except KafkaException as error:
                if error.args[0].name() != "TOPIC_ALREADY_EXISTS":
                    raise EventsPublishFailed(f"topic not created: {error.args[0].name()}", 0) from None
        self.known_topics.add(topic)

    def publish(self, *, topic: str, messages: list[tuple[str, dict]]) -> int:
        """Produce every (key, event) and wait; the count of the leading messages Kafka acknowledged."""
        self._ensure_topic(topic)
        outcomes: list[str | None] = [None] * len(messages)

        def report(index):
            def on_delivery(error, _message):
                outcomes[index] = error.name() if error else "ok"

            return on_delivery

        for index, (key, event) in enumerate(messages):
            self.producer.produce(topic, key=key.encode(), value=json.dumps(event).encode(), on_delivery=report(index))
            self.producer.poll(0)
        self.producer.flush(timeout=15)
        delivered = 0
        for outcome in outcomes:
            if outcome != "ok":
                raise EventsPublishFailed(f"not acknowledged: {outcome or 'timed out'}", delivered)
            delivered += 1
        return delivered


@lru_cache(maxsize=1)
def _producer_for(bootstrap: str) -> EventsProducer:
    return EventsProducer()


def events_producer() -> EventsProducer:
    return _producer_for(settings.EVENTS_BOOTSTRAP_SERVERS)


def events_producer_reset() -> None:
    """After a failed publish: the next drain starts a fresh producer (a new idempotent producer id)
    and looks the topic up again, which is what a broker that lost its state needs."""
    _producer_for.cache_clear()


def consumer_group_lags(*, kafka_config: dict, groups: dict[str, list[str]]) -> dict[str, list[dict]]:
    """{group: [{"topic", "partition", "committed", "end", "lag"}]} for each group and its topics.

    Per cluster: one metadata request for the topics' partitions, the committed offsets of every
    group requested at once over the same client (librdkafka takes one group per OffsetFetch), and
    ONE ListOffsets request for the end offsets of all partitions."""
    timeout = settings.LAG_REQUEST_TIMEOUT_SECONDS
    admin = AdminClient({**kafka_config, "socket.timeout.ms": int(timeout * 1000)})
    topics = sorted({topic for group_topics in groups.values() for topic in group_topics})
    try:
        metadata = admin.list_topics(timeout=timeout)
    except KafkaException as error:
        raise LagUnavailable(error.args[0].name()) from None
    partitions = {topic: sorted(metadata.topics[topic].partitions) for topic in topics if topic in metadata.topics}
    requests = {
        group: [TopicPartition(topic, p) for topic in group_topics for p in partitions.get(topic, [])]
        for group, group_topics in groups.items()
    }
    requests = {group: tps for group, tps in requests.items() if tps}
    if not requests:
        return {group: [] for group in groups}
    committed_futures = {
        group: admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group, tps)], request_timeout=timeout)[
            group
        ]
        for group, tps in requests.items()
    }
    all_partitions = {TopicPartition(topic, p) for topic, ps in partitions.items() for p in ps}
    end_futures = admin.list_offsets({tp: OffsetSpec.latest() for tp in all_partitions}, request_timeout=timeout)
    try:
        ends = {(tp.topic, tp.partition): future.result().offset for tp, future in end_futures.items()}
        result = {}
        for group, future in committed_futures.items():
            rows = []
            for tp in future.result().topic_partitions:
                end = ends.get((tp.topic, tp.partition), 0)
                committed = tp.offset if tp.offset >= 0 else 0
                rows.append(
                    {
                        "topic": tp.topic,
                        "partition": tp.partition,
                        "committed": tp.offset if tp.offset >= 0 else None,
                        "end": end,
                        "lag": max(end - committed, 0),
                    }
                )
            result[group] = rows
    except KafkaException as error:
        raise LagUnavailable(error.args[0].name()) from None
    return {group: result.get(group, []) for group in groups}
