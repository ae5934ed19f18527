"""A real HTTP server on loopback, for what cannot be reached from here (Confluent Cloud's API) or produced on
demand (a rebalance's 409): tests speak to it at protocol level."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: object


Answer = tuple[int, object, dict[str, str]]  # status, JSON body (None for empty), headers


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 whose answers come from ``respond``; it records every request."""

    def __init__(self, respond: Callable[[Seen], Answer], *, tls: ssl.SSLContext | None = None) -> None:
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = Seen(self.command, self.path, dict(self.headers), json.loads(raw) if raw else None)
                server.seen.append(request)
                status, body, headers = respond(request)
                payload = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for key, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = handle_one

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:  # HTTPS with the context's certificate
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> LoopbackServer:
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def confluent_cloud_cluster(respond: Callable[[Seen], Answer], *, tenants) -> Iterator:
    """A Confluent Cloud cluster open to `tenants` whose connect/v1 API is a loopback server answering with
    `respond` (its paths start with /connect/v1/environments/env-1/clusters/lkc-1); `cluster.server` is it."""
    from tests.factories import ConfluentCloudClusterFactory

    with LoopbackServer(respond) as server:
        cluster = ConfluentCloudClusterFactory(connect_url=server.url, tenants=tenants)
        cluster.server = server
        yield cluster
