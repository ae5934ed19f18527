"""Alerts open when a connector needs attention and resolve when it is healthy again; a webhook
receives each new alert once (a real HTTP server on loopback)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from connectors.errors import WebhookFailed
from connectors.models import Alert
from connectors.services.alerts import alert_notify
from connectors.services.transitions import connector_transition
from tenants.models import Role
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db


def _move(connector, *states, error=""):
    for state in states:
        connector_transition(connector_id=connector.pk, to=state, actor="system", error=error)


def test_a_failure_opens_one_alert_and_recovery_resolves_it():
    connector = ConnectorFactory(state="RUNNING")
    _move(connector, "FAILED", error="task 0: boom")
    _move(connector, "FAILED", error="task 0: boom again")  # same state: no second alert
    alert = Alert.objects.get(connector=connector)
    assert alert.state == "FAILED" and alert.resolved_at is None and "boom" in alert.message
    _move(connector, "RUNNING")
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_a_new_kind_of_trouble_replaces_the_open_alert():
    connector = ConnectorFactory(state="RUNNING")
    _move(connector, "DEGRADED", "FAILED")
    alerts = list(Alert.objects.filter(connector=connector).order_by("id"))
    assert [(a.state, a.resolved_at is None) for a in alerts] == [("DEGRADED", False), ("FAILED", True)]


def test_alert_messages_carry_no_secrets():
    connector = ConnectorFactory(state="RUNNING")
    connector_transition(
        connector_id=connector.pk,
        to="FAILED",
        actor="system",
        error="login failed for password=hunter2-secret and token S3cr3t-value",
        secrets={"database.password": "S3cr3t-value"},
    )
    message = Alert.objects.get(connector=connector).message
    assert "hunter2-secret" not in message and "S3cr3t-value" not in message


def test_the_alerts_endpoint_lists_open_alerts_of_the_callers_tenant(client_for, tenant):
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    _move(connector, "FAILED", error="broken")
    healed = ConnectorFactory(tenant=tenant, state="RUNNING")
    _move(healed, "DEGRADED", "RUNNING")
    body = client_for(tenant, Role.VIEWER).get("/api/v1/alerts/?open=true").json()
    assert [(a["connector"], a["state"]) for a in body["results"]] == [(connector.name, "FAILED")]


class _Receiver(BaseHTTPRequestHandler):
    received: list = []
    status = 204

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    _Receiver.status = 204
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_the_webhook_receives_each_alert_once(settings, receiver):
    settings.ALERT_WEBHOOK_URL = f"http://127.0.0.1:{receiver.server_port}/hook"
    connector = ConnectorFactory(state="RUNNING")
    _move(connector, "FAILED", error="task failed")
    alert = Alert.objects.get(connector=connector)
    assert alert_notify(alert_id=alert.pk) is True
    assert alert_notify(alert_id=alert.pk) is False  # already sent
    [payload] = _Receiver.received
    assert payload["connector"] == connector.name and payload["state"] == "FAILED"
    assert payload["tenant"] == connector.tenant.slug and payload["resolved"] is False


def test_a_refusing_receiver_makes_the_task_retry(settings, receiver):
    settings.ALERT_WEBHOOK_URL = f"http://127.0.0.1:{receiver.server_port}/hook"
    _Receiver.status = 500
    connector = ConnectorFactory(state="RUNNING")
    _move(connector, "DRIFTED")
    with pytest.raises(WebhookFailed):
        alert_notify(alert_id=Alert.objects.get(connector=connector).pk)
    assert Alert.objects.get(connector=connector).notified_at is None
