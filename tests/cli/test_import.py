"""`cpctl import` against the real server, a real Celery worker and the real local Kafka Connect: a connector
config as its owner keeps it (Connect's .properties, or JSON) becomes a managed connector, or is refused with
every reason."""

import json

import pytest

from connectors.models import Connector
from tests.connectors.apis.test_sink_dead_letter_queue import _read_all

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]


def name_of(connector_id: str) -> str:
    return f"edh-shared-sales-dev-{connector_id}-connector"


def standalone_file_source(*, source, topic: str, extra: str = "") -> str:
    """A connector file as `connect-standalone` takes it (the one of Kafka's quickstart), with its comments."""
    return (
        "# Kafka's quickstart: connect-file-source.properties\n"
        "name=local-file-source\n"
        "connector.class=FileStreamSource\n"
        "tasks.max=1\n"
        f"file={source}\n"
        f"topic : {topic}\n"
        f"{extra}"
    )


def test_a_file_source_properties_file_is_dry_run_then_imported_and_runs(
    cpctl, connect, local_cluster, local_stack, celery_worker_process, tmp_path, file_sandbox, unique_name
):
    connector_id = unique_name("crm")
    name, topic = name_of(connector_id), f"sales.{connector_id}"
    source = file_sandbox / "crm.txt"
    source.write_text("alpha\nbeta\n")
    config = tmp_path / "connect-file-source.properties"
    config.write_text(standalone_file_source(source=source, topic=topic))
    target = ("--cluster", "local", "--stage", "dev", "--id", connector_id, "--create-topics")

    dry = cpctl("import", "-f", str(config), *target, "--dry-run")
    lines = dry.stdout.splitlines()
    assert lines[0] == f"+ {name}: would be created (file-source on local)"
    assert lines[1:7] == [
        "  mapped:",
        "    connector.class -> type",
        "    file -> config.file",
        "    tasks.max -> tasks_max",
        "    topic -> topics",
        "  set by the platform:",
    ]
    assert lines[7].startswith(f"    name = {name} (the platform names every connector")
    assert "  validation: passed" in lines and "  refused:" not in lines
    sent = lines[lines.index("  Connect would receive:") + 1 :]
    assert "    connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector" in sent
    assert f"    file={source}" in sent and f"    topic={topic}" in sent and f"    name={name}" in sent
    assert not Connector.objects.exists(), "a dry run creates nothing"
    assert name not in connect.list_connectors()

    imported = cpctl("import", "-f", str(config), *target, "--wait")
    assert imported.stdout.startswith(f"+ {name}: created (file-source on local, state REQUESTED)\n")
    assert f"… {name}: RUNNING" in imported.output
    assert connect.status(name)["connector"]["state"] == "RUNNING"
    assert connect.get_config(name)["file"] == str(source)
    records = _read_all(local_stack.config.bootstrap_servers, topic, expected=2)
    assert sorted(m.value() for m in records) == [b'"alpha"', b'"beta"']
    connector = Connector.objects.get(name=name)
    assert (connector.type_key, connector.stage, connector.topics) == ("file-source", "dev", [topic])

    again = cpctl("import", "-f", str(config), *target, code=1)
    assert "already exists" in again.output and "(HTTP 409)" in again.output
    cpctl("delete", name, "--wait")


def test_connects_rest_answer_as_json_maps_to_the_same_request(
    cpctl, local_cluster, tmp_path, file_sandbox, unique_name
):
    connector_id = unique_name("erp")
    config = {
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "file": str(file_sandbox / "erp.txt"),
        "topic": f"sales.{connector_id}",
        "tasks.max": "1",
    }
    rest_answer = {
        "name": "erp-source",
        "config": config,
        "tasks": [{"connector": "erp-source", "task": 0}],
        "type": "source",
    }
    (tmp_path / "flat.json").write_text(json.dumps(config))
    (tmp_path / "rest.json").write_text(json.dumps(rest_answer))
    target = ("--cluster", "local", "--stage", "dev", "--id", connector_id, "--create-topics", "--dry-run")

    flat = json.loads(cpctl("import", "-f", str(tmp_path / "flat.json"), *target, "-o", "json").stdout)
    rest = json.loads(cpctl("import", "-f", str(tmp_path / "rest.json"), *target, "-o", "json").stdout)
    assert flat["valid"] is rest["valid"] is True
    assert flat["request"] == rest["request"]
    assert rest["request"]["config"] == {"file": str(file_sandbox / "erp.txt")}
    assert rest["report"]["set_by_platform"]["name"]["value"] == name_of(connector_id)
    assert not Connector.objects.exists()


def test_a_refused_import_exits_1_with_every_reason_and_creates_nothing(
    cpctl, connect, local_cluster, tmp_path, file_sandbox, unique_name
):
    connector_id = unique_name("bad")
    config = tmp_path / "bad.properties"
    config.write_text(
        standalone_file_source(
            source=file_sandbox / "bad.txt",
            topic="scada.not-ours",
            extra="errors.log.include.messages=true\nbatch.sizes=10\n",
        )
    )
    target = ("--cluster", "local", "--stage", "dev", "--id", connector_id)

    for dry_run in (("--dry-run",), ()):
        result = cpctl("import", "-f", str(config), *target, *dry_run, code=1)
        lines = result.stdout.splitlines()
        assert lines[0] == f"✗ {name_of(connector_id)}: refused" + (" (dry run)" if dry_run else "")
        refused = lines[lines.index("  refused:") + 1 : lines.index("  validation: refused")]
        assert refused == [
            "    batch.sizes: unknown property for File Source (development)",
            "    errors.log.include.messages: it is never enabled: it would write record contents (personal data, "
            "secrets) into the logs.",
        ]
        assert "    topics[0]: 'scada.not-ours' is outside your tenant's topic prefixes (sales.)" in result.stderr
    assert not Connector.objects.exists()
    assert name_of(connector_id) not in connect.list_connectors()


def test_a_file_that_is_no_config_is_a_usage_error(cpctl, tmp_path):
    (tmp_path / "config.yaml").write_text("connector.class: FileStreamSource\n")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "twice.properties").write_text("topic=a\ntopic=b\n")
    target = ("--cluster", "local", "--stage", "dev", "--id", "x")

    assert (
        "a .properties or a .json file" in cpctl("import", "-f", str(tmp_path / "config.yaml"), *target, code=2).output
    )
    assert (
        "a connector config is an object" in cpctl("import", "-f", str(tmp_path / "list.json"), *target, code=2).output
    )
    twice = cpctl("import", "-f", str(tmp_path / "twice.properties"), *target, code=2)
    assert "line 2: 'topic' is given twice (first on line 1)" in twice.output
