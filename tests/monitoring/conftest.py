"""Receivers the monitoring tests run on loopback: a webhook (a real HTTP server) and an SMTP server
(aiosmtpd), each on a free port, recording what they get."""

from __future__ import annotations

import json
import threading
import time
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.system import free_ports


class WebhookReceiver:
    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 204
        self.delays: dict[str, float] = {}  # path -> seconds to wait before answering
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delays.get(self.path, 0.0))
                receiver.received.append({"path": self.path, "body": json.loads(body)})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_ports(1)[0]), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def bodies(self, path: str | None = None) -> list[dict]:
        return [item["body"] for item in self.received if path is None or item["path"] == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


class SmtpReceiver:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's naming
                receiver.messages.append(message_from_bytes(envelope.content))
                return "250 OK"

        self.port = free_ports(1)[0]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_receiver():
    receiver = SmtpReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def channels(tenant, webhook_receiver, smtp_receiver):
    """The tenant's default alert channels: a webhook and an email channel, on the loopback receivers."""
    from monitoring.services.channels import channel_save
    from tests.monitoring.failing_sinks import CHANNEL_PATH

    channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": webhook_receiver.url(CHANNEL_PATH)})
    channel_save(
        tenant=tenant,
        data={
            "name": "oncall-mail",
            "kind": "email",
            "recipients": ["oncall@sales.example"],
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_receiver.port,
        },
    )
    return webhook_receiver, smtp_receiver


@pytest.fixture
def cleanup_connectors(local_cluster):
    """Every connector of the test is forgotten, then deleted from Connect (so nothing re-provisions it)."""
    from connectors.clusters import cluster_connect_endpoint
    from connectors.connect import connect_client
    from connectors.models import Connector
    from tests.conftest import forget_on_connect

    yield
    connect = connect_client(cluster_connect_endpoint(cluster=local_cluster))
    names = list(Connector.objects.values_list("name", flat=True))
    Connector.objects.all().delete()
    forget_on_connect(connect, names)
