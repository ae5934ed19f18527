"""GET /metrics: Prometheus text from the database, for a bearer token or an allowed address only."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from connectors.services.transitions import connector_transition
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db


def _samples(body: str) -> dict:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def test_scraping_needs_the_token_or_an_allowed_address(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", []
    assert client.get("/metrics").status_code == 403
    settings.METRICS_TOKEN = "scrape-token-123"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-123").status_code == 200
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.1", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 403


def test_the_metrics_count_connectors_alerts_and_notifications(client, settings, tenant):
    settings.METRICS_TOKEN = "t0ken"
    settings.ALERT_WEBHOOK_URL = "http://127.0.0.1:9/platform"
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    ConnectorFactory(tenant=tenant, state="RUNNING", cluster=connector.cluster)
    connector_transition(connector_id=connector.pk, to="FAILED", actor="system", error="password authentication failed")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken")
    assert response["Content-Type"].startswith("text/plain")
    samples = _samples(response.content.decode())
    cluster = connector.cluster.name
    labels = lambda **kw: tuple(sorted(kw.items()))  # noqa: E731
    assert samples[("controlplane_connectors", labels(tenant="sales", cluster=cluster, state="FAILED"))] == 1
    assert samples[("controlplane_connectors", labels(tenant="sales", cluster=cluster, state="RUNNING"))] == 1
    assert samples[("controlplane_alerts_opened_total", labels(condition="connector_state"))] == 1
    key = ("controlplane_notifications_total", labels(channel="platform-webhook", kind="alert", status="pending"))
    assert samples[key] == 1


def test_celery_task_outcomes_are_counted_for_every_worker_process(client, settings):
    from celery.signals import task_failure, task_success

    from monitoring.tasks import deliver_task

    settings.METRICS_TOKEN = "t0ken"
    task_success.send(sender=deliver_task, result=None)
    task_success.send(sender=deliver_task, result=None)
    task_failure.send(sender=deliver_task, task_id="1", exception=RuntimeError("x"))
    samples = _samples(client.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken").content.decode())
    assert samples[("controlplane_celery_tasks_total", (("outcome", "success"), ("task", "monitoring.deliver")))] == 2
    assert samples[("controlplane_celery_tasks_total", (("outcome", "failure"), ("task", "monitoring.deliver")))] == 1
