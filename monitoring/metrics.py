"""Prometheus metrics, collected from the database at scrape time (prometheus-client's custom
collector): every web and worker process writes to the same rows, so one scrape of any web process
sees the whole control plane, without the client library's multiprocess mode."""

from __future__ import annotations

from django.db.models import Count
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from connectors.models import Connector
from connectors.state_machine import State
from monitoring.models import Alert, ClusterHealth, ConnectorHealth, Delivery, OutboxEvent, Restart, TaskOutcome


class ControlPlaneCollector:
    def collect(self):
        connectors = GaugeMetricFamily(
            "controlplane_connectors",
            "Managed connectors by tenant, cluster and state",
            labels=["tenant", "cluster", "state"],
        )
        rows = Connector.objects.exclude(state=State.DELETED).values("tenant__slug", "cluster__name", "state")
        for row in rows.annotate(count=Count("id")).order_by():
            connectors.add_metric([row["tenant__slug"], row["cluster__name"], row["state"]], row["count"])
        yield connectors

        sweep = GaugeMetricFamily(
            "controlplane_sweep_duration_seconds",
            "Duration of the last health sweep of each cluster",
            labels=["cluster"],
        )
        reachable = GaugeMetricFamily(
            "controlplane_cluster_reachable", "1 if the cluster's Connect answered the last sweep", labels=["cluster"]
        )
        for health in ClusterHealth.objects.select_related("cluster"):
            if health.last_sweep_seconds is not None:
                sweep.add_metric([health.cluster.name], health.last_sweep_seconds)
            reachable.add_metric([health.cluster.name], 1 if health.reachable else 0)
        yield sweep
        yield reachable

        lag_records = GaugeMetricFamily(
            "controlplane_sink_lag_records", "Records a sink connector is behind", labels=["tenant", "connector"]
        )
        lag_seconds = GaugeMetricFamily(
            "controlplane_sink_lag_seconds", "Seconds a sink connector has been behind", labels=["tenant", "connector"]
        )
        measured = ConnectorHealth.objects.filter(lag_measured_at__isnull=False).values(
            "connector__tenant__slug", "connector__name", "lag_records", "lag_seconds"
        )
        for row in measured:
            labels = [row["connector__tenant__slug"], row["connector__name"]]
            lag_records.add_metric(labels, row["lag_records"] or 0)
            lag_seconds.add_metric(labels, row["lag_seconds"] or 0)
        yield lag_records
        yield lag_seconds

        opened = CounterMetricFamily("controlplane_alerts_opened", "Alerts opened", labels=["condition"])
        for row in Alert.objects.values("condition").annotate(count=Count("id")).order_by():
            opened.add_metric([row["condition"]], row["count"])
        yield opened
        open_now = GaugeMetricFamily("controlplane_alerts_open", "Alerts open now", labels=["condition"])
        for row in (
            Alert.objects.filter(resolved_at__isnull=True).values("condition").annotate(count=Count("id")).order_by()
        ):
            open_now.add_metric([row["condition"]], row["count"])
        yield open_now

        notifications = CounterMetricFamily(
            "controlplane_notifications",
            "Notifications by channel, kind and status",
            labels=["channel", "kind", "status"],
        )
        for row in Delivery.objects.values("target", "kind", "status").annotate(count=Count("id")).order_by():
            notifications.add_metric([row["target"], row["kind"], row["status"]], row["count"])
        yield notifications

        restarts = CounterMetricFamily("controlplane_restarts", "Automatic restarts requested", labels=["tenant"])
        for row in Restart.objects.values("connector__tenant__slug").annotate(count=Count("id")).order_by():
            restarts.add_metric([row["connector__tenant__slug"]], row["count"])
        yield restarts

        tasks = CounterMetricFamily("controlplane_celery_tasks", "Celery task outcomes", labels=["task", "outcome"])
        for outcome in TaskOutcome.objects.all():
            tasks.add_metric([outcome.task, outcome.outcome], outcome.count)
        yield tasks

        pending = GaugeMetricFamily("controlplane_events_outbox_pending", "Lifecycle events not yet on Kafka")
        pending.add_metric([], OutboxEvent.objects.filter(published_at__isnull=True).count())
        yield pending
