"""Health monitoring end to end, against the real local stack (Kafka Connect, broker, PostgreSQL) and a
real Celery worker that sends the deliveries and carries out the restarts. The test plays Celery
beat: it runs the health sweep itself, once a second, so every step is observable.

Receivers are real servers on loopback: a webhook (HTTP) and an SMTP server (aiosmtpd) that the
tenant's email channel names as its own SMTP server.
"""

from __future__ import annotations

import os
import time
import uuid

import psycopg
import pytest
from confluent_kafka import Producer
from psycopg import sql

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import connect_client
from connectors.models import Connector
from monitoring.models import Alert, ConnectorHealth, Delivery, Restart, TaskOutcome
from monitoring.services.channels import channel_save
from monitoring.services.sweep import sweep_cluster
from tenants.models import Role
from tests.conftest import wait_for
from tests.monitoring.failing_sinks import (
    block_output,
    create_file_sink,
    notices,
    restart_task_on_connect,
    state_of,
    unblock_output,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]


def _sweep_until(cluster, predicate, *, timeout: float, message: str, interval: float = 1.0):
    def step():
        sweep_cluster(cluster=cluster)
        return predicate()

    try:
        return wait_for(step, timeout=timeout, interval=interval, message=message)
    except pytest.fail.Exception:
        connectors = [
            (c.name, c.state, c.operation, [(e.to_state, e.actor, e.reason, e.error[:300]) for e in c.events.all()])
            for c in Connector.objects.all()
        ]
        live = connect_client(cluster_connect_endpoint(cluster=cluster)).statuses()
        lags = list(
            ConnectorHealth.objects.values("connector__name", "lag_records", "lag_partitions", "lag_measured_at")
        )
        pytest.fail(f"timed out waiting for {message}: {connectors}\nlag: {lags}\nConnect: {live}")


def _sweeps(cluster, count: int, interval: float = 1.0) -> None:
    for _ in range(count):
        sweep_cluster(cluster=cluster)
        time.sleep(interval)


def _mails(smtp, word: str) -> list:
    return [mail for mail in smtp.messages if word in mail["Subject"]]


def _produce(bootstrap: str, topic: str, count: int) -> None:
    """One record per request, so the records arrive one by one as a busy source would send them."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
    for index in range(count):
        producer.produce(topic, value=f'{{"n": {index}}}'.encode())
        assert producer.flush(15) == 0


# --- a File Sink whose output becomes unwritable ----------------------------------------------------------
def test_an_unwritable_file_sink_is_restarted_with_backoff_then_alerted_once_and_recovers_once(
    client_for, tenant, local_cluster, celery_worker_process, channels, file_sandbox, unique_name, cleanup_connectors
):
    webhook, smtp = channels
    # A channel whose receiver hangs longer than the delivery timeout: it must hold up nothing.
    webhook.delays["/slow"] = 30
    channel_save(tenant=tenant, data={"name": "slow", "kind": "webhook", "url": webhook.url("/slow")})
    client = client_for(tenant, Role.ADMIN)
    name, _, output = create_file_sink(
        client,
        file_sandbox,
        unique_name("sink"),
        {"restart_backoff_seconds": 2, "restart_backoff_max_seconds": 3, "restart_max_attempts": 2},
    )
    _sweep_until(local_cluster, lambda: state_of(name) == "RUNNING", timeout=180, message="the sink to run")

    block_output(output)
    restart_task_on_connect(local_cluster, name)

    _sweep_until(local_cluster, lambda: state_of(name) in {"FAILED", "DEGRADED"}, timeout=30, message="the failure")
    _sweep_until(
        local_cluster,
        lambda: Alert.objects.filter(connector__name=name, condition="persistent_failure").exists(),
        timeout=60,
        message="restarts to be exhausted",
    )
    restarts = list(Restart.objects.filter(connector__name=name).order_by("attempt"))
    assert [restart.attempt for restart in restarts] == [1, 2]
    assert (restarts[1].requested_at - restarts[0].requested_at).total_seconds() >= 3  # backoff 2 s, then 3 s (cap)
    assert "Couldn't find or create file" in restarts[0].error
    wait_for(lambda: notices(webhook, "alert") and _mails(smtp, name), timeout=30, message="the alert to arrive")
    started = time.monotonic()
    _sweeps(local_cluster, 5, interval=0)  # an unchanged failure: nothing more is sent, nothing more is restarted
    assert time.monotonic() - started < 10, "the hanging channel must not slow the sweep"
    time.sleep(2)
    [alert] = notices(webhook, "alert")
    assert alert["condition"] == "persistent_failure" and alert["connector"] == name and alert["failing_tasks"] == [0]
    assert "Couldn't find or create file" in alert["error"] and "restart" in alert["next_steps"]
    assert len(_mails(smtp, name)) == 1
    assert Restart.objects.filter(connector__name=name).count() == 2
    status = client.get(f"/api/v1/connectors/{name}/status").json()["health"]
    assert status["auto_restart"]["persistent_failure"] is True and status["tasks"][0]["state"] == "FAILED"

    unblock_output(output)
    assert client.post(f"/api/v1/connectors/{name}/restart").status_code == 202
    _sweep_until(local_cluster, lambda: state_of(name) == "RUNNING", timeout=60, message="the sink to run again")
    wait_for(
        lambda: notices(webhook, "recovery") and _mails(smtp, "resolved"), timeout=30, message="the recovery notice"
    )
    _sweeps(local_cluster, 3)
    time.sleep(1)
    assert len(notices(webhook, "recovery")) == 1 and len(_mails(smtp, "resolved")) == 1
    assert len(notices(webhook, "alert")) == 1
    slow = Delivery.objects.get(alert__connector__name=name, target="webhook:slow", kind="alert")
    assert slow.status != "sent" and slow.attempts >= 1 and slow.last_error == "ReadTimeoutError"
    assert TaskOutcome.objects.filter(task="monitoring.deliver", outcome="success", count__gte=4).exists()
    deliveries = Delivery.objects.filter(alert__connector__name=name).exclude(target="webhook:slow")
    assert sorted((d.target, d.kind, d.status) for d in deliveries) == [
        ("email:oncall-mail", "alert", "sent"),
        ("email:oncall-mail", "recovery", "sent"),
        ("webhook:oncall", "alert", "sent"),
        ("webhook:oncall", "recovery", "sent"),
    ]


# --- sink lag ---------------------------------------------------------------------------------------------
def test_a_sink_whose_records_pile_up_alerts_over_its_lag_threshold_and_recovers_when_it_catches_up(
    client_for,
    tenant,
    local_cluster,
    local_stack,
    celery_worker_process,
    channels,
    file_sandbox,
    unique_name,
    cleanup_connectors,
):
    webhook, _ = channels
    client = client_for(tenant, Role.ADMIN)
    name, topic, output = create_file_sink(
        client, file_sandbox, unique_name("lag"), {"lag_threshold_records": 10, "auto_restart": False}
    )
    _sweep_until(local_cluster, lambda: state_of(name) == "RUNNING", timeout=180, message="the sink to run")
    _produce(local_stack.config.bootstrap_servers, topic, 3)
    wait_for(lambda: output.exists() and len(output.read_text().splitlines()) == 3, timeout=30, message="3 lines")
    _sweep_until(
        local_cluster,
        lambda: client.get(f"/api/v1/connectors/{name}/status").json()["health"]["lag"]["records"] == 0,
        timeout=30,
        message="the sink to be caught up",
    )

    block_output(output)  # its output is blocked: records pile up
    restart_task_on_connect(local_cluster, name)
    _sweep_until(local_cluster, lambda: state_of(name) == "FAILED", timeout=30, message="the blocked sink to fail")
    _produce(local_stack.config.bootstrap_servers, topic, 25)
    lag_alert = _sweep_until(
        local_cluster,
        lambda: Alert.objects.filter(connector__name=name, condition="sink_lag", resolved_at__isnull=True).first(),
        timeout=30,
        message="the lag alert",
    )
    assert lag_alert.details["lag_records"] == 25
    lag = client.get(f"/api/v1/connectors/{name}/status").json()["health"]["lag"]
    assert lag["records"] == 25 and lag["partitions"][0]["topic"] == topic and lag["threshold_records"] == 10

    unblock_output(output)
    restart_task_on_connect(local_cluster, name)
    _sweep_until(
        local_cluster,
        lambda: Alert.objects.get(pk=lag_alert.pk).resolved_at is not None,
        timeout=60,
        message="the sink to catch up",
    )
    assert len(output.read_text().splitlines()) == 25
    wait_for(lambda: notices(webhook, "recovery", "sink_lag"), timeout=30, message="the lag recovery notice")
    assert len(notices(webhook, "alert", "sink_lag")) == 1 and len(notices(webhook, "recovery", "sink_lag")) == 1


# --- an error the user must fix --------------------------------------------------------------------------
@pytest.fixture
def cdc_database():
    suffix = uuid.uuid4().hex[:10]
    role, dbname, password = f"mon_{suffix}", f"mon_{suffix}", f"Pw-{uuid.uuid4()}"
    admin = psycopg.connect(
        host="127.0.0.1",
        port=5432,
        user="postgres",
        dbname="postgres",
        autocommit=True,
        password=os.environ.get("PGPASSWORD", "postgres"),
    )
    admin.execute(
        sql.SQL("CREATE ROLE {} REPLICATION LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
    )
    admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(dbname), sql.Identifier(role)))
    with psycopg.connect(
        host="127.0.0.1", port=5432, user=role, dbname=dbname, password=password, autocommit=True
    ) as own:
        own.execute("CREATE TABLE orders (id integer PRIMARY KEY, item text)")
    yield {"role": role, "dbname": dbname, "password": password, "admin": admin}
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (dbname,),
    )
    for (slot,) in admin.execute(
        "SELECT slot_name FROM pg_replication_slots WHERE database = %s", (dbname,)
    ).fetchall():
        admin.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
    admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    admin.close()


def test_a_connector_whose_credentials_are_refused_is_not_restarted_and_alerts_at_once(
    client_for, tenant, local_cluster, celery_worker_process, channels, cdc_database, unique_name, cleanup_connectors
):
    webhook, _ = channels
    client = client_for(tenant, Role.ADMIN)
    connector_id = unique_name("cdc")
    created = client.post(
        "/api/v1/connectors/",
        {
            "type": "postgres-cdc-source",
            "cluster": "local",
            "stage": "dev",
            "id": connector_id,
            "config": {
                "database.hostname": "127.0.0.1",
                "database.port": 5432,
                "database.user": cdc_database["role"],
                "database.dbname": cdc_database["dbname"],
                "table.include.list": "public.orders",
            },
            "credentials": {"database.password": cdc_database["password"]},
            "topics": [f"sales.{connector_id.replace('-', '')}"],
        },
        format="json",
    )
    assert created.status_code == 202, created.json()
    name = created.json()["name"]
    _sweep_until(local_cluster, lambda: state_of(name) == "RUNNING", timeout=120, message="the CDC source to run")

    # The database's owner changes the password behind the connector's back; its task starts again (and
    # logs in again). Its open sessions are left alone: cutting them would be a connection loss first, a
    # platform fault that is rightly restarted.
    admin = cdc_database["admin"]
    admin.execute(sql.SQL("ALTER ROLE {} PASSWORD 'changed-elsewhere'").format(sql.Identifier(cdc_database["role"])))
    restart_task_on_connect(local_cluster, name)

    _sweep_until(
        local_cluster, lambda: state_of(name) in {"FAILED", "DEGRADED"}, timeout=90, message="the auth failure"
    )
    wait_for(lambda: notices(webhook, "alert"), timeout=30, message="the alert")
    _sweeps(local_cluster, 5)
    time.sleep(1)
    [body] = notices(webhook, "alert")
    assert body["condition"] == "connector_state" and body["fault"] == "user"
    assert cdc_database["password"] not in str(webhook.received)
    assert not Restart.objects.filter(connector__name=name).exists()
    assert client.get(f"/api/v1/connectors/{name}/status").json()["health"]["fault"] == "user"


# --- the Connect worker stopped ----------------------------------------------------------------------------
def test_a_stopped_connect_worker_is_one_unreachable_alert_no_failed_connector_and_one_recovery(
    client_for,
    tenant,
    local_cluster,
    local_stack,
    celery_worker_process,
    channels,
    file_sandbox,
    unique_name,
    cleanup_connectors,
):
    webhook, smtp = channels
    client = client_for(tenant, Role.ADMIN)
    name, _, _ = create_file_sink(client, file_sandbox, unique_name("down"), {})
    _sweep_until(local_cluster, lambda: state_of(name) == "RUNNING", timeout=180, message="the sink to run")

    time.sleep(3)  # let the Connect group settle before its only worker goes
    local_stack.connect.stop()
    try:
        _sweeps(local_cluster, 5)
        [alert] = Alert.objects.filter(condition="cluster_unreachable")
        assert alert.cluster == local_cluster and alert.resolved_at is None
        assert state_of(name) == "RUNNING"
        assert not Connector.objects.filter(state="FAILED").exists()
        health = client.get(f"/api/v1/connectors/{name}/status").json()["health"]
        assert health["stale"] is True and health["cluster_reachable"] is False
        wait_for(lambda: notices(webhook, "alert"), timeout=30, message="the unreachable alert")
    finally:
        local_stack.up(timeout=180)
    _sweep_until(
        local_cluster,
        lambda: Alert.objects.get(condition="cluster_unreachable").resolved_at is not None,
        timeout=60,
        message="the cluster to answer again",
    )
    wait_for(lambda: notices(webhook, "recovery"), timeout=30, message="the recovery notice")
    _sweeps(local_cluster, 3)
    assert [b["condition"] for b in notices(webhook, "alert")] == ["cluster_unreachable"]
    assert len(notices(webhook, "recovery")) == 1
    assert len(_mails(smtp, "[cluster_unreachable]")) == 1 and len(_mails(smtp, "[resolved]")) == 1
    assert not Connector.objects.filter(state="FAILED").exists()
