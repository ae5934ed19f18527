"""What the end-to-end monitoring tests share: File Sinks made to fail for real on Kafka Connect (their
output becomes unwritable and their task starts again), and what the tenant's channels received.

The channels themselves (`channels`) and the clean-up of connectors (`cleanup_connectors`) are
fixtures in tests/monitoring/conftest.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import connect_client
from connectors.models import Connector

CHANNEL_PATH = "/sales"  # where the `channels` fixture's webhook channel posts


def create_file_sink(client, file_sandbox: Path, connector_id: str, monitoring: dict) -> tuple[str, str, Path]:
    """A File Sink on the cluster `local` asked for through the API, with its monitoring overrides."""
    out_dir = file_sandbox / "out"
    out_dir.mkdir(exist_ok=True)
    output = out_dir / f"{connector_id}.txt"
    topic = f"sales.{connector_id}"
    created = client.post(
        "/api/v1/connectors/",
        {
            "type": "file-sink",
            "cluster": "local",
            "stage": "dev",
            "id": connector_id,
            "config": {"file": str(output)},
            "topics": [topic],
            "create_topics": True,
        },
        format="json",
    )
    assert created.status_code == 202, created.json()
    name = created.json()["name"]
    changed = client.patch(f"/api/v1/connectors/{name}/monitoring", monitoring, format="json")
    assert changed.status_code == 200, changed.json()
    return name, topic, output


def block_output(output: Path) -> None:
    """The sink's output file becomes unwritable (a directory stands where the file was: root may
    write anywhere, but nobody can open a directory for writing)."""
    if output.exists():
        output.unlink()
    output.mkdir()


def unblock_output(output: Path) -> None:
    shutil.rmtree(output)


def restart_task_on_connect(cluster, name: str) -> None:
    """What a worker does on a rebalance: the task starts again and finds its output unwritable."""
    connect_client(cluster_connect_endpoint(cluster=cluster)).restart_task(name, 0)


def state_of(name: str) -> str:
    return Connector.objects.get(name=name).state


def notices(receiver, kind: str, condition: str | None = None) -> list[dict]:
    """What the tenant's webhook channel received: notices of `kind` (alert, recovery), of `condition` if given."""
    return [
        body
        for body in receiver.bodies(CHANNEL_PATH)
        if body["kind"] == kind and (condition is None or body["condition"] == condition)
    ]
