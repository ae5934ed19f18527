"""Sink lag, per cluster in one batch: committed offsets of each sink's consumer group against the end
offsets of its topics' partitions; stored with each sweep and alerted over the connector's threshold.

Records behind is the sum over partitions; seconds behind is how long the sink has been behind
without catching up (the time since the sweep that last saw it at zero lag)."""

from __future__ import annotations

import logging
from datetime import datetime

from connectors.catalog import get_type
from connectors.clusters import cluster_kafka_config
from connectors.models import Connector
from monitoring.kafka import LagUnavailable, consumer_group_lags
from monitoring.models import Alert, ConnectorHealth
from monitoring.services.alerts import alert_raise, alerts_resolve
from tenants.models import Cluster

logger = logging.getLogger(__name__)
LAG_FIELDS = ["lag_records", "lag_seconds", "lag_partitions", "lag_measured_at", "caught_up_at"]


def is_sink(connector: Connector) -> bool:
    try:
        return get_type(connector.type_key).kind == "sink"
    except Exception:  # noqa: BLE001 - an unknown (retired) type is not measured
        return False


def sink_group(connector: Connector) -> str:
    """Connect's consumer group of a sink: `connect-<name>` unless the config overrides it."""
    return (connector.config or {}).get("consumer.override.group.id") or f"connect-{connector.name}"


def measure_sink_lag(
    *, cluster: Cluster, connectors: list[Connector], healths: dict[int, ConnectorHealth], now: datetime
) -> list[ConnectorHealth]:
    """Measure every sink of the cluster at once; returns the health rows that changed."""
    sinks = [connector for connector in connectors if connector.topics and is_sink(connector)]
    if not sinks:
        return []
    groups = {sink_group(connector): list(connector.topics) for connector in sinks}
    try:
        lags = consumer_group_lags(kafka_config=cluster_kafka_config(cluster=cluster), groups=groups)
    except LagUnavailable as error:
        logger.warning("sink lag not measured", extra={"cluster": cluster.name, "error": str(error)})
        return []
    changed, caught_up = [], []
    for connector in sinks:
        health = healths[connector.pk]
        partitions = lags.get(sink_group(connector), [])
        records = sum(row["lag"] for row in partitions)
        if records == 0 or health.caught_up_at is None:
            health.caught_up_at = now
        health.lag_records = records
        health.lag_seconds = 0.0 if records == 0 else (now - health.caught_up_at).total_seconds()
        health.lag_partitions = partitions
        health.lag_measured_at = now
        changed.append(health)
        if health.lag_threshold_records is None and health.lag_threshold_seconds is None:
            continue
        if _over_threshold(health):
            _raise_lag_alert(connector, health)
        else:
            caught_up.append(connector.pk)
    if caught_up:  # one query for all of them, whether they had an alert or not
        alerts_resolve(alerts=Alert.objects.filter(connector_id__in=caught_up, condition=Alert.Condition.SINK_LAG))
    return changed


def _over_threshold(health: ConnectorHealth) -> bool:
    if health.lag_threshold_records is not None and (health.lag_records or 0) > health.lag_threshold_records:
        return True
    return health.lag_threshold_seconds is not None and (health.lag_seconds or 0) > health.lag_threshold_seconds


def _raise_lag_alert(connector: Connector, health: ConnectorHealth) -> None:
    alert_raise(
        condition=Alert.Condition.SINK_LAG,
        connector=connector,
        state=connector.state,
        fingerprint="lag",
        message=f"{health.lag_records} records behind for {health.lag_seconds:.0f} s",
        details={
            "lag_records": health.lag_records,
            "lag_seconds": health.lag_seconds,
            "threshold_records": health.lag_threshold_records,
            "threshold_seconds": health.lag_threshold_seconds,
        },
    )
