"""cpctl against the real server (pytest-django's live server), a real Celery worker and the real local
Kafka Connect stack: connectors as code, and offsets reset and set through the command line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from connectors.models import Connector, ConnectorEvent
from tests.conftest import wait_for
from tests.connectors.apis.test_sink_dead_letter_queue import _read_all
from tests.factories import file_source_request

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]

ROOT = Path(__file__).resolve().parents[2]


def name_of(connector_id: str) -> str:
    return f"edh-shared-sales-dev-{connector_id}-connector"


def file_source_spec(connector_id: str, source: Path) -> dict:
    return {"name": name_of(connector_id), **file_source_request(connector_id=connector_id, source=source)}


def file_sink_spec(connector_id: str, sink: Path, topic: str) -> dict:
    return {
        "name": name_of(connector_id),
        "type": "file-sink",
        "cluster": "local",
        "stage": "dev",
        "id": connector_id,
        "config": {"file": str(sink)},
        "topics": [topic],
    }


@pytest.fixture
def one_partition_topic(local_stack, unique_name):
    name = f"sales.{unique_name('records')}"
    admin = AdminClient({"bootstrap.servers": local_stack.config.bootstrap_servers})
    for future in admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)]).values():
        future.result(timeout=15)
    yield name
    for future in admin.delete_topics([name]).values():
        future.result(timeout=15)


def test_a_directory_of_three_specs_is_applied_then_unchanged_then_exactly_the_edit(
    cpctl, connect, local_cluster, celery_worker_process, one_partition_topic, tmp_path, file_sandbox, unique_name
):
    specs_dir = tmp_path / "connectors" / "dev"
    specs_dir.mkdir(parents=True)
    ids = [unique_name("crm"), unique_name("erp"), unique_name("orders")]
    for source in ("crm", "erp"):
        (file_sandbox / f"{source}.txt").write_text("one\n")
    crm, erp = file_source_spec(ids[0], file_sandbox / "crm.txt"), file_source_spec(ids[1], file_sandbox / "erp.txt")
    sink = file_sink_spec(ids[2], file_sandbox / "orders.out", one_partition_topic)
    (specs_dir / "sources.yaml").write_text(yaml.safe_dump_all([crm, erp]))  # two YAML documents
    (specs_dir / "orders-sink.json").write_text(json.dumps(sink))
    names = [name_of(connector_id) for connector_id in ids]
    in_file_order = [names[2], names[0], names[1]]  # orders-sink.json, then sources.yaml's two documents

    applied = cpctl("apply", "-f", str(specs_dir.parent), "--wait")
    for name in names:
        assert f"+ {name}: created" in applied.output
        assert f"… {name}: RUNNING" in applied.output
    assert {connect.status(name)["connector"]["state"] for name in names} == {"RUNNING"}
    listed = json.loads(cpctl("get", "-o", "json").stdout)
    assert sorted((c["name"], c["state"]) for c in listed) == sorted((name, "RUNNING") for name in names)

    on_connect = {name: connect.get_config(name) for name in names}
    events = ConnectorEvent.objects.count()
    again = cpctl("apply", "-f", str(specs_dir.parent), "--wait")
    assert again.stdout.splitlines() == [f"= {name}: unchanged" for name in in_file_order]
    assert {name: connect.get_config(name) for name in names} == on_connect, "no change on Connect"
    assert ConnectorEvent.objects.count() == events
    assert set(Connector.objects.values_list("generation", flat=True)) == {1}

    (file_sandbox / "crm-v2.txt").write_text("two\n")
    crm["config"]["file"] = str(file_sandbox / "crm-v2.txt")
    (specs_dir / "sources.yaml").write_text(yaml.safe_dump_all([crm, erp]))
    planned = cpctl("apply", "-f", str(specs_dir.parent), "--dry-run")
    verdicts = "    validation: schema passed, naming passed, topics passed, transforms passed, cluster passed"
    assert planned.stdout.splitlines() == [
        f"= {names[2]}: unchanged",
        verdicts,
        f"~ {names[0]}: would update (config)",
        f"    ~ file: {file_sandbox / 'crm.txt'} -> {file_sandbox / 'crm-v2.txt'}",
        verdicts,
        f"= {names[1]}: unchanged",
        verdicts,
    ]
    assert connect.get_config(names[0])["file"] == str(file_sandbox / "crm.txt"), "a dry run changes nothing"

    updated = cpctl("apply", "-f", str(specs_dir.parent), "--wait")
    assert f"~ {names[0]}: updated (config)" in updated.output
    assert f"= {names[1]}: unchanged" in updated.output and f"= {names[2]}: unchanged" in updated.output
    assert connect.get_config(names[0])["file"] == str(file_sandbox / "crm-v2.txt")
    assert {name: connect.get_config(name) for name in names[1:]} == {n: on_connect[n] for n in names[1:]}

    for name in names:
        cpctl("delete", name, "--wait")


def test_a_refused_spec_prints_its_field_errors_and_exits_non_zero(
    cpctl, local_cluster, tmp_path, file_sandbox, unique_name
):
    connector_id = unique_name("bad")
    spec = file_source_spec(connector_id, file_sandbox / "x.txt")
    spec["topics"] = ["scada.not-ours"]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(spec))

    dry = cpctl("apply", "-f", str(tmp_path / "bad.yaml"), "--dry-run", code=1)
    assert f"✗ {name_of(connector_id)}: would create — refused" in dry.output
    assert "topics[0]: 'scada.not-ours' is outside your tenant's topic prefixes" in dry.output
    real = cpctl("apply", "-f", str(tmp_path / "bad.yaml"), code=1)
    assert "topics[0]: 'scada.not-ours' is outside your tenant's topic prefixes" in real.output
    assert "1 spec(s), 1 refused" in real.output
    assert not Connector.objects.exists()


def test_a_file_sink_stopped_and_reset_writes_every_record_again(
    cpctl, local_cluster, local_stack, celery_worker_process, one_partition_topic, tmp_path, file_sandbox, unique_name
):
    producer = Producer({"bootstrap.servers": local_stack.config.bootstrap_servers})
    records = [f"record-{n}" for n in range(5)]
    for record in records:
        producer.produce(one_partition_topic, value=json.dumps(record).encode())
    assert producer.flush(10) == 0
    connector_id = unique_name("sink")
    name = name_of(connector_id)
    sink_file = file_sandbox / "sink.out"
    (tmp_path / "sink.yaml").write_text(yaml.safe_dump(file_sink_spec(connector_id, sink_file, one_partition_topic)))

    cpctl("apply", "-f", str(tmp_path / "sink.yaml"), "--wait")
    wait_for(lambda: sink_file.exists() and sink_file.read_text().splitlines() == records, message="every record")
    committed = [
        {"partition": {"kafka_topic": one_partition_topic, "kafka_partition": 0}, "offset": {"kafka_offset": 5}}
    ]  # the sink commits what it wrote a little later
    wait_for(lambda: json.loads(cpctl("offsets", "get", name, "-o", "json").stdout)["offsets"] == committed)
    assert f"offsets of {name} (RUNNING)" in cpctl("offsets", "get", name).output

    refused = cpctl("offsets", "reset", name, code=1)
    assert "state: is RUNNING; stop the connector first, or ask with stop_first=true" in refused.output
    reset = cpctl("offsets", "reset", name, "--stop-first", "--wait")
    assert f"{name}: offsets reset requested (stopping the connector first)" in reset.output
    assert f"{name}: offsets reset done: " in reset.output
    assert Connector.objects.get(name=name).state == "STOPPED"
    assert json.loads(cpctl("offsets", "get", name, "-o", "json").stdout)["offsets"] == []

    cpctl("resume", name, "--wait")
    wait_for(lambda: sink_file.read_text().splitlines() == records + records, message="every record again")
    reasons = [e["reason"] for e in json.loads(cpctl("events", name, "-o", "json").stdout)]
    requested = reasons.index("offsets reset requested; stopping the connector first")
    assert reasons[requested + 1 :][:1] == ["offsets: stopping the connector"], reasons
    assert any(reason.startswith("offsets reset done") for reason in reasons[requested:]), reasons
    cpctl("delete", name, "--wait")


def test_a_source_whose_offset_is_set_forward_skips_the_records_before_it(
    cpctl, local_cluster, local_stack, celery_worker_process, tmp_path, file_sandbox, unique_name
):
    source = file_sandbox / "lines.txt"
    source.write_text("one\ntwo\n")
    connector_id = unique_name("lines")
    name, topic = name_of(connector_id), f"sales.{connector_id}"
    (tmp_path / "source.yaml").write_text(yaml.safe_dump(file_source_spec(connector_id, source)))
    cpctl("apply", "-f", str(tmp_path / "source.yaml"), "--wait")
    bootstrap = local_stack.config.bootstrap_servers
    assert sorted(m.value() for m in _read_all(bootstrap, topic, expected=2)) == [b'"one"', b'"two"']

    cpctl("stop", name, "--wait")
    with source.open("a") as more:
        more.write("three\nfour\nfive\n")
    forward = [{"partition": {"filename": str(source)}, "offset": {"position": len("one\ntwo\nthree\n")}}]
    done = cpctl("offsets", "set", name, "--offset", json.dumps(forward), "--wait")
    assert f"{name}: offsets set done" in done.output
    assert json.loads(cpctl("offsets", "get", name, "-o", "json").stdout)["offsets"] == forward

    cpctl("resume", name, "--wait")
    values = sorted(m.value() for m in _read_all(bootstrap, topic, expected=4))  # partitions: any order
    assert values == sorted([b'"one"', b'"two"', b'"four"', b'"five"']), "three was skipped"
    cpctl("delete", name, "--wait")


def test_the_installed_console_script_speaks_to_the_server(cpctl_env, local_cluster):
    cpctl_bin = Path(sys.executable).parent / "cpctl"
    assert cpctl_bin.exists(), "scripts/setup.sh installs cpctl into the virtualenv"
    run = subprocess.run(
        [str(cpctl_bin), "types", "-o", "json"],
        env={**os.environ, **cpctl_env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "file-source" in {t["key"] for t in json.loads(run.stdout)}

    missing = subprocess.run(
        [str(cpctl_bin), "status", "edh-shared-sales-dev-nothing-connector"],
        env={**os.environ, **cpctl_env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 1 and "Not found." in missing.stderr
    no_key = subprocess.run(
        [str(cpctl_bin), "get"],
        env={**os.environ, **cpctl_env, "CPCTL_API_KEY": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert no_key.returncode == 2 and "no API key" in no_key.stderr
