"""The auto-restart policy, sweep by sweep: only platform faults are restarted, with exponential
backoff and a cap, at most max_attempts times; then one persistent-failure alert and nothing more;
the count resets only after a whole healthy window."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.services.transitions import connector_transition
from monitoring.models import Alert, ConnectorHealth, Delivery, Restart
from monitoring.services.channels import channel_save
from monitoring.services.restarts import apply_restart_policy
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db

FILE_TRACE = (
    "org.apache.kafka.connect.errors.ConnectException: Couldn't find or create file '/out' for FileStreamSinkTask\n"
    "\tat org.apache.kafka.connect.file.FileStreamSinkTask.start(FileStreamSinkTask.java:70)\n"
    "Caused by: java.nio.file.FileSystemException: /out: Is a directory"
)
AUTH_TRACE = (
    "org.apache.kafka.connect.errors.ConnectException: Error while connecting\n\tat io.debezium...\n" * 10
    + 'Caused by: org.postgresql.util.PSQLException: FATAL: password authentication failed for user "cdc"'
)


def _status(task_state: str, trace: str = "") -> dict:
    task = {"id": 0, "state": task_state, "worker_id": "w:8083"}
    if trace:
        task["trace"] = trace
    return {"connector": {"state": "RUNNING"}, "tasks": [task], "type": "sink"}


@pytest.fixture
def failing(tenant, webhook_receiver):
    channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": webhook_receiver.url()})
    connector = ConnectorFactory(tenant=tenant, state="RUNNING", stage="dev")
    connector_transition(connector_id=connector.pk, to="FAILED", actor="system", error="task 0: " + FILE_TRACE[:90])
    connector.refresh_from_db()
    health = ConnectorHealth.objects.create(
        connector=connector, restart_backoff_seconds=10, restart_backoff_max_seconds=25, restart_max_attempts=3
    )
    return connector, health


def _sweep(connector, health, status, now):
    changed = apply_restart_policy(connector=connector, health=health, status=status, now=now)
    if changed:
        health.save()
    return changed


def test_a_platform_fault_is_restarted_with_capped_exponential_backoff_then_alerted_once(failing):
    connector, health = failing
    start = timezone.now()
    failed = _status("FAILED", FILE_TRACE)
    restarts_at = []
    for second in range(0, 200, 1):  # a sweep every second for 200 s of unchanged failure
        now = start + timedelta(seconds=second)
        before = Restart.objects.count()
        _sweep(connector, health, failed, now)
        if Restart.objects.count() > before:
            restarts_at.append(second)
    # First restart 10 s after the failure is seen, then 20 s, then 25 s (capped).
    assert restarts_at == [10, 30, 55]
    assert [r.attempt for r in Restart.objects.order_by("id")] == [1, 2, 3]
    assert "Couldn't find or create file" in Restart.objects.first().error
    [persistent] = Alert.objects.filter(connector=connector, condition="persistent_failure")
    assert persistent.notified_at is not None and health.persistent_failure
    assert Delivery.objects.filter(alert=persistent).count() == 1
    assert not Delivery.objects.filter(alert__condition="connector_state").exists()  # the quiet one stays quiet


def test_a_user_fault_is_never_restarted_and_alerted_at_the_first_sweep(failing):
    connector, health = failing
    start = timezone.now()
    for second in range(0, 120, 5):
        _sweep(connector, health, _status("FAILED", AUTH_TRACE), start + timedelta(seconds=second))
    assert not Restart.objects.exists()
    alert = Alert.objects.get(connector=connector, condition="connector_state")
    assert alert.fault == "user" and alert.notified_at is not None
    assert Delivery.objects.filter(alert=alert).count() == 1


def test_confluent_clouds_user_actionable_error_is_a_user_fault(failing):
    connector, health = failing
    _sweep(connector, health, _status("USER_ACTIONABLE_ERROR"), timezone.now())
    assert health.fault == "user"
    assert not Restart.objects.exists()


def test_the_attempt_count_resets_only_after_a_whole_healthy_window(failing):
    connector, health = failing
    health.healthy_window_seconds = 60
    health.save()
    start = timezone.now()
    _sweep(connector, health, _status("FAILED", FILE_TRACE), start)
    _sweep(connector, health, _status("FAILED", FILE_TRACE), start + timedelta(seconds=10))
    assert health.restart_attempts == 1
    _sweep(connector, health, _status("RUNNING"), start + timedelta(seconds=20))
    _sweep(connector, health, _status("RUNNING"), start + timedelta(seconds=50))  # one lucky stretch: not enough
    assert health.restart_attempts == 1
    _sweep(connector, health, _status("RUNNING"), start + timedelta(seconds=81))
    assert health.restart_attempts == 0


def test_a_persons_action_ends_a_persistent_failure(failing):
    connector, health = failing
    ConnectorHealth.objects.filter(pk=health.pk).update(persistent_failure=True, restart_attempts=3)
    connector_transition(connector_id=connector.pk, to="UPDATING", actor="user:alice", reason="update")
    health.refresh_from_db()
    assert (health.persistent_failure, health.restart_attempts) == (False, 0)


def test_auto_restart_can_be_turned_off_per_connector_and_then_alerts_at_once(failing):
    connector, health = failing
    health.auto_restart = False
    health.save()
    _sweep(connector, health, _status("FAILED", FILE_TRACE), timezone.now())
    assert not Restart.objects.exists()
    assert Alert.objects.get(connector=connector, condition="connector_state").notified_at is not None
